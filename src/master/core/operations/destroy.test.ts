/**
 * Method: one DESTROY per validation rule of spec 2.4 with its exact text; the
 * identity rules of 1.7 (container path, mode value and principal do not
 * take part); the conversion; and berth's authorization against the stored
 * creator principal (spec 8 item 8).
 */
import { describe, expect, it } from 'vitest';
import { unallocateResource, type Resource } from '../../../resources/index.js';
import { dynamicReservation, mountSource } from '../../../resources/testing/fixtures.js';
import { validateDestroy } from './destroy.js';
import { agent, failure, reservedDisk, reservedVolume, validated } from './testing/fixtures.js';
import type { AgentFacts } from './types.js';

const pv = reservedVolume(64, 'pv-1');
const stored = unallocateResource(pv);

function destroy(volumes: Resource[], facts: AgentFacts = agent({ checkpointed: [stored] })) {
  return validateDestroy({ type: 'DESTROY', volumes }, facts);
}

function message(volumes: Resource[], facts: AgentFacts = agent({ checkpointed: [stored] })): string {
  const error = failure(destroy(volumes, facts));
  expect(error.stage).toBe('validation');
  return error.message;
}

describe('operations: destroy: rules', () => {
  it('operations: destroy: invalid volumes are refused, checked unallocated', () => {
    const star = { ...pv, reservations: [dynamicReservation('*')] };
    expect(message([star])).toBe(
      "Invalid resources: Invalid resources: Resource 'disk(reservations: [(DYNAMIC,*)])[pv-1:data]:64' is invalid: " +
        'Invalid reservation: role "*" cannot be reserved',
    );
  });

  it('operations: destroy: an invalid persistence ID is refused', () => {
    expect(message([reservedVolume(64, '..')])).toBe(
      "Invalid resources: Invalid DiskInfo: Invalid persistence ID for persistent volume: '..' is disallowed",
    );
  });

  it('operations: destroy: all volumes come from one provider', () => {
    expect(message([pv, { ...pv, provider_id: { value: 'rp-1' } }])).toBe('Invalid resources: Some resources have a resource provider and some do not');
  });

  it('operations: destroy: only read-write persistent volumes', () => {
    expect(message([reservedDisk(64)])).toBe('Not a persistent volume: Resource disk(reservations: [(DYNAMIC,eng,alice)]):64 does not have DiskInfo');
    const readOnly = { ...pv, disk: { ...pv.disk, volume: { container_path: 'data', mode: 'RO' as const } } };
    expect(message([readOnly])).toBe('Not a persistent volume: Read-only persistent volume not supported');
  });

  it('operations: destroy: the volume must be on the agent', () => {
    expect(message([reservedVolume(64, 'pv-2')])).toBe('Persistent volumes not found');
    expect(message([reservedVolume(32, 'pv-1')])).toBe('Persistent volumes not found');
    expect(message([pv], agent())).toBe('Persistent volumes not found');
  });

  it('operations: destroy: a volume of a resource provider is not looked up in the agent checkpoint', () => {
    expect(destroy([{ ...pv, provider_id: { value: 'rp-1' } }], agent()).ok).toBe(true);
  });

  it('operations: destroy: a volume in use by a task is refused', () => {
    const shared = reservedVolume(64, 'pv-1', { shared: true });
    const facts = agent({ checkpointed: [unallocateResource(shared)], used: [unallocateResource(shared)] });
    expect(message([shared], facts)).toBe('Persistent volumes in use');
  });

  it('operations: destroy: container path, mode and principal of the request do not take part in matching', () => {
    const renamed = reservedVolume(64, 'pv-1', { containerPath: 'elsewhere', principal: 'mallory' });
    expect(destroy([renamed]).ok).toBe(true);
  });
});

describe('operations: destroy: conversion and authorization', () => {
  it('operations: destroy: the volume goes back to the disk it was, still reserved', () => {
    const onMount = reservedVolume(1024, 'pv-2', { source: mountSource('/mnt/ssd0') });
    const facts = agent({ checkpointed: [stored, unallocateResource(onMount)] });
    const result = validated(destroy([pv, onMount], facts));
    expect(result.conversions.map((c) => [c.consumed.toString(), c.converted.toString()])).toEqual([
      ['disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:64', 'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64'],
      [
        'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[MOUNT:/mnt/ssd0,pv-2:data]:1024',
        'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[MOUNT:/mnt/ssd0]:1024',
      ],
    ]);
    expect(result.conversions.every((c) => c.postValidation !== undefined)).toBe(true);
  });

  it('operations: destroy: authorization names the stored creator principal, not the claimed one', () => {
    const claimed = reservedVolume(64, 'pv-1', { principal: 'mallory' });
    expect(validated(destroy([claimed])).authorization).toEqual([{ action: 'DESTROY_VOLUME', creatorPrincipal: 'alice', volume: claimed }]);
  });

  it('operations: destroy: a volume stored without creator has none, whatever the request claims', () => {
    const bare = { ...pv, disk: { ...pv.disk, persistence: { id: 'pv-1' } } };
    const facts = agent({ checkpointed: [unallocateResource(bare)] });
    const claimed = reservedVolume(64, 'pv-1', { principal: 'alice' });
    expect(validated(destroy([claimed], facts)).authorization).toEqual([{ action: 'DESTROY_VOLUME', creatorPrincipal: undefined, volume: claimed }]);
  });

  it('operations: destroy: a resource provider volume has no known creator', () => {
    const provided = { ...pv, provider_id: { value: 'rp-1' } };
    expect(validated(destroy([provided], agent())).authorization).toEqual([{ action: 'DESTROY_VOLUME', creatorPrincipal: undefined, volume: provided }]);
  });
});
