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
 * role weights and quota. Maintenance schedules are not kept: berth has no
 * maintenance yet.
 */

/** What identifies an admitted agent to a human reading the registry. */
export interface RegisteredAgent {
  readonly hostname: string;
  readonly ip: string;
  readonly port: number;
}

export interface RegistrySnapshot {
  readonly admitted: ReadonlyMap<string, RegisteredAgent>;
  readonly unreachable: ReadonlyMap<string, { readonly hostname: string; readonly unreachableTimeMs: number }>;
  readonly gone: ReadonlyMap<string, { readonly goneTimeMs: number }>;
  readonly weights: ReadonlyMap<string, number>;
  /** Quota by role, as UPDATE_QUOTA's QuotaConfig JSON. */
  readonly quota: ReadonlyMap<string, unknown>;
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
  | { readonly type: 'update_quota'; readonly role: string; readonly quota: unknown };

export const emptyRegistry: RegistrySnapshot = {
  admitted: new Map(),
  unreachable: new Map(),
  gone: new Map(),
  weights: new Map(),
  quota: new Map(),
};

/** The registry after `operation`: pure; the stores apply the same change to their rows. */
export function applyRegistryOperation(registry: RegistrySnapshot, operation: RegistryOperation): RegistrySnapshot {
  const admitted = new Map(registry.admitted);
  const unreachable = new Map(registry.unreachable);
  const gone = new Map(registry.gone);
  switch (operation.type) {
    case 'admit_agent':
    case 'mark_agent_reachable':
      unreachable.delete(operation.agentId);
      admitted.set(operation.agentId, operation.agent);
      return { ...registry, admitted, unreachable };
    case 'mark_agent_unreachable':
      admitted.delete(operation.agentId);
      unreachable.set(operation.agentId, { hostname: operation.hostname, unreachableTimeMs: operation.unreachableTimeMs });
      return { ...registry, admitted, unreachable };
    case 'mark_agent_gone':
      admitted.delete(operation.agentId);
      unreachable.delete(operation.agentId);
      gone.set(operation.agentId, { goneTimeMs: operation.goneTimeMs });
      return { ...registry, admitted, unreachable, gone };
    case 'remove_agent':
      admitted.delete(operation.agentId);
      unreachable.delete(operation.agentId);
      return { ...registry, admitted, unreachable };
    case 'update_weights': {
      const weights = new Map(registry.weights);
      for (const [role, weight] of operation.weights) weights.set(role, weight);
      return { ...registry, weights };
    }
    case 'update_quota': {
      const quota = new Map(registry.quota);
      if (operation.quota === undefined) quota.delete(operation.role);
      else quota.set(operation.role, operation.quota);
      return { ...registry, quota };
    }
  }
}

/** Where the registry lives; every method is synchronous and durable when it returns. */
export interface RegistryStore {
  /** What the store held when it was opened. */
  readonly recovered: RegistrySnapshot;
  apply(operation: RegistryOperation): void;
  close(): void;
}

/** A registry that forgets with the process (--registry=in_memory, and the harness). */
export class MemoryRegistryStore implements RegistryStore {
  snapshot: RegistrySnapshot;
  readonly applied: RegistryOperation[] = [];

  constructor(readonly recovered: RegistrySnapshot = emptyRegistry) {
    this.snapshot = recovered;
  }

  apply(operation: RegistryOperation): void {
    this.applied.push(operation);
    this.snapshot = applyRegistryOperation(this.snapshot, operation);
  }

  close(): void {
    // Nothing to release.
  }
}
