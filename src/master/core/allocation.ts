/**
 * When allocation runs (spec/core.md 4.2): every allocation interval over all
 * agents, and as soon as possible after events that bring new resources or new
 * demand (batched: one pending run covers every request made before it).
 */
import { allocate } from '../allocator/allocate.js';
import type { StepContext } from './context.js';
import { createOffers } from './offers.js';
import { sendInverseOffers } from './maintenance/inverse-offers.js';

export function schedulePeriodicAllocation(ctx: StepContext): void {
  ctx.state.timers.set('allocation:periodic', ctx.nowMs + ctx.state.config.allocationIntervalMs);
}

export function onPeriodicAllocation(ctx: StepContext): void {
  ctx.state.pendingAllocation = undefined;
  ctx.state.timers.cancel('allocation:event');
  runAllocation(ctx, undefined);
  schedulePeriodicAllocation(ctx);
}

export function onEventAllocation(ctx: StepContext): void {
  const pending = ctx.state.pendingAllocation;
  ctx.state.pendingAllocation = undefined;
  if (pending === undefined) return;
  runAllocation(ctx, pending === 'all' ? undefined : pending);
}

export function runAllocation(ctx: StepContext, agentIds: Iterable<string> | undefined): void {
  const state = ctx.state;
  state.allocator.expireFilters(ctx.nowMs);
  const plan = allocate(state.allocator, { random: state.random, ...(agentIds !== undefined ? { agentIds } : {}) });
  state.allocator.applyPlan(plan);
  state.counters.increment('allocator/mesos/allocation_runs');
  state.lastAllocationMs = ctx.nowMs;
  createOffers(ctx, plan);
  sendInverseOffers(ctx, agentIds);
  ctx.effects.push({ type: 'allocation_run', offers: plan.offers.length });
}
