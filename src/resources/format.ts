/**
 * Reservation formats at the API edge (spec/storage.md 1.2). Inside berth every
 * resource is canonical (a reservation stack); clients may send the legacy
 * `role` + `reservation` pair, and some receive it back.
 */
import { err, ok, type Result } from '../lib/result.js';
import { fromFixed, roundScalar, toFixed } from './fixed.js';
import { addRanges, coalesceRanges, formatRanges } from './ranges.js';
import { addSets, formatSet } from './sets.js';
import { defaultRole } from './roles.js';
import { validateResources, validateWireResource } from './validate.js';
import { wireResourceFromInput, type WireResourceInput } from './wire-input.js';
import type { Resources } from './resources.js';
import type { DiskInfo, DiskSource, Labels, Range, ReservationInfo, Resource, WireResource } from './types.js';

type WireReservation = NonNullable<WireResource['reservations']>[number];

function copyLabels(labels: Labels): Labels {
  return { labels: labels.labels.map((label) => (label.value === undefined ? { key: label.key } : { key: label.key, value: label.value })) };
}

/** A reservation with only its known fields, copied. */
function canonicalReservation(type: ReservationInfo['type'], role: string, from: WireReservation): ReservationInfo {
  return {
    type,
    role,
    ...(from.principal !== undefined && { principal: from.principal }),
    ...(from.labels !== undefined && { labels: copyLabels(from.labels) }),
  };
}

/** Legacy pair or stack to a stack (assumes the resource passed validateWireResource). */
function upgradeReservations(wire: WireResource): ReservationInfo[] {
  const stack = wire.reservations ?? [];
  if (stack.length > 0) return stack.map((r) => canonicalReservation(r.type ?? 'DYNAMIC', r.role ?? '', r));
  const role = wire.role ?? defaultRole;
  if (role === defaultRole) return [];
  if (wire.reservation === undefined) return [{ type: 'STATIC', role }];
  return [canonicalReservation('DYNAMIC', role, wire.reservation)];
}

function copyDiskSource(source: DiskSource): DiskSource {
  return {
    type: source.type,
    ...(source.path !== undefined && { path: source.path.root === undefined ? {} : { root: source.path.root } }),
    ...(source.mount !== undefined && { mount: source.mount.root === undefined ? {} : { root: source.mount.root } }),
    ...(source.vendor !== undefined && { vendor: source.vendor }),
    ...(source.id !== undefined && { id: source.id }),
    ...(source.metadata !== undefined && { metadata: copyLabels(source.metadata) }),
    ...(source.profile !== undefined && { profile: source.profile }),
  };
}

function copyDisk(disk: NonNullable<WireResource['disk']>): DiskInfo {
  const { persistence, volume, source } = disk;
  return {
    ...(persistence !== undefined && {
      persistence: { id: persistence.id, ...(persistence.principal !== undefined && { principal: persistence.principal }) },
    }),
    ...(volume !== undefined && {
      volume: {
        container_path: volume.container_path,
        mode: volume.mode,
        ...(volume.host_path !== undefined && { host_path: volume.host_path }),
      },
    }),
    // Validation refuses UNKNOWN sources, so what is left is a DiskSource.
    ...(source !== undefined && { source: copyDiskSource(source as DiskSource) }),
  };
}

function copyValue(wire: WireResource): Pick<Resource, 'type' | 'scalar' | 'ranges' | 'set'> {
  switch (wire.type) {
    case 'RANGES':
      return { type: 'RANGES', ranges: { range: coalesceRanges(wire.ranges?.range ?? []) } };
    case 'SET':
      return { type: 'SET', set: { item: [...(wire.set?.item ?? [])] } };
    default:
      return { type: 'SCALAR', scalar: { value: roundScalar(wire.scalar?.value ?? 0) } };
  }
}

/**
 * The canonical form of a validated wire resource: a reservation stack, scalars
 * rounded to fixed point, ranges coalesced, no legacy fields, unknown fields
 * dropped. An allocation_info without a role is dropped.
 */
export function upgradeResource(wire: WireResource): Resource {
  return {
    ...(wire.provider_id !== undefined && { provider_id: { value: wire.provider_id.value } }),
    name: wire.name,
    ...copyValue(wire),
    reservations: upgradeReservations(wire),
    ...(wire.allocation_info?.role !== undefined && { allocation_info: { role: wire.allocation_info.role } }),
    ...(wire.disk !== undefined && { disk: copyDisk(wire.disk) }),
    ...(wire.revocable !== undefined && { revocable: {} }),
    ...(wire.shared !== undefined && { shared: {} }),
  };
}

