/**
 * DRAIN_AGENT (spec/core.md 6.2; Mesos 1.9+): the agent is deactivated and
 * told to kill everything it runs, each kill's grace period capped by
 * max_grace_period. It is DRAINED once the master knows of no task on it
 * (every terminal update acknowledged) and no operation in flight; with
 * mark_gone it is then marked gone instead. Kept in the registry: an agent
 * drained while away is told again when it comes back, and so is one that
 * re-registers with a new leader.
 */
import type { OperatorCall } from '../../../protocol/operator.js';
import type { AgentDrain } from '../../registry/registry.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Agent } from '../state.js';
import { machineOfAgent } from '../maintenance/machines.js';
import { deactivateAgent, knownAgent } from './agent-activation.js';
import { markAgentGone } from './agent-gone.js';
import { forbidden, operatorMay } from './authorize.js';

const nanosPerMs = 1_000_000;

/** DrainConfig as Mesos writes it: mark_gone always, max_grace_period when given. */
export function drainConfigJson(drain: AgentDrain): { max_grace_period?: { nanoseconds: number }; mark_gone: boolean } {
  return {
    ...(drain.maxGracePeriodMs !== undefined && { max_grace_period: { nanoseconds: drain.maxGracePeriodMs * nanosPerMs } }),
    mark_gone: drain.markGone,
  };
}

function maintenanceMachineText(agent: Agent): string {
  return `${agent.hostname} (${agent.ip})`;
}

export function onDrainAgent(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const request = call.drain_agent;
  if (request === undefined) return { status: 400, body: "Failed to validate master::Call: Expecting 'drain_agent' to be present" };
  const state = ctx.state;
  const agentId = request.agent_id.value;
  const agent = state.agents.get(agentId);
  if (agent !== undefined) {
    const mode = machineOfAgent(state, agent)?.mode;
    if (mode === 'DRAINING' || mode === 'DOWN') {
      return { status: 400, body: `Agent ${agentId} is part of a maintenance schedule under Machine ${maintenanceMachineText(agent)}` };
    }
    if (!agent.capabilities.has('AGENT_DRAINING')) return { status: 400, body: `Agent ${agentId} is not capable of draining` };
  }
  // Draining to mark gone needs both permissions, as in Mesos.
  if (!operatorMay(state, 'drain_agents', principal) || (request.mark_gone === true && !operatorMay(state, 'mark_agents_gone', principal))) return forbidden;
  if (!knownAgent(state, agentId)) return { status: 400, body: 'Unknown agent' };
  const grace = request.max_grace_period;
  const drain: AgentDrain = {
    state: 'DRAINING',
    // A negative cap kills at once, as on a Mesos agent; sent as is, the agent would refuse the DRAIN and never drain.
    ...(grace !== undefined && { maxGracePeriodMs: Math.max(0, (grace.seconds ?? 0) * 1000 + Math.floor((grace.nanos ?? 0) / nanosPerMs)) }),
    markGone: request.mark_gone ?? false,
  };
  ctx.registry({ type: 'drain_agent', agentId, drain });
  state.deactivatedAgents.add(agentId);
  state.drainingAgents.set(agentId, { drain, estimatedStartMs: agent === undefined ? undefined : ctx.nowMs });
  ctx.log('info', `An operator is draining agent ${agentId}${drain.markGone ? ' (to be marked gone)' : ''}`);
  if (agent !== undefined) {
    if (agent.active) deactivateAgent(ctx, agent);
    tellToDrain(ctx, agent, drain);
    checkDrained(ctx, agentId);
  }
  return { status: 200 };
}

function tellToDrain(ctx: StepContext, agent: Agent, drain: AgentDrain): void {
  if (agent.link !== undefined) ctx.sendToAgent(agent, { type: 'DRAIN', drain: { config: drainConfigJson(drain) } });
}

/**
 * An agent (re-)registered: a deactivation stays, and a drain goes on (the
 * agent is told again, whichever state the drain is in, as Mesos does).
 */
export function resumeOperatorState(ctx: StepContext, agent: Agent): void {
  const state = ctx.state;
  if (state.deactivatedAgents.has(agent.id) && agent.active) deactivateAgent(ctx, agent);
  const draining = state.drainingAgents.get(agent.id);
  if (draining === undefined) return;
  tellToDrain(ctx, agent, draining.drain);
  checkDrained(ctx, agent.id);
}

/** DRAINING to DRAINED (or gone) once nothing is left on the agent; checked whenever that may have become so. */
export function checkDrained(ctx: StepContext, agentId: string): void {
  const state = ctx.state;
  const draining = state.drainingAgents.get(agentId);
  if (draining === undefined || draining.drain.state !== 'DRAINING') return;
  const agent = state.agents.get(agentId);
  if (agent === undefined || agent.tasks.size > 0) return;
  for (const operation of state.operations.values()) if (operation.agentId === agentId) return;
  if (draining.drain.markGone) {
    markAgentGone(ctx, agentId, 'Draining marked');
    return;
  }
  ctx.registry({ type: 'mark_agent_drained', agentId });
  draining.drain = { ...draining.drain, state: 'DRAINED' };
  ctx.log('info', `Agent ${agentId} is drained`);
}
