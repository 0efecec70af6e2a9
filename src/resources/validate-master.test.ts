/**
 * Method: one resource per master validation rule of spec 1.3 and per
 * persistence ID rule of spec 1.5, checked against the exact error text, with
 * the prefixes the combined check adds.
 */
import { describe, expect, it } from 'vitest';
import {
  validateDiskInfo,
  validateDynamicReservationInfo,
  validateGpus,
  validateMasterResources,
  validateId,
  validatePersistenceId,
} from './validate-master.js';
import { disk, dynamicReservation, pathSource, scalar, volume } from './testing/fixtures.js';
import type { Resource } from './types.js';

describe('resources: persistence ids', () => {
  it('resources: persistence ids: accepts ordinary names up to 255 bytes', () => {
    for (const id of ['pv-1', 'a.b', '...', 'ünï', 'x'.repeat(255)]) expect(validatePersistenceId(id)).toBeUndefined();
  });

  it.each([
    ['', 'ID must not be empty'],
    ['x'.repeat(256), 'ID must not be greater than 255 characters'],
    ['é'.repeat(128), 'ID must not be greater than 255 characters'],
    ['.', "'.' is disallowed"],
    ['..', "'..' is disallowed"],
    ['a/b', "'a/b' contains invalid characters"],
    ['a\\b', "'a\\b' contains invalid characters"],
    ['a\nb', "'a\nb' contains invalid characters"],
    ['a\x00b', "'a\x00b' contains invalid characters"],
    ['a\x7fb', "'a\x7fb' contains invalid characters"],
    ['a\u0085b', "'a\u0085b' contains invalid characters"],
  ])('resources: persistence ids: refuses %j', (id, error) => {
    expect(validatePersistenceId(id)).toBe(error);
  });
});

describe('resources: ids', () => {
  it('resources: ids: the common Mesos rule refuses what persistence ids refuse, except C1 controls', () => {
    for (const id of ['', '.', '..', 'a/b', 'a\\b', 'a\tb', 'x'.repeat(256)]) {
      expect(validateId(id)).toBe(validatePersistenceId(id));
      expect(validateId(id)).toBeDefined();
    }
    expect(validateId('a\u0085b')).toBeUndefined();
    expect(validateId('framework-0001')).toBeUndefined();
  });
});

describe('resources: master validation', () => {
  const reserved = (resource: Resource): Resource => ({ ...resource, reservations: [dynamicReservation('eng', 'alice')] });

  it('resources: master validation: accepts volumes on reserved disk and plain sourced disks', () => {
    expect(validateDiskInfo([volume(64, 'pv'), disk(64, { source: pathSource('/mnt') }), scalar('cpus', 1)])).toBeUndefined();
  });

  it.each<[string, Resource, string]>([
    ['a revocable volume', { ...volume(64, 'pv'), revocable: {} }, 'Persistent volumes cannot be created from revocable resources'],
    ['an unreserved volume', volume(64, 'pv', { reservations: [] }), 'Persistent volumes cannot be created from unreserved resources'],
    [
      'a volume without volume info',
      { ...volume(64, 'pv'), disk: { persistence: { id: 'pv' } } },
      "Expecting 'volume' to be set for persistent volume",
    ],
    [
      'a volume with a host path',
      { ...volume(64, 'pv'), disk: { persistence: { id: 'pv' }, volume: { container_path: 'd', mode: 'RW', host_path: '/h' } } },
      "Expecting 'host_path' to be unset for persistent volume",
    ],
    ['an invalid persistence id', volume(64, 'id1/'), "Invalid persistence ID for persistent volume: 'id1/' contains invalid characters"],
    ['a volume without persistence', { ...disk(64, { role: 'eng' }), disk: { volume: { container_path: 'd', mode: 'RW' } } }, 'Non-persistent volume not supported'],
    ['an empty DiskInfo', { ...disk(64, { role: 'eng' }), disk: {} }, 'DiskInfo is set but empty'],
  ])('resources: master validation: DiskInfo refuses %s', (_, resource, error) => {
    expect(validateDiskInfo([resource])).toBe(error);
    expect(validateMasterResources([resource])).toBe(`Invalid DiskInfo: ${error}`);
  });

  it('resources: master validation: refuses dynamically reserved revocable resources', () => {
    const revocable = reserved(scalar('cpus', 1, { revocable: true }));
    const error = 'Dynamically reserved resource cpus(reservations: [(DYNAMIC,eng,alice)]){REV}:1 cannot be created from revocable resources';
    expect(validateDynamicReservationInfo([revocable])).toBe(error);
    expect(validateMasterResources([revocable])).toBe(`Invalid ReservationInfo: ${error}`);
    expect(validateDynamicReservationInfo([scalar('cpus', 1, { role: 'eng', revocable: true })])).toBeUndefined();
  });

  it('resources: master validation: gpus must sum to a whole number', () => {
    expect(validateGpus([scalar('gpus', 1), scalar('gpus', 1, { role: 'eng' })])).toBeUndefined();
    expect(validateGpus([scalar('gpus', 0.5)])).toBe("The 'gpus' resource must be an unsigned integer");
    expect(validateMasterResources([scalar('gpus', 1.5)])).toBe("Invalid 'gpus' resource: The 'gpus' resource must be an unsigned integer");
  });

  it('resources: master validation: per-resource rules come first, with both prefixes', () => {
    expect(validateMasterResources([scalar('cpus', -1)])).toBe(
      "Invalid resources: Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0",
    );
    expect(validateMasterResources([scalar('cpus', 1), volume(1, 'pv')])).toBeUndefined();
  });
});
