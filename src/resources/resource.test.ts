/**
 * Method: one example per predicate and helper of spec 1.1/1.7 on single
 * resources, built with the fixtures so each case reads as the resource it is.
 */
import { describe, expect, it } from 'vitest';
import {
  allocateResource,
  diskSourceType,
  hasRefinedReservations,
  isAllocatableTo,
  isDynamicallyReserved,
  isEmptyResource,
  isMountDisk,
  isPersistentVolume,
  isReservedFor,
  isRevocable,
  isShared,
  isStaticallyReserved,
  isUnreserved,
  needsCheckpointing,
  popReservation,
  pushReservation,
  reservationRole,
  stripVolume,
  toUnreservedResource,
  unallocateResource,
} from './resource.js';
import { AssertionError } from '../lib/assert.js';
import { disk, dynamicReservation, mountSource, pathSource, ranges, scalar, set, staticReservation, volume } from './testing/fixtures.js';

const refined = scalar('cpus', 1, { reservations: [staticReservation('eng'), dynamicReservation('eng/fe', 'alice')] });

describe('resources: resource predicates', () => {
  it('resources: resource predicates: tell unreserved, static, dynamic and refined reservations apart', () => {
    const unreserved = scalar('cpus', 1);
    const staticCpus = scalar('cpus', 1, { role: 'eng' });
    const dynamicCpus = scalar('cpus', 1, { reservations: [dynamicReservation('eng')] });
    expect([isUnreserved(unreserved), isStaticallyReserved(unreserved), isDynamicallyReserved(unreserved)]).toEqual([true, false, false]);
    expect([isUnreserved(staticCpus), isStaticallyReserved(staticCpus), isDynamicallyReserved(staticCpus)]).toEqual([false, true, false]);
    expect([isStaticallyReserved(dynamicCpus), isDynamicallyReserved(dynamicCpus)]).toEqual([false, true]);
    expect([hasRefinedReservations(refined), isDynamicallyReserved(refined), reservationRole(refined)]).toEqual([true, true, 'eng/fe']);
    expect(hasRefinedReservations(dynamicCpus)).toBe(false);
  });

  it('resources: resource predicates: reservationRole of an unreserved resource is a programmer error', () => {
    expect(() => reservationRole(scalar('cpus', 1))).toThrow(AssertionError);
  });

  it('resources: resource predicates: isReservedFor matches the current reservation role exactly', () => {
    expect(isReservedFor(refined, 'eng/fe')).toBe(true);
    expect(isReservedFor(refined, 'eng')).toBe(false);
    expect(isReservedFor(scalar('cpus', 1), '*')).toBe(false);
  });

  it('resources: resource predicates: a reservation is allocatable to its role and its sub-roles only', () => {
    const eng = scalar('cpus', 1, { role: 'eng' });
    expect(isAllocatableTo(eng, 'eng')).toBe(true);
    expect(isAllocatableTo(eng, 'eng/frontend')).toBe(true);
    expect(isAllocatableTo(eng, 'engineering')).toBe(false);
    expect(isAllocatableTo(eng, 'dev')).toBe(false);
    expect(isAllocatableTo(refined, 'eng')).toBe(false);
    expect(isAllocatableTo(scalar('cpus', 1), 'anyone')).toBe(true);
  });

  it('resources: resource predicates: volumes, sharing, revocability and disk kinds', () => {
    const shared = volume(64, 'pv', { shared: true });
    expect([isPersistentVolume(shared), isShared(shared)]).toEqual([true, true]);
    expect(isPersistentVolume(disk(64, { source: pathSource('/mnt') }))).toBe(false);
    expect(isRevocable(scalar('cpus', 1, { revocable: true }))).toBe(true);
    expect(diskSourceType(disk(64))).toBeUndefined();
    expect(diskSourceType(disk(64, { source: pathSource('/mnt') }))).toBe('PATH');
    expect(isMountDisk(disk(64, { source: mountSource('/mnt') }))).toBe(true);
    expect(isMountDisk(disk(64, { source: pathSource('/mnt') }))).toBe(false);
  });

  it('resources: resource predicates: checkpointed resources are dynamic reservations and volumes without a provider', () => {
    expect(needsCheckpointing(scalar('cpus', 1, { reservations: [dynamicReservation('eng')] }))).toBe(true);
    expect(needsCheckpointing(volume(64, 'pv'))).toBe(true);
    expect(needsCheckpointing(scalar('cpus', 1, { role: 'eng' }))).toBe(false);
    expect(needsCheckpointing(scalar('cpus', 1))).toBe(false);
    const provided = { ...volume(64, 'pv'), provider_id: { value: 'rp' } };
    expect(needsCheckpointing(provided)).toBe(false);
  });

  it('resources: resource predicates: empty means zero after rounding, no ranges or no items', () => {
    expect(isEmptyResource(scalar('cpus', 0))).toBe(true);
    expect(isEmptyResource(scalar('cpus', 0.0004))).toBe(true);
    expect(isEmptyResource(scalar('cpus', 0.001))).toBe(false);
    expect(isEmptyResource(ranges('ports', []))).toBe(true);
    expect(isEmptyResource(set('gpus', []))).toBe(true);
    expect(isEmptyResource(set('gpus', ['a']))).toBe(false);
  });
});

describe('resources: resource helpers', () => {
  it('resources: resource helpers: stripping a ROOT volume drops the whole disk and sharedness', () => {
    const stripped = stripVolume(volume(64, 'pv', { shared: true }));
    expect(stripped).toEqual(scalar('disk', 64, { role: 'eng' }));
  });

  it('resources: resource helpers: stripping a PATH or MOUNT volume keeps the source', () => {
    for (const source of [pathSource('/mnt/a'), mountSource('/mnt/b')]) {
      expect(stripVolume(volume(64, 'pv', { source }))).toEqual(disk(64, { role: 'eng', source }));
    }
  });

  it('resources: resource helpers: push and pop reservations refine and undo', () => {
    const base = scalar('cpus', 1, { role: 'eng' });
    const pushed = pushReservation(base, dynamicReservation('eng/fe', 'alice'));
    expect(pushed.reservations).toEqual([staticReservation('eng'), dynamicReservation('eng/fe', 'alice')]);
    expect(popReservation(pushed)).toEqual(base);
    expect(base.reservations).toHaveLength(1);
    expect(pushReservation(scalar('cpus', 1), staticReservation('eng')).reservations).toEqual([staticReservation('eng')]);
  });

  it('resources: resource helpers: an invalid push or a pop of nothing is a programmer error', () => {
    const base = scalar('cpus', 1, { role: 'eng' });
    expect(() => pushReservation(base, dynamicReservation('ops'))).toThrow(AssertionError);
    expect(() => pushReservation(base, staticReservation('eng/fe'))).toThrow(AssertionError);
    expect(() => pushReservation(scalar('cpus', 1), dynamicReservation('*'))).toThrow(AssertionError);
    expect(() => popReservation(scalar('cpus', 1))).toThrow(AssertionError);
  });

  it('resources: resource helpers: unreserve, allocate and unallocate', () => {
    expect(toUnreservedResource(refined).reservations).toEqual([]);
    const allocated = allocateResource(scalar('cpus', 1), 'eng');
    expect(allocated.allocation_info).toEqual({ role: 'eng' });
    expect(unallocateResource(allocated)).toEqual(scalar('cpus', 1));
    expect('allocation_info' in unallocateResource(allocated)).toBe(false);
  });
});
