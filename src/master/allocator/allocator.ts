/**
 * The allocator's state and every change to it (Mesos' HierarchicalAllocator
 * minus the allocation run, which is the pure function in allocate.ts).
 *
 * Deterministic and free of I/O: time arrives as `nowMs` arguments. The master
 * core owns one Allocator and calls these methods as events happen.
 */
import { assert } from '../../lib/assert.js';
import { Resources, type ResourceConversion } from '../../resources/index.js';
import { FilterExpiry, RoleFilters, type RefusedFilter } from './filters.js';
import { addInto, scalarQuantities, type Quantities } from './quantities.js';
import { RoleTree } from './role-tree.js';
import type { Quota } from './quota.js';
import { DrfSorter } from './sorter/drf.js';
import { RandomSorter } from './sorter/random.js';
import type { FrameworkSorter, Sorter, SorterKind } from './sorter/sorter.js';
import { FlatDrfSorter } from './sorter/flat-drf.js';
import { FlatRandomSorter } from './sorter/flat-random.js';
import type {
  AllocatorAgent,
  AllocatorConfig,
  AllocatorFramework,
  AllocationPlan,
  FrameworkPolicy,
  PlannedSorters,
} from './types.js';
import { sortersAdoptable } from './run-sorters.js';
import type { AgentAttributes } from './offer-constraints.js';
import type { AgentCapability } from '../../protocol/mesos.js';

/** Default and bounds of Filters.refuse_seconds (spec/core.md 0.4). */
export const refuseSecondsDefault = 5;
export const refuseSecondsMax = 365 * 24 * 3600;

export class Allocator {
  readonly agents = new Map<string, AllocatorAgent>();
  readonly frameworks = new Map<string, AllocatorFramework>();
  readonly roles = new RoleTree();
  private currentRoleSorter: Sorter;
  readonly frameworkSorters = new Map<string, FrameworkSorter<AllocatorFramework>>();
  readonly weights = new Map<string, number>();
  /** Scalar quantities of every agent's total (fixed point): the DRF denominators. */
  readonly totalScalars = new Map<string, number>();
  readonly filterExpiry = new FilterExpiry();
  private readonly freeIndexes: number[] = [];
  private nextIndex = 0;
  /** Allocation stays off while paused (e.g. waiting for agents after a fail-over). */
  paused = false;

  constructor(readonly config: AllocatorConfig) {
    this.currentRoleSorter = this.newSorter(config.roleSorter);
  }

  get roleSorter(): Sorter {
    return this.currentRoleSorter;
  }

  private newSorter(kind: SorterKind): Sorter {
    return kind === 'random' ? new RandomSorter() : new DrfSorter(this.config.fairnessExcludedNames);
  }

  private newFrameworkSorter(kind: SorterKind): FrameworkSorter<AllocatorFramework> {
    return kind === 'random'
      ? new FlatRandomSorter<AllocatorFramework>()
      : new FlatDrfSorter<AllocatorFramework>(this.config.fairnessExcludedNames);
  }

  // --- frameworks -----------------------------------------------------------

  addFramework(id: string, policy: FrameworkPolicy, active: boolean): void {
    assert(!this.frameworks.has(id), `allocator: framework ${id} added twice`);
    const index = this.freeIndexes.pop() ?? this.nextIndex++;
    const framework: AllocatorFramework = { ...policy, id, index, active, filters: new Set() };
    this.frameworks.set(id, framework);
    for (const role of policy.roles) this.trackFrameworkUnderRole(framework, role);
    this.refreshActivation(framework);
  }

  removeFramework(id: string): void {
    const framework = this.framework(id);
    for (const agent of this.agents.values()) {
      const allocated = agent.offeredOrAllocated.get(id);
      if (allocated !== undefined) this.untrack(agent, framework, allocated);
    }
    for (const filter of [...framework.filters]) this.removeFilter(filter);
    for (const role of this.trackedRoles(framework)) this.untrackFrameworkUnderRole(framework, role);
    this.frameworks.delete(id);
    this.freeIndexes.push(framework.index);
  }

  activateFramework(id: string): void {
    const framework = this.framework(id);
    framework.active = true;
    this.refreshActivation(framework);
  }

  /** A disconnected framework gets no offers; its filters are kept (Mesos deactivateFramework). */
  deactivateFramework(id: string): void {
    const framework = this.framework(id);
    framework.active = false;
    this.refreshActivation(framework);
  }

