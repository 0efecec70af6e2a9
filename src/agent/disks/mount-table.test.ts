// Method: mountinfo lines as the kernel writes them (optional fields, octal
// escapes, stacked mounts), parsed as values; no system is read.
import { describe, expect, it } from 'vitest';
import { parseMountInfo, topMountAt } from './mount-table.js';

const mountInfo = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '41 22 7:3 / /srv/disk\\040one rw,relatime shared:20 master:3 - ext4 /dev/loop3 rw',
  '42 41 0:52 / /srv/disk\\040one rw,relatime - tmpfs tmpfs rw,size=1024k',
  'not a mountinfo line',
  '',
].join('\n');

describe('loop disk: mount table', () => {
  it('loop disk: mount table: reads device, mount point (unescaped), type and source; skips other lines', () => {
    expect(parseMountInfo(mountInfo)).toEqual([
      { device: '8:1', mountPoint: '/', fsType: 'ext4', source: '/dev/sda1', superOptions: ['rw'] },
      { device: '7:3', mountPoint: '/srv/disk one', fsType: 'ext4', source: '/dev/loop3', superOptions: ['rw'] },
      { device: '0:52', mountPoint: '/srv/disk one', fsType: 'tmpfs', source: 'tmpfs', superOptions: ['rw', 'size=1024k'] },
    ]);
  });

  it('loop disk: mount table: the top mount at a path is the last one listed', () => {
    const mounts = parseMountInfo(mountInfo);
    expect(topMountAt(mounts, '/srv/disk one')?.fsType).toBe('tmpfs');
    expect(topMountAt(mounts, '/srv')).toBeUndefined();
  });
});
