/**
 * The v1 operator calls the storage commands send (spec/storage.md 5.2), built
 * from what people type. Resources go out canonical (a reservation stack, no
 * legacy `role`); the master validates everything again, so these builders
 * only shape the request. Pure.
 */
import {
  toCanonicalJson,
  type DiskSource,
  type ReservationInfo,
  type Resource,
  type VolumeMode,
} from '../../resources/index.js';

type Call = Record<string, unknown>;

function call(type: string, payload: Record<string, unknown>): Call {
  return { type, [type.toLowerCase()]: payload };
}

function agentId(value: string): { value: string } {
  return { value };
}

export interface VolumeSpec {
  readonly id: string;
  readonly sizeMb: number;
  /** The stack of the reserved disk the volume is carved from (role, principal, labels). */
  readonly reservations: readonly ReservationInfo[];
  /** The creator principal, stored with the volume; DESTROY is authorized against it. */
  readonly principal: string | undefined;
  readonly containerPath: string;
  readonly mode: VolumeMode;
  readonly shared: boolean;
  readonly source: DiskSource | undefined;
}

export function newVolume(spec: VolumeSpec): Resource {
  return {
    name: 'disk',
    type: 'SCALAR',
    scalar: { value: spec.sizeMb },
    reservations: spec.reservations,
    disk: {
      persistence: { id: spec.id, ...(spec.principal !== undefined && { principal: spec.principal }) },
      volume: { container_path: spec.containerPath, mode: spec.mode },
      ...(spec.source !== undefined && { source: spec.source }),
    },
    ...(spec.shared && { shared: {} }),
  };
}

/** Plain disk with the volume's reservations and source: what GROW_VOLUME adds (spec 2.5). */
export function growAddition(volume: Resource, byMb: number): Resource {
  const source = volume.disk?.source;
  return {
    name: 'disk',
    type: 'SCALAR',
    scalar: { value: byMb },
    reservations: volume.reservations,
    ...(source !== undefined && { disk: { source } }),
  };
}

/** `resources` with a dynamic reservation for `role` pushed on top; disks without a source get `source`. */
export function toReserve(resources: readonly Resource[], role: string, principal: string | undefined, source: DiskSource | undefined): Resource[] {
  const reservation: ReservationInfo = { type: 'DYNAMIC', role, ...(principal !== undefined && { principal }) };
  return resources.map((resource) => ({
    ...withSource(resource, source),
    reservations: [...resource.reservations, reservation],
  }));
}

/** `resource` reserved with exactly `stack` (found on the agent), on `source`. */
export function toUnreserve(resource: Resource, stack: readonly ReservationInfo[], source: DiskSource | undefined): Resource {
  return { ...withSource(resource, source), reservations: stack };
}

function withSource(resource: Resource, source: DiskSource | undefined): Resource {
  if (resource.name !== 'disk' || source === undefined || resource.disk?.source !== undefined) return resource;
  return { ...resource, disk: { ...resource.disk, source } };
}

const wire = (resources: readonly Resource[]): unknown[] => resources.map(toCanonicalJson);

export function reserveCall(agent: string, resources: readonly Resource[]): Call {
  return call('RESERVE_RESOURCES', { agent_id: agentId(agent), resources: wire(resources) });
}

export function unreserveCall(agent: string, resources: readonly Resource[]): Call {
  return call('UNRESERVE_RESOURCES', { agent_id: agentId(agent), resources: wire(resources) });
}

export function createVolumesCall(agent: string, volumes: readonly Resource[]): Call {
  return call('CREATE_VOLUMES', { agent_id: agentId(agent), volumes: wire(volumes) });
}

export function destroyVolumesCall(agent: string, volumes: readonly Resource[]): Call {
  return call('DESTROY_VOLUMES', { agent_id: agentId(agent), volumes: wire(volumes) });
}

export function growVolumeCall(agent: string, volume: Resource, byMb: number): Call {
  return call('GROW_VOLUME', { agent_id: agentId(agent), volume: toCanonicalJson(volume), addition: toCanonicalJson(growAddition(volume, byMb)) });
}

export function shrinkVolumeCall(agent: string, volume: Resource, byMb: number): Call {
  return call('SHRINK_VOLUME', { agent_id: agentId(agent), volume: toCanonicalJson(volume), subtract: { value: byMb } });
}

export const getAgentsCall: Call = { type: 'GET_AGENTS' };
