/**
 * Method: algebraic laws of the collection (spec 1.7) over generated canonical
 * resources (testing/arbitraries.ts): scalars, ranges, sets, static, dynamic and
 * refined reservations, allocations, revocable resources, ROOT/PATH/MOUNT disks
 * and persistent volumes, shared ones included where the law allows.
 *
 * (a + b) - b = a needs b's ranges and set items disjoint from a's: union
 * forgets overlaps, so no arithmetic could undo it. The generators give a and b
 * separate pools for that law.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addable } from './compare.js';
import { toFixed } from './fixed.js';
import { isEmptyResource } from './resource.js';
import { Resources } from './resources.js';
import {
  arbitraryDiskResource,
  arbitraryPlainResource,
  arbitraryResource,
  arbitraryResourceList,
} from './testing/arbitraries.js';
import type { Resource } from './types.js';

const arbitraryResources = arbitraryResourceList().map((list) => Resources.of(list));

function nonShared(resource: fc.Arbitrary<Resource>): fc.Arbitrary<Resource> {
  return resource.filter((r) => r.shared === undefined);
}

const leftPool = fc.oneof(arbitraryPlainResource({ rangeLow: 0, rangeHigh: 300, setPrefix: 'a' }), arbitraryDiskResource);
const rightPool = fc.oneof(arbitraryPlainResource({ rangeLow: 400, rangeHigh: 700, setPrefix: 'b' }), arbitraryDiskResource);

function expectCanonical(resources: Resources): void {
  const entries = resources.entries;
  for (const [i, entry] of entries.entries()) {
    expect(isEmptyResource(entry.resource), `entry ${i} is empty`).toBe(false);
    if (entry.resource.type === 'SCALAR') expect(toFixed(entry.resource.scalar?.value ?? 0)).toBeGreaterThan(0);
    expect(entry.count).toBeGreaterThanOrEqual(1);
    if (entry.resource.shared === undefined) expect(entry.count).toBe(1);
    for (const other of entries.slice(i + 1)) expect(addable(entry.resource, other.resource)).toBe(false);
  }
}

describe('resources: laws', () => {
  it('resources: laws: (a + b) - b equals a for non-shared resources', () => {
    fc.assert(
      fc.property(arbitraryResourceList(nonShared(leftPool)), arbitraryResourceList(nonShared(rightPool)), (left, right) => {
        const a = Resources.of(left);
        const b = Resources.of(right);
        expect(a.plus(b).minus(b).equals(a)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('resources: laws: adding then subtracting one shared copy restores the counts', () => {
    fc.assert(
      fc.property(arbitraryResources, arbitraryDiskResource, (a, resource) => {
        const shared: Resource = resource.disk?.persistence === undefined ? resource : { ...resource, shared: {} };
        expect(a.plus(shared).minus(shared).equals(a)).toBe(true);
      }),
    );
  });

  it('resources: laws: addition is commutative and associative', () => {
    fc.assert(
      fc.property(arbitraryResources, arbitraryResources, arbitraryResources, (a, b, c) => {
        expect(a.plus(b).equals(b.plus(a))).toBe(true);
        expect(a.plus(b).plus(c).equals(a.plus(b.plus(c)))).toBe(true);
        expect(a.plus(b).key()).toBe(b.plus(a).key());
      }),
      { numRuns: 300 },
    );
  });

  it('resources: laws: a + b contains a and b, and a contains itself', () => {
    fc.assert(
      fc.property(arbitraryResources, arbitraryResources, (a, b) => {
        expect(a.contains(a)).toBe(true);
        expect(a.plus(b).contains(a)).toBe(true);
        expect(a.plus(b).contains(b)).toBe(true);
        expect(a.contains(Resources.empty())).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('resources: laws: a contains a - b', () => {
    fc.assert(
      fc.property(arbitraryResources, arbitraryResources, (a, b) => {
        expect(a.contains(a.minus(b))).toBe(true);
      }),
    );
  });

  it('resources: laws: adding one resource at a time equals adding the whole collection', () => {
    fc.assert(
      fc.property(arbitraryResources, arbitraryResourceList(), (a, list) => {
        const oneByOne = list.reduce((sum, resource) => sum.plus(resource), a);
        expect(oneByOne.equals(a.plus(Resources.of(list)))).toBe(true);
      }),
    );
  });

  it('resources: laws: results stay canonical and subtraction never yields negative or empty entries', () => {
    fc.assert(
      fc.property(arbitraryResources, arbitraryResources, arbitraryResource, (a, b, single) => {
        for (const result of [a, a.plus(b), a.minus(b), b.minus(a), a.minus(single), a.plus(single), a.unallocate(), a.toUnreserved(), a.allocate('eng')]) {
          expectCanonical(result);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('resources: laws: key() is equal exactly when equals() holds', () => {
    const pool = fc.array(arbitraryResource, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(pool, fc.array(fc.nat(), { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 5 }), (resources, pickA, pickB) => {
        // Collections drawn from one small pool are often equal, so both directions get exercised.
        const pick = (indexes: number[]) => Resources.of(indexes.map((i) => resources[i % resources.length] as Resource));
        const a = pick(pickA);
        const b = pick(pickB);
        expect(a.key() === b.key()).toBe(a.contains(b) && b.contains(a));
        expect(a.equals(b)).toBe(a.key() === b.key());
      }),
      { numRuns: 500 },
    );
  });

  it('resources: laws: toList round-trips through Resources.of', () => {
    fc.assert(
      fc.property(arbitraryResources, (a) => {
        expect(Resources.of(a.toList()).equals(a)).toBe(true);
        expect(Resources.of(a.toList()).key()).toBe(a.key());
      }),
    );
  });

  it('resources: laws: allocate then unallocate restores an unallocated collection', () => {
    fc.assert(
      fc.property(arbitraryResources, (a) => {
        const unallocated = a.unallocate();
        expect(unallocated.allocate('eng').unallocate().equals(unallocated)).toBe(true);
        expect([...unallocated.allocate('eng').allocations().keys()]).toEqual(unallocated.isEmpty() ? [] : ['eng']);
      }),
    );
  });

  it('resources: laws: quantities of a sum are the sum of quantities for disjoint pools', () => {
    fc.assert(
      fc.property(arbitraryResourceList(nonShared(leftPool)), arbitraryResourceList(nonShared(rightPool)), (left, right) => {
        const a = Resources.of(left);
        const b = Resources.of(right);
        expect(a.plus(b).quantities().equals(a.quantities().plus(b.quantities()))).toBe(true);
      }),
    );
  });

  it('resources: laws: a - a is empty, the shortcut and the entry-by-entry subtraction alike', () => {
    fc.assert(
      fc.property(arbitraryResources, (a) => {
        expect(a.minus(a).isEmpty()).toBe(true);
        expect(a.minus(Resources.of(a.toList())).isEmpty()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('resources: laws: unallocating an allocated collection gives back the original, field for field', () => {
    fc.assert(
      fc.property(arbitraryResources, fc.constantFrom('*', 'eng', 'eng/fe'), (a, role) => {
        const unallocated = Resources.of(a.toList()).unallocate();
        const allocated = unallocated.allocate(role);
        // Computed afresh on a copy, without the link the cached views keep.
        const recomputed = Resources.of(allocated.toList()).unallocate();
        expect(allocated.unallocate()).toBe(unallocated);
        expect(JSON.stringify(recomputed.toList())).toBe(JSON.stringify(unallocated.toList()));
        expect(recomputed.entries.map((entry) => entry.count)).toEqual(unallocated.entries.map((entry) => entry.count));
      }),
      { numRuns: 300 },
    );
  });
});
