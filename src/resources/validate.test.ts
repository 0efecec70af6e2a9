/**
 * Method: one wire resource per rule of spec 1.3 (and Mesos Resources::validate)
 * that breaks exactly that rule, checked against the exact error text; plus
 * resources that must pass, in every reservation format.
 */
import { describe, expect, it } from 'vitest';
import { validateResources, validateWireResource } from './validate.js';
import type { WireResource } from './types.js';

const cpus: WireResource = { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } };
const ports: WireResource = { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 1, end: 2 }] } };
const gpus: WireResource = { name: 'gpus', type: 'SET', set: { item: ['a', 'b'] } };
const disk: WireResource = { name: 'disk', type: 'SCALAR', scalar: { value: 64 } };
const volumeDisk = { persistence: { id: 'pv' }, volume: { container_path: 'data', mode: 'RW' as const } };

describe('resources: validation: accepts', () => {
  it.each<[string, WireResource]>([
    ['an unreserved scalar without role', cpus],
    ['a zero scalar (empty, not invalid)', { ...cpus, scalar: { value: 0 } }],
    ['the legacy default role', { ...cpus, role: '*' }],
    ['a legacy static reservation', { ...cpus, role: 'eng' }],
    ['a legacy dynamic reservation', { ...cpus, role: 'eng', reservation: { principal: 'p', labels: { labels: [{ key: 'k' }] } } }],
    ['a canonical refined stack', { ...cpus, reservations: [{ type: 'STATIC', role: 'eng' }, { type: 'DYNAMIC', role: 'eng/fe' }] }],
    ['the mixed format with a static reservation', { ...cpus, role: 'eng', reservations: [{ type: 'STATIC', role: 'eng' }] }],
    [
      'the mixed format with a dynamic reservation',
      { ...cpus, role: 'eng', reservation: { principal: 'p' }, reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'p' }] },
    ],
    [
      'the mixed format where an empty principal matches an absent one',
      { ...cpus, role: 'eng', reservation: { principal: '' }, reservations: [{ type: 'DYNAMIC', role: 'eng' }] },
    ],
    ['unordered, non-overlapping ranges', { ...ports, ranges: { range: [{ begin: 5, end: 6 }, { begin: 1, end: 2 }] } }],
    ['a set', gpus],
    ['a shared persistent volume', { ...disk, role: 'eng', disk: volumeDisk, shared: {} }],
    ['PATH and MOUNT sources with or without roots', { ...disk, disk: { source: { type: 'MOUNT' } } }],
    ['a RAW source with an id', { ...disk, disk: { source: { type: 'RAW', id: 'dev' } } }],
  ])('resources: validation: accepts %s', (_, resource) => {
    expect(validateWireResource(resource)).toBeUndefined();
  });
});

