/**
 * Putting files into a sandbox without following symbolic links out of it.
 * A sandbox may already hold links (volumes are symlinked in when the agent is
 * not root, and an earlier archive may have brought some), so the fetcher never
 * walks through one: directories are created one component at a time and
 * refused when a component is a link, and files are written under a temporary
 * name and renamed into place (rename replaces a link; it does not follow it).
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { err, ok, type Result } from '../../lib/result.js';
import type { UserIds } from './users.js';

const sandboxDirectoryMode = 0o755;

/**
 * Creates `relativeDirectory` under `sandbox` (owned by `owner`), refusing to
 * pass through a link or a file.
 */
export async function makeSandboxDirectories(sandbox: string, relativeDirectory: string, owner: UserIds | undefined): Promise<Result<void>> {
  if (relativeDirectory === '.' || relativeDirectory === '') return ok(undefined);
  try {
    return await makeDirectories(sandbox, relativeDirectory, owner);
  } catch (error) {
    return err(`cannot create '${relativeDirectory}' in the sandbox: ${(error as Error).message}`);
  }
}

async function makeDirectories(sandbox: string, relativeDirectory: string, owner: UserIds | undefined): Promise<Result<void>> {
  let path = sandbox;
  let relative = '';
  for (const component of relativeDirectory.split('/')) {
    if (component === '' || component === '.') continue;
    path = join(path, component);
    relative = relative === '' ? component : `${relative}/${component}`;
    const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (stats === undefined) {
      await mkdir(path, { mode: sandboxDirectoryMode });
      if (owner !== undefined) await chown(path, owner.uid, owner.gid);
    } else if (stats.isSymbolicLink()) {
      return err(`'${relative}' in the sandbox is a symbolic link`);
    } else if (!stats.isDirectory()) {
      return err(`'${relative}' in the sandbox is not a directory`);
    }
  }
  return ok(undefined);
}

/** A temporary name beside `destination`, for a file that is renamed over it when complete. */
export function temporaryPathFor(destination: string): string {
  return join(dirname(destination), `.${basename(destination)}.fetching-${randomBytes(6).toString('hex')}`);
}

/**
 * Gives the complete file at `temporary` its mode and owner, then renames it to
 * `destination`. The temporary file is removed on failure.
 */
export async function placeFile(temporary: string, destination: string, mode: number, owner: UserIds | undefined): Promise<Result<void>> {
  try {
    const existing = await lstat(destination).catch(() => undefined);
    if (existing?.isDirectory() === true) return err(`'${basename(destination)}' is a directory in the sandbox`);
    await chmod(temporary, mode);
    if (owner !== undefined) await chown(temporary, owner.uid, owner.gid);
    await rename(temporary, destination);
    return ok(undefined);
  } catch (error) {
    return err((error as Error).message);
  } finally {
    await rm(temporary, { force: true });
  }
}
