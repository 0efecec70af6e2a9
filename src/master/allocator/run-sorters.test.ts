/**
 * Method: two allocators built by the same script; one applies each plan as
 * made (adopting the run's sorter copies when it may), the other applies the
 * same plan with its copies removed (replaying every offer on its sorters).
 * Their orders, shares and next plans must agree. The cases where adoption is
 * not allowed (changed originals, merged grants, the random role sorter) are
 * checked on their own.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../lib/random.js';
import { parseMinAllocatable, Resources } from '../../resources/index.js';
import { allocate } from './allocate.js';
import { Allocator } from './allocator.js';
import { OfferConstraintFilter } from './offer-constraints.js';
import { RunSorters } from './run-sorters.js';
import type { SorterKind } from './sorter/sorter.js';
import type { AllocationPlan, FrameworkPolicy } from './types.js';

function policy(roles: readonly string[]): FrameworkPolicy {
  return {
    roles: new Set(roles),
    suppressedRoles: new Set(),
    capabilities: new Set(['MULTI_ROLE']),
    minAllocatable: new Map(),
    constraints: OfferConstraintFilter.none,
  };
}

function cluster(sorter: SorterKind = 'drf'): Allocator {
  const minAllocatable = parseMinAllocatable('cpus:0.01|mem:32');
  if (!minAllocatable.ok) throw new Error(minAllocatable.error);
  const allocator = new Allocator({
    allocationIntervalMs: 1000,
    minAllocatable: minAllocatable.value,
    filterGpuResources: true,
    fairnessExcludedNames: new Set(),
    roleSorter: sorter,
    frameworkSorter: sorter,
  });
  for (let i = 0; i < 6; i++) allocator.addFramework(`f${i}`, policy(i % 2 === 0 ? ['*', 'eng'] : ['eng']), true);
  for (let i = 0; i < 12; i++) {
    const total = Resources.parse(`cpus:${1 + (i % 5)};mem:${512 * (1 + (i % 3))};cpus(eng):1`);
    allocator.addAgent(`a${i}`, { hostname: `a${i}`, attributes: [] }, new Set(['MULTI_ROLE']), total, new Map());
  }
  return allocator;
}

function withoutCopies(plan: AllocationPlan): AllocationPlan {
  return { offers: plan.offers, availability: plan.availability };
}

/** Everything the sorters tell: role order and shares, each role's framework order and shares. */
function sorterView(allocator: Allocator): unknown {
  const random = new SeededRandom(1);
  const roles = allocator.roleSorter.sort(random);
  return roles.map((role) => {
    const sorter = allocator.frameworkSorter(role);
    const frameworks = (sorter?.orderedRuns(random) ?? []).flatMap((run) => run.map((entry) => entry.value.id));
    return { role, share: allocator.roleSorter.share(role), frameworks, shares: frameworks.map((id) => sorter?.share(id)) };
  });
}

function planView(plan: AllocationPlan): string[] {
  return plan.offers.map((offer) => `${offer.frameworkId} ${offer.agentId} ${offer.role} ${offer.resources.toString()}`);
}

describe('allocator: run sorters', () => {
  it('allocator: run sorters: adopting the copies leaves the sorters as a replay would', () => {
    const adopting = cluster();
    const replaying = cluster();
    const randomA = new SeededRandom(5);
    const randomB = new SeededRandom(5);
    for (let round = 0; round < 4; round++) {
      const planA = allocate(adopting, { random: randomA });
      const planB = allocate(replaying, { random: randomB });
      expect(planView(planA)).toEqual(planView(planB));
      expect(planA.sorters).toBeDefined();
      adopting.applyPlan(planA);
      replaying.applyPlan(withoutCopies(planB));
      expect(adopting.roleSorter).toBe(planA.sorters?.roleSorter.copy);
      expect(sorterView(adopting)).toEqual(sorterView(replaying));
      // Give some back so that the next round has something to offer.
      for (const [index, offer] of planA.offers.entries()) {
        if (index % 2 === 0) continue;
        adopting.recoverResources(offer.frameworkId, offer.agentId, offer.resources, undefined, 0);
        replaying.recoverResources(offer.frameworkId, offer.agentId, offer.resources, undefined, 0);
      }
    }
  });

  it('allocator: run sorters: replays when a sorter changed between the run and the apply', () => {
    const allocator = cluster();
    const plan = allocate(allocator, { random: new SeededRandom(2) });
    const roleSorter = allocator.roleSorter;
    allocator.deactivateFramework('f1');
    allocator.applyPlan(plan);
    expect(allocator.roleSorter).toBe(roleSorter);
    expect(allocator.frameworkSorter('eng')).not.toBe(plan.sorters?.frameworkSorters.get('eng')?.copy);
    const replayed = cluster();
    const replayedPlan = allocate(replayed, { random: new SeededRandom(2) });
    replayed.deactivateFramework('f1');
    replayed.applyPlan(withoutCopies(replayedPlan));
    expect(sorterView(allocator)).toEqual(sorterView(replayed));
  });

  it('allocator: run sorters: a plan from the random role sorter carries no copies', () => {
    const allocator = cluster('random');
    const plan = allocate(allocator, { random: new SeededRandom(3) });
    expect(plan.offers.length).toBeGreaterThan(0);
    expect(plan.sorters).toBeUndefined();
  });

  it('allocator: run sorters: a run that merged two grants into one offer hands over no copies', () => {
    const allocator = cluster();
    const sorters = new RunSorters(allocator);
    expect(sorters.frameworkSorter('eng')).not.toBe(allocator.frameworkSorter('eng'));
    expect(sorters.frameworkSorter('nobody')).toBeUndefined();
    expect(sorters.planned(false)?.frameworkSorters.get('eng')?.source).toBe(allocator.frameworkSorter('eng'));
    expect(sorters.planned(true)).toBeUndefined();
  });
});
