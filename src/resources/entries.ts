/**
 * The entry list behind a Resources collection, and the in-place operations the
 * immutable class runs on a private working copy (spec/storage.md 1.7).
 *
 * Invariants of a list built only through addEntry:
 * - no entry is empty (zero quantity, or a shared count of 0);
 * - no two entries are addable with each other (merges happen on insert);
 * - `count` is 1 for non-shared entries and >= 1 for shared ones.
 */
import { addScalars, subtractScalars, toFixed } from './fixed.js';
import { addRanges, subtractRanges } from './ranges.js';
import { addSets, subtractSets } from './sets.js';
import { addable, containsResource, resourceEquals, subtractable } from './compare.js';
import { isEmptyResource } from './resource.js';
import type { Resource } from './types.js';

export interface ResourceEntry {
  readonly resource: Resource;
  /** Copies of a shared resource held (one per task using it); always 1 for non-shared resources. */
  readonly count: number;
}

export function entryOf(resource: Resource): ResourceEntry {
  return { resource, count: 1 };
}

export function isEmptyEntry(entry: ResourceEntry): boolean {
  return entry.count === 0 || isEmptyResource(entry.resource);
}

/** The quantity sum of two addable resources, with `left`'s metadata (e.g. its volume). */
export function addQuantities(left: Resource, right: Resource): Resource {
  switch (left.type) {
    case 'SCALAR':
      return { ...left, scalar: { value: addScalars(left.scalar?.value ?? 0, right.scalar?.value ?? 0) } };
    case 'RANGES':
      return { ...left, ranges: { range: addRanges(left.ranges?.range ?? [], right.ranges?.range ?? []) } };
    case 'SET':
      return { ...left, set: { item: addSets(left.set?.item ?? [], right.set?.item ?? []) } };
  }
}

/** `left` minus `right`'s quantity; a scalar may come out negative (the caller drops it). */
export function subtractQuantities(left: Resource, right: Resource): Resource {
  switch (left.type) {
    case 'SCALAR':
      return { ...left, scalar: { value: subtractScalars(left.scalar?.value ?? 0, right.scalar?.value ?? 0) } };
    case 'RANGES':
      return { ...left, ranges: { range: subtractRanges(left.ranges?.range ?? [], right.ranges?.range ?? []) } };
    case 'SET':
      return { ...left, set: { item: subtractSets(left.set?.item ?? [], right.set?.item ?? []) } };
  }
}

/** Merge `entry` into the first entry it is addable with, else append it. Empty entries are dropped. */
export function addEntry(entries: ResourceEntry[], entry: ResourceEntry): void {
  if (isEmptyEntry(entry)) return;
  for (let i = 0; i < entries.length; i++) {
    const existing = entries[i] as ResourceEntry;
    if (!addable(existing.resource, entry.resource)) continue;
    entries[i] =
      existing.resource.shared !== undefined
        ? { resource: existing.resource, count: existing.count + entry.count }
        : { resource: addQuantities(existing.resource, entry.resource), count: 1 };
    return;
  }
  entries.push(entry);
}

/**
 * Take `entry` from the first entry it is subtractable with (none: no-op). An
 * entry that ends up empty or negative is removed, so over-subtraction silently
 * removes; callers check containment first when it matters. Removal moves the
 * last entry into the hole, as Mesos does, so printed orders match upstream.
 */
export function subtractEntry(entries: ResourceEntry[], entry: ResourceEntry): void {
  if (isEmptyEntry(entry)) return;
  for (let i = 0; i < entries.length; i++) {
    const existing = entries[i] as ResourceEntry;
    if (!subtractable(existing.resource, entry.resource)) continue;
    const remaining: ResourceEntry =
      existing.resource.shared !== undefined
        ? { resource: existing.resource, count: existing.count - entry.count }
        : { resource: subtractQuantities(existing.resource, entry.resource), count: 1 };
    if (remaining.count <= 0 || isNegativeOrEmpty(remaining.resource)) {
      entries[i] = entries[entries.length - 1] as ResourceEntry;
      entries.pop();
    } else {
      entries[i] = remaining;
    }
    return;
  }
}

export function isNegativeOrEmpty(resource: Resource): boolean {
  if (resource.type === 'SCALAR') return toFixed(resource.scalar?.value ?? 0) <= 0;
  return isEmptyResource(resource);
}

/** One entry holds all of another: shared entries compare copy counts. */
export function entryContains(outer: ResourceEntry, inner: ResourceEntry): boolean {
  const outerShared = outer.resource.shared !== undefined;
  if (outerShared !== (inner.resource.shared !== undefined)) return false;
  if (outerShared) return outer.count >= inner.count && resourceEquals(outer.resource, inner.resource);
  return containsResource(outer.resource, inner.resource);
}

/** Some single entry of `entries` holds all of `entry`. */
export function someEntryContains(entries: readonly ResourceEntry[], entry: ResourceEntry): boolean {
  for (const candidate of entries) if (entryContains(candidate, entry)) return true;
  return false;
}
