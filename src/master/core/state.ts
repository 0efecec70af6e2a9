/**
 * The master's soft state (spec/core.md Appendix A): frameworks, agents,
 * offers and tasks, plus the allocator and the timers. Owned by the master
 * core; the shell never changes it, and views (../views) only read it.
 */
import { emptyRegistry, type AgentDrain, type MachineId, type MaintenanceWindow, type RegisteredAgent, type RegistrySnapshot, type Unavailability } from '../registry/registry.js';
import { machinesFromRegistry } from './maintenance/machines.js';
import type { QuotaConfig } from '../../protocol/operator.js';
import { quotaOf } from './operator/quota.js';
import type { Random } from '../../lib/random.js';
import type { MasterToAgentMessage } from '../../protocol/internal.js';
import type { AgentCapability, FrameworkCapability, FrameworkInfo, TaskState } from '../../protocol/mesos.js';
import type { WireAttribute, WireMasterInfo, WireTaskStatus, WireOperationStatus } from '../../protocol/outputs.js';
import type { OfferConstraints } from '../../protocol/scheduler.js';
import type { Resources } from '../../resources/index.js';
import { Allocator } from '../allocator/allocator.js';
import type { OperationAuthorizer } from './operations/index.js';
import { compileLocalAuthorizer, createLocalAuthorizer, type LocalAuthorizer } from '../auth/local-authorizer.js';
import type { MasterConfig } from './config.js';
import { Counters } from './counters.js';
import { TimerQueue } from './timers.js';

export interface Connection {
  readonly connectionId: string;
  readonly streamId: string;
}

export interface Framework {
  readonly id: string;
  info: FrameworkInfo;
  roles: ReadonlySet<string>;
  capabilities: ReadonlySet<FrameworkCapability>;
  suppressedRoles: ReadonlySet<string>;
  offerConstraints: OfferConstraints | undefined;
  /** Set while a scheduler stream is open: "connected". */
  connection: Connection | undefined;
  /** Offered resources only while active (connected and not deactivated). */
  active: boolean;
  /** Learnt from an agent or a first re-subscription after fail-over; inactive until it subscribes. */
  recovered: boolean;
  registeredTimeMs: number;
  reregisteredTimeMs: number | undefined;
  unregisteredTimeMs: number | undefined;
  readonly offers: Set<string>;
  readonly tasks: Map<string, Task>;
  readonly unreachableTasks: Map<string, Task>;
  completedTasks: Task[];
  /** Custom executors the framework launched, by agent then executor id. */
  readonly executors: Map<string, Map<string, object>>;
  /** Inverse offers outstanding (maintenance/inverse-offers.ts). */
  readonly inverseOffers: Set<string>;
  /** Per-framework counters (calls/<type>, events/<type>, offers/...). */
  readonly counters: Counters;
  /** Operations with feedback (an id) whose last update is not acknowledged: operation uuid by operation id. */
  readonly operations: Map<string, string>;
  /**
   * Reports on operations this master never sent (it failed over or
   * restarted since), by operation id, until acknowledged: what
   * RECONCILE_OPERATIONS answers for them (spec/core.md 5.3, issue 6 point 5).
   */
  readonly reportedOperations: Map<string, WireOperationStatus>;
}

export type OperationState = 'OPERATION_PENDING' | 'OPERATION_FINISHED' | 'OPERATION_FAILED';

/**
 * A storage operation sent to an agent (spec/storage.md 2.9), known until its
 * agent reports on it and, for one with feedback, until the framework
 * acknowledges that report.
 */
export interface Operation {
  readonly uuid: string;
  readonly type: string;
  readonly agentId: string;
  /** Absent for an operator's operation. */
  readonly frameworkId: string | undefined;
  /** Set when the framework asked for feedback. */
  readonly operationId: string | undefined;
  state: OperationState;
  message: string | undefined;
  /** The uuid of the agent's update, which the framework acknowledges. */
  statusUuid: string | undefined;
  /** The agent's resource version once the operation is applied. */
  readonly resourceVersion: string;
  /** What the agent was sent: sent again if it re-registers without having applied it. */
  readonly sent: Extract<MasterToAgentMessage, { type: 'APPLY_OPERATION' }>['apply_operation'];
}

export interface Task {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly executorId: string | undefined;
  readonly name: string;
  state: TaskState;
  readonly resources: Resources;
  statuses: WireTaskStatus[];
  statusUpdateState: TaskState | undefined;
  statusUpdateUuid: string | undefined;
  /** The TaskInfo fields shown in state endpoints (labels, discovery, container, ...). */
  readonly info: Readonly<Record<string, unknown>>;
  readonly user: string | undefined;
}

export interface AgentLink {
  readonly linkId: string;
  readonly epoch: number;
  /** Last agent-to-master sequence number applied on this link. */
  lastSeqIn: number;
  /** Last master-to-agent sequence number sent on this link. */
  lastSeqOut: number;
}

