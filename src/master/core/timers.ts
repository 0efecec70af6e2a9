/**
 * Deadlines of the master core. Time is an input: the shell asks for the next
 * deadline, sleeps until then, and sends a `tick`; the core pops what is due.
 * A timer is named by a key; setting a key again replaces its deadline.
 */
import { MinHeap } from '../../lib/min-heap.js';

interface Entry {
  readonly key: string;
  readonly dueMs: number;
  cancelled: boolean;
}

export class TimerQueue {
  private readonly heap = new MinHeap<Entry>((entry) => entry.dueMs);
  private readonly byKey = new Map<string, Entry>();

  set(key: string, dueMs: number): void {
    this.cancel(key);
    const entry: Entry = { key, dueMs, cancelled: false };
    this.byKey.set(key, entry);
    this.heap.push(entry);
  }

  cancel(key: string): void {
    const entry = this.byKey.get(key);
    if (entry !== undefined) {
      entry.cancelled = true;
      this.byKey.delete(key);
    }
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  dueMs(key: string): number | undefined {
    return this.byKey.get(key)?.dueMs;
  }

  /** Keys whose deadline has come, earliest first. */
  popDue(nowMs: number): string[] {
    const keys: string[] = [];
    for (const entry of this.heap.popUntil(nowMs)) {
      if (entry.cancelled) continue;
      this.byKey.delete(entry.key);
      keys.push(entry.key);
    }
    return keys;
  }

  nextDeadlineMs(): number | undefined {
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined) return undefined;
      if (!top.cancelled) return top.dueMs;
      this.heap.pop();
    }
  }
}