  updateFramework(id: string, policy: FrameworkPolicy): void {
    const framework = this.framework(id);
    const old = { roles: framework.roles, suppressedRoles: framework.suppressedRoles };
    Object.assign(framework, policy);
    for (const role of policy.roles) if (!this.isTracked(framework, role)) this.trackFrameworkUnderRole(framework, role);
    for (const role of old.roles) {
      if (!policy.roles.has(role) && this.allocationIn(framework, role).isEmpty()) {
        this.untrackFrameworkUnderRole(framework, role);
      }
    }
    // Roles leaving the suppressed set, or left altogether, lose their filters.
    for (const role of old.suppressedRoles) if (!policy.suppressedRoles.has(role)) this.removeFilters(framework, role);
    for (const role of old.roles) if (!policy.roles.has(role)) this.removeFilters(framework, role);
    this.refreshActivation(framework);
  }

  suppressRoles(id: string, roles: readonly string[]): void {
    const framework = this.framework(id);
    const suppressed = new Set(framework.suppressedRoles);
    for (const role of roles) suppressed.add(role);
    framework.suppressedRoles = suppressed;
    this.refreshActivation(framework);
  }

  /** Clears the roles' filters and un-suppresses them (spec/core.md 1.5.5). */
  reviveRoles(id: string, roles: readonly string[]): void {
    const framework = this.framework(id);
    const suppressed = new Set(framework.suppressedRoles);
    for (const role of roles) {
      suppressed.delete(role);
      this.removeFilters(framework, role);
    }
    framework.suppressedRoles = suppressed;
    this.refreshActivation(framework);
  }

  // --- agents ---------------------------------------------------------------

  addAgent(
    id: string,
    placement: AgentAttributes,
    capabilities: ReadonlySet<AgentCapability>,
    total: Resources,
    used: ReadonlyMap<string, Resources>,
  ): void {
    assert(!this.agents.has(id), `allocator: agent ${id} added twice`);
    const agent: AllocatorAgent = {
      id,
      placement,
      capabilities,
      total,
      hasGpus: total.scalarValue('gpus') > 0,
      offeredOrAllocated: new Map(),
      available: total,
      activated: true,
      filters: new Map(),
    };
    this.agents.set(id, agent);
    this.addTotal(total, 1);
    for (const [frameworkId, resources] of used) {
      const framework = this.frameworks.get(frameworkId);
      if (framework !== undefined) this.track(agent, framework, resources);
      else this.trackUnknown(agent, frameworkId, resources);
    }
  }

  removeAgent(id: string): void {
    const agent = this.agent(id);
    for (const [frameworkId, resources] of [...agent.offeredOrAllocated]) {
      const framework = this.frameworks.get(frameworkId);
      if (framework !== undefined) this.untrack(agent, framework, resources);
    }
    for (const roleFilters of agent.filters.values()) {
      for (const list of roleFilters.byFramework.values()) for (const filter of list) this.removeFilter(filter);
    }
    this.addTotal(agent.total, -1);
    this.agents.delete(id);
  }

  updateAgent(id: string, total: Resources, capabilities: ReadonlySet<AgentCapability>, placement: AgentAttributes): void {
    const agent = this.agent(id);
    this.addTotal(agent.total, -1);
    agent.total = total;
    agent.hasGpus = total.scalarValue('gpus') > 0;
    agent.capabilities = capabilities;
    agent.placement = placement;
    this.addTotal(total, 1);
    this.recomputeAvailable(agent);
  }

  activateAgent(id: string): void {
    this.agent(id).activated = true;
  }

  deactivateAgent(id: string): void {
    this.agent(id).activated = false;
  }

  // --- allocations ----------------------------------------------------------

  /** Commits a plan made by allocate() against this state. */
  applyPlan(plan: AllocationPlan): void {
    const adopted = plan.sorters !== undefined && this.adoptSorters(plan.sorters);
    for (const offer of plan.offers) {
      const agent = this.agent(offer.agentId);
      this.track(agent, this.framework(offer.frameworkId), offer.resources, false, !adopted);
    }
    for (const [agentId, { before, after }] of plan.availability) {
      const agent = this.agent(agentId);
      if (agent.available === before) agent.available = after;
      else this.recomputeAvailable(agent);
    }
  }

  /** Records resources as offered or used by a framework outside an allocation run. */
  allocate(frameworkId: string, agentId: string, resources: Resources): void {
    this.track(this.agent(agentId), this.framework(frameworkId), resources);
  }

