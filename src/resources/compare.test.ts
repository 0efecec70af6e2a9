/**
 * Method: for each field that identity (spec 1.7) compares or ignores, a pair of
 * resources differing in only that field, checked against sameMeta, equality,
 * addable and subtractable.
 */
import { describe, expect, it } from 'vitest';
import { addable, containsResource, diskEquals, labelsEqual, resourceEquals, sameMeta, subtractable } from './compare.js';
import { disk, dynamicReservation, labels, mountSource, pathSource, scalar, volume } from './testing/fixtures.js';
import type { Resource } from './types.js';

describe('resources: identity', () => {
  it('resources: identity: labels compare as an unordered multiset with missing value equal to ""', () => {
    const ab = { labels: [{ key: 'a', value: '1' }, { key: 'b' }] };
    expect(labelsEqual(ab, { labels: [{ key: 'b', value: '' }, { key: 'a', value: '1' }] })).toBe(true);
    expect(labelsEqual(ab, { labels: [{ key: 'a', value: '1' }, { key: 'b', value: 'x' }] })).toBe(false);
    expect(labelsEqual({ labels: [{ key: 'a' }, { key: 'a' }] }, { labels: [{ key: 'a' }, { key: 'b' }] })).toBe(false);
    expect(labelsEqual({ labels: [{ key: 'a' }] }, { labels: [{ key: 'a' }, { key: 'a' }] })).toBe(false);
  });

  it('resources: identity: reservations compare type, role, principal presence and labels presence', () => {
    const base = scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'alice', labels({ k: 'v' }))] });
    const variants: Resource[] = [
      scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'bob', labels({ k: 'v' }))] }),
      scalar('cpus', 1, { reservations: [dynamicReservation('eng', undefined, labels({ k: 'v' }))] }),
      scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'alice', labels({ k: 'w' }))] }),
      scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'alice')] }),
      scalar('cpus', 1, { reservations: [dynamicReservation('ops', 'alice', labels({ k: 'v' }))] }),
      scalar('cpus', 1, { reservations: [{ type: 'STATIC', role: 'eng', principal: 'alice', labels: labels({ k: 'v' }) }] }),
    ];
    for (const variant of variants) expect(sameMeta(base, variant)).toBe(false);
    const emptyLabels = scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'alice', { labels: [] })] });
    expect(sameMeta(emptyLabels, scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'alice')] }))).toBe(false);
    expect(sameMeta(base, { ...base })).toBe(true);
  });

  it('resources: identity: metadata covers name, type, allocation, revocable, provider and sharedness', () => {
    const base = scalar('cpus', 1);
    expect(sameMeta(base, scalar('mem', 1))).toBe(false);
    expect(sameMeta(base, { ...base, type: 'SET', set: { item: [] } })).toBe(false);
    expect(sameMeta(base, scalar('cpus', 1, { allocatedTo: 'eng' }))).toBe(false);
    expect(sameMeta(scalar('cpus', 1, { allocatedTo: 'ops' }), scalar('cpus', 1, { allocatedTo: 'eng' }))).toBe(false);
    expect(sameMeta(base, scalar('cpus', 1, { revocable: true }))).toBe(false);
    expect(sameMeta(base, { ...base, provider_id: { value: 'rp' } })).toBe(false);
    expect(sameMeta({ ...base, provider_id: { value: 'rp1' } }, { ...base, provider_id: { value: 'rp2' } })).toBe(false);
    expect(sameMeta(volume(1, 'pv'), volume(1, 'pv', { shared: true }))).toBe(false);
    expect(sameMeta(base, scalar('cpus', 2))).toBe(true);
  });

  it('resources: identity: disk identity ignores volume and creator principal but not source or id', () => {
    expect(diskEquals(volume(1, 'pv', { containerPath: 'a', principal: 'x' }).disk!, volume(1, 'pv', { containerPath: 'b', principal: 'y' }).disk!)).toBe(true);
    expect(diskEquals(volume(1, 'pv').disk!, volume(1, 'pv2').disk!)).toBe(false);
    expect(diskEquals(disk(1, { source: pathSource('/a') }).disk!, disk(1, { source: pathSource('/b') }).disk!)).toBe(false);
    expect(diskEquals(disk(1, { source: pathSource('/a') }).disk!, disk(1, { source: mountSource('/a') }).disk!)).toBe(false);
    expect(diskEquals({ source: { type: 'PATH' } }, { source: { type: 'PATH', path: {} } })).toBe(false);
    expect(diskEquals({ source: { type: 'RAW', id: 'a', profile: 'p' } }, { source: { type: 'RAW', id: 'a' } })).toBe(false);
    expect(diskEquals({ source: { type: 'RAW', vendor: 'v' } }, { source: { type: 'RAW', vendor: 'w' } })).toBe(false);
    expect(diskEquals({ source: { type: 'RAW', metadata: labels({ a: '1' }) } }, { source: { type: 'RAW', metadata: labels({ a: '1' }) } })).toBe(true);
    expect(sameMeta(volume(1, 'pv'), disk(1, { role: 'eng' }))).toBe(false);
  });

  it('resources: identity: equality adds the fixed-point quantity', () => {
    expect(resourceEquals(scalar('cpus', 0.1 + 0.2), scalar('cpus', 0.3))).toBe(true);
    expect(resourceEquals(scalar('cpus', 1), scalar('cpus', 1.001))).toBe(false);
  });

  it('resources: identity: plain resources with the same metadata are addable and subtractable', () => {
    expect(addable(scalar('cpus', 1), scalar('cpus', 2))).toBe(true);
    expect(subtractable(scalar('cpus', 1), scalar('cpus', 2))).toBe(true);
    expect(addable(disk(1, { source: pathSource('/a') }), disk(2, { source: pathSource('/a') }))).toBe(true);
    expect(addable(disk(1, { source: pathSource('/a') }), disk(2, { source: pathSource('/b') }))).toBe(false);
  });

  it('resources: identity: MOUNT and BLOCK disks never merge and are only subtracted whole', () => {
    for (const source of [mountSource('/m'), { type: 'BLOCK' as const }]) {
      const whole = disk(1024, { source });
      expect(addable(whole, whole)).toBe(false);
      expect(subtractable(whole, whole)).toBe(true);
      expect(subtractable(whole, disk(512, { source }))).toBe(false);
      expect(containsResource(whole, disk(512, { source }))).toBe(false);
    }
  });

  it('resources: identity: RAW disks merge only without an identity', () => {
    const anonymous = disk(10, { source: { type: 'RAW' } });
    const identified = disk(10, { source: { type: 'RAW', id: 'dev1' } });
    expect(addable(anonymous, disk(5, { source: { type: 'RAW' } }))).toBe(true);
    expect(subtractable(anonymous, disk(5, { source: { type: 'RAW' } }))).toBe(true);
    expect(addable(identified, identified)).toBe(false);
    expect(subtractable(identified, identified)).toBe(true);
    expect(subtractable(identified, disk(5, { source: { type: 'RAW', id: 'dev1' } }))).toBe(false);
  });

  it('resources: identity: two volumes never merge, and one is only subtracted whole', () => {
    expect(addable(volume(64, 'pv'), volume(64, 'pv'))).toBe(false);
    expect(subtractable(volume(64, 'pv'), volume(64, 'pv', { containerPath: 'other' }))).toBe(true);
    expect(subtractable(volume(64, 'pv'), volume(32, 'pv'))).toBe(false);
  });

  it('resources: identity: shared resources add and subtract only when equal', () => {
    const shared = volume(64, 'pv', { shared: true });
    expect(addable(shared, shared)).toBe(true);
    expect(subtractable(shared, shared)).toBe(true);
    expect(addable(shared, volume(64, 'pv'))).toBe(false);
    expect(addable(shared, volume(32, 'pv', { shared: true }))).toBe(false);
    expect(subtractable(shared, volume(32, 'pv', { shared: true }))).toBe(false);
  });

  it('resources: identity: containment needs subtractability and a smaller or equal quantity', () => {
    expect(containsResource(scalar('cpus', 2), scalar('cpus', 1.5))).toBe(true);
    expect(containsResource(scalar('cpus', 1.5), scalar('cpus', 2))).toBe(false);
    expect(containsResource(scalar('cpus', 2), scalar('cpus', 1, { role: 'eng' }))).toBe(false);
  });
});
