/**
 * Method: wire operations as a scheduler sends them (decoded by the protocol
 * schema), through the structural step of spec 2.0.2 and the allocation
 * injection of 2.0.4; every refusal is checked against upstream's exact text.
 */
import { describe, expect, it } from 'vitest';
import { OfferOperation } from '../../../protocol/mesos.js';
import { roundScalar, toFixed } from '../../../resources/index.js';
import { allocateStorageOperation } from './allocation.js';
import { isStorageOperationType, parseStorageOperation } from './structure.js';
import { framework, operator } from './testing/fixtures.js';
import type { StorageOperation } from './types.js';

const legacyReserved = { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, role: 'eng', reservation: { principal: 'alice' } };
const badRanges = { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 5, end: 1 }] } };
const legacyVolume = {
  name: 'disk',
  type: 'SCALAR',
  scalar: { value: 64 },
  role: 'eng',
  reservation: { principal: 'alice' },
  disk: { persistence: { id: 'pv-1' }, volume: { container_path: 'data', mode: 'RW' } },
};

function parse(json: object, actor = framework()): ReturnType<typeof parseStorageOperation> {
  return parseStorageOperation(OfferOperation.parse(json), actor);
}

function parsed(json: object, actor = framework()): StorageOperation {
  const result = parse(json, actor);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('operations: structure', () => {
  it.each([
    ['RESERVE', 'A RESERVE offer operation must have the Offer.Operation.reserve field set.'],
    ['UNRESERVE', 'An UNRESERVE offer operation must have the Offer.Operation.unreserve field set.'],
    ['CREATE', 'A CREATE offer operation must have the Offer.Operation.create field set.'],
    ['DESTROY', 'A DESTROY offer operation must have the Offer.Operation.destroy field set.'],
    ['GROW_VOLUME', 'A GROW_VOLUME operation must have the Offer.Operation.grow_volume field set'],
    ['SHRINK_VOLUME', 'A SHRINK_VOLUME offer operation must have the Offer.Operation.shrink_volume field set'],
  ])('operations: structure: %s without its payload is refused', (type, message) => {
    expect(parse({ type })).toEqual({ ok: false, error: { stage: 'structure', message } });
  });

  it('operations: structure: an invalid resource in a list names the resource', () => {
    const result = parse({ type: 'UNRESERVE', unreserve: { resources: [legacyReserved, badRanges] } });
    expect(result).toEqual({
      ok: false,
      error: { stage: 'structure', message: "Resource 'ports:[5-1]' is invalid: Invalid ranges resource: begin > end" },
    });
  });

  it('operations: structure: RESERVE checks resources before source', () => {
    const star = { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: '*' }] };
    const result = parse({ type: 'RESERVE', reserve: { resources: [star], source: [badRanges] } }, operator());
    expect(result.ok ? undefined : result.error.message).toBe(
      "Resource 'cpus(reservations: [(DYNAMIC,*)]):1' is invalid: Invalid reservation: role \"*\" cannot be reserved",
    );
    const sourceOnly = parse({ type: 'RESERVE', reserve: { resources: [legacyReserved], source: [badRanges] } }, operator());
    expect(sourceOnly.ok ? undefined : sourceOnly.error.message).toBe("Resource 'ports:[5-1]' is invalid: Invalid ranges resource: begin > end");
  });

  it('operations: structure: a single resource of GROW_VOLUME and SHRINK_VOLUME reports the bare rule', () => {
    const grow = parse({ type: 'GROW_VOLUME', grow_volume: { volume: legacyVolume, addition: badRanges } });
    expect(grow).toEqual({ ok: false, error: { stage: 'structure', message: 'Invalid ranges resource: begin > end' } });
    const shrink = parse({ type: 'SHRINK_VOLUME', shrink_volume: { volume: badRanges, subtract: { value: 1 } } });
    expect(shrink).toEqual({ ok: false, error: { stage: 'structure', message: 'Invalid ranges resource: begin > end' } });
  });

  it('operations: structure: a framework RESERVE with a source is refused', () => {
    const result = parse({ type: 'RESERVE', reserve: { resources: [legacyReserved], source: [{ ...legacyReserved, role: '*', reservation: undefined }] } });
    expect(result).toEqual({
      ok: false,
      error: { stage: 'structure', message: 'Reservation updates are not yet implemented for the scheduler API.' },
    });
  });

  it('operations: structure: a framework RESERVE with an empty source is fine, an operator may give one', () => {
    expect(parse({ type: 'RESERVE', reserve: { resources: [legacyReserved], source: [] } }).ok).toBe(true);
    const source = { name: 'cpus', type: 'SCALAR', scalar: { value: 2 } };
    const operation = parsed({ type: 'RESERVE', reserve: { resources: [legacyReserved], source: [source] } }, operator());
    expect(operation).toMatchObject({ type: 'RESERVE', source: [{ name: 'cpus', reservations: [] }] });
  });

  it('operations: structure: legacy resources are upgraded to the canonical stack', () => {
    expect(parsed({ type: 'RESERVE', reserve: { resources: [legacyReserved] } })).toEqual({
      type: 'RESERVE',
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'alice' }] }],
      source: [],
    });
    const create = parsed({ type: 'CREATE', create: { volumes: [legacyVolume] } });
    expect(create).toMatchObject({ type: 'CREATE', volumes: [{ reservations: [{ type: 'DYNAMIC', role: 'eng' }], disk: { persistence: { id: 'pv-1' } } }] });
    expect(parsed({ type: 'DESTROY', destroy: {} })).toEqual({ type: 'DESTROY', volumes: [] });
  });

  it('operations: structure: the shrink amount is put on the fixed-point grid', () => {
    const operation = parsed({ type: 'SHRINK_VOLUME', shrink_volume: { volume: legacyVolume, subtract: { value: 1.23456 } } });
    expect(operation.type === 'SHRINK_VOLUME' ? toFixed(operation.subtract) : undefined).toBe(1235);
    expect(operation).toMatchObject({ subtract: roundScalar(1.23456) });
  });

  it('operations: structure: only storage operations are parsed here', () => {
    expect(isStorageOperationType('CREATE')).toBe(true);
    expect(isStorageOperationType('LAUNCH')).toBe(false);
    expect(isStorageOperationType(undefined)).toBe(false);
    expect(() => parse({ type: 'LAUNCH', launch: {} })).toThrow(/not a storage operation/);
  });
});

