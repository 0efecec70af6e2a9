/**
 * A sorted list kept as a list of small sorted blocks (the idea of Python's
 * sortedcontainers): insert and remove cost O(log n + block size) instead of
 * O(n), and the order is read block by block without copying. The allocator
 * moves one framework per allocation, thousands of times per cycle.
 */
import { assert } from '../../../lib/assert.js';

/** Blocks split at twice this size; small enough that a splice is cheap, large enough that there are few. */
const blockSize = 64;

export class SortedBlocks<T> {
  blocks: T[][] = [];
  private count = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.count;
  }

  /** Replaces the content with `items` (sorted here). */
  rebuild(items: T[]): void {
    items.sort(this.compare);
    this.blocks = [];
    for (let i = 0; i < items.length; i += blockSize) this.blocks.push(items.slice(i, i + blockSize));
    this.count = items.length;
  }

  insert(item: T): void {
    const blocks = this.blocks;
    this.count++;
    if (blocks.length === 0) {
      blocks.push([item]);
      return;
    }
    const blockIndex = this.firstBlockNotBefore(item);
    const block = blocks[blockIndex] as T[];
    insertAt(block, this.positionIn(block, item), item);
    if (block.length > 2 * blockSize) blocks.splice(blockIndex + 1, 0, block.splice(blockSize));
  }

  /** Removes `item`, which must be present with the key it was inserted with. */
  remove(item: T): void {
    const blocks = this.blocks;
    const blockIndex = this.firstBlockNotBefore(item);
    const block = blocks[blockIndex];
    assert(block !== undefined, 'sorted blocks: removing an item that is not there');
    const position = this.positionIn(block, item);
    assert(block[position] === item, 'sorted blocks: removing an item whose key changed');
    removeAt(block, position);
    this.count--;
    if (block.length === 0) blocks.splice(blockIndex, 1);
  }

  /** The first block whose last item is not before `item` (the last block if none). */
  private firstBlockNotBefore(item: T): number {
    const blocks = this.blocks;
    let low = 0;
    let high = blocks.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      const block = blocks[middle] as T[];
      if (this.compare(block[block.length - 1] as T, item) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Index of the first item in `block` that is not before `item`. */
  private positionIn(block: readonly T[], item: T): number {
    let low = 0;
    let high = block.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.compare(block[middle] as T, item) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  toArray(): T[] {
    return this.blocks.flat();
  }
}

/** `block.splice(position, 0, item)` without the array splice returns: this runs for every allocation. */
function insertAt<T>(block: T[], position: number, item: T): void {
  let index = block.length;
  block.push(item);
  for (; index > position; index--) block[index] = block[index - 1] as T;
  block[position] = item;
}

/** `block.splice(position, 1)` without allocating the removed-items array. */
function removeAt<T>(block: T[], position: number): void {
  for (let index = position; index < block.length - 1; index++) block[index] = block[index + 1] as T;
  block.pop();
}
