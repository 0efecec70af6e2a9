/**
 * Applying a validated operation to what remains of the accepted offers
 * (spec/storage.md 2.0.5), or to an agent's available resources on the
 * operator path. Each conversion must find what it consumes ("<remaining>
 * does not contain <consumed>") and pass its post-validation (DESTROY of a
 * shared volume with copies left). GROW_VOLUME and SHRINK_VOLUME take their
 * volume out and hand the result back separately, withheld for the rest of
 * the ACCEPT.
 */
import { assert } from '../../../lib/assert.js';
import { err, ok, type Result } from '../../../lib/result.js';
import { Resources } from '../../../resources/index.js';
import type { OperationError, ValidatedOperation } from './types.js';

export interface AppliedOperation {
  readonly remaining: Resources;
  /**
   * GROW_VOLUME and SHRINK_VOLUME: the converted resources, not in `remaining`.
   * The pipeline returns them to the allocator at the end of the ACCEPT (spec
   * 2.0.6 "resizedResources"). Empty for the other operations.
   */
  readonly resized: Resources;
  /**
   * CREATE and DESTROY change which shared volumes remain: the pipeline resets
   * its count of offered shared copies to `remaining.shared()` (spec 2.0.5).
   */
  readonly sharedChanged: boolean;
}

export function applyToRemaining(remaining: Resources, validated: ValidatedOperation): Result<AppliedOperation, OperationError> {
  const type = validated.operation.type;
  const sharedChanged = type === 'CREATE' || type === 'DESTROY';
  if (!validated.withheld) {
    const applied = remaining.apply(validated.conversions);
    if (!applied.ok) return err({ stage: 'apply', message: applied.error });
    return ok({ remaining: applied.value, resized: Resources.empty(), sharedChanged });
  }
  const [conversion] = validated.conversions;
  assert(conversion !== undefined && validated.conversions.length === 1, `${type}: a resize is one conversion`);
  if (!remaining.contains(conversion.consumed)) {
    return err({
      stage: 'apply',
      message: `Invalid ${type} operation: ${remaining.toString()} does not contain ${conversion.consumed.toString()}`,
    });
  }
  return ok({ remaining: remaining.minus(conversion.consumed), resized: conversion.converted, sharedChanged });
}