  /**
   * Resources come back from a framework (declined, offer rescinded, task
   * ended). With `refuseSeconds` a filter keeps them from that framework's role
   * on that agent for max(allocation interval, refuse_seconds).
   */
  recoverResources(
    frameworkId: string,
    agentId: string,
    resources: Resources,
    refuseSeconds: number | undefined,
    nowMs: number,
  ): void {
    if (resources.isEmpty()) return;
    const agent = this.agents.get(agentId);
    const framework = this.frameworks.get(frameworkId);
    if (agent === undefined || framework === undefined) return;
    this.untrack(agent, framework, resources);
    if (refuseSeconds === undefined) return;
    const timeoutMs = refuseTimeoutMs(refuseSeconds);
    if (timeoutMs === 0) return;
    const roles = [...resources.allocations().keys()];
    assert(roles.length === 1, 'allocator: recovered resources must belong to one allocation role');
    this.addFilter(framework, agent, roles[0] as string, resources.unallocate(), nowMs + Math.max(this.config.allocationIntervalMs, timeoutMs));
  }

  /**
   * A framework's storage operations converted what it was offered (Mesos'
   * updateAllocation): each conversion takes `consumed` out of the
   * framework's allocation and the agent's total and puts `converted` in
   * their place; both are allocated to the offers' role. What is available
   * does not change (it was allocated before and is after), unless a shared
   * volume, always available, comes or goes.
   */
  convertAllocation(frameworkId: string, agentId: string, conversions: readonly ResourceConversion[]): void {
    const agent = this.agent(agentId);
    const framework = this.framework(frameworkId);
    for (const { consumed, converted } of conversions) {
      this.untrack(agent, framework, consumed, false);
      this.replaceInTotal(agent, consumed.unallocate(), converted.unallocate());
      this.track(agent, framework, converted, false);
      if (consumed.hasShared() || converted.hasShared()) this.recomputeAvailable(agent);
    }
  }

  /**
   * An operator's storage operation converted unallocated resources of an
   * agent (Mesos' updateAvailable); the caller checked that the agent's
   * available resources hold what is consumed.
   */
  convertAvailable(agentId: string, conversions: readonly ResourceConversion[]): void {
    const agent = this.agent(agentId);
    for (const { consumed, converted } of conversions) {
      this.replaceInTotal(agent, consumed, converted);
      if (!agent.total.shared().isEmpty() || !agent.available.contains(consumed)) this.recomputeAvailable(agent);
      else agent.available = agent.available.minus(consumed).plus(converted);
    }
  }

  // --- policy ---------------------------------------------------------------

  updateWeights(weights: ReadonlyMap<string, number>): void {
    for (const [role, weight] of weights) {
      if (weight === 1) this.weights.delete(role);
      else this.weights.set(role, weight);
      this.roleSorter.updateWeight(role, weight);
    }
  }

  updateQuota(role: string, quota: Quota): void {
    this.roles.setQuota(role, quota);
  }

  /** Drops filters whose lifetime is over. */
  expireFilters(nowMs: number): void {
    for (const filter of this.filterExpiry.due(nowMs)) this.removeFilter(filter);
  }

  // --- queries --------------------------------------------------------------

  framework(id: string): AllocatorFramework {
    const framework = this.frameworks.get(id);
    assert(framework !== undefined, `allocator: unknown framework ${id}`);
    return framework;
  }

  agent(id: string): AllocatorAgent {
    const agent = this.agents.get(id);
    assert(agent !== undefined, `allocator: unknown agent ${id}`);
    return agent;
  }

  frameworkSorter(role: string): FrameworkSorter<AllocatorFramework> | undefined {
    return this.frameworkSorters.get(role);
  }

  /** Number of live filters of a role (metric offer_filters/roles/<role>/active). */
  activeFilterCount(role: string): number {
    let count = 0;
    for (const framework of this.frameworks.values()) for (const f of framework.filters) if (f.role === role) count++;
    return count;
  }

  /** Everything offered or allocated on all agents, as scalar quantities. */
  offeredOrAllocatedScalars(): Quantities {
    const out = new Map<string, number>();
    for (const agent of this.agents.values()) {
      for (const resources of agent.offeredOrAllocated.values()) addInto(out, scalarQuantities(resources));
    }
    return out;
  }

  // --- internals ------------------------------------------------------------

  /** The total's sums change by what the conversion took and gave (not the whole total again: it may hold a thousand volumes). */
  private replaceInTotal(agent: AllocatorAgent, consumed: Resources, converted: Resources): void {
    agent.total = agent.total.minus(consumed).plus(converted);
    agent.hasGpus = agent.total.scalarValue('gpus') > 0;
    this.addTotal(converted, 1);
    this.addTotal(consumed, -1);
  }

