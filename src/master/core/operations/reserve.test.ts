/**
 * Method: one RESERVE per validation rule of spec 2.1 (Mesos'
 * validation::operation::validate(Reserve)), framework and operator paths,
 * each checked against the exact text; then what a valid RESERVE converts and
 * asks the authorizer.
 */
import { describe, expect, it } from 'vitest';
import { Resources, type Resource } from '../../../resources/index.js';
import { disk, dynamicReservation, ranges, scalar, staticReservation } from '../../../resources/testing/fixtures.js';
import { validateReserve } from './reserve.js';
import { agent, failure, framework, operator, reservedFor, validated } from './testing/fixtures.js';
import type { OperationActor } from './types.js';

const cpus = reservedFor(scalar('cpus', 2));
const cpusText = 'cpus(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):2';

function reserve(resources: Resource[], actor: OperationActor = framework(), source: Resource[] = [], facts = agent()) {
  return validateReserve({ type: 'RESERVE', resources, source }, actor, facts);
}

function message(resources: Resource[], actor: OperationActor = framework(), source: Resource[] = [], facts = agent()): string {
  const error = failure(reserve(resources, actor, source, facts));
  expect(error.stage).toBe('validation');
  return error.message;
}

const unallocated = (resource: Resource): Resource => {
  const { allocation_info: _allocation, ...rest } = resource;
  return rest;
};

