/**
 * Validation of one resource as it arrives from a client or the agent flag
 * (spec/storage.md 1.3, rules 1-9, in Mesos' order). The first failing rule
 * wins; texts follow Mesos `Resources::validate`, which clients match.
 *
 * Accepts every reservation format (legacy, canonical, mixed); a canonical
 * Resource is a WireResource, so stored resources can be re-checked too.
 */
import { toFixed } from './fixed.js';
import { labelsEqual } from './compare.js';
import { findDuplicateItem } from './sets.js';
import { defaultRole, isStrictSubRole, validateRole } from './roles.js';
import { formatLabels, resourceToString } from './resource-string.js';
import type { Range, WireResource } from './types.js';

type WireReservation = NonNullable<WireResource['reservations']>[number];

/** The first rule of spec 1.3 that `resource` breaks, or undefined when it is valid. */
export function validateWireResource(resource: WireResource): string | undefined {
  if (resource.name.length === 0) return 'Empty resource name';
  return (
    validateValue(resource) ??
    validateDiskSource(resource) ??
    (resource.reservations === undefined || resource.reservations.length === 0
      ? validateLegacyReservation(resource)
      : validateReservationStack(resource, resource.reservations)) ??
    validateSharedness(resource)
  );
}

/** The first invalid resource of a list: "Resource '<r>' is invalid: <why>". */
export function validateResources(resources: readonly WireResource[]): string | undefined {
  for (const resource of resources) {
    const error = validateWireResource(resource);
    if (error !== undefined) return `Resource '${resourceToString(resource)}' is invalid: ${error}`;
  }
  return undefined;
}

/** Rules 1-5: the type is known and exactly its value field is set, with a sane value. */
function validateValue(resource: WireResource): string | undefined {
  const { scalar, ranges, set } = resource;
  switch (resource.type) {
    case 'SCALAR':
      if (scalar === undefined || ranges !== undefined || set !== undefined) return 'Invalid scalar resource';
      // Zero is valid (an empty resource); negatives and values that round to zero are not.
      if (scalar.value !== 0 && toFixed(scalar.value) <= 0) return 'Invalid scalar resource: value <= 0';
      return undefined;
    case 'RANGES':
      if (scalar !== undefined || ranges === undefined || set !== undefined) return 'Invalid ranges resource';
      return validateRangeList(ranges.range);
    case 'SET':
      if (scalar !== undefined || ranges !== undefined || set === undefined) return 'Invalid set resource';
      return findDuplicateItem(set.item) !== undefined ? 'Invalid set resource: duplicated elements' : undefined;
    case 'TEXT':
      return 'Unsupported resource type';
    default:
      return 'Invalid resource type';
  }
}

/**
 * Intervals must not be inverted nor overlap (they need not be coalesced).
 * Mesos only notices an overlap when the later interval starts inside the
 * earlier one; we check both directions, so [5-10],[1-7] is refused here too.
 */
function validateRangeList(ranges: readonly Range[]): string | undefined {
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i] as Range;
    if (range.begin > range.end) return 'Invalid ranges resource: begin > end';
    for (let j = i + 1; j < ranges.length; j++) {
      const other = ranges[j] as Range;
      if (other.begin <= range.end && range.begin <= other.end) return 'Invalid ranges resource: overlapping ranges';
    }
  }
  return undefined;
}

/** Rule 6: DiskInfo only on "disk"; BLOCK and RAW sources carry no path or mount. */
function validateDiskSource(resource: WireResource): string | undefined {
  if (resource.disk === undefined) return undefined;
  if (resource.name !== 'disk') return `DiskInfo should not be set for ${resource.name} resource`;
  const source = resource.disk.source;
  if (source === undefined) return undefined;
  switch (source.type) {
    case 'PATH':
    case 'MOUNT':
      return undefined;
    case 'BLOCK':
    case 'RAW':
      if (source.mount !== undefined) return `Mount should not be set for ${source.type} disk source`;
      if (source.path !== undefined) return `Path should not be set for ${source.type} disk source`;
      return undefined;
    default:
      return "Unsupported 'DiskInfo.Source.Type' in 'UNKNOWN'";
  }
}

/** Rule 7: the pre-refinement pair `role` + optional `reservation` (no type or role inside). */
function validateLegacyReservation(resource: WireResource): string | undefined {
  const role = resource.role ?? defaultRole;
  const roleError = validateRole(role);
  if (roleError !== undefined) return roleError;
  const reservation = resource.reservation;
  if (reservation === undefined) return undefined;
  if (reservation.type !== undefined) {
    return "'Resource.ReservationInfo.type' must not be set for the 'Resource.reservation' field";
  }
  if (reservation.role !== undefined) {
    return "'Resource.ReservationInfo.role' must not be set for the 'Resource.reservation' field";
  }
  if (role === defaultRole) return 'Invalid reservation: role "*" cannot be dynamically reserved';
  return undefined;
}

