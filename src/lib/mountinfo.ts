/**
 * The kernel's table of mounts, /proc/self/mountinfo (proc(5)), one entry
 * per line: `id parent major:minor root mountpoint options [optional...] -
 * fstype source superoptions`, with space, tab, newline and backslash in paths
 * written as octal escapes (\040). Lines not of that shape are skipped. The
 * one reader for the agent's garbage collection, disk sources, loop disks
 * and cgroup hierarchies.
 */
import { readFileSync } from 'node:fs';

export const mountInfoPath = '/proc/self/mountinfo';

export interface MountEntry {
  /** `major:minor` of the mounted device (a loop device's is 7:N). */
  readonly device: string;
  /** The mount point, symlinks resolved, as the kernel spells it. */
  readonly mountPoint: string;
  readonly fsType: string;
  /** What was mounted, e.g. `/dev/loop3` or `tmpfs`. */
  readonly source: string;
  /** The file system's own options (for cgroup v1: its controllers). */
  readonly superOptions: readonly string[];
}

export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const device = fields[2];
    const mountPoint = fields[4];
    const fsType = fields[separator + 1];
    const source = fields[separator + 2];
    if (separator === -1 || device === undefined || mountPoint === undefined || fsType === undefined || source === undefined) continue;
    entries.push({
      device,
      mountPoint: unescapeOctal(mountPoint),
      fsType,
      source: unescapeOctal(source),
      superOptions: (fields[separator + 3] ?? '').split(','),
    });
  }
  return entries;
}

export function readMountTable(path = mountInfoPath): MountEntry[] {
  return parseMountInfo(readFileSync(path, 'utf8'));
}

function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
