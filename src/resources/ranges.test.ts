/**
 * Method: every range operation is checked against a naive model (the set of
 * covered integers) over a small domain, plus the structural invariants of the
 * coalesced form and the Mesos printed form.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addRanges,
  coalesceRanges,
  formatRanges,
  isCoalesced,
  rangesContain,
  rangesCount,
  rangesEqual,
  subtractRanges,
} from './ranges.js';
import type { Range } from './types.js';

const arbitraryRangeList = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 10 })).map(([begin, length]) => ({ begin, end: begin + length })),
  { maxLength: 6 },
);

function integersOf(ranges: readonly Range[]): Set<number> {
  const result = new Set<number>();
  for (const range of ranges) for (let i = range.begin; i <= range.end; i++) result.add(i);
  return result;
}

function sorted(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

describe('resources: ranges', () => {
  it('resources: ranges: coalescing yields sorted, disjoint, non-adjacent intervals covering the same integers', () => {
    fc.assert(
      fc.property(arbitraryRangeList, (ranges) => {
        const coalesced = coalesceRanges(ranges);
        expect(isCoalesced(coalesced)).toBe(true);
        for (let i = 1; i < coalesced.length; i++) {
          expect(coalesced[i]!.begin).toBeGreaterThan(coalesced[i - 1]!.end + 1);
        }
        expect(sorted(integersOf(coalesced))).toEqual(sorted(integersOf(ranges)));
        expect(coalesceRanges(coalesced)).toEqual(coalesced);
      }),
    );
  });

  it('resources: ranges: merges touching and overlapping intervals', () => {
    expect(coalesceRanges([{ begin: 3, end: 4 }, { begin: 1, end: 2 }])).toEqual([{ begin: 1, end: 4 }]);
    expect(coalesceRanges([{ begin: 1, end: 10 }, { begin: 5, end: 6 }, { begin: 12, end: 13 }])).toEqual([
      { begin: 1, end: 10 },
      { begin: 12, end: 13 },
    ]);
    expect(coalesceRanges([])).toEqual([]);
  });

  it('resources: ranges: addition is set union', () => {
    fc.assert(
      fc.property(arbitraryRangeList, arbitraryRangeList, (left, right) => {
        const union = new Set([...integersOf(left), ...integersOf(right)]);
        expect(sorted(integersOf(addRanges(left, right)))).toEqual(sorted(union));
      }),
    );
  });

  it('resources: ranges: subtraction is set difference, whether or not the right side is contained', () => {
    fc.assert(
      fc.property(arbitraryRangeList, arbitraryRangeList, (left, right) => {
        const removed = integersOf(right);
        const expected = sorted([...integersOf(left)].filter((i) => !removed.has(i)));
        const difference = subtractRanges(left, right);
        expect(isCoalesced(difference)).toBe(true);
        expect(sorted(integersOf(difference))).toEqual(expected);
      }),
    );
    expect(subtractRanges([{ begin: 1, end: 10 }], [{ begin: 4, end: 5 }])).toEqual([
      { begin: 1, end: 3 },
      { begin: 6, end: 10 },
    ]);
  });

  it('resources: ranges: containment is subset and equality is same integers', () => {
    fc.assert(
      fc.property(arbitraryRangeList, arbitraryRangeList, (left, right) => {
        const outer = integersOf(left);
        const inner = integersOf(right);
        expect(rangesContain(left, right)).toBe([...inner].every((i) => outer.has(i)));
        expect(rangesEqual(left, right)).toBe(outer.size === inner.size && [...inner].every((i) => outer.has(i)));
        expect(rangesCount(left)).toBe(outer.size);
      }),
    );
  });

  it('resources: ranges: prints as Mesos does', () => {
    expect(formatRanges([{ begin: 31000, end: 32000 }, { begin: 33000, end: 34000 }])).toBe('[31000-32000, 33000-34000]');
    expect(formatRanges([])).toBe('[]');
  });
});
