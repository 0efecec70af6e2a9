/**
 * Where a cgroup controller lives on this host: a cgroup v1 hierarchy mounted
 * with that controller (one per controller here, or several together, such
 * as cpu,cpuacct), or else the cgroup v2 hierarchy when its
 * cgroup.controllers lists the controller. Read from /proc/self/mountinfo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mountInfoPath, parseMountInfo } from '../../../lib/mountinfo.js';

export type CgroupController = 'cpu' | 'cpuacct' | 'memory' | 'blkio';

export interface CgroupHierarchy {
  readonly version: 1 | 2;
  readonly mountPoint: string;
}

/** v2's name of a v1 controller: cpuacct's accounting is part of v2's cpu, blkio is io. */
function v2Name(controller: CgroupController): string {
  if (controller === 'cpuacct') return 'cpu';
  if (controller === 'blkio') return 'io';
  return controller;
}

/** The hierarchy of `controller`, v1 first; undefined when the host has none. */
export function findHierarchy(controller: CgroupController, mountinfo = readFileSync(mountInfoPath, 'utf8')): CgroupHierarchy | undefined {
  const mounts = parseMountInfo(mountinfo);
  const v1 = mounts.find((mount) => mount.fsType === 'cgroup' && mount.superOptions.includes(controller));
  if (v1 !== undefined) return { version: 1, mountPoint: v1.mountPoint };
  for (const mount of mounts.filter((candidate) => candidate.fsType === 'cgroup2')) {
    const controllersFile = join(mount.mountPoint, 'cgroup.controllers');
    if (!existsSync(controllersFile)) continue;
    if (readFileSync(controllersFile, 'utf8').trim().split(/\s+/).includes(v2Name(controller))) return { version: 2, mountPoint: mount.mountPoint };
  }
  return undefined;
}
