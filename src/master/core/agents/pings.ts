/**
 * Agent health checks (spec/core.md 5.4): a PING on the link every
 * agent_ping_timeout; a ping still unanswered when the next is due is a miss;
 * after max_agent_ping_timeouts misses in a row the agent is marked
 * unreachable (agents/unreachable.ts), when --agent_removal_rate_limit allows.
 */
import type { StepContext } from '../context.js';
import type { Agent } from '../state.js';
import { scheduleUnreachable } from './unreachable.js';

export function schedulePing(ctx: StepContext, agent: Agent): void {
  ctx.state.timers.set(`ping:${agent.id}`, ctx.nowMs + ctx.state.config.agentPingTimeoutMs);
}

export function onPingTimer(ctx: StepContext, agentId: string): void {
  const agent = ctx.state.agents.get(agentId);
  if (agent?.link === undefined) return;
  if (agent.pongReceived) {
    agent.pingsMissed = 0;
  } else {
    agent.pingsMissed++;
    ctx.log('warn', `Agent ${agent.id} missed ${agent.pingsMissed} ping(s)`);
    // Pings go on while the marking waits for the rate limit: a pong before it cancels it.
    if (agent.pingsMissed >= ctx.state.config.maxAgentPingTimeouts) scheduleUnreachable(ctx, agent.id, 'pings');
  }
  agent.pongReceived = false;
  ctx.sendToAgent(agent, { type: 'PING', ping: { connected: true } });
  schedulePing(ctx, agent);
}

export function onPong(agent: Agent): void {
  agent.pongReceived = true;
  agent.pingsMissed = 0;
}
