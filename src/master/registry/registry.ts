/**
 * The registry (spec/core.md 5.2): what the master keeps across restarts and
 * fail-overs, changed only by named operations (Mesos'
 * registry_operations.hpp). The master writes each operation durably before
 * it takes effect: a registry effect comes first in a step's effects, and the
 * shell performs effects in order with a synchronous store
 * (sqlite-store.ts). Everything else the master knows (frameworks, tasks,
 * reservations, volumes) it learns again from agents and frameworks.
 *
 * Held: the admitted agents (so that a restarted master knows whom to
 * expect), the unreachable ones with when they became so, and the gone ones;
 * which agents an operator deactivated or is draining; role weights and
 * quota; the maintenance schedule and the machines an operator took down.
 *
 * A store is synchronous (SQLite, memory: durable when apply returns) or
 * asynchronous (ZooKeeper: durable when its promise resolves). Either way the
 * shell performs no effect that follows a registry effect before it is
 * durable (shell/effect-queue.ts).
 */

/** What identifies an admitted agent to a human reading the registry. */
export interface RegisteredAgent {
  readonly hostname: string;
  readonly ip: string;
  readonly port: number;
}

/** A machine as maintenance names it (Mesos' MachineID): at least one of the two. */
export interface MachineId {
  readonly hostname?: string;
  readonly ip?: string;
}

/** When a machine will be unavailable (Mesos' Unavailability, nanoseconds since the epoch). */
export interface Unavailability {
  readonly start: { readonly nanoseconds: number };
  readonly duration?: { readonly nanoseconds: number };
}

/** One window of a maintenance schedule, in its wire form. */
export interface MaintenanceWindow {
  readonly machine_ids: readonly MachineId[];
  readonly unavailability: Unavailability;
}

/** DRAIN_AGENT's request, kept until the agent is drained and after (Mesos' DrainInfo). */
export interface AgentDrain {
  readonly state: 'DRAINING' | 'DRAINED';
  /** The kill grace period cap; undefined: each task's own. */
  readonly maxGracePeriodMs?: number;
  readonly markGone: boolean;
}

export interface RegistrySnapshot {
  readonly admitted: ReadonlyMap<string, RegisteredAgent>;
  readonly unreachable: ReadonlyMap<string, { readonly hostname: string; readonly unreachableTimeMs: number }>;
  readonly gone: ReadonlyMap<string, { readonly goneTimeMs: number }>;
  /** Admitted or unreachable agents an operator deactivated (or is draining): not offered. */
  readonly deactivated: ReadonlySet<string>;
  readonly draining: ReadonlyMap<string, AgentDrain>;
  readonly weights: ReadonlyMap<string, number>;
  /** Quota by role, as UPDATE_QUOTA's QuotaConfig JSON. */
  readonly quota: ReadonlyMap<string, unknown>;
  /** The maintenance schedule (Mesos keeps one). */
  readonly schedule: readonly MaintenanceWindow[];
  /** Machines in maintenance (START_MAINTENANCE): their agents are refused. */
  readonly downMachines: readonly MachineId[];
}

export type RegistryOperation =
  | { readonly type: 'admit_agent'; readonly agentId: string; readonly agent: RegisteredAgent }
  | { readonly type: 'mark_agent_unreachable'; readonly agentId: string; readonly hostname: string; readonly unreachableTimeMs: number }
  /** An unreachable agent came back: admitted again. */
  | { readonly type: 'mark_agent_reachable'; readonly agentId: string; readonly agent: RegisteredAgent }
  | { readonly type: 'mark_agent_gone'; readonly agentId: string; readonly goneTimeMs: number }
  | { readonly type: 'remove_agent'; readonly agentId: string }
  | { readonly type: 'update_weights'; readonly weights: ReadonlyMap<string, number> }
  /** `quota` undefined: the role's quota is removed. */
  | { readonly type: 'update_quota'; readonly role: string; readonly quota: unknown }
  | { readonly type: 'deactivate_agent'; readonly agentId: string }
  /** Also ends a drain. */
  | { readonly type: 'reactivate_agent'; readonly agentId: string }
  /** Deactivates the agent too. */
  | { readonly type: 'drain_agent'; readonly agentId: string; readonly drain: AgentDrain }
  | { readonly type: 'mark_agent_drained'; readonly agentId: string }
  /** Replaces the schedule (a DOWN machine is never left out: validation refuses it). */
  | { readonly type: 'update_maintenance_schedule'; readonly windows: readonly MaintenanceWindow[] }
  | { readonly type: 'start_maintenance'; readonly machines: readonly MachineId[] }
  /** The machines are up again and leave the schedule. */
  | { readonly type: 'stop_maintenance'; readonly machines: readonly MachineId[] };

export const emptyRegistry: RegistrySnapshot = {
  admitted: new Map(),
  unreachable: new Map(),
  gone: new Map(),
  deactivated: new Set(),
  draining: new Map(),
  weights: new Map(),
  quota: new Map(),
  schedule: [],
  downMachines: [],
};

/**
 * A machine as one string, equal exactly when two ids name the same machine
 * (Mesos' MachineID equality: the hostname without regard to case, the IP
 * exactly; an empty field is an absent one). Also a valid znode name: '@' is
 * escaped inside each part, so the key is never '.' or '..'.
 */
export function machineKey(machine: MachineId): string {
  return `${encodeURIComponent((machine.hostname ?? '').toLowerCase())}@${encodeURIComponent(machine.ip ?? '')}`;
}

