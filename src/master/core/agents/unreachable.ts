/**
 * Agents the master can no longer reach (spec/core.md 5.4, 5.6.3, 5.7).
 *
 * An agent is marked unreachable when it misses max_agent_ping_timeouts pings
 * in a row on its link, or when, its link broken, it has not linked again
 * within agent_reregister_timeout (as --agent_removal_rate_limit allows).
 * Then: the registry records it; its pending operations are
 * OPERATION_UNREACHABLE; its offers are rescinded; each of its tasks is
 * TASK_UNREACHABLE for PARTITION_AWARE frameworks and TASK_LOST for the
 * others, REASON_AGENT_REMOVED, with unreachable_time, and moves to its
 * framework's unreachable tasks; it leaves the allocator; every framework
 * gets FAILURE. Nothing is killed: the agent's tasks may well run on. No
 * operator AGENT_REMOVED event, as in Mesos.
 *
 * When such an agent links again, it is admitted again with what it reports,
 * and every task it reports gets an UPDATE with its real state,
 * REASON_AGENT_REREGISTERED, "Unreachable agent re-reregistered" (for every
 * framework, partition-aware or not).
 *
 * The registry keeps the unreachable agents (mark_agent_unreachable), so a
 * restarted master still knows them (with --registry=in_memory it forgets
 * them, and such an agent is admitted as an unknown one, without updates).
 */
import type { StepContext } from '../context.js';
import { rescindOffer } from '../offers.js';
import type { Agent, MasterState, UnreachableCause } from '../state.js';
import { dropOperationsOf } from '../storage/operation-status.js';
import { applyMasterUpdate, masterStatus } from '../tasks/master-update.js';
import { forgetExecutor } from './executors.js';
import { tasksOn } from './removal.js';
import { rescindInverseOffersOn } from '../maintenance/inverse-offers.js';
import { removeAgentFromMachine } from '../maintenance/machines.js';
import { reregisterTimerKey } from './reregister-timer.js';

/** Unreachable agent ids remembered, oldest first (Mesos bounds its registry's list too). */
const unreachableAgentsMax = 100_000;

const unreachablePermitTimerKey = 'unreachable:permit';

function rememberUnreachable(state: MasterState, agentId: string, hostname: string, unreachableTimeMs: number): void {
  state.unreachableAgents.set(agentId, { hostname, unreachableTimeMs });
  if (state.unreachableAgents.size > unreachableAgentsMax) state.unreachableAgents.delete(state.unreachableAgents.keys().next().value as string);
}

export function onReregisterTimer(ctx: StepContext, agentId: string): void {
  const agent = ctx.state.agents.get(agentId);
  if (agent === undefined || agent.link !== undefined) return;
  scheduleUnreachable(ctx, agentId, 'reregister');
}

/**
 * Asks for the agent to be marked unreachable: at once, or when
 * --agent_removal_rate_limit next allows (Mesos' rate limiter). When its turn
 * comes the cause is checked again: an agent that answered a ping, linked
 * again or came back meanwhile is left alone (slave_unreachable_canceled).
 */
export function scheduleUnreachable(ctx: StepContext, agentId: string, cause: UnreachableCause): void {
  const state = ctx.state;
  if (state.pendingUnreachable.has(agentId)) return;
  state.counters.increment('master/slave_unreachable_scheduled');
  state.pendingUnreachable.set(agentId, cause);
  grantUnreachablePermits(ctx);
}

/** Marks pending agents while the rate limit allows; the timer brings the next turn. */
export function grantUnreachablePermits(ctx: StepContext): void {
  const state = ctx.state;
  const intervalMs = state.config.agentRemovalIntervalMs;
  for (const [agentId, cause] of state.pendingUnreachable) {
    if (intervalMs !== undefined && ctx.nowMs < state.nextUnreachablePermitMs) {
      state.timers.set(unreachablePermitTimerKey, state.nextUnreachablePermitMs);
      return;
    }
    state.pendingUnreachable.delete(agentId);
    if (!markIfStillDue(ctx, agentId, cause)) {
      state.counters.increment('master/slave_unreachable_canceled');
      continue;
    }
    if (intervalMs !== undefined) state.nextUnreachablePermitMs = ctx.nowMs + intervalMs;
  }
}

function markIfStillDue(ctx: StepContext, agentId: string, cause: UnreachableCause): boolean {
  const state = ctx.state;
  if (cause === 'recovered') {
    const recovered = state.recoveredAgents.get(agentId);
    if (recovered === undefined) return false;
    markRecoveredAgentUnreachable(ctx, agentId, recovered.hostname);
    return true;
  }
  const agent = state.agents.get(agentId);
  if (agent === undefined) return false;
  if (cause === 'pings' && agent.pingsMissed >= state.config.maxAgentPingTimeouts) {
    markAgentUnreachable(ctx, agent, `health check timed out: ${agent.pingsMissed} pings missed`);
    return true;
  }
  if (cause === 'reregister' && agent.link === undefined) {
    markAgentUnreachable(ctx, agent, `did not re-register within ${state.config.agentReregisterTimeoutMs} ms`);
    return true;
  }
  return false;
}

