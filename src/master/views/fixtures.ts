/**
 * Test-only builders of a small master state, so that a view test reads as
 * the cluster it is about: one agent, one framework, a task, an offer. They
 * mirror what the master core does (records in the state, bookkeeping in the
 * allocator) without running its event handlers.
 */
import { SeededRandom } from '../../lib/random.js';
import type { AgentCapability, FrameworkInfo, TaskState } from '../../protocol/mesos.js';
import type { WireAttribute, WireMasterInfo, WireTaskStatus } from '../../protocol/outputs.js';
import { Resources } from '../../resources/index.js';
import { OfferConstraintFilter } from '../allocator/offer-constraints.js';
import type { MasterConfig } from '../core/config.js';
import { Counters } from '../core/counters.js';
import { createMasterState, taskKey, type Agent, type Framework, type MasterState, type Offer, type Task } from '../core/state.js';

/** 2023-11-14T22:13:20Z: a round number of seconds, so times print exactly. */
export const startMs = 1_700_000_000_000;
export const masterId = 'b1a2c3d4-0000-4000-8000-000000000001';

export function masterConfig(overrides: Partial<MasterConfig> = {}): MasterConfig {
  return {
    heartbeatIntervalMs: 15_000,
    allocationIntervalMs: 1_000,
    offerTimeoutMs: undefined,
    agentPingTimeoutMs: 15_000,
    maxAgentPingTimeouts: 5,
    agentReregisterTimeoutMs: 600_000,
    agentRemovalIntervalMs: undefined,
    recoveryAgentRemovalLimit: 1,
    maxCompletedFrameworks: 50,
    maxCompletedTasksPerFramework: 1000,
    maxUnreachableTasksPerFramework: 1000,
    rolesWhitelist: undefined,
    rootSubmissions: true,
    maxOperatorSubscribers: 1000,
    allocator: {
      allocationIntervalMs: 1_000,
      minAllocatable: [],
      filterGpuResources: true,
      fairnessExcludedNames: new Set(),
      roleSorter: 'drf',
      frameworkSorter: 'drf',
    },
    weights: new Map(),
    cluster: undefined,
    flags: [],
    ...overrides,
  };
}

export function masterInfo(): WireMasterInfo {
  return {
    id: masterId,
    ip: 16777343,
    port: 5050,
    pid: 'master@127.0.0.1:5050',
    hostname: 'master.example',
    version: '1.11.0',
    address: { hostname: 'master.example', ip: '127.0.0.1', port: 5050 },
    capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'QUOTA_V2' }],
  };
}

export function masterState(config: MasterConfig = masterConfig()): MasterState {
  return createMasterState(config, masterInfo(), new SeededRandom(7), startMs);
}

export interface AgentOptions {
  readonly id?: string;
  readonly hostname?: string;
  readonly resources?: string;
  /** Instead of `resources`, for reservations and volumes the text form cannot express. */
  readonly total?: Resources;
  readonly attributes?: WireAttribute[];
  readonly capabilities?: AgentCapability[];
  readonly connected?: boolean;
  readonly active?: boolean;
}