describe('operations: reserve: resource rules', () => {
  it('operations: reserve: an invalid resource is refused with the doubled upstream prefix', () => {
    const star = { ...scalar('cpus', 1), reservations: [dynamicReservation('*')] };
    expect(message([star])).toBe(
      "Invalid resources: Invalid resources: Resource 'cpus(reservations: [(DYNAMIC,*)]):1' is invalid: " +
        'Invalid reservation: role "*" cannot be reserved',
    );
  });

  it('operations: reserve: a disk with a non-persistent volume is refused (DiskInfo rules)', () => {
    const withVolume = { ...reservedFor(disk(64)), disk: { volume: { container_path: 'data', mode: 'RW' as const } } };
    expect(message([withVolume])).toBe('Invalid resources: Invalid DiskInfo: Non-persistent volume not supported');
  });

  it('operations: reserve: revocable resources cannot be dynamically reserved', () => {
    expect(message([{ ...cpus, revocable: {} }])).toBe(
      'Invalid resources: Invalid ReservationInfo: Dynamically reserved resource ' +
        'cpus(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]){REV}:2 cannot be created from revocable resources',
    );
  });

  it('operations: reserve: all resources come from one provider', () => {
    const provided = (id: string): Resource => ({ ...cpus, provider_id: { value: id } });
    expect(message([cpus, provided('rp-1')])).toBe('Invalid resources: Some resources have a resource provider and some do not');
    expect(message([provided('rp-1'), provided('rp-2')])).toBe('Invalid resources: The resources have multiple resource providers: rp-1, rp-2');
    expect(message([])).toBe('Invalid resources: The resources have multiple resource providers: ');
  });

  it('operations: reserve: only dynamic reservations can be made', () => {
    expect(message([{ ...scalar('cpus', 2), allocation_info: { role: 'eng' } }])).toBe(
      'Resource cpus(allocated: eng):2 is not dynamically reserved',
    );
    expect(message([{ ...scalar('cpus', 2, { role: 'eng' }), allocation_info: { role: 'eng' } }])).toBe(
      'Resource cpus(allocated: eng)(reservations: [(STATIC,eng)]):2 is not dynamically reserved',
    );
  });

  it('operations: reserve: a hierarchical role needs the agent capability HIERARCHICAL_ROLE', () => {
    const nested = reservedFor(scalar('cpus', 2), 'eng/fe');
    const facts = agent({ capabilities: ['RESERVATION_REFINEMENT'] });
    expect(message([nested], framework({ principal: 'alice', roles: ['eng/fe'] }), [], facts)).toBe(
      "Resource cpus(allocated: eng/fe)(reservations: [(DYNAMIC,eng/fe,alice)]):2 with reservation for hierarchical role 'eng/fe' " +
        'cannot be reserved on an agent without HIERARCHICAL_ROLE capability',
    );
  });

  it('operations: reserve: a refinement needs the agent capability RESERVATION_REFINEMENT', () => {
    const refined = reservedFor({ ...scalar('cpus', 2), reservations: [staticReservation('eng')] }, 'eng/fe');
    const facts = agent({ capabilities: ['HIERARCHICAL_ROLE'] });
    expect(message([refined], framework({ roles: ['eng/fe'] }), [], facts)).toBe(
      'Resource cpus(allocated: eng/fe)(reservations: [(STATIC,eng),(DYNAMIC,eng/fe,alice)]):2 with reservation refinement ' +
        'cannot be reserved on an agent without RESERVATION_REFINEMENT capability',
    );
  });

  it('operations: reserve: an actor with a principal must name it in the reservation', () => {
    const anonymous = reservedFor(scalar('cpus', 2), 'eng', null);
    expect(message([anonymous], framework({ principal: 'alice' }))).toBe(
      "A reserve operation was attempted by principal 'alice', but there is a reserved resource in the request with no principal set",
    );
    expect(message([cpus], framework({ principal: 'bob' }))).toBe(
      "A reserve operation was attempted by authenticated principal 'bob', which does not match a reserved resource " +
        "in the request with principal 'alice'",
    );
    expect(message([unallocated(cpus)], operator('bob'))).toMatch(/^A reserve operation was attempted by authenticated principal 'bob'/);
  });

  it('operations: reserve: an actor without a principal may name anyone, or no one', () => {
    expect(reserve([cpus]).ok).toBe(true);
    expect(reserve([reservedFor(scalar('cpus', 2), 'eng', null)]).ok).toBe(true);
    expect(reserve([unallocated(cpus)], operator()).ok).toBe(true);
  });

  it('operations: reserve: a framework reserves only allocated resources', () => {
    expect(message([unallocated(cpus)])).toBe(
      `A reserve operation was attempted on unallocated resource cpus(reservations: [(DYNAMIC,eng,alice)]):2, ` +
        'but frameworks can only perform reservations on allocated resources',
    );
  });

  it('operations: reserve: a framework reserves for the role the resource was allocated to', () => {
    expect(message([{ ...cpus, allocation_info: { role: 'ops' } }], framework({ roles: ['eng', 'ops'] }))).toBe(
      "A reserve operation was attempted for a resource with role 'eng', but the resource was allocated to role 'ops'",
    );
  });

  it('operations: reserve: a framework reserves only for its own roles', () => {
    expect(message([cpus], framework({ roles: ['web', 'db'] }))).toBe(
      "A reserve operation was attempted for a resource allocated to role 'eng', but the framework only has roles '{ db, web }'",
    );
  });

  it('operations: reserve: a framework reserves resources of one allocation role', () => {
    const ops = reservedFor(scalar('mem', 64), 'ops');
    expect(message([cpus, ops], framework({ roles: ['eng', 'ops'] }))).toBe(
      "Invalid reservation resources: The resources have multiple allocation roles ('ops' and 'eng') but only one allocation role is allowed",
    );
  });

  it('operations: reserve: an operator reserves only unallocated resources', () => {
    expect(message([cpus], operator())).toBe(
      'A reserve operation was attempted with an allocated resource, but the operator API only allows reservations ' +
        'to be made to unallocated resources',
    );
  });

  it('operations: reserve: rules run per resource, so the first resource decides', () => {
    const staticCpus = { ...scalar('cpus', 2, { role: 'eng' }), allocation_info: { role: 'eng' } };
    expect(message([unallocated(cpus), staticCpus])).toMatch(/^A reserve operation was attempted on unallocated resource/);
    expect(message([staticCpus, unallocated(cpus)])).toMatch(/is not dynamically reserved$/);
  });
});

describe('operations: reserve: overlaps (berth)', () => {
  it('operations: reserve: the same port reserved twice under different reservations is refused', () => {
    const port = (principal: string): Resource => reservedFor(ranges('ports', [{ begin: 31000, end: 31000 }]), 'eng', principal);
    expect(message([port('alice'), port('bob')])).toBe(
      'Invalid resources: There are overlapping resources in ports(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):[31000-31000]; ' +
        'ports(allocated: eng)(reservations: [(DYNAMIC,eng,bob)]):[31000-31000]',
    );
  });

  it('operations: reserve: the same port twice under one reservation is one port, as upstream', () => {
    const port = reservedFor(ranges('ports', [{ begin: 31000, end: 31000 }]));
    expect(reserve([port, port]).ok).toBe(true);
  });
});

