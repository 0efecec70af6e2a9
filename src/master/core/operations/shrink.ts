/**
 * SHRINK_VOLUME (spec/storage.md 2.6, experimental): give part of a persistent
 * volume back as reserved disk with the same reservations and source. The
 * agent touches no files; only the disk quota changes. The shrunk volume and
 * the freed disk are withheld from what remains of the ACCEPT.
 */
import { err, ok } from '../../../lib/result.js';
import {
  hasResourceProvider,
  isMountDisk,
  isShared,
  Resources,
  resourceToString,
  roundScalar,
  stripVolume,
  subtractScalars,
  toFixed,
  validateWireResource,
  type Resource,
} from '../../../resources/index.js';
import { resizeRequests } from './authorization.js';
import { firstError, persistentVolumeError, prefixed } from './rules.js';
import type { AgentFacts, OperationOutcome, ShrinkVolumeOperation } from './types.js';

export function validateShrinkVolume(operation: ShrinkVolumeOperation, agent: AgentFacts): OperationOutcome {
  const { volume, subtract } = operation;
  // toFixed maps NaN and infinities below zero, so they fail the first size rule, as in Mesos.
  const subtractFixed = toFixed(subtract);
  const error = firstError([
    () => prefixed("Invalid resource in the 'ShrinkVolume.volume' field: ", validateWireResource(volume)),
    () => (subtractFixed <= 0 ? "Value of 'ShrinkVolume.subtract' must be greater than zero" : undefined),
    () =>
      toFixed(volume.scalar?.value ?? 0) <= subtractFixed
        ? "Value of 'ShrinkVolume.subtract' must be smaller than the size of 'ShrinkVolume.volume'"
        : undefined,
    () => (hasResourceProvider(volume) ? 'Shrinking a volume from a resource provider is not supported' : undefined),
    () => (isMountDisk(volume) ? 'Shrinking a volume on a MOUNT disk is not supported' : undefined),
    () => prefixed("Invalid persistent volume in the 'ShrinkVolume.volume' field: ", persistentVolumeError([volume])),
    () => (isShared(volume) ? 'Shrinking a shared persistent volume is not supported' : undefined),
    () =>
      agent.capabilities.has('RESIZE_VOLUME')
        ? undefined
        : `Volume ${resourceToString(volume)} cannot be shrunk on an agent without RESIZE_VOLUME capability`,
  ]);
  if (error !== undefined) return err({ stage: 'validation', message: error });
  const size = volume.scalar?.value ?? 0;
  const shrunk: Resource = { ...volume, scalar: { value: subtractScalars(size, subtract) } };
  const freed: Resource = { ...stripVolume(volume), scalar: { value: roundScalar(subtract) } };
  return ok({
    operation,
    conversions: [{ consumed: Resources.of([volume]), converted: Resources.of([shrunk, freed]) }],
    withheld: true,
    authorization: resizeRequests(volume),
  });
}
