/**
 * An agent links to the master: a first registration gets a new agent id; a
 * re-registration keeps the id it reports, whether this master knew the agent
 * (a broken link, an agent restart) or not (a master restart or fail-over:
 * the agent's tasks and frameworks are learnt from its report).
 */
import { fromWireList, type Resources } from '../../../resources/index.js';
import { AGENT_CAPABILITIES, type AgentCapability } from '../../../protocol/mesos.js';
import { internalProtocolVersion, type LinkRequest } from '../../../protocol/internal.js';
import type { WireAttribute } from '../../../protocol/outputs.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import { newAgentId, type Agent } from '../state.js';
import { agentV1 } from '../../views/v1.js';
import { addReportedTask } from '../tasks/reported.js';
import { frameworkAddedEvent, newFramework, allocatorPolicy } from '../frameworks/lifecycle.js';
import { OfferConstraintFilter } from '../../allocator/offer-constraints.js';
import { removeAgent } from './removal.js';
import { rescindOffer } from '../offers.js';
import { adoptReportedExecutors, reconcileReport, shutDownCompletedFrameworks } from './reregistration.js';
import { schedulePing } from './pings.js';
import { reregisterTimerKey } from './reregister-timer.js';
import { onUnreachableAgentReadmitted } from './unreachable.js';
import { onOperationStatus } from '../storage/operation-status.js';
import { reconcileCheckpointedResources, reportedTotal, resendCheckpointedResources } from '../storage/agent-resources.js';
import { agentRegistrationError } from '../storage/authorize.js';
import { addAgentToMachine, machineOfAgent, removeAgentFromMachine } from '../maintenance/machines.js';
import { resumeOperatorState } from '../operator/agent-drain.js';
import { rescindInverseOffersOn } from '../maintenance/inverse-offers.js';

export function onAgentLink(ctx: StepContext, linkId: string, request: LinkRequest): Reply {
  if (request.protocol_version !== internalProtocolVersion) {
    return {
      status: 400,
      body: `Agent protocol version ${request.protocol_version} is not supported; this master speaks version ${internalProtocolVersion}`,
    };
  }
  const resources = reportedTotal(request);
  if (!resources.ok) return { status: 400, body: resources.error };
  const declared = fromWireList(request.agent_info.resources);
  const unauthorized = declared.ok ? agentRegistrationError(ctx.state, declared.value) : undefined;
  if (unauthorized !== undefined) {
    // As Mesos refuses an unauthorized agent: it is not admitted, and links again later (with its log saying why).
    ctx.log('warn', `Refusing the agent at ${request.agent_info.ip}:${request.agent_info.port}: ${unauthorized}`);
    return { status: 403, body: unauthorized };
  }
  if (machineOfAgent(ctx.state, request.agent_info)?.mode === 'DOWN') {
    // Mesos tells such an agent to shut down; a berth agent is refused and links again later, so it returns when the machine is up.
    ctx.log('warn', `Refusing the agent at ${request.agent_info.ip}:${request.agent_info.port}: its machine ${request.agent_info.hostname} (${request.agent_info.ip}) is DOWN for maintenance`);
    return { status: 403, body: 'Machine is `DOWN`' };
  }
  return request.agent_id === undefined
    ? registerAgent(ctx, linkId, request, resources.value)
    : reregisterAgent(ctx, linkId, request, request.agent_id.value, resources.value);
}

function registerAgent(ctx: StepContext, linkId: string, request: LinkRequest, total: Resources): Reply {
  const state = ctx.state;
  const { ip, port } = request.agent_info;
  for (const other of [...state.agents.values()]) {
    if (other.ip !== ip || other.port !== port) continue;
    if (other.link !== undefined) return { status: 409, body: `An agent is already registered and connected at ${ip}:${port}` };
    // A new agent process at the address of a disconnected one: the old agent is gone.
    removeAgent(ctx, other, 'registered');
  }
  state.counters.increment('master/messages_register_slave');
  const agent = newAgent(ctx, newAgentId(state), request, total);
  ctx.registry({ type: 'admit_agent', agentId: agent.id, agent: { hostname: agent.hostname, ip: agent.ip, port: agent.port } });
  state.agents.set(agent.id, agent);
  attachLink(ctx, agent, linkId, request.epoch);
  state.allocator.addAgent(agent.id, placement(agent), agent.capabilities, agent.totalResources, new Map());
  addAgentToMachine(state, agent);
  state.counters.increment('master/slave_registrations');
  ctx.log('info', `Registered agent ${agent.id} at ${ip}:${port} (${agent.hostname}) with ${total.toString()}`);
  sendRegistered(ctx, agent, false);
  for (const update of request.operation_updates ?? []) onOperationStatus(ctx, agent, update);
  ctx.sendToOperators({ type: 'AGENT_ADDED', agent_added: { agent: agentV1(state, agent) } });
  ctx.requestAllocation([agent.id]);
  return { status: 200 };
}

