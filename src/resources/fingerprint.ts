/**
 * Canonical fingerprints: one string per equivalence class of resources, so
 * that `a.key() === b.key()` exactly when `a.equals(b)` (spec/storage.md 1.7).
 *
 * A resource fingerprint encodes exactly what `resourceEquals` compares (labels
 * sorted, ranges coalesced, set items sorted, scalars as fixed-point integers)
 * and leaves out what it ignores (disk.volume, persistence.principal).
 * Fingerprints are cached per Resource object: resources are immutable and
 * entries are shared between collections, so most lookups hit.
 */
import { isExclusiveDisk, labelSortKey } from './compare.js';
import { toFixed } from './fixed.js';
import { coalesceRanges } from './ranges.js';
import type { ResourceEntry } from './entries.js';
import type { DiskInfo, Labels, ReservationInfo, Resource } from './types.js';

const fingerprintCache = new WeakMap<Resource, string>();

function labelsFingerprint(labels: Labels | undefined): string[] | null {
  return labels === undefined ? null : labels.labels.map(labelSortKey).sort();
}

function reservationFingerprint(reservation: ReservationInfo): unknown[] {
  return [reservation.type, reservation.role, reservation.principal ?? null, labelsFingerprint(reservation.labels)];
}

function diskFingerprint(disk: DiskInfo | undefined): unknown[] | null {
  if (disk === undefined) return null;
  const source = disk.source;
  const sourceFingerprint =
    source === undefined
      ? null
      : [
          source.type,
          source.path === undefined ? null : [source.path.root ?? null],
          source.mount === undefined ? null : [source.mount.root ?? null],
          source.vendor ?? null,
          source.id ?? null,
          labelsFingerprint(source.metadata),
          source.profile ?? null,
        ];
  return [sourceFingerprint, disk.persistence === undefined ? null : disk.persistence.id];
}

function quantityFingerprint(resource: Resource): unknown {
  switch (resource.type) {
    case 'SCALAR':
      return toFixed(resource.scalar?.value ?? 0);
    case 'RANGES':
      return coalesceRanges(resource.ranges?.range ?? []).map((range) => [range.begin, range.end]);
    case 'SET':
      return [...new Set(resource.set?.item ?? [])].sort();
  }
}

const metaFingerprintCache = new WeakMap<Resource, string>();

/**
 * Everything but the quantity: equal if and only if `sameMeta` (compare.ts),
 * which every merge, subtraction and containment of two resources requires.
 */
export function metaFingerprint(resource: Resource): string {
  const cached = metaFingerprintCache.get(resource);
  if (cached !== undefined) return cached;
  // Allocating or unallocating copies a resource but shares its reservations and
  // disk objects: their parts are cached by object, so a copy costs one join.
  const fingerprint = [
    JSON.stringify(resource.name),
    resource.type,
    resource.allocation_info === undefined ? '-' : JSON.stringify(resource.allocation_info.role),
    reservationsKey(resource.reservations),
    resource.disk === undefined ? '-' : diskKey(resource.disk),
    resource.revocable !== undefined ? 'r' : '-',
    resource.provider_id === undefined ? '-' : JSON.stringify(resource.provider_id.value),
    resource.shared !== undefined ? 's' : '-',
  ].join('|');
  metaFingerprintCache.set(resource, fingerprint);
  return fingerprint;
}

/**
 * Records `fingerprint` as `resource`'s metaFingerprint: for a sum or
 * difference of quantities, a fresh object with the metadata (and so the
 * fingerprint) of the resource it was computed from.
 */
export function seedMetaFingerprint(resource: Resource, fingerprint: string): void {
  metaFingerprintCache.set(resource, fingerprint);
}

const reservationsKeyCache = new WeakMap<readonly ReservationInfo[], string>();
const diskKeyCache = new WeakMap<DiskInfo, string>();

function reservationsKey(reservations: readonly ReservationInfo[]): string {
  if (reservations.length === 0) return '[]';
  let key = reservationsKeyCache.get(reservations);
  if (key === undefined) {
    key = JSON.stringify(reservations.map(reservationFingerprint));
    reservationsKeyCache.set(reservations, key);
  }
  return key;
}

function diskKey(disk: DiskInfo): string {
  let key = diskKeyCache.get(disk);
  if (key === undefined) {
    key = JSON.stringify(diskFingerprint(disk));
    diskKeyCache.set(disk, key);
  }
  return key;
}

/** Equal fingerprints if and only if `resourceEquals`. */
export function resourceFingerprint(resource: Resource): string {
  const cached = fingerprintCache.get(resource);
  if (cached !== undefined) return cached;
  const fingerprint = isPlain(resource) ? plainFingerprint(resource) : JSON.stringify([
    resource.name,
    resource.type,
    resource.allocation_info === undefined ? null : resource.allocation_info.role,
    resource.reservations.map(reservationFingerprint),
    diskFingerprint(resource.disk),
    resource.revocable !== undefined,
    resource.provider_id === undefined ? null : resource.provider_id.value,
    resource.shared !== undefined,
    quantityFingerprint(resource),
  ]);
  fingerprintCache.set(resource, fingerprint);
  return fingerprint;
}

/** Unreserved, diskless, provider-less: the common case, fingerprinted without building arrays. */
function isPlain(resource: Resource): boolean {
  return resource.reservations.length === 0 && resource.disk === undefined && resource.provider_id === undefined;
}

/**
 * Starts with '#', which no JSON array fingerprint does, so the two forms never
 * collide; the name and role are JSON-quoted so a '|' in them cannot shift fields.
 */
function plainFingerprint(resource: Resource): string {
  const role = resource.allocation_info === undefined ? '' : JSON.stringify(resource.allocation_info.role);
  const flags = `${resource.revocable !== undefined ? 1 : 0}${resource.shared !== undefined ? 1 : 0}`;
  let quantity: string;
  switch (resource.type) {
    case 'SCALAR':
      quantity = String(toFixed(resource.scalar?.value ?? 0));
      break;
    case 'RANGES':
      quantity = coalesceRanges(resource.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(',');
      break;
    case 'SET':
      quantity = JSON.stringify([...new Set(resource.set?.item ?? [])].sort());
      break;
  }
  return `#${JSON.stringify(resource.name)}|${resource.type}|${role}|${flags}|${quantity}`;
}

/**
 * The fingerprint of a collection, matching its containment-based equality:
 * - shared entries count their copies;
 * - non-shared volumes are a multiset (containment removes each one it matches,
 *   so two identical volumes need two);
 * - other exclusive disks (MOUNT, BLOCK, RAW with id) are a set (containment
 *   does not remove them, so a duplicate adds nothing);
 * - every other entry is unique per metadata already (entries merge on insert).
 */
export function entriesFingerprint(entries: readonly ResourceEntry[]): string {
  const parts: string[] = [];
  const exclusiveDisks = new Set<string>();
  for (const { resource, count } of entries) {
    const fingerprint = resourceFingerprint(resource);
    if (resource.shared !== undefined) {
      parts.push(`${fingerprint}*${count}`);
    } else if (resource.disk?.persistence === undefined && isExclusiveDisk(resource)) {
      if (exclusiveDisks.has(fingerprint)) continue;
      exclusiveDisks.add(fingerprint);
      parts.push(fingerprint);
    } else {
      parts.push(fingerprint);
    }
  }
  // JSON escapes newlines, so "\n" cannot occur inside a fingerprint.
  return parts.sort().join('\n');
}
