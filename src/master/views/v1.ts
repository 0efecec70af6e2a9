/**
 * The master's state as v1 operator API objects (spec/core.md 6.2, protobuf
 * JSON with `agent` names). Every function returns the payload that goes under
 * the call's lower-case key: getAgents(state) is the `get_agents` object.
 *
 * Resource lists follow spec/storage.md 5.3: an agent's total, allocated and
 * offered resources and a framework's allocated and offered resources are in
 * endpoint format; AgentInfo.resources, tasks and offers are as stored.
 */
import { drainConfigJson } from '../core/operator/agent-drain.js';
import { unavailabilityOf, wireInverseOffer } from '../core/maintenance/inverse-offers.js';
import type { WireAttribute, WireMasterInfo } from '../../protocol/outputs.js';
import type { Agent, Framework, MasterState, Offer } from '../core/state.js';
import { berthBuildInfo, versionInfo, type BuildInfo } from './build-info.js';
import { canonicalList, endpointList, seconds, timeInfo, type JsonObject, type TimeInfo } from './json.js';
import { agentOffered, agentUsed, declaredResources, frameworkOffered, frameworkUsed } from './usage.js';
import { getExecutors, getTasks, type GetTasks, type V1Executor } from './v1-tasks.js';
import { everythingViewer, type Viewer } from '../core/operator/viewer.js';

export { taskV1, getTasks, getExecutors, type V1Task, type GetTasks, type V1Executor } from './v1-tasks.js';
export { getRoles, getWeights, getQuota, quotaStatus, type V1Role, type V1QuotaConfig, type V1QuotaStatus } from './v1-policy.js';

/** GetAgents.Agent (also the `agent` of AGENT_ADDED). */
export interface V1Agent {
  agent_info: JsonObject;
  active: boolean;
  deactivated: boolean;
  version: string;
  pid: string;
  registered_time: TimeInfo;
  reregistered_time?: TimeInfo;
  total_resources: JsonObject[];
  allocated_resources: JsonObject[];
  offered_resources: JsonObject[];
  capabilities: { type: string }[];
  resource_providers: JsonObject[];
  drain_info?: DrainInfo;
  estimated_drain_start_time?: TimeInfo;
}

/** Mesos' DrainInfo. */
export interface DrainInfo {
  state: 'DRAINING' | 'DRAINED';
  config: ReturnType<typeof drainConfigJson>;
}

/** GetFrameworks.Framework. */
export interface V1Framework {
  framework_info: object;
  active: boolean;
  connected: boolean;
  recovered: boolean;
  registered_time?: TimeInfo;
  reregistered_time?: TimeInfo;
  unregistered_time?: TimeInfo;
  offers: JsonObject[];
  inverse_offers: JsonObject[];
  allocated_resources: JsonObject[];
  offered_resources: JsonObject[];
  offer_constraints: object;
}

/** The libprocess pid of a Mesos agent: tools build sandbox URLs from it. */
export function agentPid(agent: Agent): string {
  return `slave(1)@${agent.ip}:${agent.port}`;
}

/** An operator deactivated (or is draining) the agent: DEACTIVATE_AGENT, DRAIN_AGENT. */
export function agentDeactivated(state: MasterState, agent: Agent): boolean {
  return state.deactivatedAgents.has(agent.id);
}

/** The agent's drain, while an operator drains it. */
export function agentDrainInfo(state: MasterState, agent: Agent): DrainInfo | undefined {
  const draining = state.drainingAgents.get(agent.id);
  return draining === undefined ? undefined : { state: draining.drain.state, config: drainConfigJson(draining.drain) };
}

/** Mesos keeps whole seconds of it, and only for an agent that was registered when the drain began. */
export function estimatedDrainStartMs(state: MasterState, agent: Agent): number | undefined {
  const startMs = state.drainingAgents.get(agent.id)?.estimatedStartMs;
  return startMs === undefined ? undefined : Math.floor(startMs / 1000) * 1000;
}

export function agentInfoV1(agent: Agent): JsonObject {
  return {
    hostname: agent.hostname,
    port: agent.port,
    resources: canonicalList(declaredResources(agent.totalResources)),
    attributes: agent.attributes,
    id: { value: agent.id },
    ...(agent.domain !== undefined && { domain: agent.domain }),
  };
}

