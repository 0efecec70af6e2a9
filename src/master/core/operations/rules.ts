/**
 * Validation rules several storage operations share (Mesos'
 * validation::resource helpers used by validation::operation), with Mesos'
 * texts. Each returns the bare error text or undefined; the operation adds
 * its prefix.
 */
import {
  hasRefinedReservations,
  reservationRole,
  resourceToString,
  validateMasterResources,
  type Resource,
} from '../../../resources/index.js';
import type { AgentFacts } from './types.js';

/** The first error, trying each check in order. */
export function firstError(checks: readonly (() => string | undefined)[]): string | undefined {
  for (const check of checks) {
    const error = check();
    if (error !== undefined) return error;
  }
  return undefined;
}

/** `prefix` + error, or undefined. */
export function prefixed(prefix: string, error: string | undefined): string | undefined {
  return error === undefined ? undefined : `${prefix}${error}`;
}

/**
 * Mesos' `resource::validate` (spec 1.3 plus the master's rules) behind the
 * operation's "Invalid resources: " prefix. The combined check adds its own
 * prefix, so the text reads "Invalid resources: Invalid DiskInfo: ..." as upstream.
 */
export function masterResourcesError(prefix: string, resources: readonly Resource[]): string | undefined {
  return prefixed(prefix, validateMasterResources(resources));
}

/**
 * All resources come from one provider (or none has one). An empty list has no
 * provider at all, which Mesos reports as "multiple resource providers: " with
 * nothing after it; kept, since clients may match it.
 */
export function singleResourceProviderError(resources: readonly Resource[]): string | undefined {
  const providers: (string | undefined)[] = [];
  for (const resource of resources) {
    const provider = resource.provider_id?.value;
    if (!providers.includes(provider)) providers.push(provider);
  }
  if (providers.length === 1) return undefined;
  if (providers.includes(undefined)) return 'Some resources have a resource provider and some do not';
  return `The resources have multiple resource providers: ${providers.join(', ')}`;
}

/** Every entry is a read-write persistent volume (Mesos' validatePersistentVolume). */
export function persistentVolumeError(volumes: readonly Resource[]): string | undefined {
  for (const volume of volumes) {
    if (volume.disk === undefined) return `Resource ${resourceToString(volume)} does not have DiskInfo`;
    if (volume.disk.persistence === undefined) return "'persistence' is not set in DiskInfo";
    if (volume.disk.volume === undefined) return "Expecting 'volume' to be set for persistent volume";
    if (volume.disk.volume.mode === 'RO') return 'Read-only persistent volume not supported';
  }
  return undefined;
}

/** Framework path: every resource carries the offers' allocation role, and only one. */
export function singleAllocationRoleError(resources: readonly Resource[]): string | undefined {
  let first: string | undefined;
  for (const resource of resources) {
    const role = resource.allocation_info?.role;
    if (role === undefined) return 'The resources are not allocated to a role';
    if (first === undefined) first = role;
    else if (role !== first) {
      return `The resources have multiple allocation roles ('${role}' and '${first}') but only one allocation role is allowed`;
    }
  }
  return undefined;
}

/** What makes a volume unique on an agent: its (most refined) role and its persistence id. */
export function volumeKey(volume: Resource): string {
  return `${reservationRole(volume)}\u0000${volume.disk?.persistence?.id ?? ''}`;
}

/**
 * Persistence IDs are unique per role (the most refined one) on an agent
 * (spec 1.5): among the volumes made and against those the agent has (their
 * volumeKeys). Mesos sums the lists into a Resources first, which merges two
 * identical shared volumes into one entry and misses them; berth walks the
 * list, so a duplicate is a duplicate however it is written.
 */
export function uniquePersistenceIdError(existing: ReadonlySet<string>, volumes: Iterable<Resource>): string | undefined {
  const made = new Set<string>();
  for (const volume of volumes) {
    const id = volume.disk?.persistence?.id;
    if (id === undefined) continue;
    const key = volumeKey(volume);
    if (made.has(key) || existing.has(key)) return `Persistence ID '${id}' is not unique`;
    made.add(key);
  }
  return undefined;
}

/**
 * Agents that predate hierarchical roles or refinement cannot hold such
 * reservations. `what` is "Resource" (RESERVE) or "Volume" (CREATE), `done`
 * the verb's participle ("reserved", "created").
 */
export function agentReservationCapabilityError(
  resource: Resource,
  agent: AgentFacts,
  what: 'Resource' | 'Volume',
  done: 'reserved' | 'created',
): string | undefined {
  const role = reservationRole(resource);
  if (!agent.capabilities.has('HIERARCHICAL_ROLE') && role.includes('/')) {
    return (
      `${what} ${resourceToString(resource)} with reservation for hierarchical role '${role}' ` +
      `cannot be ${done} on an agent without HIERARCHICAL_ROLE capability`
    );
  }
  if (!agent.capabilities.has('RESERVATION_REFINEMENT') && hasRefinedReservations(resource)) {
    return (
      `${what} ${resourceToString(resource)} with reservation refinement cannot be ${done} on ` +
      'an agent without RESERVATION_REFINEMENT capability'
    );
  }
  return undefined;
}

/** A set of roles as stout prints a hashset, sorted so the text is stable: "{ eng, ops }". */
export function rolesText(roles: ReadonlySet<string>): string {
  return `{ ${[...roles].sort().join(', ')} }`;
}

/**
 * A volume appears at `<sandbox>/<container_path>`: one relative path
 * component. Mesos lets any path through and its agent skips the volume with
 * a warning, so the task runs without it (spec/storage.md 3.4, 8); berth
 * refuses it, at CREATE and at LAUNCH. Undefined when the volume's path is fine.
 */
export function containerPathError(volume: Resource): string | undefined {
  const path = volume.disk?.volume?.container_path ?? '';
  if (path !== '' && path !== '.' && path !== '..' && !path.includes('/') && !path.includes('\u0000')) return undefined;
  return (
    `'disk.volume.container_path' of persistent volume '${volume.disk?.persistence?.id ?? ''}' ` +
    `must be one relative path component (not empty, no '/', not '.' or '..'): '${path}'`
  );
}
