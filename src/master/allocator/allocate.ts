/**
 * One allocation run (spec/core.md 4.4): a pure function of the allocator's
 * state that returns a plan. It reads the state and changes only copies (the
 * sorters it re-sorts, a per-run view of each agent's free resources) and the
 * filters' coverage caches, which memoise and never change an answer.
 *
 * Stage 1 gives roles with unsatisfied quota guarantees what counts toward
 * them; stage 2 offers everyone the rest, in DRF order, holding back headroom
 * for guarantees not yet met and never exceeding a role's limits.
 */
import { roleAncestors, Resources } from '../../resources/index.js';
import type { Random } from '../../lib/random.js';
import { shuffled } from '../../lib/random.js';
import type { Allocator } from './allocator.js';
import { RunSorters } from './run-sorters.js';
import type { RoleFilters } from './filters.js';
import { addInto, isEmpty, minus, plus, scalarQuantities, type Quantities } from './quantities.js';
import { isDefaultQuota, limitsMinus, shrinkResources } from './quota.js';
import type { FrameworkSorter, Sorter } from './sorter/sorter.js';
import type { AllocatorAgent, AllocatorFramework, AllocationPlan, PlannedOffer } from './types.js';

export interface AllocateOptions {
  readonly random: Random;
  /** Only these agents (an event-driven run); all agents when absent. */
  readonly agentIds?: Iterable<string>;
}

export function allocate(state: Allocator, options: AllocateOptions): AllocationPlan {
  if (state.paused) return { offers: [], availability: new Map() };
  const run = new AllocationRun(state, options.random);
  const candidates: AllocatorAgent[] = [];
  const ids = options.agentIds ?? state.agents.keys();
  for (const id of ids) {
    const agent = state.agents.get(id);
    if (agent !== undefined && agent.activated) candidates.push(agent);
  }
  const order = shuffled(candidates, options.random);
  if (run.hasGuarantees()) for (const agent of order) run.stageOne(agent);
  for (const agent of shuffled(order, options.random)) run.stageTwo(agent);
  return run.plan();
}

class AllocationRun {
  private readonly sorters: RunSorters;
  private readonly roleSorter: Sorter;
  /** Each agent the run offered from: its free resources before the run and now (the plan's availability). */
  private readonly availability = new Map<string, { readonly before: Resources; after: Resources }>();
  /** The agent being visited and its free resources now: read many times per visit, so kept at hand. */
  private visitedAgent: AllocatorAgent | undefined;
  private visitedFree: Resources = Resources.empty();
  /** Each stage visits an agent once, so only stage two can meet an agent offered from before (by stage one). */
  private stage: 1 | 2 = 1;
  private stageOneOffered = false;
  private readonly offeredShared = new Map<string, Resources>();
  /** Offers in the order first planned; one per (framework, agent, role), later grants merged in. */
  private readonly planned: PlannedOffer[] = [];
  /** Indexes into `planned` of each agent's offers (a handful), to find the one to merge into. */
  private readonly plannedByAgent = new Map<AllocatorAgent, number[]>();
  /** Set when a grant was merged into an earlier offer (then the sorters' copies are not what a replay gives). */
  private mergedGrants = false;
  /** Consumed quota of roles with non-default quota (and their ancestors), updated as the run allocates. */
  private readonly consumedQuota = new Map<string, Map<string, number>>();
  private requiredHeadroom: Map<string, number> = new Map();
  private availableHeadroom: Map<string, number> = new Map();
  private readonly guarantees: boolean;
  /**
   * Allocations not yet told to the sorters. Mesos iterates a copy of each
   * sorted order, so an allocation only changes the *next* sort; deferring the
   * sorter updates to the end of each loop gives the same result without
   * copying the order of a thousand frameworks for every agent.
   */
  private readonly pendingFrameworkShares: { role: string; frameworkId: string; quantities: Quantities }[] = [];
  private readonly pendingRoleShares: { role: string; quantities: Quantities }[] = [];

  constructor(
    private readonly state: Allocator,
    private readonly random: Random,
  ) {
    this.sorters = new RunSorters(state);
    this.roleSorter = this.sorters.roleSorter;
    let guarantees = false;
    for (const node of state.roles.topLevel()) {
      if (isDefaultQuota(node.quota)) continue;
      this.consumedQuota.set(node.role, new Map(node.quotaConsumed()));
      if (!isEmpty(node.quota.guarantees)) guarantees = true;
      addInto(this.requiredHeadroom, minus(node.quota.guarantees, node.quotaConsumed()));
    }
    this.guarantees = guarantees;
    if (!isEmpty(this.requiredHeadroom)) this.availableHeadroom = this.computeAvailableHeadroom();
  }

