/**
 * Method: the conversion table of spec 1.2 as examples, then round trips over
 * generated canonical resources through real JSON text (stringify, parse,
 * decode, validate, upgrade), and Mesos' legacy /state object form.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fromWire,
  fromWireList,
  legacyResourceObject,
  toCanonicalJson,
  toEndpointResource,
  toLegacyResource,
  upgradeResource,
} from './format.js';
import { decodeWireResource } from './decode.js';
import { resourceEquals } from './compare.js';
import { Resources } from './resources.js';
import { arbitraryResource } from './testing/arbitraries.js';
import { dynamicReservation, labels, ranges, scalar, set, staticReservation } from './testing/fixtures.js';
import type { Resource, WireResource } from './types.js';

const cpus: WireResource = { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } };

function throughJson(wire: WireResource): Resource {
  const decoded = decodeWireResource(JSON.parse(JSON.stringify(wire)));
  if (!decoded.ok) throw new Error(decoded.error);
  const upgraded = fromWire(decoded.value);
  if (!upgraded.ok) throw new Error(upgraded.error);
  return upgraded.value;
}

describe('resources: formats: upgrade', () => {
  it('resources: formats: upgrade: "*" or no role is unreserved, without a role field', () => {
    expect(upgradeResource({ ...cpus, role: '*' })).toEqual(scalar('cpus', 1));
    expect(upgradeResource(cpus)).toEqual(scalar('cpus', 1));
    expect('role' in upgradeResource({ ...cpus, role: '*' })).toBe(false);
  });

  it('resources: formats: upgrade: a legacy role is STATIC, with a reservation it is DYNAMIC', () => {
    expect(upgradeResource({ ...cpus, role: 'eng' }).reservations).toEqual([staticReservation('eng')]);
    const dynamic = upgradeResource({ ...cpus, role: 'eng', reservation: { principal: 'alice', labels: labels({ k: 'v' }) } });
    expect(dynamic.reservations).toEqual([dynamicReservation('eng', 'alice', labels({ k: 'v' }))]);
    expect('reservation' in dynamic).toBe(false);
  });

  it('resources: formats: upgrade: a stack wins and the legacy fields are dropped', () => {
    const upgraded = upgradeResource({ ...cpus, role: 'eng', reservations: [{ type: 'STATIC', role: 'eng' }] });
    expect(upgraded).toEqual(scalar('cpus', 1, { role: 'eng' }));
  });

  it('resources: formats: upgrade: rounds scalars, coalesces ranges and drops unknown fields', () => {
    expect(upgradeResource({ ...cpus, scalar: { value: 1.23456 } }).scalar?.value).toBe(upgradeResource({ ...cpus, scalar: { value: 1.235 } }).scalar?.value);
    const wire = { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 3, end: 4 }, { begin: 1, end: 2 }] }, text: { value: 'x' }, extra: 1 } as WireResource;
    expect(upgradeResource(wire)).toEqual(ranges('ports', [{ begin: 1, end: 4 }]));
  });

  it('resources: formats: upgrade: fromWire validates first', () => {
    expect(fromWire({ ...cpus, role: '/x' })).toEqual({ ok: false, error: "Role '/x' cannot start with a slash" });
    expect(fromWireList([cpus, { ...cpus, scalar: { value: -1 } }])).toEqual({
      ok: false,
      error: "Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0",
    });
    expect(fromWireList([cpus])).toEqual({ ok: true, value: [scalar('cpus', 1)] });
  });
});

describe('resources: formats: output', () => {
  const refined = scalar('cpus', 1, { reservations: [staticReservation('eng'), dynamicReservation('eng/fe', 'alice')] });

  it('resources: formats: output: legacy format uses role and reservation, and refuses refined stacks', () => {
    expect(toLegacyResource(scalar('cpus', 1))).toEqual({ ...cpus, role: '*' });
    expect(toLegacyResource(scalar('cpus', 1, { role: 'eng' }))).toEqual({ ...cpus, role: 'eng' });
    expect(toLegacyResource(scalar('cpus', 1, { reservations: [dynamicReservation('eng')] }))).toEqual({ ...cpus, role: 'eng', reservation: {} });
    expect(toLegacyResource(scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'p', labels({ k: 'v' }))] }))).toEqual({
      ...cpus,
      role: 'eng',
      reservation: { principal: 'p', labels: labels({ k: 'v' }) },
    });
    expect(toLegacyResource(refined)).toBeUndefined();
  });

  it('resources: formats: output: endpoint format adds legacy fields to stacks of at most one', () => {
    expect(toEndpointResource(scalar('cpus', 1))).toEqual({ ...cpus, role: '*' });
    expect(toEndpointResource(scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'p')] }))).toEqual({
      ...cpus,
      reservations: [dynamicReservation('eng', 'p')],
      role: 'eng',
      reservation: { principal: 'p' },
    });
    expect(toEndpointResource(refined)).toEqual(refined);
  });

  it('resources: formats: output: canonical JSON omits an empty stack', () => {
    expect(toCanonicalJson(scalar('cpus', 1))).toEqual(cpus);
    expect(toCanonicalJson(refined)).toEqual(refined);
  });
});

describe('resources: formats: round trips', () => {
  it('resources: formats: round trips: canonical JSON comes back identical', () => {
    fc.assert(
      fc.property(arbitraryResource, (resource) => {
        expect(throughJson(toCanonicalJson(resource))).toEqual(resource);
      }),
      { numRuns: 300 },
    );
  });

  it('resources: formats: round trips: legacy format comes back equal for stacks of at most one', () => {
    fc.assert(
      fc.property(arbitraryResource, (resource) => {
        const legacy = toLegacyResource(resource);
        if (resource.reservations.length > 1) {
          expect(legacy).toBeUndefined();
          return;
        }
        expect(legacy).toBeDefined();
        const back = throughJson(legacy!);
        expect(resourceEquals(back, resource)).toBe(true);
        expect(back).toEqual(resource);
      }),
      { numRuns: 300 },
    );
  });

  it('resources: formats: round trips: endpoint format comes back identical', () => {
    fc.assert(
      fc.property(arbitraryResource, (resource) => {
        expect(throughJson(toEndpointResource(resource))).toEqual(resource);
      }),
      { numRuns: 300 },
    );
  });
});

describe('resources: formats: legacy object', () => {
  it('resources: formats: legacy object: always has cpus, disk, gpus and mem, sums scalars and prints ranges and sets', () => {
    const resources = Resources.of([
      scalar('cpus', 2),
      scalar('cpus', 1.5, { role: 'eng' }),
      scalar('mem', 1024),
      ranges('ports', [{ begin: 31000, end: 32000 }]),
      ranges('ports', [{ begin: 32001, end: 32005 }], { role: 'eng' }),
      set('disks', ['sda1', 'sdb1']),
      scalar('cpus', 0.5, { revocable: true }),
    ]);
    const object = legacyResourceObject(resources);
    expect(object).toEqual({
      cpus: 3.5,
      cpus_revocable: 0.5,
      disk: 0,
      disks: '{sda1, sdb1}',
      gpus: 0,
      mem: 1024,
      ports: '[31000-32005]',
    });
    expect(Object.keys(object)).toEqual(['cpus', 'cpus_revocable', 'disk', 'disks', 'gpus', 'mem', 'ports']);
    expect(legacyResourceObject(Resources.empty())).toEqual({ cpus: 0, disk: 0, gpus: 0, mem: 0 });
  });

  it('resources: formats: legacy object: scalar sums are fixed-point exact', () => {
    expect(legacyResourceObject(Resources.of([scalar('cpus', 0.1), scalar('cpus', 0.2, { role: 'eng' })])).cpus).toBe(Resources.of([scalar('cpus', 0.3)]).scalarValue('cpus'));
  });
});
