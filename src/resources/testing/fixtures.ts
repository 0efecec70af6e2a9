/**
 * Small builders of canonical resources for tests, so that a test reads as
 * the resource it is about: `scalar('cpus', 2, { role: 'eng' })`.
 */
import type { DiskSource, Labels, Range, ReservationInfo, Resource } from '../types.js';

export interface ResourceOptions {
  /** A static reservation for this role (unless `reservations` is given). */
  readonly role?: string;
  readonly reservations?: readonly ReservationInfo[];
  readonly allocatedTo?: string;
  readonly revocable?: boolean;
}

function meta(options: ResourceOptions): Pick<Resource, 'reservations' | 'allocation_info' | 'revocable'> {
  const reservations = options.reservations ?? (options.role === undefined ? [] : [staticReservation(options.role)]);
  return {
    reservations,
    ...(options.allocatedTo !== undefined && { allocation_info: { role: options.allocatedTo } }),
    ...(options.revocable === true && { revocable: {} }),
  };
}

export function staticReservation(role: string): ReservationInfo {
  return { type: 'STATIC', role };
}

export function dynamicReservation(role: string, principal?: string, labels?: Labels): ReservationInfo {
  return { type: 'DYNAMIC', role, ...(principal !== undefined && { principal }), ...(labels !== undefined && { labels }) };
}

export function labels(pairs: Record<string, string | undefined>): Labels {
  return { labels: Object.entries(pairs).map(([key, value]) => (value === undefined ? { key } : { key, value })) };
}

export function scalar(name: string, value: number, options: ResourceOptions = {}): Resource {
  return { name, type: 'SCALAR', scalar: { value }, ...meta(options) };
}

export function ranges(name: string, range: readonly Range[], options: ResourceOptions = {}): Resource {
  return { name, type: 'RANGES', ranges: { range }, ...meta(options) };
}

export function set(name: string, item: readonly string[], options: ResourceOptions = {}): Resource {
  return { name, type: 'SET', set: { item }, ...meta(options) };
}

export interface DiskOptions extends ResourceOptions {
  readonly source?: DiskSource;
}

/** A plain disk; ROOT unless a source is given. */
export function disk(size: number, options: DiskOptions = {}): Resource {
  const base = scalar('disk', size, options);
  return options.source === undefined ? base : { ...base, disk: { source: options.source } };
}

export interface VolumeOptions extends DiskOptions {
  readonly containerPath?: string;
  readonly principal?: string;
  readonly shared?: boolean;
}

/** A persistent volume (reserved for `role`, default "eng", unless reservations are given). */
export function volume(size: number, id: string, options: VolumeOptions = {}): Resource {
  const base = scalar('disk', size, { role: 'eng', ...options });
  return {
    ...base,
    disk: {
      persistence: { id, ...(options.principal !== undefined && { principal: options.principal }) },
      volume: { container_path: options.containerPath ?? 'data', mode: 'RW' },
      ...(options.source !== undefined && { source: options.source }),
    },
    ...(options.shared === true && { shared: {} }),
  };
}

export const pathSource = (root: string): DiskSource => ({ type: 'PATH', path: { root } });
export const mountSource = (root: string): DiskSource => ({ type: 'MOUNT', mount: { root } });
