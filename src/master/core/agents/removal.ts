/**
 * An agent's link breaks (spec/core.md 5.4): it is deactivated and its offers
 * rescinded; tasks of frameworks that do not checkpoint are lost at once. An
 * agent removed outright (it unregistered, or a new agent took its address)
 * takes its tasks with it: TASK_LOST with REASON_AGENT_REMOVED for every
 * framework, and FAILURE to each connected framework; operations it never
 * reported on are OPERATION_DROPPED.
 */
import type { StepContext } from '../context.js';
import type { Agent, Framework, Task } from '../state.js';
import { rescindOffer } from '../offers.js';
import { applyMasterUpdate } from '../tasks/master-update.js';
import { completeTask } from '../tasks/removal.js';
import { forgetExecutor } from './executors.js';
import { dropOperationsOf } from '../storage/operation-status.js';
import { armReregisterTimer, reregisterTimerKey } from './reregister-timer.js';
import { rescindInverseOffersOn } from '../maintenance/inverse-offers.js';
import { removeAgentFromMachine } from '../maintenance/machines.js';

export function onAgentLinkClosed(ctx: StepContext, linkId: string): void {
  const state = ctx.state;
  const agentId = state.links.get(linkId);
  state.links.delete(linkId);
  if (agentId === undefined) return;
  const agent = state.agents.get(agentId);
  if (agent?.link?.linkId !== linkId) return;
  disconnectAgent(ctx, agent);
}

export function disconnectAgent(ctx: StepContext, agent: Agent): void {
  ctx.log('info', `Agent ${agent.id} (${agent.hostname}) disconnected`);
  agent.link = undefined;
  agent.active = false;
  ctx.state.timers.cancel(`ping:${agent.id}`);
  armReregisterTimer(ctx, agent);
  ctx.state.allocator.deactivateAgent(agent.id);
  for (const offerId of [...agent.offers]) rescindOffer(ctx, offerId);
  rescindInverseOffersOn(ctx, agent);
  for (const [framework, task] of tasksOn(ctx, agent)) {
    if (framework.info.checkpoint === true) continue;
    applyMasterUpdate(ctx, framework, task, {
      state: 'TASK_LOST',
      reason: 'REASON_AGENT_DISCONNECTED',
      message: 'Agent disconnected',
    });
    completeTask(ctx, framework, task);
  }
  // Executors of frameworks that do not checkpoint die with the link too (the agent will not recover them).
  for (const framework of ctx.state.frameworks.values()) {
    if (framework.info.checkpoint === true) continue;
    for (const executorId of [...(framework.executors.get(agent.id)?.keys() ?? [])]) forgetExecutor(ctx, framework, agent.id, executorId);
  }
}

/** Removed agent ids remembered (Mesos keeps 100,000 of them). */
const removedAgentsMax = 100_000;

export type RemovalReason = 'registered' | 'unregistered' | 'unhealthy' | 'gone' | 'maintenance';

/** `message`: what the tasks' TASK_LOST updates say. */
export function removeAgent(ctx: StepContext, agent: Agent, reason: RemovalReason, message = 'Agent removed'): void {
  const state = ctx.state;
  ctx.log('info', `Removing agent ${agent.id} (${agent.hostname}): ${reason}`);
  // An agent marked gone stays in the registry as gone (operator/agent-gone.ts recorded it).
  if (reason !== 'gone') ctx.registry({ type: 'remove_agent', agentId: agent.id });
  state.counters.increment('master/slave_removals');
  // Mesos counts a machine taken DOWN under no reason (it has no reason_maintenance metric).
  if (reason !== 'maintenance') state.counters.increment(`master/slave_removals/reason_${reason}`);
  for (const offerId of [...agent.offers]) rescindOffer(ctx, offerId);
  rescindInverseOffersOn(ctx, agent);
  removeAgentFromMachine(state, agent);
  // An operator's deactivation or drain ends with the agent (the registry's remove_agent forgets them too).
  state.deactivatedAgents.delete(agent.id);
  state.drainingAgents.delete(agent.id);
  for (const [framework, task] of tasksOn(ctx, agent)) {
    applyMasterUpdate(ctx, framework, task, { state: 'TASK_LOST', reason: 'REASON_AGENT_REMOVED', message });
    completeTask(ctx, framework, task);
  }
  for (const framework of state.frameworks.values()) framework.executors.delete(agent.id);
  dropOperationsOf(ctx, agent, 'Agent removed');
  state.allocator.removeAgent(agent.id);
  if (agent.link !== undefined) ctx.closeAgentLink(agent.link.linkId);
  state.timers.cancel(`ping:${agent.id}`);
  state.timers.cancel(reregisterTimerKey(agent.id));
  state.agents.delete(agent.id);
  state.removedAgents.add(agent.id);
  if (state.removedAgents.size > removedAgentsMax) state.removedAgents.delete(state.removedAgents.values().next().value as string);
  for (const framework of state.frameworks.values()) {
    ctx.sendToFramework(framework, { type: 'FAILURE', failure: { agent_id: { value: agent.id } } });
  }
  ctx.sendToOperators({ type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: agent.id } } });
}

/** The (framework, task) pairs on an agent, as a list so callers may change the maps. */
export function tasksOn(ctx: StepContext, agent: Agent): [Framework, Task][] {
  const pairs: [Framework, Task][] = [];
  for (const framework of ctx.state.frameworks.values()) {
    for (const task of framework.tasks.values()) if (task.agentId === agent.id) pairs.push([framework, task]);
  }
  return pairs;
}
