/**
 * Method: random sets and clears against a Set of the same indexes; the count,
 * membership, clones and the common-bit count must agree with it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countCommonBits, IndexBits } from './index-bits.js';

describe('index bits', () => {
  it('index bits: membership and count follow the indexes set and cleared', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 300 })), { maxLength: 200 }), (operations) => {
        const bits = new IndexBits();
        const expected = new Set<number>();
        for (const [set, index] of operations) {
          if (set) {
            bits.set(index);
            expected.add(index);
          } else {
            bits.clear(index);
            expected.delete(index);
          }
        }
        expect(bits.count).toBe(expected.size);
        for (let index = 0; index <= 300; index++) expect(bits.has(index)).toBe(expected.has(index));
        const copy = bits.clone();
        copy.set(301);
        expect([copy.count, bits.count, bits.has(301)]).toEqual([expected.size + 1, expected.size, false]);
      }),
    );
  });

  it('index bits: counts the bits two sets share', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: 200 })), fc.uniqueArray(fc.nat({ max: 200 })), (left, right) => {
        const a = new IndexBits();
        const b = new IndexBits();
        for (const index of left) a.set(index);
        for (const index of right) b.set(index);
        expect(countCommonBits(a.words, b.words)).toBe(left.filter((index) => right.includes(index)).length);
      }),
    );
  });
});
