/**
 * A user's uid and gid by name, for owning a sandbox before the task runs as
 * that user. /etc/passwd is read once and kept; a name it lacks is looked for
 * again (the file is re-read: the user may be new) and then through `id`,
 * which also sees users from NSS (LDAP and the like). The supervisor resolves
 * the user again itself (getpwnam) when it drops privileges.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface UserIds {
  readonly uid: number;
  readonly gid: number;
}

/** Parses passwd(5) lines: name:password:uid:gid:gecos:home:shell. */
export function parsePasswd(text: string): Map<string, UserIds> {
  const users = new Map<string, UserIds>();
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === undefined || name === '' || uid === undefined || gid === undefined) continue;
    if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    if (!users.has(name)) users.set(name, { uid: Number(uid), gid: Number(gid) });
  }
  return users;
}

/** Parses `id <name>`: "uid=1000(alice) gid=1000(alice) groups=...". */
export function parseIdOutput(text: string): UserIds | undefined {
  const match = /^uid=(\d+)\S* gid=(\d+)/.exec(text);
  return match === null ? undefined : { uid: Number(match[1]), gid: Number(match[2]) };
}

export class UserLookup {
  private users: Map<string, UserIds> | undefined;

  constructor(private readonly passwdPath = '/etc/passwd') {}

  /** From the kept copy of /etc/passwd, without I/O after the first call; undefined when not there. */
  cached(name: string): UserIds | undefined {
    if (this.users === undefined) this.users = this.readPasswd();
    return this.users.get(name);
  }

  /** Looks again: a fresh /etc/passwd, then `id`. Undefined when the user does not exist. */
  async lookup(name: string): Promise<UserIds | undefined> {
    this.users = this.readPasswd();
    const fromFile = this.users.get(name);
    if (fromFile !== undefined) return fromFile;
    // `id -- name` so that a name starting with '-' is not taken for an option.
    const output = await new Promise<string>((resolve) => {
      execFile('id', ['--', name], { timeout: 10_000 }, (error, stdout) => resolve(error === null ? stdout : ''));
    });
    return parseIdOutput(output);
  }

  private readPasswd(): Map<string, UserIds> {
    try {
      return parsePasswd(readFileSync(this.passwdPath, 'utf8'));
    } catch {
      return new Map();
    }
  }
}
