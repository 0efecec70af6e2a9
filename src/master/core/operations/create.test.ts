/**
 * Method: one CREATE per validation rule of spec 2.3 (and the persistence ID
 * rules of 1.5, berth's stricter ones included) with its exact text, then what
 * a valid CREATE converts and asks the authorizer.
 */
import { describe, expect, it } from 'vitest';
import { unallocateResource, type DiskInfo, type Resource } from '../../../resources/index.js';
import { dynamicReservation, pathSource, staticReservation } from '../../../resources/testing/fixtures.js';
import { validateCreate } from './create.js';
import { agent, failure, framework, operator, reservedDisk, reservedVolume, validated } from './testing/fixtures.js';
import type { AgentFacts, OperationActor } from './types.js';

function create(volumes: Resource[], actor: OperationActor = framework(), facts: AgentFacts = agent()) {
  return validateCreate({ type: 'CREATE', volumes }, actor, facts);
}

function message(volumes: Resource[], actor: OperationActor = framework(), facts: AgentFacts = agent()): string {
  const error = failure(create(volumes, actor, facts));
  expect(error.stage).toBe('validation');
  return error.message;
}

const pv = reservedVolume(64, 'pv-1');
const pvText = 'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:64';

function withDisk(volume: Resource, change: (disk: DiskInfo) => DiskInfo): Resource {
  return { ...volume, disk: change(volume.disk ?? {}) };
}

describe('operations: create: resource rules', () => {
  it('operations: create: a volume reserved for "*" is invalid', () => {
    const star = { ...pv, reservations: [dynamicReservation('*')] };
    expect(message([star])).toBe(
      "Invalid resources: Invalid resources: Resource 'disk(allocated: eng)(reservations: [(DYNAMIC,*)])[pv-1:data]:64' is invalid: " +
        'Invalid reservation: role "*" cannot be reserved',
    );
  });

  it.each([
    ['unreserved', { ...pv, reservations: [] }, 'Persistent volumes cannot be created from unreserved resources'],
    ['without volume', withDisk(pv, (d) => ({ persistence: d.persistence ?? { id: '' } })), "Expecting 'volume' to be set for persistent volume"],
    [
      'with a host path',
      withDisk(pv, (d) => ({ ...d, volume: { container_path: 'data', mode: 'RW', host_path: '/tmp' } })),
      "Expecting 'host_path' to be unset for persistent volume",
    ],
  ])('operations: create: a volume %s breaks the DiskInfo rules', (_what, volume, error) => {
    expect(message([volume])).toBe(`Invalid resources: Invalid DiskInfo: ${error}`);
  });

  it('operations: create: revocable disk cannot hold a volume', () => {
    expect(message([{ ...pv, revocable: {} }])).toBe('Invalid resources: Invalid DiskInfo: Persistent volumes cannot be created from revocable resources');
  });

  it.each([
    ['', 'ID must not be empty'],
    ['x'.repeat(256), 'ID must not be greater than 255 characters'],
    ['é'.repeat(128), 'ID must not be greater than 255 characters'],
    ['.', "'.' is disallowed"],
    ['..', "'..' is disallowed"],
    ['a/b', "'a/b' contains invalid characters"],
    ['a\\b', "'a\\b' contains invalid characters"],
    ['a\tb', "'a\tb' contains invalid characters"],
    ['a\x7fb', "'a\x7fb' contains invalid characters"],
    ['a\u0085b', "'a\u0085b' contains invalid characters"],
  ])('operations: create: persistence ID %j is refused', (id, error) => {
    expect(message([reservedVolume(64, id)])).toBe(`Invalid resources: Invalid DiskInfo: Invalid persistence ID for persistent volume: ${error}`);
  });

  it('operations: create: persistence IDs of up to 255 bytes with dots are fine', () => {
    for (const id of ['x'.repeat(255), '...', 'a.b', 'ünï']) expect(create([reservedVolume(64, id)]).ok).toBe(true);
  });

  it('operations: create: all volumes come from one provider', () => {
    expect(message([pv, { ...reservedVolume(64, 'pv-2'), provider_id: { value: 'rp-1' } }])).toBe(
      'Invalid resources: Some resources have a resource provider and some do not',
    );
    expect(message([])).toBe('Invalid resources: The resources have multiple resource providers: ');
  });

  it('operations: create: every entry must be a read-write persistent volume', () => {
    expect(message([reservedDisk(64)])).toBe(
      'Not a persistent volume: Resource disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64 does not have DiskInfo',
    );
    expect(message([reservedDisk(64, { disk: { source: pathSource('/mnt/a') } })])).toBe("Not a persistent volume: 'persistence' is not set in DiskInfo");
    expect(message([withDisk(pv, (d) => ({ ...d, volume: { container_path: 'data', mode: 'RO' } }))])).toBe(
      'Not a persistent volume: Read-only persistent volume not supported',
    );
  });
});

describe('operations: create: container path (berth, stricter than Mesos)', () => {
  it('operations: create: a container path that is not one relative path component is refused, naming the field', () => {
    for (const path of ['/data', 'a/b', '..', '.', '']) {
      expect(message([withDisk(pv, (d) => ({ ...d, volume: { container_path: path, mode: 'RW' } }))])).toBe(
        `'disk.volume.container_path' of persistent volume 'pv-1' must be one relative path component (not empty, no '/', not '.' or '..'): '${path}'`,
      );
    }
  });
});