export function addAgent(state: MasterState, options: AgentOptions = {}): Agent {
  const id = options.id ?? `${masterId}-S${state.agents.size}`;
  const connected = options.connected ?? true;
  const agent: Agent = {
    id,
    hostname: options.hostname ?? `agent${state.agents.size}.example`,
    ip: '10.0.0.1',
    port: 5051,
    attributes: options.attributes ?? [],
    domain: undefined,
    version: '1.11.0',
    capabilities: new Set(options.capabilities ?? ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT']),
    totalResources: options.total ?? Resources.parse(options.resources ?? 'cpus:4;mem:1024;disk:2048;ports:[31000-32000]'),
    resourceVersion: 'v0',
    link: connected ? { linkId: `link-${id}`, epoch: 1, lastSeqIn: 0, lastSeqOut: 0 } : undefined,
    epoch: 1,
    active: options.active ?? connected,
    registeredTimeMs: startMs + 1_000,
    reregisteredTimeMs: undefined,
    offers: new Set(),
    inverseOffers: new Set(),
    tasks: new Set(),
    killedTasks: new Set(),
    pingsMissed: 0,
    pongReceived: true,
  };
  state.agents.set(id, agent);
  state.allocator.addAgent(id, { hostname: agent.hostname, attributes: [] }, agent.capabilities, agent.totalResources, new Map());
  return agent;
}

export interface FrameworkOptions {
  readonly id?: string;
  readonly info?: Partial<FrameworkInfo>;
  readonly roles?: string[];
  readonly connected?: boolean;
}

export function addFramework(state: MasterState, options: FrameworkOptions = {}): Framework {
  const id = options.id ?? `${masterId}-${String(state.frameworks.size).padStart(4, '0')}`;
  const roles = options.roles ?? ['*'];
  const info: FrameworkInfo = {
    user: 'alice',
    name: 'marathon',
    id: { value: id },
    roles,
    capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }],
    ...options.info,
  };
  const connected = options.connected ?? true;
  const framework: Framework = {
    id,
    info,
    roles: new Set(roles),
    capabilities: new Set(['MULTI_ROLE', 'RESERVATION_REFINEMENT']),
    suppressedRoles: new Set(),
    offerConstraints: undefined,
    connection: connected ? { connectionId: `conn-${id}`, streamId: `stream-${id}` } : undefined,
    active: connected,
    recovered: false,
    registeredTimeMs: startMs + 2_000,
    reregisteredTimeMs: undefined,
    unregisteredTimeMs: undefined,
    offers: new Set(),
    inverseOffers: new Set(),
    tasks: new Map(),
    unreachableTasks: new Map(),
    completedTasks: [],
    executors: new Map(),
    counters: new Counters(),
    operations: new Map(),
    reportedOperations: new Map(),
  };
  state.frameworks.set(id, framework);
  const policy = {
    roles: framework.roles,
    suppressedRoles: framework.suppressedRoles,
    capabilities: framework.capabilities,
    minAllocatable: new Map(),
    constraints: OfferConstraintFilter.none,
  };
  state.allocator.addFramework(id, policy, connected);
  return framework;
}

export interface TaskOptions {
  readonly id?: string;
  readonly resources?: string;
  readonly role?: string;
  readonly state?: TaskState;
  /** Seconds of the first status update; none when undefined. */
  readonly statusTimestamps?: number[];
  readonly info?: Record<string, unknown>;
  /** The OS user it runs as; 'alice' when not given. */
  readonly user?: string;
}

/** A task in the framework's active set, on the agent, its resources allocated while it holds them. */
export function addTask(state: MasterState, framework: Framework, agent: Agent, options: TaskOptions = {}): Task {
  const id = options.id ?? `task-${framework.tasks.size}`;
  const taskState = options.state ?? 'TASK_RUNNING';
  const statuses: WireTaskStatus[] = (options.statusTimestamps ?? [startMs / 1000 + 3]).map((timestamp) => ({
    task_id: { value: id },
    state: taskState,
    source: 'SOURCE_EXECUTOR',
    agent_id: { value: agent.id },
    timestamp,
  }));
  const task: Task = {
    id,
    frameworkId: framework.id,
    agentId: agent.id,
    executorId: undefined,
    name: `name-${id}`,
    state: taskState,
    resources: Resources.parse(options.resources ?? 'cpus:1;mem:128').allocate(options.role ?? '*'),
    statuses,
    statusUpdateState: undefined,
    statusUpdateUuid: undefined,
    info: options.info ?? {},
    user: options.user ?? 'alice',
  };
  framework.tasks.set(id, task);
  agent.tasks.add(taskKey(framework.id, id));
  if (!['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_UNREACHABLE'].includes(taskState)) {
    state.allocator.allocate(framework.id, agent.id, task.resources);
  }
  return task;
}

export function addOffer(state: MasterState, framework: Framework, agent: Agent, resources: string, role = '*'): Offer {
  const offer: Offer = {
    id: `${masterId}-O${state.offers.size}`,
    frameworkId: framework.id,
    agentId: agent.id,
    role,
    resources: Resources.parse(resources).allocate(role),
    createdMs: startMs + 4_000,
  };
  state.offers.set(offer.id, offer);
  framework.offers.add(offer.id);
  agent.offers.add(offer.id);
  state.allocator.allocate(framework.id, agent.id, offer.resources);
  return offer;
}