export function agentV1(state: MasterState, agent: Agent): V1Agent {
  return {
    agent_info: agentInfoV1(agent),
    active: agent.active,
    deactivated: agentDeactivated(state, agent),
    version: agent.version,
    pid: agentPid(agent),
    registered_time: timeInfo(agent.registeredTimeMs),
    ...(agent.reregisteredTimeMs !== undefined && { reregistered_time: timeInfo(agent.reregisteredTimeMs) }),
    total_resources: endpointList(agent.totalResources),
    allocated_resources: endpointList(agentUsed(state, agent)),
    offered_resources: endpointList(agentOffered(state, agent)),
    capabilities: [...agent.capabilities].map((type) => ({ type })),
    resource_providers: [],
    ...optionalDrain(state, agent),
  };
}

function optionalDrain(state: MasterState, agent: Agent): Pick<V1Agent, 'drain_info' | 'estimated_drain_start_time'> {
  const drainInfo = agentDrainInfo(state, agent);
  const startMs = estimatedDrainStartMs(state, agent);
  return { ...(drainInfo !== undefined && { drain_info: drainInfo }), ...(startMs !== undefined && { estimated_drain_start_time: timeInfo(startMs) }) };
}

function inverseOffersOf(state: MasterState, framework: Framework): JsonObject[] {
  const inverseOffers: JsonObject[] = [];
  for (const id of framework.inverseOffers) {
    const inverseOffer = state.inverseOffers.get(id);
    const agent = inverseOffer === undefined ? undefined : state.agents.get(inverseOffer.agentId);
    if (inverseOffer !== undefined && agent !== undefined) inverseOffers.push({ ...wireInverseOffer(agent, inverseOffer) });
  }
  return inverseOffers;
}

/** A stored offer as the Offer message (resources canonical, with allocation_info). */
export function offerV1(state: MasterState, offer: Offer): JsonObject {
  const agent = state.agents.get(offer.agentId);
  const attributes: WireAttribute[] = agent?.attributes ?? [];
  const hostname = agent?.hostname ?? '';
  const executorIds = [...(state.frameworks.get(offer.frameworkId)?.executors.get(offer.agentId)?.keys() ?? [])];
  return {
    id: { value: offer.id },
    framework_id: { value: offer.frameworkId },
    agent_id: { value: offer.agentId },
    hostname,
    url: { scheme: 'http', address: { hostname, ip: agent?.ip ?? '', port: agent?.port ?? 0 }, path: '/slave(1)' },
    ...(agent?.domain !== undefined && { domain: agent.domain }),
    resources: canonicalList(offer.resources),
    attributes,
    executor_ids: executorIds.map((value) => ({ value })),
    ...unavailabilityOf(state, agent),
    allocation_info: { role: offer.role },
  };
}

/** Mesos starts a framework's re-registration time at its registration time. */
function reregisteredTimeMs(framework: Framework): number {
  return framework.reregisteredTimeMs ?? framework.registeredTimeMs;
}

/** GetFrameworks.Framework; unset times (zero in Mesos) are left out. */
export function frameworkV1(state: MasterState, framework: Framework): V1Framework {
  const offers: JsonObject[] = [];
  for (const offerId of framework.offers) {
    const offer = state.offers.get(offerId);
    if (offer !== undefined) offers.push(offerV1(state, offer));
  }
  return {
    framework_info: framework.info,
    active: framework.active,
    connected: framework.connection !== undefined,
    recovered: framework.recovered,
    ...(framework.registeredTimeMs !== 0 && { registered_time: timeInfo(framework.registeredTimeMs) }),
    ...(reregisteredTimeMs(framework) !== 0 && { reregistered_time: timeInfo(reregisteredTimeMs(framework)) }),
    ...(framework.unregisteredTimeMs !== undefined && { unregistered_time: timeInfo(framework.unregisteredTimeMs) }),
    offers,
    inverse_offers: inverseOffersOf(state, framework),
    allocated_resources: endpointList(frameworkUsed(framework)),
    offered_resources: endpointList(frameworkOffered(state, framework)),
    offer_constraints: framework.offerConstraints ?? {},
  };
}

