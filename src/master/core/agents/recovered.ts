/**
 * Agents the registry admitted before this master started (spec/core.md 5.3):
 * the master expects them to link again. One that does within
 * agent_reregister_timeout of the master's start is taken back with what it
 * reports, as after any fail-over; those still missing then are marked
 * unreachable, so their frameworks hear FAILURE and reconciliation answers
 * for their tasks by rule 4. Mesos spreads those markings over time
 * (--agent_removal_rate_limit) and stops when too many are missing
 * (--recovery_agent_removal_limit); berth marks them all at once.
 */
import type { StepContext } from '../context.js';

export const recoveredAgentsTimerKey = 'recovered:agents';

/** At the master's start: when the registry names agents, the deadline for them to come back. */
export function scheduleRecoveredAgentsDeadline(ctx: StepContext): void {
  if (ctx.state.recoveredAgents.size === 0) return;
  ctx.state.timers.set(recoveredAgentsTimerKey, ctx.nowMs + ctx.state.config.agentReregisterTimeoutMs);
}

export function onRecoveredAgentsDeadline(ctx: StepContext): void {
  const state = ctx.state;
  for (const [agentId, agent] of [...state.recoveredAgents]) {
    ctx.log('warn', `Agent ${agentId} (${agent.hostname}) did not re-register within ${state.config.agentReregisterTimeoutMs} ms of this master's start: marking it unreachable`);
    ctx.registry({ type: 'mark_agent_unreachable', agentId, hostname: agent.hostname, unreachableTimeMs: ctx.nowMs });
    state.recoveredAgents.delete(agentId);
    state.unreachableAgents.set(agentId, { hostname: agent.hostname, unreachableTimeMs: ctx.nowMs });
    state.counters.increment('master/slave_unreachable_completed');
    for (const framework of state.frameworks.values()) ctx.sendToFramework(framework, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
  }
}