/** Rule 8: a stack of valid, properly refined reservations, plus the mixed-format checks. */
function validateReservationStack(resource: WireResource, stack: readonly WireReservation[]): string | undefined {
  for (const reservation of stack) {
    if (reservation.type === undefined) {
      return "Invalid reservation: 'Resource.ReservationInfo.type' field must be set.";
    }
    if (reservation.role === undefined) {
      return "Invalid reservation: 'Resource.ReservationInfo.role' field must be set.";
    }
    const roleError = validateRole(reservation.role);
    if (roleError !== undefined) return roleError;
    if (reservation.role === defaultRole) return 'Invalid reservation: role "*" cannot be reserved';
  }
  let ancestor = stack[0]?.role ?? '';
  for (const reservation of stack.slice(1)) {
    if (reservation.type === 'STATIC') return 'Invalid refined reservation: A refined reservation cannot be STATIC';
    const descendant = reservation.role ?? '';
    if (!isStrictSubRole(descendant, ancestor)) {
      return `Invalid refined reservation: role '${descendant}' is not a refinement of '${ancestor}'`;
    }
    ancestor = descendant;
  }
  const only = stack.length === 1 ? stack[0] : undefined;
  return only !== undefined ? validateMixedFormat(resource, only) : validateNoLegacyFields(resource);
}

/** The endpoint ("mixed") format: legacy fields alongside one reservation must agree with it. */
function validateMixedFormat(resource: WireResource, reservation: WireReservation): string | undefined {
  const role = reservation.role ?? '';
  if (resource.role !== undefined && resource.role !== role) {
    return (
      `Invalid resource format: 'Resource.role' field with '${resource.role}' ` +
      `does not match the role '${role}' in 'Resource.reservations'`
    );
  }
  switch (reservation.type) {
    case 'STATIC':
      if (resource.reservation === undefined) return undefined;
      return (
        "Invalid resource format: 'Resource.reservation' must not be set if the single " +
        "reservation in 'Resource.reservations' is STATIC"
      );
    case 'DYNAMIC':
      return validateMixedDynamic(resource, reservation);
    default:
      return "Unsupported 'Resource.ReservationInfo.Type'";
  }
}

function validateMixedDynamic(resource: WireResource, reservation: WireReservation): string | undefined {
  if ((resource.role !== undefined) !== (resource.reservation !== undefined)) {
    return (
      "Invalid resource format: 'Resource.role' and 'Resource.reservation' must either be both set " +
      "or both not set if the single reservation in 'Resource.reservations' is DYNAMIC"
    );
  }
  const legacy = resource.reservation;
  if (legacy === undefined) return undefined;
  // Protobuf getters: an unset principal reads as "", unset labels as an empty list.
  const principal = reservation.principal ?? '';
  if ((legacy.principal ?? '') !== principal) {
    return (
      `Invalid resource format: 'Resource.reservation.principal' field with '${legacy.principal ?? ''}' ` +
      `does not match the principal '${principal}' in 'Resource.reservations'`
    );
  }
  if (!labelsEqual(legacy.labels, reservation.labels)) {
    return (
      `Invalid resource format: 'Resource.reservation.labels' field with '${formatLabels(legacy.labels)}' ` +
      `does not match the labels '${formatLabels(reservation.labels)}' in 'Resource.reservations'`
    );
  }
  return undefined;
}

function validateNoLegacyFields(resource: WireResource): string | undefined {
  if (resource.role !== undefined) {
    return (
      "Invalid resource format: 'Resource.role' must not be set if there is more than one " +
      "reservation in 'Resource.reservations'"
    );
  }
  if (resource.reservation !== undefined) {
    return (
      "Invalid resource format: 'Resource.reservation' must not be set if there is more than one " +
      "reservation in 'Resource.reservations'"
    );
  }
  return undefined;
}

/** Rule 9: only persistent volumes can be shared. */
function validateSharedness(resource: WireResource): string | undefined {
  if (resource.shared === undefined) return undefined;
  if (resource.name !== 'disk') return `Resource ${resource.name} cannot be shared`;
  if (resource.disk?.persistence === undefined) return 'Only persistent volumes can be shared';
  return undefined;
}