describe('operations: create: persistence ID uniqueness', () => {
  it('operations: create: an ID already on the agent for the role is refused', () => {
    const facts = agent({ checkpointed: [unallocateResource(reservedVolume(32, 'pv-1'))] });
    expect(message([pv], framework(), facts)).toBe("Persistence ID 'pv-1' is not unique");
  });

  it('operations: create: an ID twice in one CREATE is refused, shared or not', () => {
    expect(message([pv, reservedVolume(32, 'pv-1')])).toBe("Persistence ID 'pv-1' is not unique");
    const shared = reservedVolume(64, 'pv-1', { shared: true });
    expect(message([shared, shared])).toBe("Persistence ID 'pv-1' is not unique");
  });

  it('operations: create: the same ID in another role is fine', () => {
    const ops = reservedVolume(64, 'pv-1', { reservations: [dynamicReservation('ops', 'alice')], allocatedTo: 'ops' });
    const facts = agent({ checkpointed: [ops] });
    expect(create([pv], framework(), facts).ok).toBe(true);
  });

  it('operations: create: roles are compared at their most refined level', () => {
    const refined = reservedVolume(64, 'pv-1', { reservations: [staticReservation('eng'), dynamicReservation('eng/fe', 'alice')], allocatedTo: 'eng/fe' });
    const facts = agent({ checkpointed: [pv] });
    expect(create([refined], framework({ roles: ['eng/fe'] }), facts).ok).toBe(true);
  });
});

describe('operations: create: actor and agent rules', () => {
  it('operations: create: a shared volume needs the framework capability SHARED_RESOURCES', () => {
    const shared = reservedVolume(64, 'pv-1', { shared: true });
    expect(message([shared], framework({ capabilities: [] }))).toBe(
      `Create volume operation for '${pvText.replace(':64', '<SHARED>:64')}' has been attempted by framework 'fw-1' with no SHARED_RESOURCES capability`,
    );
    expect(create([unallocateResource(shared)], operator()).ok).toBe(true);
  });

  it('operations: create: a hierarchical role needs the agent capability HIERARCHICAL_ROLE', () => {
    const nested = reservedVolume(64, 'pv-1', { reservations: [dynamicReservation('eng/fe', 'alice')], allocatedTo: 'eng/fe' });
    expect(message([nested], framework(), agent({ capabilities: ['RESERVATION_REFINEMENT'] }))).toBe(
      "Volume disk(allocated: eng/fe)(reservations: [(DYNAMIC,eng/fe,alice)])[pv-1:data]:64 with reservation for hierarchical role 'eng/fe' " +
        'cannot be created on an agent without HIERARCHICAL_ROLE capability',
    );
  });

  it('operations: create: a refined reservation needs the agent capability RESERVATION_REFINEMENT', () => {
    const refined = reservedVolume(64, 'pv-1', { reservations: [staticReservation('eng'), dynamicReservation('eng/fe', 'alice')], allocatedTo: 'eng/fe' });
    expect(message([refined], framework(), agent({ capabilities: ['HIERARCHICAL_ROLE'] }))).toBe(
      'Volume disk(allocated: eng/fe)(reservations: [(STATIC,eng),(DYNAMIC,eng/fe,alice)])[pv-1:data]:64 with reservation refinement ' +
        'cannot be created on an agent without RESERVATION_REFINEMENT capability',
    );
  });

  it('operations: create: an actor with a principal must be the creator principal', () => {
    const anonymous = withDisk(pv, (d) => ({ ...d, persistence: { id: 'pv-1' } }));
    expect(message([anonymous], framework({ principal: 'alice' }))).toBe(
      "Create volume operation attempted by principal 'alice', but there is a volume in the operation with no principal set in 'disk.persistence'",
    );
    expect(message([pv], framework({ principal: 'bob' }))).toBe(
      "Create volume operation attempted by authenticated principal 'bob', which does not match a volume in the operation " +
        "with principal 'alice' set in 'disk.persistence'",
    );
    expect(create([pv], framework({ principal: 'alice' })).ok).toBe(true);
    expect(create([anonymous]).ok).toBe(true);
  });

  it('operations: create: a framework creates volumes of one allocation role', () => {
    const ops = reservedVolume(64, 'pv-2', { reservations: [dynamicReservation('ops', 'alice')], allocatedTo: 'ops' });
    expect(message([pv, ops], framework({ roles: ['eng', 'ops'] }))).toBe(
      "Invalid volume resources: The resources have multiple allocation roles ('ops' and 'eng') but only one allocation role is allowed",
    );
    expect(message([unallocateResource(pv)])).toBe('Invalid volume resources: The resources are not allocated to a role');
  });
});

describe('operations: create: conversion', () => {
  it('operations: create: each volume consumes its stripped disk', () => {
    const onPath = reservedVolume(64, 'pv-2', { source: pathSource('/mnt/a'), shared: true });
    const result = validated(create([pv, onPath]));
    expect(result.conversions.map((c) => [c.consumed.toString(), c.converted.toString()])).toEqual([
      ['disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64', pvText],
      [
        'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[PATH:/mnt/a]:64',
        'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[PATH:/mnt/a,pv-2:data]<SHARED>:64<1>',
      ],
    ]);
  });

  it('operations: create: one authorization request per distinct role', () => {
    const second = reservedVolume(32, 'pv-2');
    expect(validated(create([pv, second])).authorization).toEqual([{ action: 'CREATE_VOLUME', role: 'eng', volume: pv }]);
  });
});