export function sameMachine(a: MachineId, b: MachineId): boolean {
  return machineKey(a) === machineKey(b);
}

/** The schedule without `machines`; windows left empty are dropped. */
export function withoutMachines(schedule: readonly MaintenanceWindow[], machines: readonly MachineId[]): MaintenanceWindow[] {
  return schedule
    .map((window) => ({ ...window, machine_ids: window.machine_ids.filter((id) => !machines.some((machine) => sameMachine(id, machine))) }))
    .filter((window) => window.machine_ids.length > 0);
}

/** A registry a store changes in place: one operation costs what it touches, not the registry's size. */
export interface MutableRegistry {
  readonly admitted: Map<string, RegisteredAgent>;
  readonly unreachable: Map<string, { readonly hostname: string; readonly unreachableTimeMs: number }>;
  readonly gone: Map<string, { readonly goneTimeMs: number }>;
  readonly deactivated: Set<string>;
  readonly draining: Map<string, AgentDrain>;
  readonly weights: Map<string, number>;
  readonly quota: Map<string, unknown>;
  schedule: readonly MaintenanceWindow[];
  downMachines: readonly MachineId[];
}

/** A copy of `registry` to change in place. */
export function mutableRegistry(registry: RegistrySnapshot): MutableRegistry {
  return {
    admitted: new Map(registry.admitted),
    unreachable: new Map(registry.unreachable),
    gone: new Map(registry.gone),
    deactivated: new Set(registry.deactivated),
    draining: new Map(registry.draining),
    weights: new Map(registry.weights),
    quota: new Map(registry.quota),
    schedule: registry.schedule,
    downMachines: registry.downMachines,
  };
}

/** Applies `operation` to `registry` in place. */
export function applyInPlace(registry: MutableRegistry, operation: RegistryOperation): void {
  const forgetOperatorState = (agentId: string): void => {
    registry.deactivated.delete(agentId);
    registry.draining.delete(agentId);
  };
  switch (operation.type) {
    case 'admit_agent':
    case 'mark_agent_reachable':
      registry.unreachable.delete(operation.agentId);
      registry.admitted.set(operation.agentId, operation.agent);
      return;
    case 'mark_agent_unreachable':
      registry.admitted.delete(operation.agentId);
      registry.unreachable.set(operation.agentId, { hostname: operation.hostname, unreachableTimeMs: operation.unreachableTimeMs });
      return;
    case 'mark_agent_gone':
      registry.admitted.delete(operation.agentId);
      registry.unreachable.delete(operation.agentId);
      registry.gone.set(operation.agentId, { goneTimeMs: operation.goneTimeMs });
      forgetOperatorState(operation.agentId);
      return;
    case 'remove_agent':
      registry.admitted.delete(operation.agentId);
      registry.unreachable.delete(operation.agentId);
      forgetOperatorState(operation.agentId);
      return;
    case 'update_weights':
      for (const [role, weight] of operation.weights) registry.weights.set(role, weight);
      return;
    case 'update_quota':
      if (operation.quota === undefined) registry.quota.delete(operation.role);
      else registry.quota.set(operation.role, operation.quota);
      return;
    case 'deactivate_agent':
      registry.deactivated.add(operation.agentId);
      return;
    case 'reactivate_agent':
      forgetOperatorState(operation.agentId);
      return;
    case 'drain_agent':
      registry.deactivated.add(operation.agentId);
      registry.draining.set(operation.agentId, operation.drain);
      return;
    case 'mark_agent_drained': {
      const drain = registry.draining.get(operation.agentId);
      if (drain !== undefined) registry.draining.set(operation.agentId, { ...drain, state: 'DRAINED' });
      return;
    }
    case 'update_maintenance_schedule':
      registry.schedule = operation.windows;
      return;
    case 'start_maintenance':
      registry.downMachines = [...registry.downMachines, ...operation.machines.filter((id) => !registry.downMachines.some((down) => sameMachine(down, id)))];
      return;
    case 'stop_maintenance':
      registry.schedule = withoutMachines(registry.schedule, operation.machines);
      registry.downMachines = registry.downMachines.filter((down) => !operation.machines.some((id) => sameMachine(down, id)));
      return;
  }
}

/** The registry after `operation`, leaving `registry` as it was (tests compare stores with it). */
export function applyRegistryOperation(registry: RegistrySnapshot, operation: RegistryOperation): RegistrySnapshot {
  const next = mutableRegistry(registry);
  applyInPlace(next, operation);
  return next;
}

/** Where the registry lives. */
export interface RegistryStore {
  /** What the store held when it was opened. */
  readonly recovered: RegistrySnapshot;
  /** Whether it outlives the process (a restarted master finds it again). */
  readonly durable: boolean;
  /** Durable when it returns, or when the promise it returns resolves; a store that cannot write throws or rejects. */
  apply(operation: RegistryOperation): void | Promise<void>;
  close(): void;
}

/** A registry that forgets with the process (--registry=in_memory, and the harness). */
export class MemoryRegistryStore implements RegistryStore {
  readonly durable = false;
  private readonly current: MutableRegistry;
  readonly applied: RegistryOperation[] = [];

  constructor(readonly recovered: RegistrySnapshot = emptyRegistry) {
    this.current = mutableRegistry(recovered);
  }

  get snapshot(): RegistrySnapshot {
    return this.current;
  }

  apply(operation: RegistryOperation): void {
    this.applied.push(operation);
    applyInPlace(this.current, operation);
  }

  close(): void {
    // Nothing to release.
  }
}
