import { describe, expect, it } from 'vitest';
import { findHierarchy } from './hierarchy.js';

const mountinfo = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
].join('\n');

describe('isolation: cgroup hierarchies', () => {
  it('finds a v1 controller mounted alone or with others, by its super options', () => {
    expect(findHierarchy('cpu', mountinfo)).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/cpu,cpuacct' });
    expect(findHierarchy('cpuacct', mountinfo)).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/cpu,cpuacct' });
    expect(findHierarchy('memory', mountinfo)).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/memory' });
  });

  it('finds nothing for a controller the host does not mount', () => {
    expect(findHierarchy('blkio', mountinfo)).toBeUndefined();
  });
});