/** Validate (spec 1.3) then upgrade. Accepts schema-typed input (wire-input.ts). */
export function fromWire(input: WireResourceInput): Result<Resource, string> {
  const wire = wireResourceFromInput(input);
  const error = validateWireResource(wire);
  return error === undefined ? ok(upgradeResource(wire)) : err(error);
}

/** Validate every resource ("Resource '<r>' is invalid: ...") then upgrade them all. */
export function fromWireList(inputs: readonly WireResourceInput[]): Result<Resource[], string> {
  const wires = inputs.map(wireResourceFromInput);
  const error = validateResources(wires);
  return error === undefined ? ok(wires.map(upgradeResource)) : err(error);
}

/** Canonical JSON: the stored form, with an empty reservation stack left out. */
export function toCanonicalJson(resource: Resource): WireResource {
  if (resource.reservations.length > 0) return resource;
  const { reservations: _reservations, ...rest } = resource;
  return rest;
}

/** The legacy `role` (+ `reservation` when dynamic) describing a stack of at most one element. */
function legacyFields(resource: Resource): Pick<WireResource, 'role' | 'reservation'> | undefined {
  const only = resource.reservations[0];
  if (resource.reservations.length > 1) return undefined;
  if (only === undefined) return { role: defaultRole };
  if (only.type === 'STATIC') return { role: only.role };
  return {
    role: only.role,
    reservation: {
      ...(only.principal !== undefined && { principal: only.principal }),
      ...(only.labels !== undefined && { labels: only.labels }),
    },
  };
}

/**
 * Pre-refinement format for frameworks and agents without RESERVATION_REFINEMENT.
 * Undefined for refined stacks: those are never sent to such peers.
 */
export function toLegacyResource(resource: Resource): WireResource | undefined {
  const legacy = legacyFields(resource);
  if (legacy === undefined) return undefined;
  const { reservations: _reservations, ...rest } = resource;
  return { ...rest, ...legacy };
}

/** Endpoint format: canonical, plus the legacy fields when the stack has at most one element. */
export function toEndpointResource(resource: Resource): WireResource {
  return { ...toCanonicalJson(resource), ...legacyFields(resource) };
}

/**
 * The legacy object form of /master/state and /state (Mesos `model(Resources)`):
 * cpus, disk, gpus and mem are always present; scalars are summed, ranges and
 * sets printed; revocable resources appear as "<name>_revocable". Keys are in
 * name order, as Mesos' JSON object (a std::map) prints them.
 */
export function legacyResourceObject(resources: Resources): Record<string, number | string> {
  const values = new Map<string, number | string>([['cpus', 0], ['gpus', 0], ['mem', 0], ['disk', 0]]);
  for (const [suffix, part] of [['', resources.nonRevocable()], ['_revocable', resources.revocable()]] as const) {
    for (const [name, value] of summarizeByName(part)) values.set(`${name}${suffix}`, value);
  }
  const object: Record<string, number | string> = {};
  for (const key of [...values.keys()].sort()) object[key] = values.get(key) as number | string;
  return object;
}

/** Per name, the value for the type of the name's last entry (as Mesos' `types()` map picks it). */
function summarizeByName(resources: Resources): Map<string, number | string> {
  const lastType = new Map<string, Resource['type']>();
  for (const { resource } of resources.entries) lastType.set(resource.name, resource.type);
  const result = new Map<string, number | string>();
  for (const [name, type] of lastType) {
    const same = resources.entries.map((e) => e.resource).filter((r) => r.name === name && r.type === type);
    if (type === 'SCALAR') {
      result.set(name, fromFixed(same.reduce((sum, r) => sum + toFixed(r.scalar?.value ?? 0), 0)));
    } else if (type === 'RANGES') {
      result.set(name, formatRanges(same.reduce<Range[]>((sum, r) => addRanges(sum, r.ranges?.range ?? []), [])));
    } else {
      result.set(name, formatSet(same.reduce<string[]>((sum, r) => addSets(sum, r.set?.item ?? []), [])));
    }
  }
  return result;
}
