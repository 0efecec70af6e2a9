/** Method: JSON shapes that decode, and one malformed shape per kind of field, with the field named. */
import { describe, expect, it } from 'vitest';
import { decodeWireResource, decodeWireResourceList } from './decode.js';

describe('resources: decoding', () => {
  it('resources: decoding: keeps known fields, ignores unknown ones and treats null as unset', () => {
    const decoded = decodeWireResource({
      name: 'disk',
      type: 'SCALAR',
      scalar: { value: '2048' },
      role: null,
      unknown: { x: 1 },
      reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'p', labels: { labels: [{ key: 'k' }] } }],
      disk: { persistence: { id: 'pv' }, volume: { container_path: 'd', mode: 'RW' }, source: { type: 'PATH', path: { root: '/m' } } },
      shared: {},
    });
    expect(decoded).toEqual({
      ok: true,
      value: {
        name: 'disk',
        type: 'SCALAR',
        scalar: { value: 2048 },
        reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'p', labels: { labels: [{ key: 'k' }] } }],
        disk: { persistence: { id: 'pv' }, volume: { container_path: 'd', mode: 'RW' }, source: { type: 'PATH', path: { root: '/m' } } },
        shared: {},
      },
    });
  });

  it('resources: decoding: keeps an UNKNOWN disk source for validation to refuse', () => {
    const decoded = decodeWireResource({ name: 'disk', type: 'SCALAR', scalar: { value: 1 }, disk: { source: { type: 'UNKNOWN' } } });
    expect(decoded.ok && decoded.value.disk?.source?.type).toBe('UNKNOWN');
  });

  it.each<[string, unknown, string]>([
    ['a non-object', 5, "'resource' must be an object"],
    ['a missing name', { type: 'SCALAR' }, "'resource.name' is required"],
    ['a missing type', { name: 'cpus' }, "'resource.type' is required"],
    ['an unknown type', { name: 'cpus', type: 'FLOATINGPOINT' }, "'resource.type' has unknown value 'FLOATINGPOINT'"],
    ['a scalar without value', { name: 'cpus', type: 'SCALAR', scalar: {} }, "'resource.scalar.value' is required"],
    ['a non-numeric scalar', { name: 'cpus', type: 'SCALAR', scalar: { value: 'x' } }, "'resource.scalar.value' must be a number"],
    ['a negative range bound', { name: 'p', type: 'RANGES', ranges: { range: [{ begin: -1, end: 2 }] } }, "'resource.ranges.range[0].begin' must be a non-negative integer"],
    ['a non-string set item', { name: 's', type: 'SET', set: { item: [1] } }, "'resource.set.item[0]' must be a string"],
    ['a volume without mode', { name: 'disk', type: 'SCALAR', scalar: { value: 1 }, disk: { volume: { container_path: 'd' } } }, "'resource.disk.volume.mode' is required"],
    ['a persistence without id', { name: 'disk', type: 'SCALAR', scalar: { value: 1 }, disk: { persistence: {} } }, "'resource.disk.persistence.id' is required"],
    ['a label without key', { name: 'c', type: 'SCALAR', scalar: { value: 1 }, reservation: { labels: { labels: [{}] } } }, "'resource.reservation.labels.labels[0].key' is required"],
    ['reservations that are not an array', { name: 'c', type: 'SCALAR', scalar: { value: 1 }, reservations: {} }, "'resource.reservations' must be an array"],
  ])('resources: decoding: refuses %s', (_, json, error) => {
    expect(decodeWireResource(json)).toEqual({ ok: false, error });
  });

  it('resources: decoding: a list must be an array and names the failing index', () => {
    expect(decodeWireResourceList({})).toEqual({ ok: false, error: "'resources' must be an array" });
    expect(decodeWireResourceList([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }, {}])).toEqual({
      ok: false,
      error: "'resources[1].name' is required",
    });
  });
});
