/**
 * The timer of an agent whose link broke (spec/core.md 5.4): unless it links
 * again within agent_reregister_timeout, it is marked unreachable
 * (unreachable.ts onReregisterTimer).
 */
import type { StepContext } from '../context.js';
import type { Agent } from '../state.js';

export function reregisterTimerKey(agentId: string): string {
  return `reregister:${agentId}`;
}

export function armReregisterTimer(ctx: StepContext, agent: Agent): void {
  ctx.state.timers.set(reregisterTimerKey(agent.id), ctx.nowMs + ctx.state.config.agentReregisterTimeoutMs);
}
