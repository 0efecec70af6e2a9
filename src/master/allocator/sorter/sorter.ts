/**
 * The fairness policy behind a small interface (Mesos' Sorter): the allocator
 * asks for an order of clients (roles, or frameworks within a role) and reports
 * what each client was allocated. DRF (drf.ts) is the default; random.ts is the
 * alternative `--role_sorter=random` / `--framework_sorter=random`.
 *
 * Client names are paths: `a/b` is a child of `a` (hierarchical roles); framework
 * ids contain no `/`, so framework sorters are flat.
 *
 * Quantities are scalar resource amounts in fixed point (thousandths), so that
 * adding and removing many allocations is exact.
 */
import type { Random } from '../../../lib/random.js';

export type ScalarQuantities = ReadonlyMap<string, number>;

export interface Sorter {
  add(client: string): void;
  remove(client: string): void;
  contains(client: string): boolean;
  activate(client: string): void;
  deactivate(client: string): void;
  isActive(client: string): boolean;
  /** The weight of a path applies to its whole subtree. */
  updateWeight(path: string, weight: number): void;
  allocated(client: string, quantities: ScalarQuantities): void;
  unallocated(client: string, quantities: ScalarQuantities): void;
  /** Aggregated allocation of a client (a leaf). */
  allocation(client: string): ScalarQuantities;
  addTotal(quantities: ScalarQuantities): void;
  removeTotal(quantities: ScalarQuantities): void;
  /** The dominant share of a client, after weight (DRF); 0 for random. */
  share(client: string): number;
  /** Active clients, most deserving first. */
  sort(random: Random): readonly string[];
  /** A deep copy for one allocation run to mutate. */
  clone(): Sorter;
  readonly clientCount: number;
  /** Bumped by every change (not by sort): tells whether a copy taken earlier can still stand in for this sorter. */
  readonly revision: number;
  /**
   * Whether sort() leaves nothing a later call could observe (the order is a
   * function of the clients, allocations, weights and totals). Only then may
   * a copy that an allocation run sorted replace the original (see adoptSorters).
   */
  readonly sortLeavesNoTrace: boolean;
}

export type SorterKind = 'drf' | 'random';

export function addQuantities(target: Map<string, number>, delta: ScalarQuantities, sign: 1 | -1): void {
  for (const [name, amount] of delta) {
    const next = (target.get(name) ?? 0) + sign * amount;
    if (next > 0) target.set(name, next);
    else target.delete(name);
  }
}

/** What a framework sorter orders: frameworks, with the dense index the filter bitsets use. */
export interface SortableFramework {
  readonly id: string;
  readonly index: number;
}

export interface SorterEntry<T> {
  readonly value: T;
}

/**
 * Orders the frameworks of one role. Flat (framework ids are not paths), and
 * built for thousands of clients: the order is read as runs of a sorted list
 * without copying; it stays valid until the sorter next changes.
 */
export interface FrameworkSorter<T extends SortableFramework> {
  add(client: T): void;
  remove(id: string): void;
  contains(id: string): boolean;
  activate(id: string): void;
  deactivate(id: string): void;
  isActive(id: string): boolean;
  allocated(id: string, quantities: ScalarQuantities): void;
  unallocated(id: string, quantities: ScalarQuantities): void;
  allocation(id: string): ScalarQuantities;
  addTotal(quantities: ScalarQuantities): void;
  removeTotal(quantities: ScalarQuantities): void;
  share(id: string): number;
  /** Active clients, most deserving first, as consecutive runs (read `.value`; no copy is made). */
  orderedRuns(random: Random): readonly (readonly SorterEntry<T>[])[];
  /** Bit i set when the client with index i is active: lets a caller test "all filtered" in one pass. */
  readonly activeIndexes: Uint32Array;
  readonly activeCount: number;
  clone(): FrameworkSorter<T>;
  readonly clientCount: number;
  /** Bumped by every change; reading the order is not a change (it leaves no trace). */
  readonly revision: number;
}
