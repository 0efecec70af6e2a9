/**
 * Users by name, from /etc/passwd: the fetcher chowns what it puts into a
 * sandbox to the task's user and reads local files as that user.
 */
import { readFile } from 'node:fs/promises';
import { err, ok, type Result } from '../../lib/result.js';

export interface UserIds {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export const passwdPathDefault = '/etc/passwd';

/** Finds `name` in a passwd file (name:password:uid:gid:gecos:home:shell). */
export async function lookupUser(name: string, passwdPath: string = passwdPathDefault): Promise<Result<UserIds>> {
  let content: string;
  try {
    content = await readFile(passwdPath, 'utf8');
  } catch (error) {
    return err(`Failed to read ${passwdPath}: ${(error as Error).message}`);
  }
  return findUser(content, name);
}

export function findUser(passwd: string, name: string): Result<UserIds> {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] !== name || fields.length < 4) continue;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (!Number.isSafeInteger(uid) || !Number.isSafeInteger(gid) || uid < 0 || gid < 0 || fields[2] === '' || fields[3] === '') {
      return err(`malformed passwd entry for user '${name}'`);
    }
    return ok({ name, uid, gid });
  }
  return err(`unknown user '${name}'`);
}