export interface Agent {
  readonly id: string;
  hostname: string;
  ip: string;
  port: number;
  attributes: WireAttribute[];
  domain: object | undefined;
  version: string;
  capabilities: ReadonlySet<AgentCapability>;
  /** What the agent declared plus its checkpointed resources: its total. */
  totalResources: Resources;
  /**
   * The version of the agent's checkpointed resources the master last decided
   * (an operation) or adopted (a registration): an agent that re-registers
   * with another version is sent the master's view (spec/storage.md 2.9).
   */
  resourceVersion: string;
  /** Connected iff a link is open. */
  link: AgentLink | undefined;
  /** Highest epoch seen: a link must come with a higher one. */
  epoch: number;
  /** False while disconnected or deactivated: nothing of it is offered. */
  active: boolean;
  registeredTimeMs: number;
  reregisteredTimeMs: number | undefined;
  readonly offers: Set<string>;
  readonly inverseOffers: Set<string>;
  /** Tasks on this agent, as (framework id, task id). */
  readonly tasks: Set<string>;
  /** Tasks a framework asked to kill, as (framework id, task id): the kill is sent again when the agent re-registers. */
  readonly killedTasks: Set<string>;
  /** Consecutive pings that went unanswered. */
  pingsMissed: number;
  pongReceived: boolean;
}

export interface Offer {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  /** Allocated to `role`. */
  readonly resources: Resources;
  readonly createdMs: number;
}

/** A machine's maintenance mode (Mesos' MachineInfo.Mode). */
export type MachineMode = 'UP' | 'DRAINING' | 'DOWN';

/** A machine maintenance knows of: scheduled, down, or one an agent ran on (maintenance/machines.ts). */
export interface Machine {
  /** As first seen: from the schedule, or from the first agent on it. */
  readonly id: MachineId;
  mode: MachineMode;
  unavailability: Unavailability | undefined;
  /** Registered agents on it. */
  readonly agents: Set<string>;
}

/** What frameworks answered to inverse offers for an agent on a scheduled machine (Mesos' allocator maintenance). */
export interface AgentMaintenance {
  readonly unavailability: Unavailability;
  readonly statuses: Map<string, { readonly status: 'ACCEPT' | 'DECLINE'; readonly timestampMs: number }>;
  /** Frameworks holding an inverse offer for the agent. */
  readonly outstanding: Set<string>;
}

/** An inverse offer: the agent's machine will be unavailable (maintenance). */
export interface InverseOffer {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly unavailability: Unavailability;
}

/** An agent an operator is draining (DRAIN_AGENT). */
export interface DrainingAgent {
  drain: AgentDrain;
  /** When DRAIN_AGENT reached it registered; in memory only, as in Mesos. */
  estimatedStartMs: number | undefined;
}

export interface OperatorSubscriber {
  readonly connectionId: string;
  readonly subscribedMs: number;
  /** The operator's authenticated principal; undefined when /api/v1 is open. Decides what it is sent (--acls view_*). */
  readonly principal: string | undefined;
}

/** An ACCEPT's offers as the operations left them, not yet returned to the allocator. */
export interface UnsettledAccept {
  readonly frameworkId: string;
  readonly agentId: string;
  /** What the offers held. */
  readonly offered: Resources;
  /** What remains of them after the operations, with the resized volumes withheld from them. */
  readonly left: Resources;
  readonly refuseSeconds: number;
}

/** Why an agent is to be marked unreachable: each is checked again when its turn comes. */
export type UnreachableCause = 'pings' | 'reregister' | 'recovered';

