/**
 * The indexed entry list (entry-index.ts) must be indistinguishable from the
 * plain scan of entries.ts: property tests run random sequences of additions,
 * subtractions and containment checks through both and compare the lists
 * entry by entry, order included; a unit test shows the index at the size it
 * exists for (a thousand volumes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addEntry, entryOf, someEntryContains, subtractEntry, type ResourceEntry } from './entries.js';
import { EntryIndex } from './entry-index.js';
import { normalizeResource } from './normalize.js';
import { Resources } from './resources.js';
import { arbitraryResource } from './testing/arbitraries.js';
import { dynamicReservation, volume } from './testing/fixtures.js';

type Step = { readonly kind: 'add' | 'subtract' | 'contains'; readonly entry: ResourceEntry };

const arbitraryStep: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('add', 'add', 'subtract', 'contains') as fc.Arbitrary<Step['kind']>,
  entry: arbitraryResource.map((resource) => entryOf(normalizeResource(resource))),
});

describe('resources: entry index', () => {
  it('adds, subtracts and finds exactly as the plain scan does, in the same order', () => {
    fc.assert(
      fc.property(fc.array(arbitraryStep, { maxLength: 60 }), (steps) => {
        const plain: ResourceEntry[] = [];
        const index = new EntryIndex([]);
        for (const { kind, entry } of steps) {
          if (kind === 'add') {
            addEntry(plain, entry);
            index.add(entry);
          } else if (kind === 'subtract') {
            subtractEntry(plain, entry);
            index.subtract(entry);
          } else {
            expect(index.someContains(entry)).toBe(someEntryContains(plain, entry));
          }
          expect(index.entries).toEqual(plain);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps sums, differences and containment of a thousand volumes what they are for a few', () => {
    const reservation = [dynamicReservation('eng', 'ops')];
    const volumes = Array.from({ length: 1000 }, (_, n) => volume(1, `pv-${n}`, { reservations: reservation, principal: 'ops' }));
    const all = Resources.of(volumes);
    const half = Resources.of(volumes.slice(0, 500));

    expect(all.size).toBe(1000);
    expect(all.contains(half)).toBe(true);
    expect(half.contains(all)).toBe(false);
    expect(all.minus(half).plus(half).equals(all)).toBe(true);
    expect(all.minus(half).toList().map((volume) => volume.disk?.persistence?.id)).not.toContain('pv-0');
  });
});