/**
 * An agent of the registry that never came back to this master: no task of
 * it is known here, so only the registry and the frameworks hear (FAILURE).
 */
function markRecoveredAgentUnreachable(ctx: StepContext, agentId: string, hostname: string): void {
  const state = ctx.state;
  ctx.log('warn', `Agent ${agentId} (${hostname}) did not re-register within ${state.config.agentReregisterTimeoutMs} ms of this master's start: marking it unreachable`);
  ctx.registry({ type: 'mark_agent_unreachable', agentId, hostname, unreachableTimeMs: ctx.nowMs });
  state.recoveredAgents.delete(agentId);
  rememberUnreachable(state, agentId, hostname, ctx.nowMs);
  state.counters.increment('master/slave_unreachable_completed');
  state.counters.increment('master/recovery_slave_removals');
  for (const framework of state.frameworks.values()) ctx.sendToFramework(framework, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
}

function markAgentUnreachable(ctx: StepContext, agent: Agent, why: string): void {
  const state = ctx.state;
  const unreachableTimeMs = ctx.nowMs;
  ctx.log('warn', `Marking agent ${agent.id} (${agent.hostname}) unreachable: ${why}`);
  ctx.registry({ type: 'mark_agent_unreachable', agentId: agent.id, hostname: agent.hostname, unreachableTimeMs });
  state.counters.increment('master/slave_unreachable_completed');
  state.counters.increment('master/slave_removals');
  state.counters.increment('master/slave_removals/reason_unhealthy');
  dropOperationsOf(ctx, agent, `Agent ${agent.id} is unreachable`, 'OPERATION_UNREACHABLE');
  for (const offerId of [...agent.offers]) rescindOffer(ctx, offerId);
  rescindInverseOffersOn(ctx, agent);
  // Deactivation and drains stay with an unreachable agent (the registry keeps them); its machine forgets it.
  removeAgentFromMachine(state, agent);
  for (const [framework, task] of tasksOn(ctx, agent)) {
    applyMasterUpdate(ctx, framework, task, {
      state: 'TASK_UNREACHABLE',
      reason: 'REASON_AGENT_REMOVED',
      message: `Agent ${agent.hostname} is unreachable`,
      unreachableTimeMs,
    });
    framework.tasks.delete(task.id);
    framework.unreachableTasks.set(task.id, task);
    // Bounded as Mesos bounds it (--max_unreachable_tasks_per_framework): the oldest go first.
    if (framework.unreachableTasks.size > state.config.maxUnreachableTasksPerFramework) {
      framework.unreachableTasks.delete(framework.unreachableTasks.keys().next().value as string);
    }
  }
  for (const framework of state.frameworks.values()) {
    for (const executorId of [...(framework.executors.get(agent.id)?.keys() ?? [])]) forgetExecutor(ctx, framework, agent.id, executorId);
    framework.executors.delete(agent.id);
  }
  state.allocator.removeAgent(agent.id);
  if (agent.link !== undefined) {
    state.links.delete(agent.link.linkId);
    ctx.closeAgentLink(agent.link.linkId);
  }
  state.timers.cancel(`ping:${agent.id}`);
  state.timers.cancel(reregisterTimerKey(agent.id));
  state.agents.delete(agent.id);
  rememberUnreachable(state, agent.id, agent.hostname, unreachableTimeMs);
  for (const framework of state.frameworks.values()) {
    ctx.sendToFramework(framework, { type: 'FAILURE', failure: { agent_id: { value: agent.id } } });
  }
}

/**
 * An unreachable agent linked again and was admitted with what it reports:
 * each task it reports is told with its real state. Its unreachable copies
 * were replaced by the reported ones (tasks/reported.ts).
 */
export function onUnreachableAgentReadmitted(ctx: StepContext, agent: Agent): void {
  // The registry has it as reachable already (register.ts admitUnknownAgent).
  ctx.state.unreachableAgents.delete(agent.id);
  ctx.state.counters.increment('master/slave_reregistrations_unreachable');
  ctx.log('info', `Unreachable agent ${agent.id} (${agent.hostname}) re-registered`);
  for (const [framework, task] of tasksOn(ctx, agent)) {
    // Only told, not a transition: the task is in the state the agent reported.
    const status = masterStatus(ctx, framework, task.id, agent.id, {
      state: task.state,
      reason: 'REASON_AGENT_REREGISTERED',
      message: 'Unreachable agent re-reregistered',
    });
    ctx.sendToFramework(framework, { type: 'UPDATE', update: { status } });
  }
}