  hasGuarantees(): boolean {
    return this.guarantees;
  }

  plan(): AllocationPlan {
    const sorters = this.sorters.planned(this.mergedGrants);
    return { offers: this.planned, availability: this.availability, ...(sorters !== undefined ? { sorters } : {}) };
  }

  /** available headroom = total − allocated − unallocated reservations − unallocated revocable. */
  private computeAvailableHeadroom(): Map<string, number> {
    const state = this.state;
    let headroom = minus(state.totalScalars, state.offeredOrAllocatedScalars());
    let reserved = new Map<string, number>();
    let allocatedReserved = new Map<string, number>();
    for (const node of state.roles.topLevel()) {
      reserved = plus(reserved, node.reserved);
      allocatedReserved = plus(allocatedReserved, node.allocatedReserved);
    }
    headroom = minus(headroom, minus(reserved, allocatedReserved));
    for (const agent of state.agents.values()) {
      headroom = minus(headroom, scalarQuantities(agent.available.revocable()));
    }
    return headroom;
  }

  private sorterFor(role: string): FrameworkSorter<AllocatorFramework> | undefined {
    return this.sorters.frameworkSorter(role);
  }

  private free(agent: AllocatorAgent): Resources {
    if (agent !== this.visitedAgent) {
      this.visitedAgent = agent;
      const earlier = this.stageOneOffered && this.stage === 2 ? this.availability.get(agent.id) : undefined;
      this.visitedFree = earlier?.after ?? agent.available;
    }
    return this.visitedFree;
  }

  /** What the agent can still offer `role` in this run (shared volumes at most once per run). */
  private availableFor(agent: AllocatorAgent, role: string): Resources {
    const base = this.free(agent).allocatableTo(role);
    const shared = this.offeredShared.get(agent.id);
    return shared === undefined ? base : base.minus(shared);
  }

  stageOne(agent: AllocatorAgent): void {
    this.stage = 1;
    this.stageOneRoles(agent);
    this.flushFrameworkShares();
    this.flushRoleShares();
  }

  private stageOneRoles(agent: AllocatorAgent): void {
    for (const role of this.roleSorter.sort(this.random)) {
      this.flushFrameworkShares();
      const quota = this.state.roles.quota(role);
      if (isEmpty(quota.guarantees)) continue;
      if ((this.state.roles.get(role)?.frameworks.size ?? 0) === 0) continue;
      if (this.free(agent).isEmpty()) return;
      let unsatisfied = minus(quota.guarantees, this.consumedQuota.get(role) ?? new Map());
      if (isEmpty(unsatisfied)) continue;
      const sorter = this.sorterFor(role);
      if (sorter === undefined) continue;
      for (const framework of inOrder(sorter, this.random)) {
        if (isEmpty(unsatisfied)) break;
        if (framework.constraints.excludes(role, agent.placement)) continue;
        const available = this.availableFor(agent, role);
        if (available.isEmpty()) break;
        const candidate = this.candidate(agent, framework, role, available);
        if (candidate === undefined) continue;
        const quotaResources = candidate.filter(isUnreservedNonRevocableScalar);
        const guaranteed = shrinkResources(quotaResources, unsatisfied, 'zero', this.random);
        if (guaranteed.isEmpty()) continue;
        let toOffer = guaranteed.plus(candidate.filter((r) => isReservedTo(r, role) || r.type !== 'SCALAR' || r.revocable !== undefined));
        let additional = quotaResources.minus(guaranteed);
        if (quota.limits.size > 0) {
          const headroom = limitsMinus(quota.limits, plus(this.consumedQuota.get(role) ?? new Map(), scalarQuantities(guaranteed)));
          additional = shrinkResources(additional, headroom, 'unlimited', this.random);
        }
        if (!isEmpty(this.requiredHeadroom) && !additional.isEmpty()) {
          additional = shrinkResources(additional, minus(this.availableHeadroom, this.requiredHeadroom), 'zero', this.random);
        }
        toOffer = toOffer.plus(additional);
        if (!this.isAllocatable(toOffer, role, framework) || this.isFiltered(framework, role, agent, toOffer, undefined)) continue;
        const increase = scalarQuantities(guaranteed.plus(additional));
        unsatisfied = minus(unsatisfied, increase);
        this.consume(role, increase);
        this.requiredHeadroom = minus(this.requiredHeadroom, scalarQuantities(guaranteed));
        this.availableHeadroom = minus(this.availableHeadroom, increase);
        this.offer(agent, framework, role, toOffer);
      }
    }
  }

