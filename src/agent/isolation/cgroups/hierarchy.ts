/**
 * Where a cgroup controller lives on this host: a cgroup v1 hierarchy mounted
 * with that controller (one per controller here, or several together, such
 * as cpu,cpuacct), or else the cgroup v2 hierarchy when its
 * cgroup.controllers lists the controller. Read from /proc/self/mountinfo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type CgroupController = 'cpu' | 'cpuacct' | 'memory' | 'blkio';

export interface CgroupHierarchy {
  readonly version: 1 | 2;
  readonly mountPoint: string;
}

/** mountinfo writes space, tab, newline and backslash in paths as octal escapes. */
function unescapeMountinfo(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

interface CgroupMount {
  readonly fstype: string;
  readonly mountPoint: string;
  readonly superOptions: readonly string[];
}

function cgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (before === undefined || after === undefined) continue;
    const [fstype, , superOptions] = after.split(' ');
    const mountPoint = before.split(' ')[4];
    if ((fstype === 'cgroup' || fstype === 'cgroup2') && mountPoint !== undefined) {
      mounts.push({ fstype, mountPoint: unescapeMountinfo(mountPoint), superOptions: (superOptions ?? '').split(',') });
    }
  }
  return mounts;
}

/** v2's name of a v1 controller: cpuacct's accounting is part of v2's cpu, blkio is io. */
function v2Name(controller: CgroupController): string {
  if (controller === 'cpuacct') return 'cpu';
  if (controller === 'blkio') return 'io';
  return controller;
}

/** The hierarchy of `controller`, v1 first; undefined when the host has none. */
export function findHierarchy(controller: CgroupController, mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): CgroupHierarchy | undefined {
  const mounts = cgroupMounts(mountinfo);
  const v1 = mounts.find((mount) => mount.fstype === 'cgroup' && mount.superOptions.includes(controller));
  if (v1 !== undefined) return { version: 1, mountPoint: v1.mountPoint };
  for (const mount of mounts.filter((candidate) => candidate.fstype === 'cgroup2')) {
    const controllersFile = join(mount.mountPoint, 'cgroup.controllers');
    if (!existsSync(controllersFile)) continue;
    if (readFileSync(controllersFile, 'utf8').trim().split(/\s+/).includes(v2Name(controller))) return { version: 2, mountPoint: mount.mountPoint };
  }
  return undefined;
}
