/**
 * The allocator's bookkeeping model (spec/core.md 4.1): agents with their total
 * and offered-or-allocated resources, frameworks with their roles, and the
 * policy (weights, quota, filters). Owned and changed only by allocator.ts.
 */
import type { AgentCapability, FrameworkCapability } from '../../protocol/mesos.js';
import type { Resources, ResourceQuantities } from '../../resources/index.js';
import type { RoleFilters, RefusedFilter } from './filters.js';
import type { AgentAttributes, OfferConstraintFilter } from './offer-constraints.js';
import type { FrameworkSorter, Sorter, SorterKind } from './sorter/sorter.js';

export interface AllocatorConfig {
  readonly allocationIntervalMs: number;
  /** OR of AND-sets; empty means anything is allocatable. */
  readonly minAllocatable: readonly ResourceQuantities[];
  readonly filterGpuResources: boolean;
  readonly fairnessExcludedNames: ReadonlySet<string>;
  readonly roleSorter: SorterKind;
  readonly frameworkSorter: SorterKind;
}

export interface AllocatorAgent {
  readonly id: string;
  placement: AgentAttributes;
  capabilities: ReadonlySet<AgentCapability>;
  total: Resources;
  /** `total` holds GPUs (kept with it): asked for every framework without GPU_RESOURCES on every agent. */
  hasGpus: boolean;
  /** By framework id; each resource carries allocation_info.role. */
  readonly offeredOrAllocated: Map<string, Resources>;
  /**
   * What can still be offered: total minus everything offered or allocated
   * (shared volumes always count as available). Kept up to date incrementally.
   */
  available: Resources;
  activated: boolean;
  /** Offer filters on this agent, by role. */
  readonly filters: Map<string, RoleFilters>;
}

export interface FrameworkPolicy {
  readonly roles: ReadonlySet<string>;
  readonly suppressedRoles: ReadonlySet<string>;
  readonly capabilities: ReadonlySet<FrameworkCapability>;
  /** Per-role override of the minimum allocatable resources (empty list = anything). */
  readonly minAllocatable: ReadonlyMap<string, readonly ResourceQuantities[]>;
  readonly constraints: OfferConstraintFilter;
}

/** Changed in place on updates: the sorters hold references to these objects. */
export interface AllocatorFramework {
  roles: ReadonlySet<string>;
  suppressedRoles: ReadonlySet<string>;
  capabilities: ReadonlySet<FrameworkCapability>;
  minAllocatable: ReadonlyMap<string, readonly ResourceQuantities[]>;
  constraints: OfferConstraintFilter;
  readonly id: string;
  /** Dense small integer, reused after removal: indexes the filter coverage bitsets. */
  readonly index: number;
  active: boolean;
  readonly filters: Set<RefusedFilter>;
}

/** One offer the allocator decided on: resources of one agent for one role of one framework. */
export interface PlannedOffer {
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  /** Allocated to `role` (allocation_info set). */
  readonly resources: Resources;
}

export interface AllocationPlan {
  readonly offers: readonly PlannedOffer[];
  /**
   * Each agent's free resources before and after the plan, as the run computed
   * them: applying the plan to an agent whose resources have not changed since
   * reuses `after` instead of recomputing it.
   */
  readonly availability: ReadonlyMap<string, { readonly before: Resources; readonly after: Resources }>;
  /**
   * The run's copies of the sorters, holding its allocations. Applying the
   * plan while the original sorters are unchanged (same objects, same
   * revisions) puts these in their place instead of replaying every offer on
   * the originals: the run already made exactly those calls, in that order.
   * Absent when a replay would differ (an offer merged two grants, or a sorter
   * whose sort() leaves a trace).
   */
  readonly sorters?: PlannedSorters;
}

export interface SorterCopy<S> {
  readonly source: S;
  /** The source's revision when the copy was taken. */
  readonly revision: number;
  readonly copy: S;
}

export interface PlannedSorters {
  readonly roleSorter: SorterCopy<Sorter>;
  readonly frameworkSorters: ReadonlyMap<string, SorterCopy<FrameworkSorter<AllocatorFramework>>>;
}
