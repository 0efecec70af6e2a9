/**
 * Method: one GROW_VOLUME and one SHRINK_VOLUME per validation rule of spec
 * 2.5 and 2.6 with its exact text (the ResizeValidation cases of spec 7.43
 * among them), then the conversions, which are withheld from what remains.
 */
import { describe, expect, it } from 'vitest';
import { Resources, type Resource } from '../../../resources/index.js';
import { mountSource, pathSource, ranges, scalar } from '../../../resources/testing/fixtures.js';
import { validateGrowVolume } from './grow.js';
import { validateShrinkVolume } from './shrink.js';
import { agent, failure, reservedDisk, reservedFor, reservedVolume, validated } from './testing/fixtures.js';
import type { AgentFacts } from './types.js';

const pv = reservedVolume(64, 'pv-1');
const pvText = 'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:64';
const noResize = agent({ capabilities: ['HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'] });

function grow(volume: Resource, addition: Resource, facts: AgentFacts = agent()) {
  return validateGrowVolume({ type: 'GROW_VOLUME', volume, addition }, facts);
}

function growError(volume: Resource, addition: Resource, facts: AgentFacts = agent()): string {
  const error = failure(grow(volume, addition, facts));
  expect(error.stage).toBe('validation');
  return error.message;
}

function shrink(volume: Resource, subtract: number, facts: AgentFacts = agent()) {
  return validateShrinkVolume({ type: 'SHRINK_VOLUME', volume, subtract }, facts);
}

function shrinkError(volume: Resource, subtract: number, facts: AgentFacts = agent()): string {
  const error = failure(shrink(volume, subtract, facts));
  expect(error.stage).toBe('validation');
  return error.message;
}

const negative = (resource: Resource): Resource => ({ ...resource, scalar: { value: -1 } });
const readOnly = (volume: Resource): Resource => ({ ...volume, disk: { ...volume.disk, volume: { container_path: 'data', mode: 'RO' } } });

describe('operations: grow volume: rules', () => {
  it('operations: grow volume: both resources must be valid', () => {
    expect(growError(negative(pv), reservedDisk(64))).toBe("Invalid resource in the 'GrowVolume.volume' field: Invalid scalar resource: value <= 0");
    expect(growError(pv, negative(reservedDisk(64)))).toBe("Invalid resource in the 'GrowVolume.addition' field: Invalid scalar resource: value <= 0");
  });

  it('operations: grow volume: the addition must be more than zero', () => {
    expect(growError(pv, reservedDisk(0))).toBe("The size of 'GrowVolume.addition' field must be greater than zero");
    // A value that rounds to zero is not a valid scalar at all; a non-scalar has no size.
    expect(growError(pv, reservedDisk(0.0004))).toBe("Invalid resource in the 'GrowVolume.addition' field: Invalid scalar resource: value <= 0");
    expect(growError(pv, reservedFor(ranges('ports', [{ begin: 1, end: 2 }])))).toBe(
      "The size of 'GrowVolume.addition' field must be greater than zero",
    );
  });

  it('operations: grow volume: not a volume of a resource provider', () => {
    expect(growError({ ...pv, provider_id: { value: 'rp-1' } }, reservedDisk(64))).toBe('Growing a volume from a resource provider is not supported');
  });

  it('operations: grow volume: the volume must be a read-write persistent volume of positive size', () => {
    expect(growError(reservedDisk(64), reservedDisk(64))).toBe(
      "Invalid persistent volume in the 'GrowVolume.volume' field: Resource disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64 does not have DiskInfo",
    );
    expect(growError(readOnly(pv), reservedDisk(64))).toBe("Invalid persistent volume in the 'GrowVolume.volume' field: Read-only persistent volume not supported");
    expect(growError(reservedVolume(0, 'pv-1'), reservedDisk(64))).toBe(
      "Invalid persistent volume in the 'GrowVolume.volume' field: The size of the volume must be greater than zero",
    );
  });

  it('operations: grow volume: shared volumes cannot grow', () => {
    expect(growError(reservedVolume(64, 'pv-1', { shared: true }), reservedDisk(64))).toBe('Growing a shared persistent volume is not supported');
  });

  it.each([
    ['a MOUNT volume', reservedVolume(64, 'pv-1', { source: mountSource('/mnt/ssd0') }), reservedDisk(64, { disk: { source: mountSource('/mnt/ssd0') } })],
    ['a PATH volume with ROOT disk', reservedVolume(64, 'pv-1', { source: pathSource('/mnt/a') }), reservedDisk(64)],
    ['disk of another reservation', pv, reservedFor(scalar('disk', 64), 'eng', 'bob')],
    ['disk of another allocation', pv, { ...reservedDisk(64), allocation_info: { role: 'ops' } }],
    ['another resource', pv, reservedFor(scalar('mem', 64))],
  ])('operations: grow volume: %s is incompatible', (_what, volume, addition) => {
    expect(growError(volume, addition)).toBe("Incompatible resources in the 'GrowVolume.volume' and 'GrowVolume.addition' fields");
  });

  it('operations: grow volume: the agent needs the capability RESIZE_VOLUME', () => {
    expect(growError(pv, reservedDisk(64), noResize)).toBe(`Volume ${pvText} cannot be grown on an agent without RESIZE_VOLUME capability`);
  });
});

