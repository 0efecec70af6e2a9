/**
 * DEACTIVATE_AGENT and REACTIVATE_AGENT (spec/core.md 6.2; Mesos 1.9+): a
 * deactivated agent keeps running its tasks but is offered to no one (its
 * offers and inverse offers are rescinded). Kept in the registry, so a new
 * leader and a returning agent keep it deactivated. 200 with no body; Mesos'
 * texts otherwise.
 */
import type { OperatorCall } from '../../../protocol/operator.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import { rescindOffer } from '../offers.js';
import type { Agent, MasterState } from '../state.js';
import { rescindInverseOffersOn } from '../maintenance/inverse-offers.js';
import { forbidden, operatorMay } from './authorize.js';

/** Registered, unreachable, or known from the registry and not back yet. */
export function knownAgent(state: MasterState, agentId: string): boolean {
  return state.agents.has(agentId) || state.unreachableAgents.has(agentId) || state.recoveredAgents.has(agentId);
}

/** Nothing of the agent is offered any more. */
export function deactivateAgent(ctx: StepContext, agent: Agent): void {
  agent.active = false;
  ctx.state.allocator.deactivateAgent(agent.id);
  for (const offerId of [...agent.offers]) rescindOffer(ctx, offerId);
  rescindInverseOffersOn(ctx, agent);
}

export function onDeactivateAgent(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const agentId = call.deactivate_agent?.agent_id.value;
  if (agentId === undefined) return { status: 400, body: "Failed to validate master::Call: Expecting 'deactivate_agent' to be present" };
  const state = ctx.state;
  if (!operatorMay(state, 'deactivate_agents', principal)) return forbidden;
  if (!knownAgent(state, agentId)) return { status: 400, body: 'Unknown agent' };
  ctx.registry({ type: 'deactivate_agent', agentId });
  state.deactivatedAgents.add(agentId);
  const agent = state.agents.get(agentId);
  if (agent !== undefined && agent.active) deactivateAgent(ctx, agent);
  ctx.log('info', `An operator deactivated agent ${agentId}`);
  return { status: 200 };
}

export function onReactivateAgent(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const agentId = call.reactivate_agent?.agent_id.value;
  if (agentId === undefined) return { status: 400, body: "Failed to validate master::Call: Expecting 'reactivate_agent' to be present" };
  const state = ctx.state;
  if (!operatorMay(state, 'reactivate_agents', principal)) return forbidden;
  if (!state.deactivatedAgents.has(agentId)) return { status: 400, body: 'Agent is not deactivated' };
  if (state.drainingAgents.get(agentId)?.drain.state === 'DRAINING') return { status: 400, body: 'Agent is still in the DRAINING state' };
  ctx.registry({ type: 'reactivate_agent', agentId });
  state.deactivatedAgents.delete(agentId);
  state.drainingAgents.delete(agentId);
  ctx.log('info', `An operator reactivated agent ${agentId}`);
  const agent = state.agents.get(agentId);
  // As Mesos: the registry is changed all the same, and the agent is active when it comes back.
  if (agent === undefined) return { status: 409, body: 'Agent removed while processing the call' };
  if (agent.link !== undefined) {
    agent.active = true;
    state.allocator.activateAgent(agentId);
    ctx.requestAllocation([agentId]);
  }
  return { status: 200 };
}
