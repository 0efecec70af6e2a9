/**
 * Offer filters (spec/core.md 4.6): resources a framework refused for a role on
 * an agent, with a lifetime. A filter suppresses an offer only if the candidate
 * resources are a subset of what was refused.
 *
 * For speed at tens of thousands of agents each (agent, role) keeps a coverage
 * bitset over framework indices: bit f is set when one of framework f's
 * filters covers the agent's whole allocatable-to-role resources ("the base").
 * Anything offered on that agent for that role is a subset of the base, so a
 * set bit means "filtered" without comparing resources; a clear bit falls back
 * to the exact check. The bitset is rebuilt when the base changes.
 */
import { MinHeap } from '../../lib/min-heap.js';
import { countCommonBits, IndexBits } from './sorter/index-bits.js';
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
  private coverageBase: Resources | undefined;
  /** Bit f: a filter of framework f covers the base. */
  private coverage = new IndexBits();
  /** Bit f: framework f has a filter here; lets the exact check skip the map for the others. */
  private readonly present = new IndexBits();

  get size(): number {
    return this.byFramework.size;
  }

  add(filter: RefusedFilter): void {
    const list = this.byFramework.get(filter.frameworkIndex);
    if (list === undefined) this.byFramework.set(filter.frameworkIndex, [filter]);
    else list.push(filter);
    this.present.set(filter.frameworkIndex);
    if (this.coverageBase !== undefined && filter.refused.contains(this.coverageBase)) {
      this.coverage.set(filter.frameworkIndex);
    }
  }

  remove(filter: RefusedFilter): void {
    const list = this.byFramework.get(filter.frameworkIndex);
    if (list === undefined) return;
    const rest = list.filter((f) => f !== filter);
    if (rest.length === 0) {
      this.byFramework.delete(filter.frameworkIndex);
      this.present.clear(filter.frameworkIndex);
    } else {
      this.byFramework.set(filter.frameworkIndex, rest);
    }
    this.coverage.clear(filter.frameworkIndex);
    if (this.coverageBase !== undefined && rest.some((f) => f.refused.contains(this.coverageBase as Resources))) {
      this.coverage.set(filter.frameworkIndex);
    }
  }

  /**
   * Makes the bitset describe `base`; cheap when the base has not changed. A
   * declined offer usually comes back as the very collection it was made
   * from, so identity settles most calls; equality is checked before a rebuild.
   */
  prepare(base: Resources): void {
    if (base === this.coverageBase) return;
    if (this.coverageBase !== undefined && base.equals(this.coverageBase)) {
      this.coverageBase = base;
      return;
    }
    this.coverageBase = base;
    this.coverage = new IndexBits();
    for (const [index, list] of this.byFramework) {
      if (list.some((f) => f.refused.contains(base))) this.coverage.set(index);
    }
  }

  /** After prepare(base): true when framework `index` refused all of the base. */
  covers(index: number): boolean {
    return this.coverage.has(index);
  }

  /** After prepare(base): true when every active framework (bits in `active`) refused all of the base. */
  coversAll(active: Uint32Array, activeCount: number): boolean {
    // Fewer frameworks covered than are active (the usual case) settles it without a scan.
    return activeCount > 0 && this.coverage.count >= activeCount && countCommonBits(this.coverage.words, active) >= activeCount;
  }

  /** The exact check of Mesos' isFiltered. */
  filters(index: number, candidate: Resources): boolean {
    if (!this.present.has(index)) return false;
    const list = this.byFramework.get(index);
    if (list === undefined) return false;
    for (const filter of list) if (filter.refused.contains(candidate)) return true;
    return false;
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
