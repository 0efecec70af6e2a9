/**
 * What is mounted where, as the kernel reports it: /proc/self/mountinfo for
 * the mounts (src/lib/mountinfo.ts) and /sys/dev/block/<major:minor>/loop/backing_file for the image
 * behind a loop device. A loop disk is "mounted" when its mount point's top
 * mount is a loop device whose backing file is the image; names such as
 * /dev/loop3 are not compared, since the kernel hands them out afresh.
 */
import { readFileSync } from 'node:fs';
import type { MountEntry } from '../../lib/mountinfo.js';

export { parseMountInfo, readMountTable, type MountEntry } from '../../lib/mountinfo.js';

/** The last mount at `realPath`, which is the one a path lookup sees; undefined when none. */
export function topMountAt(mounts: readonly MountEntry[], realPath: string): MountEntry | undefined {
  return mounts.findLast((entry) => entry.mountPoint === realPath);
}

/**
 * The file behind a loop device, or undefined for a device that is not a loop
 * device. A file deleted while attached reads as `<path> (deleted)`, which
 * then matches no image path.
 */
export function loopBackingFile(device: string): string | undefined {
  try {
    return readFileSync(`/sys/dev/block/${device}/loop/backing_file`, 'utf8').replace(/\n$/, '');
  } catch {
    return undefined;
  }
}

/** The mount as a person would name it: `/dev/loop3 (a loop device of '/srv/a.img')` or `tmpfs (tmpfs)`. */
export function describeMount(entry: MountEntry): string {
  const backing = loopBackingFile(entry.device);
  return backing === undefined ? `${entry.source} (${entry.fsType})` : `${entry.source} (a loop device of '${backing}')`;
}