/**
 * The framework of FRAMEWORK_ADDED / FRAMEWORK_UPDATED: Mesos never puts offers,
 * resources or offer constraints into events, and always sets the three times.
 */
export function frameworkEventV1(framework: Framework): JsonObject {
  return {
    framework_info: framework.info,
    active: framework.active,
    connected: framework.connection !== undefined,
    recovered: framework.recovered,
    registered_time: timeInfo(framework.registeredTimeMs),
    reregistered_time: timeInfo(reregisteredTimeMs(framework)),
    unregistered_time: timeInfo(framework.unregisteredTimeMs ?? 0),
  };
}

/**
 * GET_AGENTS payload. Recovered agents are those the registry names that
 * have not re-registered with this master yet, as the AgentInfo the registry
 * keeps of them (hostname and port).
 */
export function getAgents(state: MasterState): { agents: V1Agent[]; recovered_agents: JsonObject[] } {
  return {
    agents: [...state.agents.values()].map((agent) => agentV1(state, agent)),
    recovered_agents: [...state.recoveredAgents].map(([id, agent]) => ({ hostname: agent.hostname, port: agent.port, id: { value: id } })),
  };
}

/** GET_FRAMEWORKS payload: the frameworks the viewer may view (--acls view_frameworks). */
export function getFrameworks(state: MasterState, viewer: Viewer = everythingViewer): { frameworks: V1Framework[]; completed_frameworks: V1Framework[] } {
  const visible = (framework: Framework): boolean => viewer.mayViewFramework(framework.info);
  return {
    frameworks: [...state.frameworks.values()].filter(visible).map((framework) => frameworkV1(state, framework)),
    completed_frameworks: state.completedFrameworks.filter(visible).map((framework) => frameworkV1(state, framework)),
  };
}

export interface GetState {
  get_tasks: GetTasks;
  get_executors: { executors: V1Executor[] };
  get_frameworks: ReturnType<typeof getFrameworks>;
  get_agents: ReturnType<typeof getAgents>;
}

/** GET_STATE payload, also the `get_state` of the operator stream's SUBSCRIBED event; agents are never filtered. */
export function getState(state: MasterState, viewer: Viewer = everythingViewer): GetState {
  return {
    get_tasks: getTasks(state, viewer),
    get_executors: getExecutors(state, viewer),
    get_frameworks: getFrameworks(state, viewer),
    get_agents: getAgents(state),
  };
}

/** GET_MASTER payload: times in seconds (doubles), unlike the TimeInfo elsewhere in v1. */
export function getMaster(state: MasterState): { master_info: WireMasterInfo; start_time: number; elected_time?: number } {
  return {
    master_info: state.info,
    start_time: seconds(state.startTimeMs),
    ...(state.electedTimeMs !== undefined && { elected_time: seconds(state.electedTimeMs) }),
  };
}

/** GET_VERSION payload. */
export function getVersion(build: BuildInfo = berthBuildInfo): { version_info: Record<string, string | number> } {
  return { version_info: versionInfo(build) };
}

/** GET_FLAGS payload: the flags as given on the command line. */
export function getFlags(state: MasterState): { flags: { name: string; value: string }[] } {
  return { flags: state.config.flags.map(({ name, value }) => ({ name, value })) };
}

/**
 * GET_OPERATIONS (spec/storage.md 5.3): the storage operations the master
 * tracks, pending ones and those whose update is not yet acknowledged.
 */
export function getOperations(state: MasterState): JsonObject {
  const operations = [...state.operations.values()].map((operation) => ({
    ...(operation.frameworkId !== undefined && { framework_id: { value: operation.frameworkId } }),
    agent_id: { value: operation.agentId },
    info: { type: operation.type, ...(operation.operationId !== undefined && { id: { value: operation.operationId } }) },
    latest_status: {
      ...(operation.operationId !== undefined && { operation_id: { value: operation.operationId } }),
      state: operation.state,
      ...(operation.message !== undefined && { message: operation.message }),
      ...(operation.statusUuid !== undefined && { uuid: { value: operation.statusUuid } }),
      agent_id: { value: operation.agentId },
    },
    uuid: { value: operation.uuid },
  }));
  return operations.length > 0 ? { operations } : {};
}
