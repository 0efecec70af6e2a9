/**
 * Values derived from one Resources collection, computed on first use and kept
 * with it (a collection never changes). The allocator asks the same agent's
 * resources for the same views many times per cycle; plain fields keep those
 * calls free of allocation and of building string keys. Per-role views are
 * keyed by the role string itself.
 */
import { toFixed } from './fixed.js';
import type { ResourceEntry } from './entries.js';
import type { Resources } from './resources.js';

export class DerivedViews {
  allocated: Map<string, Resources> | undefined;
  allocatableTo: Map<string, Resources> | undefined;
  unallocated: Resources | undefined;
  allocations: ReadonlyMap<string, Resources> | undefined;
  unreserved: Resources | undefined;
  reservations: ReadonlyMap<string, Resources> | undefined;
  nonShared: Resources | undefined;
  shared: Resources | undefined;
  scalarSums: ReadonlyMap<string, number> | undefined;
  /** Which kinds of resource occur: kindRevocable | kindShared | kindRefined. */
  kinds: number | undefined;
}

export const kindRevocable = 1;
export const kindShared = 2;
/** A reservation stack of more than one level. */
export const kindRefined = 4;

export function kindsOf(entries: readonly ResourceEntry[]): number {
  let kinds = 0;
  for (const { resource } of entries) {
    if (resource.revocable !== undefined) kinds |= kindRevocable;
    if (resource.shared !== undefined) kinds |= kindShared;
    if (resource.reservations.length > 1) kinds |= kindRefined;
  }
  return kinds;
}

/** Per name, the sum of its scalar entries in thousandths, names in entry order (a shared entry once). */
export function scalarSumsOf(entries: readonly ResourceEntry[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { resource } of entries) {
    if (resource.type !== 'SCALAR' || resource.scalar === undefined) continue;
    sums.set(resource.name, (sums.get(resource.name) ?? 0) + toFixed(resource.scalar.value));
  }
  return sums;
}