  private addTotal(total: Resources, sign: 1 | -1): void {
    const quantities = scalarQuantities(total);
    addInto(this.totalScalars, quantities, sign);
    if (sign === 1) this.roleSorter.addTotal(quantities);
    else this.roleSorter.removeTotal(quantities);
    for (const sorter of this.frameworkSorters.values()) {
      if (sign === 1) sorter.addTotal(quantities);
      else sorter.removeTotal(quantities);
    }
    this.roles.trackReservations(total, sign);
  }

  /**
   * The run's sorter copies already hold the plan's offers: when the sorters
   * they were copied from are unchanged, they take their place (run-sorters.ts).
   */
  private adoptSorters(sorters: PlannedSorters): boolean {
    if (!sortersAdoptable(sorters, this.currentRoleSorter, this.frameworkSorters)) return false;
    this.currentRoleSorter = sorters.roleSorter.copy;
    for (const [role, { copy }] of sorters.frameworkSorters) this.frameworkSorters.set(role, copy);
    return true;
  }

  private track(
    agent: AllocatorAgent,
    framework: AllocatorFramework,
    resources: Resources,
    updateAvailable = true,
    updateSorters = true,
  ): void {
    const previous = agent.offeredOrAllocated.get(framework.id) ?? Resources.empty();
    agent.offeredOrAllocated.set(framework.id, previous.plus(resources));
    if (updateAvailable) this.takeFromAvailable(agent, resources);
    for (const [role, allocated] of resources.allocations()) {
      if (!this.isTracked(framework, role)) {
        // An adopted sorter came from the run, which only offers to frameworks it tracks.
        assert(updateSorters, `allocator: adopted sorter of ${role} does not track ${framework.id}`);
        this.trackFrameworkUnderRole(framework, role);
      }
      if (updateSorters) {
        const quantities = scalarQuantities(allocated);
        this.roleSorter.allocated(role, quantities);
        this.sorterOf(role).allocated(framework.id, quantities);
      }
      this.roles.trackAllocated(allocated, 1);
    }
  }

  /** Resources used by a framework the allocator does not know yet (agent re-registered first). */
  private trackUnknown(agent: AllocatorAgent, frameworkId: string, resources: Resources): void {
    const previous = agent.offeredOrAllocated.get(frameworkId) ?? Resources.empty();
    agent.offeredOrAllocated.set(frameworkId, previous.plus(resources));
    this.takeFromAvailable(agent, resources);
  }

  private untrack(agent: AllocatorAgent, framework: AllocatorFramework, resources: Resources, updateAvailable = true): void {
    const previous = agent.offeredOrAllocated.get(framework.id);
    if (previous === undefined || !previous.contains(resources)) {
      // Building the message only on failure: toString() is far too slow for this hot path.
      assert(false, `allocator: ${framework.id} does not hold ${resources.toString()} on ${agent.id}`);
    }
    const rest = previous.minus(resources);
    if (rest.isEmpty()) agent.offeredOrAllocated.delete(framework.id);
    else agent.offeredOrAllocated.set(framework.id, rest);
    if (updateAvailable) this.returnToAvailable(agent, resources);
    for (const [role, allocated] of resources.allocations()) {
      const quantities = scalarQuantities(allocated);
      this.roleSorter.unallocated(role, quantities);
      this.sorterOf(role).unallocated(framework.id, quantities);
      this.roles.trackAllocated(allocated, -1);
      if (!framework.roles.has(role) && this.allocationIn(framework, role).isEmpty()) {
        this.untrackFrameworkUnderRole(framework, role);
      }
    }
  }

  /** Framework's resources allocated to `role`, over all agents. */
  private allocationIn(framework: AllocatorFramework, role: string): Resources {
    let total = Resources.empty();
    for (const agent of this.agents.values()) {
      const allocated = agent.offeredOrAllocated.get(framework.id);
      if (allocated !== undefined) total = total.plus(allocated.allocations().get(role) ?? Resources.empty());
    }
    return total;
  }

  /**
   * available = total − offered-or-allocated, with shared volumes always
   * available (Mesos' Slave::getAvailable). Recomputed from scratch when the
   * total changes or an incremental update does not add up.
   */
  private recomputeAvailable(agent: AllocatorAgent): void {
    let used = Resources.empty();
    for (const resources of agent.offeredOrAllocated.values()) used = used.plus(resources.unallocate());
    const shared = agent.total.shared();
    agent.available = shared.isEmpty()
      ? agent.total.minus(used)
      : agent.total.nonShared().minus(used.nonShared()).plus(shared);
  }

