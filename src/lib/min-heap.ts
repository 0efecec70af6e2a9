/** A binary min-heap keyed by a number: timers and filter expiries. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly keyOf: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    const key = this.keyOf(item);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentItem = items[parent] as T;
      if (this.keyOf(parentItem) <= key) break;
      items[index] = parentItem;
      index = parent;
    }
    items[index] = item;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      let index = 0;
      const key = this.keyOf(last);
      for (;;) {
        const left = 2 * index + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child =
          right < items.length && this.keyOf(items[right] as T) < this.keyOf(items[left] as T) ? right : left;
        if (this.keyOf(items[child] as T) >= key) break;
        items[index] = items[child] as T;
        index = child;
      }
      items[index] = last;
    }
    return top;
  }

  /** Pops every item whose key is at most `bound`. */
  popUntil(bound: number): T[] {
    const due: T[] = [];
    while (this.items.length > 0 && this.keyOf(this.items[0] as T) <= bound) due.push(this.pop() as T);
    return due;
  }
}
