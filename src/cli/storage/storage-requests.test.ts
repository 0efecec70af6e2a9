// Method: the values people type (sizes, disk sources, flag names with
// dashes) and the v1 calls built from them, compared with the JSON of
// spec/storage.md 2.3, 2.5, 2.6 and 5.2.
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../resources/index.js';
import { normalizeFlagNames, parseDiskSource, parseMegabytes } from './storage-flags.js';
import { createVolumesCall, growVolumeCall, newVolume, reserveCall, shrinkVolumeCall, toReserve, toUnreserve } from './storage-requests.js';

const eng = [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }] as const;
const cpus: Resource = { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [] };
const disk: Resource = { name: 'disk', type: 'SCALAR', scalar: { value: 1024 }, reservations: [] };
const volume = newVolume({
  id: 'pv-1',
  sizeMb: 512,
  reservations: eng,
  principal: 'ops',
  containerPath: 'data',
  mode: 'RW',
  shared: false,
  source: { type: 'PATH', path: { root: '/mnt/a' } },
});

describe('cli: storage: requests', () => {
  it('cli: storage: requests: sizes are megabytes, or bytes with a unit', () => {
    expect(parseMegabytes('512')).toEqual({ ok: true, value: 512 });
    expect(parseMegabytes('0.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseMegabytes('2GB')).toEqual({ ok: true, value: 2048 });
    expect(parseMegabytes('0').ok).toBe(false);
    expect(parseMegabytes('-1').ok).toBe(false);
    expect(parseMegabytes('lots').ok).toBe(false);
  });

  it('cli: storage: requests: a disk source is ROOT, PATH:<root> or MOUNT:<root>', () => {
    expect(parseDiskSource('ROOT')).toEqual({ ok: true, value: undefined });
    expect(parseDiskSource('PATH:/mnt/a')).toEqual({ ok: true, value: { type: 'PATH', path: { root: '/mnt/a' } } });
    expect(parseDiskSource('mount:/mnt/b')).toEqual({ ok: true, value: { type: 'MOUNT', mount: { root: '/mnt/b' } } });
    for (const bad of ['PATH:', 'LVM:/x', '/mnt/a']) expect(parseDiskSource(bad).ok, bad).toBe(false);
  });

  it('cli: storage: requests: dashes in flag names become underscores, values and the rest untouched', () => {
    expect(normalizeFlagNames(['--container-path=a-b', '--no-json', '--disk-source', 'PATH:/x-y', 'pos-1', '--', '--keep-me'])).toEqual([
      '--container_path=a-b',
      '--no-json',
      '--disk_source',
      'PATH:/x-y',
      'pos-1',
      '--',
      '--keep-me',
    ]);
  });

  it('cli: storage: requests: a new volume is the CREATE volume of spec 2.3 on the reserved stack', () => {
    expect(createVolumesCall('S0', [volume])).toEqual({
      type: 'CREATE_VOLUMES',
      create_volumes: {
        agent_id: { value: 'S0' },
        volumes: [
          {
            name: 'disk',
            type: 'SCALAR',
            scalar: { value: 512 },
            reservations: eng,
            disk: { persistence: { id: 'pv-1', principal: 'ops' }, volume: { container_path: 'data', mode: 'RW' }, source: { type: 'PATH', path: { root: '/mnt/a' } } },
          },
        ],
      },
    });
  });

  it('cli: storage: requests: grow adds plain disk with the same stack and source; shrink subtracts a scalar', () => {
    expect(growVolumeCall('S0', volume, 256)).toMatchObject({
      type: 'GROW_VOLUME',
      grow_volume: { volume, addition: { name: 'disk', type: 'SCALAR', scalar: { value: 256 }, reservations: eng, disk: { source: { type: 'PATH', path: { root: '/mnt/a' } } } } },
    });
    expect(shrinkVolumeCall('S0', volume, 128)).toEqual({ type: 'SHRINK_VOLUME', shrink_volume: { agent_id: { value: 'S0' }, volume, subtract: { value: 128 } } });
  });

  it('cli: storage: requests: reserve pushes one dynamic reservation; unreserve carries the stack found', () => {
    const source = { type: 'MOUNT', mount: { root: '/mnt/b' } } as const;
    const reserved = toReserve([cpus, disk], 'eng', 'ops', source);
    expect(reserveCall('S0', reserved)).toEqual({
      type: 'RESERVE_RESOURCES',
      reserve_resources: {
        agent_id: { value: 'S0' },
        resources: [
          { ...cpus, reservations: eng },
          { ...disk, reservations: eng, disk: { source } },
        ],
      },
    });
    expect(toReserve([cpus], 'eng', undefined, undefined)).toEqual([{ ...cpus, reservations: [{ type: 'DYNAMIC', role: 'eng' }] }]);
    expect(toUnreserve(disk, eng, undefined)).toEqual({ ...disk, reservations: eng });
  });
});
