/**
 * Method: one UNRESERVE per validation rule of spec 2.2 with its exact text,
 * then the per-resource conversions and the authorization requests.
 */
import { describe, expect, it } from 'vitest';
import { type Resource } from '../../../resources/index.js';
import { dynamicReservation, scalar } from '../../../resources/testing/fixtures.js';
import { validateUnreserve } from './unreserve.js';
import { failure, reservedFor, reservedVolume, validated } from './testing/fixtures.js';

function unreserve(resources: Resource[]) {
  return validateUnreserve({ type: 'UNRESERVE', resources });
}

function message(resources: Resource[]): string {
  const error = failure(unreserve(resources));
  expect(error.stage).toBe('validation');
  return error.message;
}

const cpus = reservedFor(scalar('cpus', 2));

describe('operations: unreserve: rules', () => {
  it('operations: unreserve: invalid resources are refused', () => {
    expect(message([{ ...cpus, revocable: {} }])).toMatch(/^Invalid resources: Invalid ReservationInfo: Dynamically reserved resource /);
  });

  it('operations: unreserve: all resources come from one provider', () => {
    expect(message([cpus, { ...cpus, provider_id: { value: 'rp-1' } }])).toBe(
      'Invalid resources: Some resources have a resource provider and some do not',
    );
  });

  it('operations: unreserve: static reservations and unreserved resources can never be unreserved', () => {
    expect(message([{ ...scalar('cpus', 2, { role: 'eng' }), allocation_info: { role: 'eng' } }])).toBe(
      'Resource cpus(allocated: eng)(reservations: [(STATIC,eng)]):2 is not dynamically reserved',
    );
    expect(message([scalar('cpus', 2)])).toBe('Resource cpus:2 is not dynamically reserved');
  });

  it('operations: unreserve: a volume must be destroyed first', () => {
    expect(message([reservedVolume(64, 'pv-1')])).toBe(
      'A dynamically reserved persistent volume disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:64 ' +
        'cannot be unreserved directly. Please destroy the persistent volume first then unreserve the resource',
    );
  });
});

describe('operations: unreserve: conversion', () => {
  it('operations: unreserve: each resource pops one level on its own', () => {
    const mem = reservedFor(scalar('mem', 512));
    const result = validated(unreserve([cpus, mem]));
    expect(result.conversions.map((c) => [c.consumed.toString(), c.converted.toString()])).toEqual([
      ['cpus(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):2', 'cpus(allocated: eng):2'],
      ['mem(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):512', 'mem(allocated: eng):512'],
    ]);
    expect(result.withheld).toBe(false);
  });

  it('operations: unreserve: a refined reservation goes back to its parent role', () => {
    const refined = reservedFor(reservedFor(scalar('cpus', 2)), 'eng/fe', 'bob');
    const [conversion] = validated(unreserve([refined])).conversions;
    expect(conversion?.converted.toList()).toEqual([
      { ...scalar('cpus', 2), reservations: [dynamicReservation('eng', 'alice')], allocation_info: { role: 'eng/fe' } },
    ]);
  });

  it('operations: unreserve: one request per reserver principal, and one without object for reservations without', () => {
    const anonymous = reservedFor(scalar('mem', 1), 'eng', null);
    const result = validated(unreserve([cpus, anonymous, anonymous]));
    expect(result.authorization).toEqual([
      { action: 'UNRESERVE_RESOURCES', reserverPrincipal: 'alice', resource: cpus },
      { action: 'UNRESERVE_RESOURCES', reserverPrincipal: undefined },
    ]);
  });
});
