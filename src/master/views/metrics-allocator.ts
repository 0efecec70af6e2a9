/**
 * Allocator metrics (spec/core.md 8, Mesos' allocator/mesos/metrics.cpp and the
 * DRF sorter's share gauges), read from the allocator's bookkeeping. Quantities
 * there are fixed point (thousandths) and are printed in units.
 */
import { fromFixed } from '../../resources/index.js';
import type { MasterState } from '../core/state.js';
import { plus } from '../allocator/quantities.js';
import { quotaRoles } from './roles.js';

/** Mesos always registers total and offered_or_allocated for these, even at zero. */
const alwaysReportedNames = ['cpus', 'mem', 'disk'] as const;

function resourceGauges(state: MasterState, metrics: Map<string, number>): void {
  const allocator = state.allocator;
  const held = allocator.offeredOrAllocatedScalars();
  const names = new Set<string>([...alwaysReportedNames, ...allocator.totalScalars.keys()]);
  for (const name of [...names].sort()) {
    metrics.set(`allocator/mesos/resources/${name}/total`, fromFixed(allocator.totalScalars.get(name) ?? 0));
    metrics.set(`allocator/mesos/resources/${name}/offered_or_allocated`, fromFixed(held.get(name) ?? 0));
  }
}

/** Per role the allocator tracks: its filter count, and its dominant share when the role sorter is DRF. */
function roleGauges(state: MasterState, metrics: Map<string, number>): void {
  const allocator = state.allocator;
  const drf = allocator.config.roleSorter === 'drf';
  for (const role of [...allocator.frameworkSorters.keys()].sort()) {
    if (drf) metrics.set(`allocator/mesos/roles/${role}/shares/dominant`, allocator.roleSorter.share(role));
    metrics.set(`allocator/mesos/offer_filters/roles/${role}/active`, allocator.activeFilterCount(role));
  }
}

/**
 * Quota gauges for roles with a non-default quota: guarantee and limit per
 * configured name, what the role's subtree holds (offered or allocated) for
 * those names, and its consumption (reservations plus unreserved allocations).
 */
function quotaGauges(state: MasterState, metrics: Map<string, number>): void {
  for (const role of quotaRoles(state)) {
    const node = state.allocator.roles.get(role);
    if (node === undefined) continue;
    const prefix = `allocator/mesos/quota/roles/${role}/resources/`;
    for (const [name, amount] of node.quota.guarantees) metrics.set(`${prefix}${name}/guarantee`, fromFixed(amount));
    for (const [name, amount] of node.quota.limits) metrics.set(`${prefix}${name}/limit`, fromFixed(amount));
    const held = plus(node.allocatedUnreserved, node.allocatedReserved);
    const names = new Set([...node.quota.guarantees.keys(), ...node.quota.limits.keys()]);
    for (const name of names) metrics.set(`${prefix}${name}/offered_or_allocated`, fromFixed(held.get(name) ?? 0));
    for (const [name, amount] of node.quotaConsumed()) metrics.set(`${prefix}${name}/consumed`, fromFixed(amount));
  }
}

/** Every allocator gauge berth can compute; run counts and timings come from the shell. */
export function allocatorMetrics(state: MasterState): Map<string, number> {
  const metrics = new Map<string, number>([
    ['allocator/mesos/allocation_runs', 0],
    ['allocator/mesos/event_queue_dispatches', 0],
  ]);
  resourceGauges(state, metrics);
  roleGauges(state, metrics);
  quotaGauges(state, metrics);
  return metrics;
}
