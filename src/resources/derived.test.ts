/**
 * Method: every cached view of a collection (derived.ts) against the same
 * value computed the plain way from its entries, over generated collections;
 * then the cache must hand back the same answer on a second call.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toFixed } from './fixed.js';
import { ResourceQuantities } from './quantities.js';
import { Resources } from './resources.js';
import { arbitraryResourceList } from './testing/arbitraries.js';

const arbitraryResources = arbitraryResourceList().map((list) => Resources.of(list));

describe('resources: derived views', () => {
  it('resources: derived views: kinds and scalar sums match the entries', () => {
    fc.assert(
      fc.property(arbitraryResources, (a) => {
        const resources = a.toList();
        expect(a.hasRevocable()).toBe(resources.some((r) => r.revocable !== undefined));
        expect(a.hasShared()).toBe(resources.some((r) => r.shared !== undefined));
        expect(a.hasRefinedReservations()).toBe(resources.some((r) => r.reservations.length > 1));
        for (const name of ['cpus', 'mem', 'disk', 'ports']) {
          let fixed = 0;
          for (const { resource } of a.entries) if (resource.name === name && resource.type === 'SCALAR') fixed += toFixed(resource.scalar?.value ?? 0);
          expect(a.scalarSums().get(name) ?? 0).toBe(fixed);
          expect(a.scalarValue(name)).toBe(a.scalarValue(name));
        }
        expect(a.scalarSums()).toBe(a.scalarSums());
      }),
      { numRuns: 300 },
    );
  });

  it('resources: derived views: containsAny answers as contains does, list after list', () => {
    const lists = ['cpus:1', 'cpus:0.01|mem:32', 'mem:100000|disk:1', 'ports:3'].map((text) =>
      text.split('|').map((part) => {
        const parsed = ResourceQuantities.parse(part);
        if (!parsed.ok) throw new Error(parsed.error);
        return parsed.value;
      }),
    );
    fc.assert(
      fc.property(arbitraryResources, fc.array(fc.nat({ max: lists.length - 1 }), { maxLength: 6 }), (a, picks) => {
        const quantities = a.quantities();
        for (const pick of picks) {
          const list = lists[pick] as ResourceQuantities[];
          expect(quantities.containsAny(list)).toBe(list.some((alternative) => quantities.contains(alternative)));
        }
      }),
    );
  });
});
