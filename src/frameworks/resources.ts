/**
 * The resources a reference framework asks for and finds in offers, on the
 * resources module's model (the same containment rules the master applies).
 * Pure. A framework subscribes with RESERVATION_REFINEMENT, so offers come in
 * the canonical format and what it sends goes in that format too.
 */
import type { WireJsonResource, WireOffer } from '../protocol/outputs.js';
import {
  decodeWireResource,
  Resources,
  stripVolume,
  toCanonicalJson,
  toResourceText,
  upgradeResource,
  type Resource,
  type ReservationInfo,
} from '../resources/index.js';

/** Who reserves: a role and, when the framework has one, its principal. */
export interface Reserver {
  readonly role: string;
  readonly principal?: string;
}

export function dynamicReservation(reserver: Reserver): ReservationInfo {
  return {
    type: 'DYNAMIC',
    role: reserver.role,
    ...(reserver.principal === undefined ? {} : { principal: reserver.principal }),
  };
}

export function scalar(name: string, value: number): Resource {
  return { name, type: 'SCALAR', scalar: { value }, reservations: [] };
}

/** `scalars` ({cpus: 0.1, mem: 32}) unreserved. */
export function unreservedScalars(scalars: Readonly<Record<string, number>>): Resources {
  return Resources.of(Object.entries(scalars).map(([name, value]) => scalar(name, value)));
}

export interface VolumeSpec {
  readonly persistenceId: string;
  readonly sizeMegabytes: number;
  readonly reserver: Reserver;
  /** Where tasks see it, relative to their sandbox. */
  readonly containerPath: string;
  /** Several tasks may use it at once (needs the SHARED_RESOURCES capability). */
  readonly shared: boolean;
}

/** A persistent volume on the agent's ROOT disk, on disk reserved by `spec.reserver`. */
export function persistentVolume(spec: VolumeSpec): Resource {
  const principal = spec.reserver.principal;
  return {
    ...scalar('disk', spec.sizeMegabytes),
    reservations: [dynamicReservation(spec.reserver)],
    disk: {
      persistence: { id: spec.persistenceId, ...(principal === undefined ? {} : { principal }) },
      volume: { container_path: spec.containerPath, mode: 'RW' },
    },
    ...(spec.shared ? { shared: {} } : {}),
  };
}

/**
 * The offer's resources as a collection, without their allocation (so that
 * they compare with what the framework builds). A resource that does not
 * decode is left out: the framework then simply does not use it.
 */
export function offeredResources(offer: WireOffer): Resources {
  const resources: Resource[] = [];
  for (const json of offer.resources) {
    const decoded = decodeWireResource(json);
    if (decoded.ok) resources.push(upgradeResource(decoded.value));
  }
  return Resources.of(resources).unallocate();
}

/** The wire form (canonical JSON), for operations and tasks. */
export function toWire(resources: Resources | readonly Resource[]): WireJsonResource[] {
  const list = resources instanceof Resources ? resources.toList() : resources;
  return list.map((resource) => ({ ...toCanonicalJson(resource) }));
}

/** `cpus:0.1;mem:32;disk:8;ports:[31000-31000]`: the amounts, without reservations or volume details, for people. */
export function describeResources(resources: Resources): string {
  return resources
    .toUnreserved()
    .unallocate()
    .toList()
    .map((resource) => (toResourceText(stripVolume(resource)) ?? resource.name).replace('(*)', ''))
    .join(';');
}

/**
 * What is left of an offer as a framework takes from it, one shard or task
 * at a time, so that one ACCEPT never asks for more than the offer holds.
 */
export class OfferPool {
  private left: Resources;

  constructor(offer: WireOffer) {
    this.left = offeredResources(offer);
  }

  holds(wanted: Resources): boolean {
    return this.left.contains(wanted);
  }

  /** Takes `wanted` if the pool holds it; says whether it did. */
  take(wanted: Resources): boolean {
    if (!this.left.contains(wanted)) return false;
    this.left = this.left.minus(wanted);
    return true;
  }
}