  private takeFromAvailable(agent: AllocatorAgent, resources: Resources): void {
    if (!agent.total.shared().isEmpty()) return this.recomputeAvailable(agent);
    const taken = resources.unallocate();
    if (!agent.available.contains(taken)) return this.recomputeAvailable(agent);
    agent.available = agent.available.minus(taken);
  }

  /** `resources` were offered or allocated (untrack checked that), so the total holds them beside what is available. */
  private returnToAvailable(agent: AllocatorAgent, resources: Resources): void {
    if (!agent.total.shared().isEmpty()) return this.recomputeAvailable(agent);
    agent.available = agent.available.plus(resources.unallocate());
  }

  private sorterOf(role: string): FrameworkSorter<AllocatorFramework> {
    const sorter = this.frameworkSorters.get(role);
    assert(sorter !== undefined, `allocator: no framework sorter for role ${role}`);
    return sorter;
  }

  private isTracked(framework: AllocatorFramework, role: string): boolean {
    return this.frameworkSorters.get(role)?.contains(framework.id) ?? false;
  }

  private trackedRoles(framework: AllocatorFramework): string[] {
    const roles: string[] = [];
    for (const [role, sorter] of this.frameworkSorters) if (sorter.contains(framework.id)) roles.push(role);
    return roles;
  }

  private trackFrameworkUnderRole(framework: AllocatorFramework, role: string): void {
    let sorter = this.frameworkSorters.get(role);
    if (sorter === undefined) {
      sorter = this.newFrameworkSorter(this.config.frameworkSorter);
      sorter.addTotal(this.totalScalars);
      this.frameworkSorters.set(role, sorter);
      this.roleSorter.add(role);
      this.roleSorter.activate(role);
      const weight = this.weights.get(role);
      if (weight !== undefined) this.roleSorter.updateWeight(role, weight);
    }
    sorter.add(framework);
    this.roles.trackFramework(role, framework.id);
  }

  private untrackFrameworkUnderRole(framework: AllocatorFramework, role: string): void {
    const sorter = this.frameworkSorters.get(role);
    if (sorter === undefined || !sorter.contains(framework.id)) return;
    sorter.remove(framework.id);
    this.roles.untrackFramework(role, framework.id);
    if (sorter.clientCount === 0) {
      this.frameworkSorters.delete(role);
      this.roleSorter.remove(role);
    }
  }

  /** A framework competes for a role iff it is active, subscribed to it and not suppressed there. */
  private refreshActivation(framework: AllocatorFramework): void {
    for (const role of this.trackedRoles(framework)) {
      const sorter = this.sorterOf(role);
      const active = framework.active && framework.roles.has(role) && !framework.suppressedRoles.has(role);
      if (active) sorter.activate(framework.id);
      else sorter.deactivate(framework.id);
    }
  }

  private addFilter(framework: AllocatorFramework, agent: AllocatorAgent, role: string, refused: Resources, expiresAtMs: number): void {
    const filter: RefusedFilter = {
      frameworkIndex: framework.index,
      frameworkId: framework.id,
      agentId: agent.id,
      role,
      refused,
      expiresAtMs,
      removed: false,
    };
    let roleFilters = agent.filters.get(role);
    if (roleFilters === undefined) {
      roleFilters = new RoleFilters();
      agent.filters.set(role, roleFilters);
    }
    roleFilters.add(filter);
    framework.filters.add(filter);
    this.filterExpiry.schedule(filter);
  }

  private removeFilter(filter: RefusedFilter): void {
    if (filter.removed) return;
    filter.removed = true;
    const agent = this.agents.get(filter.agentId);
    const roleFilters = agent?.filters.get(filter.role);
    if (agent !== undefined && roleFilters !== undefined) {
      roleFilters.remove(filter);
      if (roleFilters.size === 0) agent.filters.delete(filter.role);
    }
    this.frameworks.get(filter.frameworkId)?.filters.delete(filter);
  }

  private removeFilters(framework: AllocatorFramework, role: string): void {
    for (const filter of [...framework.filters]) if (filter.role === role) this.removeFilter(filter);
  }
}

/** Filters.refuse_seconds to a lifetime: negative or unrepresentable means the default, capped at 365 days. */
export function refuseTimeoutMs(refuseSeconds: number): number {
  if (!Number.isFinite(refuseSeconds) && refuseSeconds > 0) return refuseSecondsMax * 1000;
  if (Number.isNaN(refuseSeconds) || refuseSeconds < 0) return refuseSecondsDefault * 1000;
  return Math.min(refuseSeconds, refuseSecondsMax) * 1000;
}