describe('operations: allocation', () => {
  it('operations: allocation: resources without allocation get the offers role, others keep theirs', () => {
    const operation = parsed({
      type: 'UNRESERVE',
      unreserve: { resources: [legacyReserved, { ...legacyReserved, allocation_info: { role: 'ops' } }] },
    });
    const allocated = allocateStorageOperation(operation, 'eng');
    expect(allocated).toMatchObject({ resources: [{ allocation_info: { role: 'eng' } }, { allocation_info: { role: 'ops' } }] });
  });

  it('operations: allocation: every resource field of every operation is covered', () => {
    const grow = allocateStorageOperation(parsed({ type: 'GROW_VOLUME', grow_volume: { volume: legacyVolume, addition: legacyVolume } }), 'eng');
    expect(grow).toMatchObject({ volume: { allocation_info: { role: 'eng' } }, addition: { allocation_info: { role: 'eng' } } });
    const shrink = allocateStorageOperation(parsed({ type: 'SHRINK_VOLUME', shrink_volume: { volume: legacyVolume, subtract: { value: 1 } } }), 'eng');
    expect(shrink).toMatchObject({ volume: { allocation_info: { role: 'eng' } } });
    const reserve = allocateStorageOperation(
      parsed({ type: 'RESERVE', reserve: { resources: [legacyReserved], source: [legacyReserved] } }, operator()),
      'eng',
    );
    expect(reserve).toMatchObject({ resources: [{ allocation_info: { role: 'eng' } }], source: [{ allocation_info: { role: 'eng' } }] });
    const destroy = allocateStorageOperation(parsed({ type: 'DESTROY', destroy: { volumes: [legacyVolume] } }), 'eng');
    expect(destroy).toMatchObject({ volumes: [{ allocation_info: { role: 'eng' } }] });
  });
});
