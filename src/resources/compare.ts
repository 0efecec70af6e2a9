/**
 * Identity of resources (spec/storage.md 1.7): which two resources are "the
 * same thing" (sameMeta), equal (resourceEquals), can merge into one entry
 * (addable), can be taken from one another (subtractable) or contain one another.
 *
 * These run on the allocator's hot path, so they compare fields directly and
 * allocate nothing unless labels have to be compared as multisets.
 */
import { toFixed } from './fixed.js';
import { rangesContain, rangesEqual } from './ranges.js';
import { setContains, setsEqual } from './sets.js';
import type { DiskInfo, DiskSource, Label, Labels, ReservationInfo, Resource } from './types.js';

/** Labels are an unordered multiset of (key, value); a missing value equals "". */
export function labelsEqual(left: Labels | undefined, right: Labels | undefined): boolean {
  const a = left?.labels ?? [];
  const b = right?.labels ?? [];
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  if (a.length === 1) return sameLabel(a[0] as Label, b[0] as Label);
  const sortedA = a.map(labelSortKey).sort();
  const sortedB = b.map(labelSortKey).sort();
  return sortedA.every((key, i) => key === sortedB[i]);
}

function sameLabel(left: Label, right: Label): boolean {
  return left.key === right.key && (left.value ?? '') === (right.value ?? '');
}

/** An unambiguous text for one label (JSON keeps keys containing separators apart). */
export function labelSortKey(label: Label): string {
  return JSON.stringify([label.key, label.value ?? '']);
}

function optionalLabelsEqual(left: Labels | undefined, right: Labels | undefined): boolean {
  if ((left === undefined) !== (right === undefined)) return false;
  return left === right || labelsEqual(left, right);
}

/** type, role, presence and value of principal, presence of labels and labels as a multiset. */
export function reservationEquals(left: ReservationInfo, right: ReservationInfo): boolean {
  return (
    left.type === right.type &&
    left.role === right.role &&
    left.principal === right.principal &&
    optionalLabelsEqual(left.labels, right.labels)
  );
}

export function reservationStacksEqual(left: readonly ReservationInfo[], right: readonly ReservationInfo[]): boolean {
  if (left === right) return true;
  if (left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) {
    if (!reservationEquals(left[i] as ReservationInfo, right[i] as ReservationInfo)) return false;
  }
  return true;
}

function optionalRootEqual(left: { readonly root?: string } | undefined, right: { readonly root?: string } | undefined): boolean {
  if ((left === undefined) !== (right === undefined)) return false;
  return left?.root === right?.root;
}

export function diskSourceEquals(left: DiskSource, right: DiskSource): boolean {
  return (
    left.type === right.type &&
    optionalRootEqual(left.path, right.path) &&
    optionalRootEqual(left.mount, right.mount) &&
    left.vendor === right.vendor &&
    left.id === right.id &&
    optionalLabelsEqual(left.metadata, right.metadata) &&
    left.profile === right.profile
  );
}

/**
 * Disk identity: the source and the persistence id. `volume` (container path,
 * mode) and the creator principal are ignored on purpose: a framework may name
 * an existing volume with a different container path (MESOS-3961).
 */
export function diskEquals(left: DiskInfo, right: DiskInfo): boolean {
  if (left === right) return true;
  if ((left.source === undefined) !== (right.source === undefined)) return false;
  if (left.source !== undefined && right.source !== undefined && !diskSourceEquals(left.source, right.source)) {
    return false;
  }
  if ((left.persistence === undefined) !== (right.persistence === undefined)) return false;
  return left.persistence?.id === right.persistence?.id;
}

/** Everything but the quantity: name, type, allocation, reservations, disk, revocable, provider, shared. */
export function sameMeta(left: Resource, right: Resource): boolean {
  // Resources are never mutated, and an offer's resources are the very objects of the agent's: identity settles most comparisons.
  if (left === right) return true;
  if (left.name !== right.name || left.type !== right.type) return false;
  if (left.allocation_info?.role !== right.allocation_info?.role) return false;
  if ((left.allocation_info === undefined) !== (right.allocation_info === undefined)) return false;
  if (!reservationStacksEqual(left.reservations, right.reservations)) return false;
  if ((left.disk === undefined) !== (right.disk === undefined)) return false;
  if (left.disk !== undefined && right.disk !== undefined && !diskEquals(left.disk, right.disk)) return false;
  if ((left.revocable === undefined) !== (right.revocable === undefined)) return false;
  if (left.provider_id?.value !== right.provider_id?.value) return false;
  return (left.shared === undefined) === (right.shared === undefined);
}

/** Same quantity, assuming sameMeta: fixed-point scalars, the same integers, the same items. */
export function quantityEquals(left: Resource, right: Resource): boolean {
  switch (left.type) {
    case 'SCALAR':
      return toFixed(left.scalar?.value ?? 0) === toFixed(right.scalar?.value ?? 0);
    case 'RANGES':
      return rangesEqual(left.ranges?.range ?? [], right.ranges?.range ?? []);
    case 'SET':
      return setsEqual(left.set?.item ?? [], right.set?.item ?? []);
  }
}

/** `inner`'s quantity fits in `outer`'s, assuming sameMeta. */
export function quantityContains(outer: Resource, inner: Resource): boolean {
  switch (outer.type) {
    case 'SCALAR':
      return toFixed(inner.scalar?.value ?? 0) <= toFixed(outer.scalar?.value ?? 0);
    case 'RANGES':
      return rangesContain(outer.ranges?.range ?? [], inner.ranges?.range ?? []);
    case 'SET':
      return setContains(outer.set?.item ?? [], inner.set?.item ?? []);
  }
}

/** Full equality: sameMeta and the same quantity. */
export function resourceEquals(left: Resource, right: Resource): boolean {
  return left === right || (sameMeta(left, right) && quantityEquals(left, right));
}

/**
 * Disks that are exclusive: a MOUNT or BLOCK device, or a RAW disk with an
 * identity. They are never merged, and only taken away whole.
 */
export function isExclusiveDisk(resource: Resource): boolean {
  const source = resource.disk?.source;
  if (source === undefined) return false;
  return source.type === 'MOUNT' || source.type === 'BLOCK' || (source.type === 'RAW' && source.id !== undefined);
}

/** Can `right` be merged into `left` as one entry? */
export function addable(left: Resource, right: Resource): boolean {
  const leftShared = left.shared !== undefined;
  if (leftShared !== (right.shared !== undefined)) return false;
  // Two copies of one shared volume merge by counting copies.
  if (leftShared) return resourceEquals(left, right);
  if (!sameMeta(left, right)) return false;
  // Two volumes are never one: each is its own directory.
  return !isExclusiveDisk(left) && left.disk?.persistence === undefined;
}

/** Can `right` be taken from `left`, leaving one resource? (Not the same as containment.) */
export function subtractable(left: Resource, right: Resource): boolean {
  if (left === right) return true;
  const leftShared = left.shared !== undefined;
  if (leftShared !== (right.shared !== undefined)) return false;
  if (leftShared) return resourceEquals(left, right);
  if (!sameMeta(left, right)) return false;
  if (isExclusiveDisk(left) || left.disk?.persistence !== undefined) return quantityEquals(left, right);
  return true;
}

/** `outer` holds all of `inner` (a single-resource comparison; sharing counts live in Resources). */
export function containsResource(outer: Resource, inner: Resource): boolean {
  if (outer === inner) return true;
  return subtractable(outer, inner) && quantityContains(outer, inner);
}
