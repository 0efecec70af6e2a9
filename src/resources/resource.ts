/**
 * Predicates and helpers over one canonical Resource (spec/storage.md 1.1, 1.7).
 * All helpers return new objects; inputs are never mutated.
 */
import { assert } from '../lib/assert.js';
import { toFixed } from './fixed.js';
import { defaultRole, isStrictSubRole, validateRole } from './roles.js';
import type { DiskInfo, DiskSourceType, ReservationInfo, Resource } from './types.js';

export function isUnreserved(resource: Resource): boolean {
  return resource.reservations.length === 0;
}

export function isReserved(resource: Resource): boolean {
  return resource.reservations.length > 0;
}

/** The role of the current (last) reservation. Calling it on an unreserved resource is a programmer error. */
export function reservationRole(resource: Resource): string {
  const current = resource.reservations[resource.reservations.length - 1];
  assert(current !== undefined, `reservationRole of an unreserved resource '${resource.name}'`);
  return current.role;
}

export function isDynamicallyReserved(resource: Resource): boolean {
  return resource.reservations[resource.reservations.length - 1]?.type === 'DYNAMIC';
}

export function isStaticallyReserved(resource: Resource): boolean {
  return resource.reservations[resource.reservations.length - 1]?.type === 'STATIC';
}

export function hasRefinedReservations(resource: Resource): boolean {
  return resource.reservations.length > 1;
}

export function isPersistentVolume(resource: Resource): boolean {
  return resource.disk?.persistence !== undefined;
}

export function isShared(resource: Resource): boolean {
  return resource.shared !== undefined;
}

export function isRevocable(resource: Resource): boolean {
  return resource.revocable !== undefined;
}

export function hasResourceProvider(resource: Resource): boolean {
  return resource.provider_id !== undefined;
}

/** The disk source type; undefined for a ROOT disk and for non-disk resources. */
export function diskSourceType(resource: Resource): DiskSourceType | undefined {
  return resource.disk?.source?.type;
}

export function isMountDisk(resource: Resource): boolean {
  return diskSourceType(resource) === 'MOUNT';
}

/** Checkpointed by the agent: an agent default resource that is dynamically reserved or a volume. */
export function needsCheckpointing(resource: Resource): boolean {
  return !hasResourceProvider(resource) && (isDynamicallyReserved(resource) || isPersistentVolume(resource));
}

/** True when the current reservation is for exactly `role`. */
export function isReservedFor(resource: Resource, role: string): boolean {
  return isReserved(resource) && reservationRole(resource) === role;
}

/** Offerable to `role`: unreserved, reserved for it, or reserved for one of its ancestors. */
export function isAllocatableTo(resource: Resource, role: string): boolean {
  if (isUnreserved(resource)) return true;
  const reserved = reservationRole(resource);
  return role === reserved || isStrictSubRole(role, reserved);
}

/** A zero quantity: scalar 0, no ranges, no set items. Empty resources are never stored. */
export function isEmptyResource(resource: Resource): boolean {
  switch (resource.type) {
    case 'SCALAR':
      return toFixed(resource.scalar?.value ?? 0) === 0;
    case 'RANGES':
      return (resource.ranges?.range.length ?? 0) === 0;
    case 'SET':
      return (resource.set?.item.length ?? 0) === 0;
  }
}

/**
 * The resource without its volume: the disk a volume was created from, used by
 * CREATE, DESTROY, GROW and SHRINK. ROOT volumes lose the whole `disk`; PATH and
 * MOUNT volumes keep `disk.source`. Sharedness goes too (only volumes are shared).
 */
export function stripVolume(resource: Resource): Resource {
  const { disk, shared: _shared, ...rest } = resource;
  if (disk === undefined) return rest;
  if (disk.source === undefined) return rest;
  const strippedDisk: DiskInfo = { source: disk.source };
  return { ...rest, disk: strippedDisk };
}

/**
 * Refine the reservation: push `reservation` on top of the stack. The stack must
 * stay valid (spec 1.3 rule 8); callers validate operations first, so a bad push
 * is a programmer error.
 */
export function pushReservation(resource: Resource, reservation: ReservationInfo): Resource {
  assert(validateRole(reservation.role) === undefined && reservation.role !== defaultRole,
    `pushReservation: invalid reservation role '${reservation.role}'`);
  const current = resource.reservations[resource.reservations.length - 1];
  if (current !== undefined) {
    assert(reservation.type === 'DYNAMIC', 'pushReservation: a refined reservation cannot be STATIC');
    assert(isStrictSubRole(reservation.role, current.role),
      `pushReservation: role '${reservation.role}' is not a refinement of '${current.role}'`);
  }
  return { ...resource, reservations: [...resource.reservations, reservation] };
}

/** Undo the last refinement (or the only reservation). Popping an unreserved resource is a programmer error. */
export function popReservation(resource: Resource): Resource {
  assert(resource.reservations.length > 0, `popReservation of an unreserved resource '${resource.name}'`);
  return { ...resource, reservations: resource.reservations.slice(0, -1) };
}

export function toUnreservedResource(resource: Resource): Resource {
  if (resource.reservations.length === 0) return resource;
  return { ...resource, reservations: [] };
}

/** Mark the resource as allocated to `role` (AllocationInfo). */
/**
 * A resource's copy allocated to a role, and the unallocated resource an
 * allocated one came from, kept for as long as the resource lives. Resources
 * are never mutated, so the same resource allocated to the same role is the
 * same object each time: an agent's thousand volumes, offered every cycle,
 * keep their cached fingerprints and comparisons instead of being copied and
 * fingerprinted afresh at every offer, accept and recovery.
 */
const allocatedCopies = new WeakMap<Resource, Map<string, Resource>>();
const unallocatedOrigins = new WeakMap<Resource, Resource>();

export function allocateResource(resource: Resource, role: string): Resource {
  if (resource.allocation_info?.role === role) return resource;
  const origin = unallocateResource(resource);
  let copies = allocatedCopies.get(origin);
  if (copies === undefined) {
    copies = new Map();
    allocatedCopies.set(origin, copies);
  }
  let copy = copies.get(role);
  if (copy === undefined) {
    copy = { ...origin, allocation_info: { role } };
    copies.set(role, copy);
    unallocatedOrigins.set(copy, origin);
  }
  return copy;
}

export function unallocateResource(resource: Resource): Resource {
  if (resource.allocation_info === undefined) return resource;
  let origin = unallocatedOrigins.get(resource);
  if (origin === undefined) {
    const { allocation_info: _allocation, ...rest } = resource;
    origin = rest;
    unallocatedOrigins.set(resource, origin);
  }
  return origin;
}