describe('resources: validation: refuses', () => {
  it.each<[string, WireResource, string]>([
    ['rule 1: an empty name', { ...cpus, name: '' }, 'Empty resource name'],
    ['rule 1: an unknown type', { ...cpus, type: 'FLOATINGPOINT' as 'SCALAR' }, 'Invalid resource type'],
    ['rule 2: a scalar without value', { name: 'cpus', type: 'SCALAR' }, 'Invalid scalar resource'],
    ['rule 2: a scalar with ranges', { ...cpus, ranges: { range: [] } }, 'Invalid scalar resource'],
    ['rule 2: a scalar with a set', { ...cpus, set: { item: [] } }, 'Invalid scalar resource'],
    ['rule 2: a negative scalar', { ...cpus, scalar: { value: -1 } }, 'Invalid scalar resource: value <= 0'],
    ['rule 2: a scalar rounding to zero', { ...cpus, scalar: { value: 0.0004 } }, 'Invalid scalar resource: value <= 0'],
    ['rule 2: a NaN scalar', { ...cpus, scalar: { value: Number.NaN } }, 'Invalid scalar resource: value <= 0'],
    ['rule 3: ranges without ranges', { name: 'ports', type: 'RANGES' }, 'Invalid ranges resource'],
    ['rule 3: ranges with a scalar', { ...ports, scalar: { value: 1 } }, 'Invalid ranges resource'],
    ['rule 3: ranges with a set', { ...ports, set: { item: [] } }, 'Invalid ranges resource'],
    ['rule 3: an inverted range', { ...ports, ranges: { range: [{ begin: 3, end: 2 }] } }, 'Invalid ranges resource: begin > end'],
    [
      'rule 3: overlapping ranges',
      { ...ports, ranges: { range: [{ begin: 1, end: 5 }, { begin: 5, end: 6 }] } },
      'Invalid ranges resource: overlapping ranges',
    ],
    [
      'rule 3: overlapping ranges listed later-first',
      { ...ports, ranges: { range: [{ begin: 5, end: 10 }, { begin: 1, end: 7 }] } },
      'Invalid ranges resource: overlapping ranges',
    ],
    ['rule 4: a set without items', { name: 'gpus', type: 'SET' }, 'Invalid set resource'],
    ['rule 4: a set with a scalar', { ...gpus, scalar: { value: 1 } }, 'Invalid set resource'],
    ['rule 4: a set with ranges', { ...gpus, ranges: { range: [] } }, 'Invalid set resource'],
    ['rule 4: duplicated items', { ...gpus, set: { item: ['a', 'a'] } }, 'Invalid set resource: duplicated elements'],
    ['rule 5: TEXT', { name: 'x', type: 'TEXT', text: { value: 'y' } }, 'Unsupported resource type'],
    ['rule 6: DiskInfo on cpus', { ...cpus, disk: {} }, 'DiskInfo should not be set for cpus resource'],
    [
      'rule 6: a mount on a BLOCK source',
      { ...disk, disk: { source: { type: 'BLOCK', mount: {} } } },
      'Mount should not be set for BLOCK disk source',
    ],
    ['rule 6: a path on a RAW source', { ...disk, disk: { source: { type: 'RAW', path: {} } } }, 'Path should not be set for RAW disk source'],
    ['rule 6: a mount on a RAW source', { ...disk, disk: { source: { type: 'RAW', mount: {} } } }, 'Mount should not be set for RAW disk source'],
    ['rule 6: a path on a BLOCK source', { ...disk, disk: { source: { type: 'BLOCK', path: {} } } }, 'Path should not be set for BLOCK disk source'],
    [
      'rule 6: an UNKNOWN source',
      { ...disk, disk: { source: { type: 'UNKNOWN' } } },
      "Unsupported 'DiskInfo.Source.Type' in 'UNKNOWN'",
    ],
    ['rule 7: an invalid legacy role', { ...cpus, role: '-eng' }, "Role component '-eng' is invalid because it starts with a dash"],
    [
      'rule 7: a type inside the legacy reservation',
      { ...cpus, role: 'eng', reservation: { type: 'DYNAMIC' } },
      "'Resource.ReservationInfo.type' must not be set for the 'Resource.reservation' field",
    ],
    [
      'rule 7: a role inside the legacy reservation',
      { ...cpus, role: 'eng', reservation: { role: 'eng' } },
      "'Resource.ReservationInfo.role' must not be set for the 'Resource.reservation' field",
    ],
    [
      'rule 7: a dynamic reservation for "*"',
      { ...cpus, reservation: { principal: 'p' } },
      'Invalid reservation: role "*" cannot be dynamically reserved',
    ],
    [
      'rule 8: a stack element without type',
      { ...cpus, reservations: [{ role: 'eng' }] },
      "Invalid reservation: 'Resource.ReservationInfo.type' field must be set.",
    ],
    [
      'rule 8: a stack element without role',
      { ...cpus, reservations: [{ type: 'STATIC' }] },
      "Invalid reservation: 'Resource.ReservationInfo.role' field must be set.",
    ],
    ['rule 8: an invalid stack role', { ...cpus, reservations: [{ type: 'STATIC', role: 'a//b' }] }, "Role 'a//b' cannot contain two adjacent slashes"],
    ['rule 8: a reservation for "*"', { ...cpus, reservations: [{ type: 'STATIC', role: '*' }] }, 'Invalid reservation: role "*" cannot be reserved'],
    [
      'rule 8: a STATIC refinement',
      { ...cpus, reservations: [{ type: 'STATIC', role: 'eng' }, { type: 'STATIC', role: 'eng/fe' }] },
      'Invalid refined reservation: A refined reservation cannot be STATIC',
    ],
    [
      'rule 8: a refinement that is not a strict sub-role',
      { ...cpus, reservations: [{ type: 'DYNAMIC', role: 'eng' }, { type: 'DYNAMIC', role: 'ops' }] },
      "Invalid refined reservation: role 'ops' is not a refinement of 'eng'",
    ],
    [
      'rule 8: a refinement of the same role',
      { ...cpus, reservations: [{ type: 'DYNAMIC', role: 'eng' }, { type: 'DYNAMIC', role: 'eng' }] },
      "Invalid refined reservation: role 'eng' is not a refinement of 'eng'",
    ],
    [
      'rule 8: a mixed-format role that differs',
      { ...cpus, role: 'ops', reservations: [{ type: 'STATIC', role: 'eng' }] },
      "Invalid resource format: 'Resource.role' field with 'ops' does not match the role 'eng' in 'Resource.reservations'",
    ],
    [
      'rule 8: a legacy reservation beside a STATIC element',
      { ...cpus, role: 'eng', reservation: {}, reservations: [{ type: 'STATIC', role: 'eng' }] },
      "Invalid resource format: 'Resource.reservation' must not be set if the single reservation in 'Resource.reservations' is STATIC",
    ],
    [
      'rule 8: a DYNAMIC element with role but no legacy reservation',
      { ...cpus, role: 'eng', reservations: [{ type: 'DYNAMIC', role: 'eng' }] },
      "Invalid resource format: 'Resource.role' and 'Resource.reservation' must either be both set or both not set if the single reservation in 'Resource.reservations' is DYNAMIC",
    ],
    [
      'rule 8: a DYNAMIC element with a legacy reservation but no role',
      { ...cpus, reservation: {}, reservations: [{ type: 'DYNAMIC', role: 'eng' }] },
      "Invalid resource format: 'Resource.role' and 'Resource.reservation' must either be both set or both not set if the single reservation in 'Resource.reservations' is DYNAMIC",
    ],
    [
      'rule 8: a mixed-format principal that differs',
      { ...cpus, role: 'eng', reservation: { principal: 'a' }, reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'b' }] },
      "Invalid resource format: 'Resource.reservation.principal' field with 'a' does not match the principal 'b' in 'Resource.reservations'",
    ],
    [
      'rule 8: mixed-format labels that differ',
      {
        ...cpus,
        role: 'eng',
        reservation: { labels: { labels: [{ key: 'k', value: 'v' }] } },
        reservations: [{ type: 'DYNAMIC', role: 'eng' }],
      },
      "Invalid resource format: 'Resource.reservation.labels' field with '{k: v}' does not match the labels '{}' in 'Resource.reservations'",
    ],
    [
      'rule 8: a role beside a refined stack',
      { ...cpus, role: 'eng', reservations: [{ type: 'DYNAMIC', role: 'eng' }, { type: 'DYNAMIC', role: 'eng/fe' }] },
      "Invalid resource format: 'Resource.role' must not be set if there is more than one reservation in 'Resource.reservations'",
    ],
    [
      'rule 8: a legacy reservation beside a refined stack',
      { ...cpus, reservation: {}, reservations: [{ type: 'DYNAMIC', role: 'eng' }, { type: 'DYNAMIC', role: 'eng/fe' }] },
      "Invalid resource format: 'Resource.reservation' must not be set if there is more than one reservation in 'Resource.reservations'",
    ],
    ['rule 9: shared cpus', { ...cpus, shared: {} }, 'Resource cpus cannot be shared'],
    ['rule 9: a shared disk that is not a volume', { ...disk, shared: {} }, 'Only persistent volumes can be shared'],
  ])('resources: validation: refuses %s', (_, resource, error) => {
    expect(validateWireResource(resource)).toBe(error);
  });

  it('resources: validation: reports the first broken rule in Mesos order', () => {
    expect(validateWireResource({ name: '', type: 'TEXT' })).toBe('Empty resource name');
    expect(validateWireResource({ ...cpus, scalar: { value: -1 }, disk: {} })).toBe('Invalid scalar resource: value <= 0');
    expect(validateWireResource({ ...cpus, disk: {}, role: '-x' })).toBe('DiskInfo should not be set for cpus resource');
  });

  it('resources: validation: a list names the first invalid resource', () => {
    expect(validateResources([cpus, ports])).toBeUndefined();
    expect(validateResources([cpus, { ...cpus, scalar: { value: -2 } }])).toBe("Resource 'cpus:-2' is invalid: Invalid scalar resource: value <= 0");
  });
});
