/**
 * CREATE (spec/storage.md 2.3): turn reserved disk into persistent volumes.
 * Each volume consumes the disk it is carved from: the same resource without
 * `disk.persistence`, `disk.volume` and `shared` (stripVolume). ROOT and PATH
 * disks can be carved into several volumes; a MOUNT disk is taken whole, since
 * an exclusive disk can only be subtracted whole (spec 1.7).
 */
import { err, ok } from '../../../lib/result.js';
import { isShared, Resources, resourceToString, stripVolume, type Resource } from '../../../resources/index.js';
import { createRequests } from './authorization.js';
import {
  agentReservationCapabilityError,
  containerPathError,
  firstError,
  masterResourcesError,
  persistentVolumeError,
  prefixed,
  singleAllocationRoleError,
  singleResourceProviderError,
  uniquePersistenceIdError,
} from './rules.js';
import type { AgentFacts, CreateOperation, OperationActor, OperationOutcome } from './types.js';

export function validateCreate(operation: CreateOperation, actor: OperationActor, agent: AgentFacts): OperationOutcome {
  const { volumes } = operation;
  const error = firstError([
    // Includes the DiskInfo rules: reserved, not revocable, a volume without host path, a valid persistence ID.
    () => masterResourcesError('Invalid resources: ', volumes),
    () => prefixed('Invalid resources: ', singleResourceProviderError(volumes)),
    () => prefixed('Not a persistent volume: ', persistentVolumeError(volumes)),
    () => uniquePersistenceIdError(agent.volumeIds, volumes),
    () => firstError(volumes.map((volume) => () => volumeError(volume, actor, agent))),
    () => (actor.kind === 'framework' ? prefixed('Invalid volume resources: ', singleAllocationRoleError(volumes)) : undefined),
  ]);
  if (error !== undefined) return err({ stage: 'validation', message: error });
  return ok({
    operation,
    conversions: volumes.map((volume) => ({ consumed: Resources.of([stripVolume(volume)]), converted: Resources.of([volume]) })),
    withheld: false,
    authorization: createRequests(volumes),
  });
}

/** Rules 5-7 for one volume, in Mesos' order, then berth's container path rule. */
function volumeError(volume: Resource, actor: OperationActor, agent: AgentFacts): string | undefined {
  if (actor.kind === 'framework' && isShared(volume) && !actor.capabilities.has('SHARED_RESOURCES')) {
    return (
      `Create volume operation for '${resourceToString(volume)}' has been attempted by framework ` +
      `'${actor.frameworkId}' with no SHARED_RESOURCES capability`
    );
  }
  return agentReservationCapabilityError(volume, agent, 'Volume', 'created') ?? principalError(volume, actor.principal) ?? containerPathError(volume);
}

/**
 * Rule 7: an actor with a principal creates volumes in its own name. The
 * stored principal is the creator principal that DESTROY is authorized against.
 */
function principalError(volume: Resource, principal: string | undefined): string | undefined {
  if (principal === undefined) return undefined;
  const creator = volume.disk?.persistence?.principal;
  if (creator === undefined) {
    return (
      `Create volume operation attempted by principal '${principal}', but there is a volume in the ` +
      "operation with no principal set in 'disk.persistence'"
    );
  }
  if (creator === principal) return undefined;
  return (
    `Create volume operation attempted by authenticated principal '${principal}', which does not match ` +
    `a volume in the operation with principal '${creator}' set in 'disk.persistence'`
  );
}
