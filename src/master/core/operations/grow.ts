/**
 * GROW_VOLUME (spec/storage.md 2.5, experimental): merge reserved disk into a
 * persistent volume. The agent touches no files; only the disk quota changes.
 * The grown volume is withheld from what remains of the ACCEPT.
 */
import { err, ok } from '../../../lib/result.js';
import { assert } from '../../../lib/assert.js';
import {
  addScalars,
  hasResourceProvider,
  isShared,
  Resources,
  resourceToString,
  stripVolume,
  toFixed,
  validateWireResource,
  type Resource,
} from '../../../resources/index.js';
import { resizeRequests } from './authorization.js';
import { firstError, persistentVolumeError, prefixed } from './rules.js';
import type { AgentFacts, GrowVolumeOperation, OperationOutcome } from './types.js';

export function validateGrowVolume(operation: GrowVolumeOperation, agent: AgentFacts): OperationOutcome {
  const { volume, addition } = operation;
  const error = firstError([
    () => prefixed("Invalid resource in the 'GrowVolume.volume' field: ", validateWireResource(volume)),
    () => prefixed("Invalid resource in the 'GrowVolume.addition' field: ", validateWireResource(addition)),
    () => (scalarFixed(addition) <= 0 ? "The size of 'GrowVolume.addition' field must be greater than zero" : undefined),
    () => (hasResourceProvider(volume) ? 'Growing a volume from a resource provider is not supported' : undefined),
    () => prefixed("Invalid persistent volume in the 'GrowVolume.volume' field: ", persistentVolumeError([volume]) ?? sizeError(volume)),
    () => (isShared(volume) ? 'Growing a shared persistent volume is not supported' : undefined),
    // The addition must be the volume's own disk: same name, reservations, allocation, source; never MOUNT.
    () =>
      Resources.of([stripVolume(volume)]).plus(addition).size !== 1
        ? "Incompatible resources in the 'GrowVolume.volume' and 'GrowVolume.addition' fields"
        : undefined,
    () =>
      agent.capabilities.has('RESIZE_VOLUME')
        ? undefined
        : `Volume ${resourceToString(volume)} cannot be grown on an agent without RESIZE_VOLUME capability`,
  ]);
  if (error !== undefined) return err({ stage: 'validation', message: error });
  const grown: Resource = { ...volume, scalar: { value: addScalars(volume.scalar?.value ?? 0, addition.scalar?.value ?? 0) } };
  const consumed = Resources.of([volume, addition]);
  assert(consumed.size === 2, 'grow: a validated volume and its addition are two entries');
  return ok({
    operation,
    conversions: [{ consumed, converted: Resources.of([grown]) }],
    withheld: true,
    authorization: resizeRequests(volume),
  });
}

/** A missing or non-scalar value counts as zero, as a protobuf getter reads it. */
function scalarFixed(resource: Resource): number {
  return toFixed(resource.scalar?.value ?? 0);
}

/**
 * berth's addition: a volume of size zero is an empty resource that no
 * collection holds, so growing it would make a volume out of plain disk
 * without CREATE's checks (unique ID, creator principal). Mesos lets it through.
 */
function sizeError(volume: Resource): string | undefined {
  return volume.type !== 'SCALAR' || scalarFixed(volume) <= 0 ? 'The size of the volume must be greater than zero' : undefined;
}
