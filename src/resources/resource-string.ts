/**
 * The human string form of resources used in logs and error messages
 * (spec/storage.md 1.7), matching Mesos' operator<< so that error texts such as
 * "<total> does not contain <consumed>" read the same as upstream, e.g.
 *
 *   disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice,{k: v})])[PATH:/mnt/d,pv-1:data]{REV}<SHARED>:2048
 *
 * Printers accept the wire shape so that validation errors can print a resource
 * that is not valid yet; a canonical Resource is a WireResource.
 */
import { formatScalar } from './fixed.js';
import { formatRanges } from './ranges.js';
import { formatSet } from './sets.js';
import type { DiskVolume, Labels, WireResource } from './types.js';

type WireReservation = NonNullable<WireResource['reservations']>[number];
type WireDisk = NonNullable<WireResource['disk']>;
type WireDiskSource = NonNullable<WireDisk['source']>;

/** "{k: v, flag}": a label without value prints its key only. */
export function formatLabels(labels: Labels | undefined): string {
  const parts = (labels?.labels ?? []).map((label) =>
    label.value === undefined ? label.key : `${label.key}: ${label.value}`,
  );
  return `{${parts.join(', ')}}`;
}

function formatReservation(reservation: WireReservation): string {
  let text = `${reservation.type ?? 'UNKNOWN'},${reservation.role ?? ''}`;
  if (reservation.principal !== undefined) text += `,${reservation.principal}`;
  if (reservation.labels !== undefined) text += `,${formatLabels(reservation.labels)}`;
  return text;
}

/** "MOUNT:/mnt/ssd0", "PATH", "RAW(vendor,id,profile)" for CSI sources. */
function formatDiskSource(source: WireDiskSource): string {
  const csi =
    source.id !== undefined || source.profile !== undefined
      ? `(${source.vendor ?? ''},${source.id ?? ''},${source.profile ?? ''})`
      : undefined;
  switch (source.type) {
    case 'MOUNT':
      return `MOUNT${csi ?? (source.mount?.root !== undefined ? `:${source.mount.root}` : '')}`;
    case 'PATH':
      return `PATH${csi ?? (source.path?.root !== undefined ? `:${source.path.root}` : '')}`;
    case 'BLOCK':
    case 'RAW':
      return `${source.type}${csi ?? ''}`;
    default:
      return 'UNKNOWN';
  }
}

/** "container_path", or "host_path:container_path:rw" when a host path is set. */
function formatVolume(volume: DiskVolume): string {
  if (volume.host_path === undefined) return volume.container_path;
  return `${volume.host_path}:${volume.container_path}:${volume.mode === 'RO' ? 'ro' : 'rw'}`;
}

function formatDisk(disk: WireDisk): string {
  let text = '';
  if (disk.source !== undefined) text += formatDiskSource(disk.source);
  if (disk.persistence !== undefined) {
    if (disk.source !== undefined) text += ',';
    text += disk.persistence.id;
  }
  if (disk.volume !== undefined) text += `:${formatVolume(disk.volume)}`;
  return text;
}

/** The amount alone, as the string form prints it: `4`, `[31000-32000]`, `{a,b}`. */
export function resourceValueToString(resource: WireResource): string {
  switch (resource.type) {
    case 'SCALAR':
      return formatScalar(resource.scalar?.value ?? 0);
    case 'RANGES':
      return formatRanges(resource.ranges?.range ?? []);
    case 'SET':
      return formatSet(resource.set?.item ?? []);
    default:
      return resource.text?.value ?? '';
  }
}

/** One resource, without a shared copy count. */
export function resourceToString(resource: WireResource): string {
  let text = resource.name;
  if (resource.allocation_info !== undefined) text += `(allocated: ${resource.allocation_info.role ?? ''})`;
  const reservations = resource.reservations ?? [];
  if (reservations.length > 0) {
    text += `(reservations: [${reservations.map((r) => `(${formatReservation(r)})`).join(',')}])`;
  }
  if (resource.disk !== undefined) text += `[${formatDisk(resource.disk)}]`;
  if (resource.revocable !== undefined) text += '{REV}';
  if (resource.shared !== undefined) text += '<SHARED>';
  return `${text}:${resourceValueToString(resource)}`;
}

/** One collection entry: shared resources carry their copy count, e.g. "...<SHARED>:64<2>". */
export function entryToString(resource: WireResource, count: number): string {
  const text = resourceToString(resource);
  return resource.shared !== undefined ? `${text}<${count}>` : text;
}