  stageTwo(agent: AllocatorAgent): void {
    this.stage = 2;
    this.stageTwoRoles(agent);
    this.flushFrameworkShares();
    this.flushRoleShares();
  }

  private stageTwoRoles(agent: AllocatorAgent): void {
    for (const role of this.roleSorter.sort(this.random)) {
      this.flushFrameworkShares();
      if (this.free(agent).isEmpty()) return;
      const sorter = this.sorterFor(role);
      if (sorter === undefined) continue;
      const roleFilters = agent.filters.get(role);
      if (roleFilters !== undefined) {
        roleFilters.prepare(this.free(agent).allocatableTo(role));
        // Every framework of the role refused all of this agent's resources: nothing to try.
        if (roleFilters.coversAll(sorter.activeIndexes, sorter.activeCount)) continue;
      }
      this.offerToRole(agent, role, sorter, roleFilters);
    }
  }

  /** Stage two for one role on one agent: its frameworks in DRF order, each taking all it may. */
  private offerToRole(agent: AllocatorAgent, role: string, sorter: FrameworkSorter<AllocatorFramework>, roleFilters: RoleFilters | undefined): void {
    const limits = this.state.roles.quota(role).limits;
    const trimmed = limits.size > 0 || !isEmpty(this.requiredHeadroom);
    for (const run of sorter.orderedRuns(this.random)) {
      for (const { value: framework } of run) {
        // A framework that refused all of this agent's resources for the role is skipped at once.
        if (roleFilters !== undefined && roleFilters.covers(framework.index)) continue;
        if (framework.constraints.excludes(role, agent.placement)) continue;
        const available = this.availableFor(agent, role);
        if (available.isEmpty()) return;
        const candidate = this.candidate(agent, framework, role, available);
        if (candidate === undefined) continue;
        // Reservations, non-scalars and revocable resources are always offered; unreserved
        // scalars are subject to the role's limits and the headroom held for guarantees.
        let toOffer = candidate;
        let additional: Resources | undefined;
        if (trimmed) {
          additional = candidate.filter(isUnreservedNonRevocableScalar);
          if (limits.size > 0) {
            additional = shrinkResources(additional, limitsMinus(limits, this.consumedQuota.get(role) ?? new Map()), 'unlimited', this.random);
          }
          if (!isEmpty(this.requiredHeadroom) && !additional.isEmpty()) {
            additional = shrinkResources(additional, minus(this.availableHeadroom, this.requiredHeadroom), 'zero', this.random);
          }
          toOffer = candidate.filter((r) => !isUnreservedNonRevocableScalar(r)).plus(additional);
        }
        // candidate() checked `available` already; the check is repeated only for a trimmed offer.
        if (toOffer !== available && !this.isAllocatable(toOffer, role, framework)) continue;
        if (this.isFiltered(framework, role, agent, toOffer, roleFilters)) continue;
        if (this.consumedQuota.has(role) || trimmed) {
          const increase = scalarQuantities(additional ?? candidate.filter(isUnreservedNonRevocableScalar));
          if (this.consumedQuota.has(role)) this.consume(role, increase);
          if (!isEmpty(this.requiredHeadroom)) this.availableHeadroom = minus(this.availableHeadroom, increase);
        }
        this.offer(agent, framework, role, toOffer);
      }
    }
  }

  /**
   * The resources this framework could take on this agent for this role, or
   * undefined when it cannot take any (Mesos' early `continue`s): not
   * allocatable, or an agent the framework cannot use.
   */
  private candidate(agent: AllocatorAgent, framework: AllocatorFramework, role: string, available: Resources): Resources | undefined {
    if (!this.isAllocatable(available, role, framework)) return undefined;
    if (!this.canReceive(framework, agent)) return undefined;
    return stripIncapable(available, framework);
  }

  private canReceive(framework: AllocatorFramework, agent: AllocatorAgent): boolean {
    if (this.state.config.filterGpuResources && !framework.capabilities.has('GPU_RESOURCES')) {
      if (agent.hasGpus) return false;
    }
    return true;
  }

  /** Minimum allocatable resources (spec/core.md 4.5): any one of the AND-sets must be met. */
  private isAllocatable(resources: Resources, role: string, framework: AllocatorFramework): boolean {
    if (resources.isEmpty()) return false;
    const minimums = framework.minAllocatable.get(role) ?? this.state.config.minAllocatable;
    if (minimums.length === 0) return true;
    return resources.quantities().containsAny(minimums);
  }

