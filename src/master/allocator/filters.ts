/**
 * Offer filters (spec/core.md 4.6): resources a framework refused for a role on
 * an agent, with a lifetime. A filter suppresses an offer only if the candidate
 * resources are a subset of what was refused.
 *
 * For speed at tens of thousands of agents each (agent, role) keeps a coverage
 * bitset over framework indices: bit f is set when one of framework f's
 * filters covers the agent's whole allocatable-to-role resources ("the base",
 * identified by its key). Anything offered on that agent for that role is a
 * subset of the base, so a set bit means "filtered" without comparing
 * resources; a clear bit falls back to the exact check. The bitset is rebuilt
 * when the base changes.
 */
import { MinHeap } from '../../lib/min-heap.js';
import { countCommonBits } from './sorter/index-bits.js';
import type { Resources } from '../../resources/index.js';

export interface RefusedFilter {
  readonly frameworkIndex: number;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  /** Unallocated resources that were refused. */
  readonly refused: Resources;
  readonly expiresAtMs: number;
  removed: boolean;
}

/** Filters of one (agent, role), by framework index, plus the coverage bitset. */
export class RoleFilters {
  readonly byFramework = new Map<number, RefusedFilter[]>();
  private coverageKey: string | undefined;
  private coverageBase: Resources | undefined;
  private bits = new Uint32Array(4);

  get size(): number {
    return this.byFramework.size;
  }

  add(filter: RefusedFilter): void {
    const list = this.byFramework.get(filter.frameworkIndex);
    if (list === undefined) this.byFramework.set(filter.frameworkIndex, [filter]);
    else list.push(filter);
    if (this.coverageBase !== undefined && filter.refused.contains(this.coverageBase)) {
      this.setBit(filter.frameworkIndex);
    }
  }

  remove(filter: RefusedFilter): void {
    const list = this.byFramework.get(filter.frameworkIndex);
    if (list === undefined) return;
    const rest = list.filter((f) => f !== filter);
    if (rest.length === 0) this.byFramework.delete(filter.frameworkIndex);
    else this.byFramework.set(filter.frameworkIndex, rest);
    this.clearBit(filter.frameworkIndex);
    if (this.coverageBase !== undefined && rest.some((f) => f.refused.contains(this.coverageBase as Resources))) {
      this.setBit(filter.frameworkIndex);
    }
  }

  /** Makes the bitset describe `base`; cheap when the base has not changed. */
  prepare(base: Resources): void {
    const key = base.key();
    if (key === this.coverageKey) return;
    this.coverageKey = key;
    this.coverageBase = base;
    this.bits.fill(0);
    for (const [index, list] of this.byFramework) {
      if (list.some((f) => f.refused.contains(base))) this.setBit(index);
    }
  }

  /** After prepare(base): true when framework `index` refused all of the base. */
  covers(index: number): boolean {
    const word = index >>> 5;
    return word < this.bits.length && ((this.bits[word] as number) & (1 << (index & 31))) !== 0;
  }

  /** After prepare(base): true when every active framework (bits in `active`) refused all of the base. */
  coversAll(active: Uint32Array, activeCount: number): boolean {
    return activeCount > 0 && countCommonBits(this.bits, active) >= activeCount;
  }

  /** The exact check of Mesos' isFiltered. */
  filters(index: number, candidate: Resources): boolean {
    const list = this.byFramework.get(index);
    if (list === undefined) return false;
    for (const filter of list) if (filter.refused.contains(candidate)) return true;
    return false;
  }

  private setBit(index: number): void {
    const word = index >>> 5;
    if (word >= this.bits.length) {
      const grown = new Uint32Array(Math.max(word + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[word] = (this.bits[word] as number) | (1 << (index & 31));
  }

  private clearBit(index: number): void {
    const word = index >>> 5;
    if (word < this.bits.length) this.bits[word] = (this.bits[word] as number) & ~(1 << (index & 31));
  }
}

/** Every live filter, expiring in deadline order. */
export class FilterExpiry {
  private readonly heap = new MinHeap<RefusedFilter>((f) => f.expiresAtMs);

  schedule(filter: RefusedFilter): void {
    this.heap.push(filter);
  }

  /** Filters whose lifetime is over (skipping ones already removed). */
  due(nowMs: number): RefusedFilter[] {
    return this.heap.popUntil(nowMs).filter((f) => !f.removed);
  }

  nextExpiryMs(): number | undefined {
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined) return undefined;
      if (!top.removed) return top.expiresAtMs;
      this.heap.pop();
    }
  }
}
