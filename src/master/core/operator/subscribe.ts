/**
 * The operator event stream (spec/core.md 6.3): SUBSCRIBED with the whole
 * state, a HEARTBEAT at once and every heartbeat interval, then events as the
 * state changes. Beyond the subscriber cap the oldest stream is closed. With
 * --acls a subscriber sees only what its principal may view (viewer.ts), in
 * the snapshot and in the events (StepContext.sendToOperators).
 */
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import { getState } from '../../views/v1.js';
import { viewerFor } from './viewer.js';

/** `principal`: the operator's authenticated principal; with --acls it decides what the stream shows. */
export function onOperatorSubscribe(ctx: StepContext, connectionId: string, principal?: string): Reply {
  const state = ctx.state;
  const cap = state.config.maxOperatorSubscribers;
  while (state.operatorSubscribers.size >= cap) {
    const oldest = [...state.operatorSubscribers.values()].sort((a, b) => a.subscribedMs - b.subscribedMs)[0];
    if (oldest === undefined) break;
    closeOperator(ctx, oldest.connectionId);
  }
  const intervalMs = state.config.heartbeatIntervalMs;
  state.operatorSubscribers.set(connectionId, { connectionId, subscribedMs: ctx.nowMs, principal });
  const viewer = viewerFor(state.acls, principal);
  ctx.effects.push({
    type: 'operator_event',
    connectionId,
    event: { type: 'SUBSCRIBED', subscribed: { get_state: getState(state, viewer), heartbeat_interval_seconds: intervalMs / 1000 } },
  });
  ctx.effects.push({ type: 'operator_event', connectionId, event: { type: 'HEARTBEAT' } });
  state.timers.set(`operator-heartbeat:${connectionId}`, ctx.nowMs + intervalMs);
  return { status: 200 };
}

export function onOperatorHeartbeat(ctx: StepContext, connectionId: string): void {
  if (!ctx.state.operatorSubscribers.has(connectionId)) return;
  ctx.effects.push({ type: 'operator_event', connectionId, event: { type: 'HEARTBEAT' } });
  ctx.state.timers.set(`operator-heartbeat:${connectionId}`, ctx.nowMs + ctx.state.config.heartbeatIntervalMs);
}

export function onOperatorClosed(ctx: StepContext, connectionId: string): void {
  if (ctx.state.operatorSubscribers.delete(connectionId)) ctx.state.timers.cancel(`operator-heartbeat:${connectionId}`);
}

function closeOperator(ctx: StepContext, connectionId: string): void {
  ctx.state.operatorSubscribers.delete(connectionId);
  ctx.state.timers.cancel(`operator-heartbeat:${connectionId}`);
  ctx.effects.push({ type: 'operator_close', connectionId });
}
