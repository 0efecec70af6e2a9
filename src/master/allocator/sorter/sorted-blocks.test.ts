/**
 * Method: random inserts and removes checked against a plain array kept
 * sorted the slow way, with enough items that blocks split and empty out.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SortedBlocks } from './sorted-blocks.js';

interface Item {
  readonly key: number;
  readonly id: number;
}

const compare = (a: Item, b: Item): number => a.key - b.key || a.id - b.id;

describe('sorted blocks', () => {
  it('sorted blocks: keeps the order of a sorted array through inserts and removes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 50 })), { maxLength: 600 }), (operations) => {
        const blocks = new SortedBlocks<Item>(compare);
        const expected: Item[] = [];
        let nextId = 0;
        for (const [insert, key] of operations) {
          if (insert || expected.length === 0) {
            const item = { key, id: nextId++ };
            blocks.insert(item);
            expected.push(item);
            expected.sort(compare);
          } else {
            const item = expected[key % expected.length] as Item;
            blocks.remove(item);
            expected.splice(expected.indexOf(item), 1);
          }
          expect(blocks.size).toBe(expected.length);
        }
        expect(blocks.toArray()).toEqual(expected);
        for (const block of blocks.blocks) expect(block.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('sorted blocks: rebuild sorts its input and splits it into blocks', () => {
    const blocks = new SortedBlocks<Item>(compare);
    const items = Array.from({ length: 300 }, (_, id) => ({ key: (id * 37) % 101, id }));
    blocks.rebuild(items.slice());
    expect(blocks.toArray()).toEqual(items.slice().sort(compare));
    expect(blocks.blocks.length).toBeGreaterThan(1);
  });
});
