/**
 * Canonical quantities: scalars rounded to fixed point and ranges coalesced, so
 * that stored resources compare, print and fingerprint the same way however
 * they were written. Returns the input itself when it is already canonical.
 */
import { roundScalar } from './fixed.js';
import { coalesceRanges, isCoalesced } from './ranges.js';
import type { Resource } from './types.js';

export function normalizeResource(resource: Resource): Resource {
  if (resource.scalar !== undefined) {
    const value = roundScalar(resource.scalar.value);
    return value === resource.scalar.value ? resource : { ...resource, scalar: { value } };
  }
  if (resource.ranges !== undefined && !isCoalesced(resource.ranges.range)) {
    return { ...resource, ranges: { range: coalesceRanges(resource.ranges.range) } };
  }
  return resource;
}