export interface MasterState {
  readonly config: MasterConfig;
  readonly info: WireMasterInfo;
  readonly random: Random;
  readonly startTimeMs: number;
  electedTimeMs: number | undefined;
  readonly frameworks: Map<string, Framework>;
  /** Torn down or failed over past their timeout, newest last, bounded. */
  completedFrameworks: Framework[];
  readonly agents: Map<string, Agent>;
  /**
   * Ids of agents this master removed (their tasks were reported lost), oldest
   * first, bounded: one that links again with such an id is refused with 410
   * and registers anew (docs/protocol.md). Lost with the master: the
   * registry forgets removed agents, as Mesos' does.
   */
  readonly removedAgents: Set<string>;
  /**
   * Agents marked unreachable (agents/unreachable.ts), oldest first, bounded:
   * one that links again is admitted again and its tasks reported. Also in
   * the registry.
   */
  readonly unreachableAgents: Map<string, { readonly hostname: string; readonly unreachableTimeMs: number }>;
  /** Agents an operator marked gone (MARK_AGENT_GONE): never admitted again. */
  readonly goneAgents: Set<string>;
  /**
   * Agents the registry admitted before this master started that have not
   * linked to it yet (Mesos' recovered agents): marked unreachable if they do
   * not within agent_reregister_timeout of the start (agents/recovered.ts).
   */
  readonly recoveredAgents: Map<string, RegisteredAgent>;
  /** The registry outlives this master (not --registry=in_memory): recoveredAgents is all there is to expect. */
  readonly registryDurable: boolean;
  /** How many agents the registry named at start (for --recovery_agent_removal_limit). */
  readonly recoveredAtStart: number;
  /** Agents to be marked unreachable when --agent_removal_rate_limit allows, in order, with why (agents/unreachable.ts). */
  readonly pendingUnreachable: Map<string, UnreachableCause>;
  /** When the next marking is allowed. */
  nextUnreachablePermitMs: number;
  readonly offers: Map<string, Offer>;
  readonly inverseOffers: Map<string, InverseOffer>;
  /** Machines by machineKey (maintenance/machines.ts). */
  readonly machines: Map<string, Machine>;
  /** The maintenance schedule as the operator last posted it (minus machines brought up). */
  schedule: readonly MaintenanceWindow[];
  /** Agents on scheduled machines, by agent id. */
  readonly agentMaintenance: Map<string, AgentMaintenance>;
  /** Until when a framework gets no inverse offer for an agent: framework id, then agent id. */
  readonly inverseOfferFilters: Map<string, Map<string, number>>;
  /** Agents an operator deactivated (or is draining), registered or not: never offered. */
  readonly deactivatedAgents: Set<string>;
  readonly drainingAgents: Map<string, DrainingAgent>;
  /** Storage operations sent to agents and not yet done with, by operation uuid. */
  readonly operations: Map<string, Operation>;
  readonly allocator: Allocator;
  /** Decides storage operations (--acls); undefined: everything is allowed. */
  readonly authorizer: OperationAuthorizer | undefined;
  /** Decides the operator calls with implicit objects, maintenance and agents (operator/authorize.ts); undefined: no --acls. */
  readonly acls: LocalAuthorizer | undefined;
  readonly timers: TimerQueue;
  readonly counters: Counters;
  /** Framework id by open scheduler stream. */
  readonly connections: Map<string, string>;
  /** Agent id by open link. */
  readonly links: Map<string, string>;
  readonly operatorSubscribers: Map<string, OperatorSubscriber>;
  nextFrameworkNumber: number;
  nextAgentNumber: number;
  nextOfferNumber: number;
  /** Agents waiting for an event-driven allocation; 'all' after framework changes. */
  pendingAllocation: Set<string> | 'all' | undefined;
  /** What ACCEPTs left of their offers, returned to the allocator at the start of the next step (calls/accept.ts). */
  unsettledAccepts: UnsettledAccept[];
  lastAllocationMs: number;
}

export function createMasterState(
  config: MasterConfig,
  info: WireMasterInfo,
  random: Random,
  nowMs: number,
  registry: RegistrySnapshot = emptyRegistry,
  registryDurable = false,
): MasterState {
  const allocator = new Allocator(config.allocator);
  // The registry's weights replace --weights (spec/core.md 5.3); the shell writes the flag's into an empty registry.
  allocator.updateWeights(registry.weights.size > 0 ? registry.weights : config.weights);
  for (const [role, quota] of registry.quota) allocator.updateQuota(role, quotaOf(quota as QuotaConfig));
  return {
    config,
    info,
    random,
    startTimeMs: nowMs,
    electedTimeMs: nowMs,
    frameworks: new Map(),
    completedFrameworks: [],
    agents: new Map(),
    removedAgents: new Set(),
    unreachableAgents: new Map(registry.unreachable),
    goneAgents: new Set(registry.gone.keys()),
    recoveredAgents: new Map(registry.admitted),
    registryDurable,
    recoveredAtStart: registry.admitted.size,
    pendingUnreachable: new Map(),
    nextUnreachablePermitMs: nowMs,
    offers: new Map(),
    inverseOffers: new Map(),
    machines: machinesFromRegistry(registry),
    schedule: registry.schedule,
    agentMaintenance: new Map(),
    inverseOfferFilters: new Map(),
    deactivatedAgents: new Set(registry.deactivated),
    drainingAgents: new Map([...registry.draining].map(([id, drain]) => [id, { drain, estimatedStartMs: undefined }])),
    operations: new Map(),
    allocator,
    authorizer: config.acls === undefined ? undefined : createLocalAuthorizer(config.acls),
    acls: config.acls === undefined ? undefined : compileLocalAuthorizer(config.acls),
    timers: new TimerQueue(),
    counters: new Counters(),
    connections: new Map(),
    links: new Map(),
    operatorSubscribers: new Map(),
    nextFrameworkNumber: 0,
    nextAgentNumber: 0,
    nextOfferNumber: 0,
    pendingAllocation: undefined,
    unsettledAccepts: [],
    lastAllocationMs: nowMs,
  };
}

/** Framework ids: `<masterId>-<NNNN>` (spec/core.md 0.3). */
export function newFrameworkId(state: MasterState): string {
  return `${state.info.id}-${String(state.nextFrameworkNumber++).padStart(4, '0')}`;
}

export function newAgentId(state: MasterState): string {
  return `${state.info.id}-S${state.nextAgentNumber++}`;
}

export function newOfferId(state: MasterState): string {
  return `${state.info.id}-O${state.nextOfferNumber++}`;
}

export function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}\u0000${taskId}`;
}