function reregisterAgent(ctx: StepContext, linkId: string, request: LinkRequest, agentId: string, total: Resources): Reply {
  const state = ctx.state;
  state.counters.increment('master/messages_reregister_slave');
  if (state.goneAgents.has(agentId)) {
    return { status: 410, body: `Agent ${agentId} was marked gone by an operator; register as a new agent` };
  }
  if (state.removedAgents.has(agentId)) {
    return { status: 410, body: `Agent ${agentId} was removed from the cluster and its tasks reported lost; register as a new agent` };
  }
  const known = state.agents.get(agentId);
  if (known !== undefined && request.epoch <= known.epoch) {
    return { status: 409, body: `Link epoch ${request.epoch} is not newer than ${known.epoch}; link again with a newer epoch` };
  }
  if (known === undefined) return admitUnknownAgent(ctx, linkId, request, agentId, total);
  state.timers.cancel(reregisterTimerKey(known.id));
  if (known.link !== undefined) ctx.closeAgentLink(known.link.linkId);
  // Offers made before this re-registration may describe resources the agent no longer has.
  for (const offerId of [...known.offers]) rescindOffer(ctx, offerId);
  const moved = known.hostname !== request.agent_info.hostname || known.ip !== request.agent_info.ip;
  if (moved) {
    // Its inverse offers told of the old machine's window.
    rescindInverseOffersOn(ctx, known);
    removeAgentFromMachine(state, known);
  }
  updateAgentInfo(known, request);
  if (moved) addAgentToMachine(state, known);
  const behind = reconcileCheckpointedResources(ctx, known, request, total);
  state.allocator.updateAgent(known.id, known.totalResources, known.capabilities, placement(known));
  attachLink(ctx, known, linkId, request.epoch);
  known.reregisteredTimeMs = ctx.nowMs;
  // An agent an operator deactivated stays so (Mesos' MESOS-10116).
  if (!state.deactivatedAgents.has(known.id)) {
    known.active = true;
    state.allocator.activateAgent(known.id);
  }
  state.counters.increment('master/slave_reregistrations');
  ctx.log('info', `Agent ${known.id} (${known.hostname}) re-registered`);
  sendRegistered(ctx, known, true);
  if (behind) resendCheckpointedResources(ctx, known);
  for (const update of request.operation_updates ?? []) onOperationStatus(ctx, known, update);
  reconcileReport(ctx, known, request);
  resumeOperatorState(ctx, known);
  for (const framework of state.frameworks.values()) {
    if (framework.connection !== undefined) {
      ctx.sendToAgent(known, { type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: framework.info, resend_updates: false } });
    }
  }
  ctx.requestAllocation([known.id]);
  return { status: 200 };
}

