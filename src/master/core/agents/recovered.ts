/**
 * Agents the registry admitted before this master started (spec/core.md 5.3):
 * the master expects them to link again. One that does within
 * agent_reregister_timeout of the master's start is taken back with what it
 * reports, as after any fail-over. If more of them are still missing then
 * than --recovery_agent_removal_limit allows, something is wrong with the
 * cluster rather than with the agents (a network split, the wrong registry):
 * the master stops without marking any, as Mesos does. Otherwise each is
 * marked unreachable, as --agent_removal_rate_limit allows.
 */
import type { StepContext } from '../context.js';
import { scheduleUnreachable } from './unreachable.js';

const recoveredAgentsTimerKey = 'recovered:agents';

/** At the master's start: when the registry names agents, the deadline for them to come back. */
export function scheduleRecoveredAgentsDeadline(ctx: StepContext): void {
  if (ctx.state.recoveredAgents.size === 0) return;
  ctx.state.timers.set(recoveredAgentsTimerKey, ctx.nowMs + ctx.state.config.agentReregisterTimeoutMs);
}

export function onRecoveredAgentsDeadline(ctx: StepContext): void {
  const state = ctx.state;
  const missing = state.recoveredAgents.size;
  if (missing === 0) return;
  const limit = state.config.recoveryAgentRemovalLimit;
  if (missing / state.recoveredAtStart > limit) {
    ctx.effects.push({
      type: 'fatal',
      message:
        `${missing} of the ${state.recoveredAtStart} agents in the registry did not re-register within ` +
        `${state.config.agentReregisterTimeoutMs} ms, more than --recovery_agent_removal_limit=${limit * 100}% allows: ` +
        'stopping without marking them unreachable (the registry is unchanged)',
    });
    return;
  }
  for (const agentId of [...state.recoveredAgents.keys()]) scheduleUnreachable(ctx, agentId, 'recovered');
}
