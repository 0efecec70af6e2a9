/**
 * One entry of /files/browse, as Mesos' model(FileInfo) writes it: the mode
 * as `ls` prints it ("drwxr-xr-x", without setuid/sticky letters), the mtime
 * in whole seconds, the owner and group as names (their numbers when the
 * system knows no name). Keys are in Mesos' (alphabetical) order.
 */
import type { Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../../lib/clock.js';
import { systemClock } from '../../lib/clock.js';

export interface FileInfoJson {
  readonly gid: string;
  readonly mode: string;
  readonly mtime: number;
  readonly nlink: number;
  readonly path: string;
  readonly size: number;
  readonly uid: string;
}

/** Names of users and groups by number. */
export interface OwnerNames {
  user(uid: number): string;
  group(gid: number): string;
}

export function fileInfoJson(path: string, stats: Stats, names: OwnerNames): FileInfoJson {
  return {
    gid: names.group(stats.gid),
    mode: modeString(stats.mode),
    mtime: Math.floor(stats.mtimeMs / 1000),
    nlink: stats.nlink,
    path,
    size: stats.size,
    uid: names.user(stats.uid),
  };
}

/** S_IFMT and the file types Mesos tells apart (sys/stat.h). */
const fileTypeMask = 0o170000;
const fileTypeLetters = new Map<number, string>([
  [0o100000, '-'],
  [0o040000, 'd'],
  [0o020000, 'c'],
  [0o060000, 'b'],
  [0o010000, 'p'],
  [0o120000, 'l'],
  [0o140000, 's'],
]);

export function modeString(mode: number): string {
  const type = fileTypeLetters.get(mode & fileTypeMask) ?? '-';
  let permissions = '';
  for (const shift of [6, 3, 0]) {
    const bits = (mode >> shift) & 0o7;
    permissions += (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  }
  return type + permissions;
}

/** How long the names read from /etc/passwd and /etc/group are trusted. */
const ownerNamesTtlMs = 60_000;

/**
 * Names from /etc/passwd and /etc/group, reread at most once a minute. Users
 * known only through NSS (LDAP) show as numbers; Mesos' getpwuid would name them.
 */
export class SystemOwnerNames {
  private loadedAtMs = -Infinity;
  private users = new Map<number, string>();
  private groups = new Map<number, string>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly files = { passwd: '/etc/passwd', group: '/etc/group' },
  ) {}

  async current(): Promise<OwnerNames> {
    const nowMs = this.clock.nowMs();
    if (nowMs - this.loadedAtMs >= ownerNamesTtlMs) {
      this.users = parseIdFile(await readFile(this.files.passwd, 'utf8').catch(() => ''));
      this.groups = parseIdFile(await readFile(this.files.group, 'utf8').catch(() => ''));
      this.loadedAtMs = nowMs;
    }
    const users = this.users;
    const groups = this.groups;
    return { user: (uid) => users.get(uid) ?? String(uid), group: (gid) => groups.get(gid) ?? String(gid) };
  }
}

/** name:password:id:... lines (passwd and group share the first three fields); the first name of an id wins. */
export function parseIdFile(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name === undefined || name === '' || name.startsWith('#') || id === undefined || !/^\d+$/.test(id)) continue;
    if (!names.has(Number(id))) names.set(Number(id), name);
  }
  return names;
}