describe('operations: grow volume: conversion', () => {
  it('operations: grow volume: the volume and the addition become one larger volume, withheld', () => {
    const onPath = reservedVolume(64, 'pv-1', { source: pathSource('/mnt/a') });
    const addition = reservedDisk(0.1, { disk: { source: pathSource('/mnt/a') } });
    const result = validated(grow(onPath, addition));
    expect(result.withheld).toBe(true);
    expect(result.conversions).toHaveLength(1);
    const [conversion] = result.conversions;
    expect(conversion?.consumed.equals(Resources.of([onPath, addition]))).toBe(true);
    expect(conversion?.converted.toString()).toBe('disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[PATH:/mnt/a,pv-1:data]:64.1');
    expect(result.authorization).toEqual([{ action: 'RESIZE_VOLUME', role: 'eng', volume: onPath }]);
  });
});

describe('operations: shrink volume: rules', () => {
  it('operations: shrink volume: the volume must be valid', () => {
    expect(shrinkError(negative(pv), 1)).toBe("Invalid resource in the 'ShrinkVolume.volume' field: Invalid scalar resource: value <= 0");
  });

  it.each([0, -1, 0.0004, Number.NaN, Number.POSITIVE_INFINITY])('operations: shrink volume: subtracting %d is refused', (subtract) => {
    expect(shrinkError(pv, subtract)).toBe("Value of 'ShrinkVolume.subtract' must be greater than zero");
  });

  it('operations: shrink volume: something must be left', () => {
    expect(shrinkError(pv, 64)).toBe("Value of 'ShrinkVolume.subtract' must be smaller than the size of 'ShrinkVolume.volume'");
    expect(shrinkError(pv, 100)).toBe("Value of 'ShrinkVolume.subtract' must be smaller than the size of 'ShrinkVolume.volume'");
    expect(shrink(pv, 63.999).ok).toBe(true);
  });

  it('operations: shrink volume: not a volume of a resource provider', () => {
    expect(shrinkError({ ...pv, provider_id: { value: 'rp-1' } }, 1)).toBe('Shrinking a volume from a resource provider is not supported');
  });

  it('operations: shrink volume: not on a MOUNT disk', () => {
    expect(shrinkError(reservedVolume(64, 'pv-1', { source: mountSource('/mnt/ssd0') }), 1)).toBe('Shrinking a volume on a MOUNT disk is not supported');
  });

  it('operations: shrink volume: the volume must be a read-write persistent volume', () => {
    expect(shrinkError(reservedDisk(64), 1)).toBe(
      "Invalid persistent volume in the 'ShrinkVolume.volume' field: Resource disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64 does not have DiskInfo",
    );
    expect(shrinkError(readOnly(pv), 1)).toBe("Invalid persistent volume in the 'ShrinkVolume.volume' field: Read-only persistent volume not supported");
  });

  it('operations: shrink volume: shared volumes cannot shrink', () => {
    expect(shrinkError(reservedVolume(64, 'pv-1', { shared: true }), 1)).toBe('Shrinking a shared persistent volume is not supported');
  });

  it('operations: shrink volume: the agent needs the capability RESIZE_VOLUME', () => {
    expect(shrinkError(pv, 1, noResize)).toBe(`Volume ${pvText} cannot be shrunk on an agent without RESIZE_VOLUME capability`);
  });
});

describe('operations: shrink volume: conversion', () => {
  it('operations: shrink volume: the volume gives back reserved disk of its own source, withheld', () => {
    const onPath = reservedVolume(0.3, 'pv-1', { source: pathSource('/mnt/a') });
    const result = validated(shrink(onPath, 0.1));
    expect(result.withheld).toBe(true);
    const [conversion] = result.conversions;
    expect(conversion?.consumed.toString()).toBe('disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[PATH:/mnt/a,pv-1:data]:0.3');
    expect(conversion?.converted.toString()).toBe(
      'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[PATH:/mnt/a,pv-1:data]:0.2; ' +
        'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[PATH:/mnt/a]:0.1',
    );
    expect(result.authorization).toEqual([{ action: 'RESIZE_VOLUME', role: 'eng', volume: onPath }]);
  });
});
