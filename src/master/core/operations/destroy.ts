/**
 * DESTROY (spec/storage.md 2.4): turn persistent volumes back into reserved
 * disk; the agent deletes their data. Volumes are matched by identity (spec
 * 1.7), so `container_path`, `mode` and the creator principal a request gives
 * do not have to match the stored volume. The volumes are checked unallocated,
 * against the agent's checkpoint and what its tasks use; the conversion takes
 * them as given (allocated on the framework path) from what remains.
 */
import { err, ok } from '../../../lib/result.js';
import {
  hasResourceProvider,
  Resources,
  resourceToString,
  stripVolume,
  unallocateResource,
  type Resource,
  type ResourceConversion,
} from '../../../resources/index.js';
import { destroyRequests } from './authorization.js';
import { firstError, masterResourcesError, persistentVolumeError, prefixed, singleResourceProviderError } from './rules.js';
import type { AgentFacts, DestroyOperation, OperationOutcome } from './types.js';

export function validateDestroy(operation: DestroyOperation, agent: AgentFacts): OperationOutcome {
  const volumes = operation.volumes.map(unallocateResource);
  const error = firstError([
    () => masterResourcesError('Invalid resources: ', volumes),
    () => prefixed('Invalid resources: ', singleResourceProviderError(volumes)),
    () => prefixed('Not a persistent volume: ', persistentVolumeError(volumes)),
    () => notFoundError(volumes, agent.checkpointed),
    // Mainly for shared volumes: a non-shared volume in use is never offered.
    () => (volumes.some((volume) => agent.used.contains(volume)) ? 'Persistent volumes in use' : undefined),
  ]);
  if (error !== undefined) return err({ stage: 'validation', message: error });
  return ok({
    operation,
    conversions: operation.volumes.map(destroyConversion),
    withheld: false,
    authorization: destroyRequests(operation.volumes, agent.checkpointed),
  });
}

/** Volumes of resource providers are not in the agent's checkpoint; every other one must be. */
function notFoundError(volumes: readonly Resource[], checkpointed: Resources): string | undefined {
  const missing = volumes.some((volume) => !hasResourceProvider(volume) && !checkpointed.contains(volume));
  return missing ? 'Persistent volumes not found' : undefined;
}

/**
 * The disk stays reserved as it was. If what remains still holds the volume,
 * other copies of a shared volume were offered too (from several offers), and
 * destroying it under them is refused.
 */
function destroyConversion(volume: Resource): ResourceConversion {
  const consumed = Resources.of([volume]);
  return {
    consumed,
    converted: Resources.of([stripVolume(volume)]),
    postValidation: (result) =>
      result.contains(consumed)
        ? `Persistent volume ${resourceToString(volume)} cannot be removed due to additional shared copies`
        : undefined,
  };
}