  private isFiltered(
    framework: AllocatorFramework,
    role: string,
    agent: AllocatorAgent,
    resources: Resources,
    roleFilters: RoleFilters | undefined,
  ): boolean {
    if (framework.capabilities.has('MULTI_ROLE') && !agent.capabilities.has('MULTI_ROLE')) return true;
    if (role.includes('/') && !agent.capabilities.has('HIERARCHICAL_ROLE')) return true;
    const filters = roleFilters ?? agent.filters.get(role);
    return filters !== undefined && filters.filters(framework.index, resources);
  }

  private consume(role: string, increase: Quantities): void {
    for (const target of [role, ...roleAncestors(role)]) {
      const consumed = this.consumedQuota.get(target);
      if (consumed !== undefined) addInto(consumed, increase);
    }
  }

  private offer(agent: AllocatorAgent, framework: AllocatorFramework, role: string, resources: Resources): void {
    const allocated = resources.allocate(role);
    this.addToPlan(agent, framework, role, allocated);
    const after = this.free(agent).minus(resources.nonShared());
    const availability = this.availability.get(agent.id);
    if (availability === undefined) this.availability.set(agent.id, { before: agent.available, after });
    else availability.after = after;
    this.visitedFree = after;
    if (this.stage === 1) this.stageOneOffered = true;
    const shared = resources.shared();
    if (!shared.isEmpty()) this.offeredShared.set(agent.id, (this.offeredShared.get(agent.id) ?? Resources.empty()).plus(shared));
    const quantities = scalarQuantities(allocated);
    this.pendingRoleShares.push({ role, quantities });
    this.pendingFrameworkShares.push({ role, frameworkId: framework.id, quantities });
  }

  private addToPlan(agent: AllocatorAgent, framework: AllocatorFramework, role: string, allocated: Resources): void {
    let indexes = this.plannedByAgent.get(agent);
    if (indexes === undefined) {
      indexes = [];
      this.plannedByAgent.set(agent, indexes);
    }
    for (const index of indexes) {
      const previous = this.planned[index] as PlannedOffer;
      if (previous.frameworkId === framework.id && previous.role === role) {
        this.planned[index] = { ...previous, resources: previous.resources.plus(allocated) };
        this.mergedGrants = true;
        return;
      }
    }
    indexes.push(this.planned.length);
    this.planned.push({ frameworkId: framework.id, agentId: agent.id, role, resources: allocated });
  }

  private flushFrameworkShares(): void {
    for (const { role, frameworkId, quantities } of this.pendingFrameworkShares) this.sorterFor(role)?.allocated(frameworkId, quantities);
    this.pendingFrameworkShares.length = 0;
  }

  private flushRoleShares(): void {
    for (const { role, quantities } of this.pendingRoleShares) this.roleSorter.allocated(role, quantities);
    this.pendingRoleShares.length = 0;
  }
}

/** The frameworks of a sorter in order (for the cold paths; the hot loop walks the runs itself). */
function* inOrder(sorter: FrameworkSorter<AllocatorFramework>, random: Random): Generator<AllocatorFramework> {
  for (const run of sorter.orderedRuns(random)) for (const entry of run) yield entry.value;
}

function isUnreservedNonRevocableScalar(resource: { type: string; reservations: readonly unknown[]; revocable?: unknown }): boolean {
  return resource.type === 'SCALAR' && resource.reservations.length === 0 && resource.revocable === undefined;
}

/** Reserved to exactly `role` (quota roles are top-level, so no ancestor reservations apply). */
function isReservedTo(resource: { reservations: readonly { role: string }[] }, role: string): boolean {
  return resource.reservations[resource.reservations.length - 1]?.role === role;
}

/** Drops what the framework cannot handle: revocable, shared, refined reservations (spec/core.md 4.4 step 5). */
function stripIncapable(resources: Resources, framework: AllocatorFramework): Resources {
  const revocable = framework.capabilities.has('REVOCABLE_RESOURCES');
  const shared = framework.capabilities.has('SHARED_RESOURCES');
  const refinement = framework.capabilities.has('RESERVATION_REFINEMENT');
  // The collection knows (cached) which kinds it holds: most offers need no stripping.
  const needsStrip = (!revocable && resources.hasRevocable()) || (!shared && resources.hasShared()) || (!refinement && resources.hasRefinedReservations());
  if (!needsStrip) return resources;
  return resources.filter(
    (r) => (revocable || r.revocable === undefined) && (shared || r.shared === undefined) && (refinement || r.reservations.length <= 1),
  );
}