describe('operations: reserve: reservation updates (operator source)', () => {
  const source = [{ ...scalar('cpus', 2), reservations: [dynamicReservation('a', 'ops')] }];
  const target = [{ ...scalar('cpus', 2), reservations: [dynamicReservation('b', 'ops')] }];

  it('operations: reserve: source and target are non-empty and uniform', () => {
    expect(message([], operator(), source)).toBe('Invalid resources: Resource cannot be empty');
    const mixed = [...source, { ...scalar('mem', 2), reservations: [dynamicReservation('c', 'ops')] }];
    expect(message(target, operator(), mixed)).toMatch(/^Invalid source: Mixed reservations are not supported\[\{"name":"cpus"/);
    const mixedTarget = [...target, { ...scalar('mem', 2), reservations: [dynamicReservation('c')] }];
    expect(message(mixedTarget, operator(), [...source, { ...scalar('mem', 2), reservations: [dynamicReservation('a', 'ops')] }])).toMatch(
      /^Invalid resources: Mixed reservations are not supported\[/,
    );
  });

  it('operations: reserve: source and target hold the same quantities', () => {
    const bigger = [{ ...scalar('cpus', 3), reservations: [dynamicReservation('b', 'ops')] }];
    expect(message(bigger, operator(), source)).toBe(
      'Source and target resources should refer to identical resource quantities: cpus:2 vs. cpus:3',
    );
  });

  it('operations: reserve: an invalid source is refused with its own prefix', () => {
    const revocableSource = [{ ...scalar('cpus', 2), reservations: [dynamicReservation('a')], revocable: {} }];
    expect(message(target, operator(), revocableSource)).toMatch(/^Invalid source: Invalid ReservationInfo: /);
  });

  it('operations: reserve: a re-reservation consumes the source and asks to unreserve then reserve', () => {
    const result = validated(reserve(target, operator('ops'), source));
    expect(result.conversions).toHaveLength(1);
    expect(result.conversions[0]?.consumed.equals(Resources.of(source))).toBe(true);
    expect(result.conversions[0]?.converted.equals(Resources.of(target))).toBe(true);
    expect(result.authorization).toEqual([
      { action: 'UNRESERVE_RESOURCES', reserverPrincipal: 'ops', resource: source[0] },
      { action: 'RESERVE_RESOURCES', role: 'b', resource: target[0] },
    ]);
  });

  it('operations: reserve: a refinement through source asks only for the added level', () => {
    const parent = [{ ...scalar('cpus', 2), reservations: [dynamicReservation('eng', 'ops')] }];
    const child = [{ ...scalar('cpus', 2), reservations: [dynamicReservation('eng', 'ops'), dynamicReservation('eng/fe', 'ops')] }];
    const result = validated(reserve(child, operator(), parent));
    expect(result.authorization).toEqual([{ action: 'RESERVE_RESOURCES', role: 'eng/fe', resource: child[0] }]);
  });
});

describe('operations: reserve: conversion', () => {
  it('operations: reserve: each resource comes from itself with the new level popped', () => {
    const mem = reservedFor(scalar('mem', 512));
    const result = validated(reserve([cpus, mem]));
    expect(result.withheld).toBe(false);
    expect(result.conversions).toHaveLength(1);
    const [conversion] = result.conversions;
    expect(conversion?.consumed.toString()).toBe('cpus(allocated: eng):2; mem(allocated: eng):512');
    expect(conversion?.converted.toString()).toBe(`${cpusText}; mem(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):512`);
  });

  it('operations: reserve: one authorization request per distinct role', () => {
    const mem = reservedFor(scalar('mem', 512));
    const result = validated(reserve([cpus, mem]));
    expect(result.authorization).toEqual([{ action: 'RESERVE_RESOURCES', role: 'eng', resource: cpus }]);
  });
});