/** An agent id this master has not seen: admitted again, with what it reports (spec/core.md 5.3, 5.6.3). */
function admitUnknownAgent(ctx: StepContext, linkId: string, request: LinkRequest, agentId: string, total: Resources): Reply {
  const state = ctx.state;
  const wasUnreachable = state.unreachableAgents.has(agentId);
  const agent = newAgent(ctx, agentId, request, total);
  // Recorded before anything is said of the agent; a recovered agent is in the registry already.
  const registered = { hostname: agent.hostname, ip: agent.ip, port: agent.port };
  if (wasUnreachable) ctx.registry({ type: 'mark_agent_reachable', agentId, agent: registered });
  else if (!state.recoveredAgents.delete(agentId)) ctx.registry({ type: 'admit_agent', agentId, agent: registered });
  state.agents.set(agent.id, agent);
  attachLink(ctx, agent, linkId, request.epoch);
  agent.reregisteredTimeMs = ctx.nowMs;
  state.allocator.addAgent(agent.id, placement(agent), agent.capabilities, agent.totalResources, new Map());
  addAgentToMachine(state, agent);
  state.counters.increment('master/slave_reregistrations');
  ctx.sendToOperators({ type: 'AGENT_ADDED', agent_added: { agent: agentV1(state, agent) } });
  const completed = new Set(state.completedFrameworks.map((f) => f.id));
  for (const info of request.frameworks ?? []) {
    const id = info.id?.value;
    if (id === undefined || completed.has(id) || state.frameworks.has(id)) continue;
    const framework = newFramework(id, info, ctx.nowMs, true);
    state.frameworks.set(id, framework);
    state.allocator.addFramework(id, allocatorPolicy(framework.info, new Set(), OfferConstraintFilter.none), false);
    frameworkAddedEvent(ctx, framework);
  }
  adoptReportedExecutors(ctx, agent, request);
  // Each framework's tasks on the agent are charged to the allocator at once: one allocation per framework, not per task.
  const charges = new Map<string, Resources>();
  for (const reported of request.tasks ?? []) {
    const frameworkId = reported.framework_id.value;
    const framework = state.frameworks.get(frameworkId);
    if (framework === undefined) continue;
    addReportedTask(ctx, agent, framework, reported, charges);
  }
  for (const [frameworkId, resources] of charges) state.allocator.allocate(frameworkId, agent.id, resources);
  sendRegistered(ctx, agent, true);
  if (wasUnreachable) onUnreachableAgentReadmitted(ctx, agent);
  for (const update of request.operation_updates ?? []) onOperationStatus(ctx, agent, update);
  shutDownCompletedFrameworks(ctx, agent, request);
  resumeOperatorState(ctx, agent);
  if (!wasUnreachable) ctx.log('info', `Admitted agent ${agent.id} (${agent.hostname}) that this master had not seen`);
  ctx.requestAllocation([agent.id]);
  return { status: 200 };
}

function newAgent(ctx: StepContext, id: string, request: LinkRequest, total: Resources): Agent {
  const agent: Agent = {
    id,
    hostname: request.agent_info.hostname,
    ip: request.agent_info.ip,
    port: request.agent_info.port,
    attributes: (request.agent_info.attributes ?? []) as WireAttribute[],
    domain: request.agent_info.domain,
    version: request.version,
    capabilities: agentCapabilities(request.capabilities),
    totalResources: total,
    // Adopted (spec/storage.md 2.9): a new agent, or one a failed-over master learns of, knows best.
    resourceVersion: request.resource_version ?? ctx.state.random.uuid(),
    link: undefined,
    epoch: 0,
    active: true,
    registeredTimeMs: ctx.nowMs,
    reregisteredTimeMs: undefined,
    offers: new Set(),
    inverseOffers: new Set(),
    tasks: new Set(),
    killedTasks: new Set(),
    pingsMissed: 0,
    pongReceived: true,
  };
  return agent;
}

function updateAgentInfo(agent: Agent, request: LinkRequest): void {
  agent.hostname = request.agent_info.hostname;
  agent.ip = request.agent_info.ip;
  agent.port = request.agent_info.port;
  agent.attributes = (request.agent_info.attributes ?? []) as WireAttribute[];
  agent.domain = request.agent_info.domain;
  agent.version = request.version;
  agent.capabilities = agentCapabilities(request.capabilities);
}

function attachLink(ctx: StepContext, agent: Agent, linkId: string, epoch: number): void {
  agent.link = { linkId, epoch, lastSeqIn: 0, lastSeqOut: 0 };
  agent.epoch = epoch;
  agent.pingsMissed = 0;
  agent.pongReceived = true;
  ctx.state.links.set(linkId, agent.id);
  schedulePing(ctx, agent);
}

function sendRegistered(ctx: StepContext, agent: Agent, reregistered: boolean): void {
  const config = ctx.state.config;
  ctx.sendToAgent(agent, {
    type: 'REGISTERED',
    registered: {
      agent_id: { value: agent.id },
      master_info: ctx.state.info,
      ping_timeout_seconds: (config.agentPingTimeoutMs * config.maxAgentPingTimeouts) / 1000,
      reregistered,
    },
  });
}

function agentCapabilities(names: readonly string[]): Set<AgentCapability> {
  const known = new Set<string>(AGENT_CAPABILITIES);
  return new Set(names.filter((name): name is AgentCapability => known.has(name) && name !== 'UNKNOWN'));
}

export function placement(agent: Agent): { hostname: string; attributes: WireAttribute[] } {
  return { hostname: agent.hostname, attributes: agent.attributes };
}
