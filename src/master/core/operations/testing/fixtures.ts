/**
 * Builders for storage operation tests: actors, agent facts and the canonical
 * resources the operations name, so a test reads as the scenario it is about.
 */
import type { AgentCapability, FrameworkCapability } from '../../../../protocol/mesos.js';
import { Resources, type Resource } from '../../../../resources/index.js';
import { dynamicReservation, scalar, volume, type VolumeOptions } from '../../../../resources/testing/fixtures.js';
import type { AgentFacts, OperationActor, OperationError, OperationOutcome, ValidatedOperation } from '../types.js';
import { volumeKey } from '../rules.js';

export const storageAgentCapabilities: readonly AgentCapability[] = [
  'HIERARCHICAL_ROLE',
  'RESERVATION_REFINEMENT',
  'RESIZE_VOLUME',
  'AGENT_OPERATION_FEEDBACK',
];

export interface FrameworkOptions {
  readonly frameworkId?: string;
  readonly principal?: string;
  readonly roles?: readonly string[];
  readonly capabilities?: readonly FrameworkCapability[];
}

/** A framework of role "eng" with every storage capability unless told otherwise. */
export function framework(options: FrameworkOptions = {}): OperationActor {
  return {
    kind: 'framework',
    frameworkId: options.frameworkId ?? 'fw-1',
    ...(options.principal !== undefined && { principal: options.principal }),
    roles: new Set(options.roles ?? ['eng']),
    capabilities: new Set(options.capabilities ?? ['SHARED_RESOURCES', 'RESERVATION_REFINEMENT', 'MULTI_ROLE']),
  };
}

export function operator(principal?: string): OperationActor {
  return { kind: 'operator', ...(principal !== undefined && { principal }) };
}

export interface AgentOptions {
  readonly capabilities?: readonly AgentCapability[];
  readonly checkpointed?: readonly Resource[];
  readonly used?: readonly Resource[];
}

/** An agent whose volumes are among its checkpointed resources (static reservations aside). */
export function agent(options: AgentOptions = {}): AgentFacts {
  const checkpointed = Resources.of(options.checkpointed ?? []);
  return {
    agentId: 'agent-1',
    hostname: 'host-1',
    capabilities: new Set(options.capabilities ?? storageAgentCapabilities),
    checkpointed,
    volumeIds: new Set(checkpointed.persistentVolumes().toDistinctList().map(volumeKey)),
    used: Resources.of(options.used ?? []),
  };
}

/** The validated operation; fails the test with the error text otherwise. */
export function validated(outcome: OperationOutcome): ValidatedOperation {
  if (!outcome.ok) throw new Error(`expected a valid operation, got: ${outcome.error.message}`);
  return outcome.value;
}

export function failure(outcome: OperationOutcome): OperationError {
  if (outcome.ok) throw new Error('expected the operation to be refused');
  return outcome.error;
}

/**
 * A DYNAMIC reservation of `role` (default "eng") by `principal` (default
 * alice, null for none) pushed on `resource`, allocated to `role`: what a
 * framework of that role reserves.
 */
export function reservedFor(resource: Resource, role = 'eng', principal: string | null = 'alice'): Resource {
  const reservation = dynamicReservation(role, principal ?? undefined);
  return { ...resource, reservations: [...resource.reservations, reservation], allocation_info: { role } };
}

/** Plain dynamically reserved disk of "eng" (alice), allocated to "eng". */
export function reservedDisk(size: number, extra: Partial<Resource> = {}): Resource {
  return { ...reservedFor(scalar('disk', size)), ...extra };
}

/** A persistent volume on disk reserved for "eng" by alice, allocated to "eng", created by alice. */
export function reservedVolume(size: number, id: string, options: VolumeOptions = {}): Resource {
  return volume(size, id, {
    reservations: [dynamicReservation('eng', 'alice')],
    allocatedTo: 'eng',
    principal: 'alice',
    ...options,
  });
}
