/**
 * Extracting an archive into a sandbox, safely. The system's GNU tar handles
 * every tar flavour (plain, gzip, bzip2, xz) and Info-ZIP's unzip handles zip;
 * a bare .gz is gunzipped with zlib. Safety comes in layers:
 *
 *  1. Archives are listed first and refused whole when a name is absolute or
 *     holds `..` (unzip would silently strip them, tar would skip them). The
 *     tar listing is exact (see archive-listing.ts), so tar links that point out
 *     and devices or FIFOs are refused there too; zip links are checked in 3.
 *  2. Extraction goes into a new, empty staging directory inside the sandbox,
 *     never into the sandbox itself, so no link that the sandbox already holds
 *     is followed. GNU tar and unzip both create links that could be followed
 *     out only after every other entry.
 *  3. The staged tree is walked: links must resolve inside it, anything but
 *     files, directories and links is refused, set-id bits are dropped (the
 *     agent is root) and everything is chowned to the task's user.
 *  4. The tree is merged into the sandbox by rename, refusing to merge into a
 *     link. A refused archive leaves the sandbox as it was.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lchown, lstat, mkdtemp, readdir, readlink, realpath, rename, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { err, ok, type Result } from '../../lib/result.js';
import { checkArchiveEntries, checkZipNames, parseTarListing } from './archive-listing.js';
import { gunzippedName, type ArchiveKind } from './uri.js';
import type { UserIds } from './users.js';

/** A tar listing longer than this is refused (about 500,000 entries). */
export const archiveListingBytesMax = 64 * 1024 * 1024;

/** Error output kept from tar or unzip, for the message. */
const helperOutputBytesMax = 8192;

const tarCompressionFlags: Readonly<Record<Exclude<ArchiveKind, 'zip' | 'gz'>, readonly string[]>> = {
  tar: [],
  'tar.gz': ['-z'],
  'tar.bz2': ['-j'],
  'tar.xz': ['-J'],
};

/** Extracts `archive` (a file named `archiveName`, of `kind`) into `sandbox`, owned by `owner`. */
export async function extractArchive(archive: string, archiveName: string, kind: ArchiveKind, sandbox: string, owner: UserIds | undefined): Promise<Result<void>> {
  let staging: string | undefined;
  try {
    staging = await mkdtemp(join(sandbox, '.berth-extract-'));
    const extracted = await extractInto(archive, archiveName, kind, staging);
    if (!extracted.ok) return extracted;
    const checked = await checkStagedTree(staging, await realpath(staging), staging, owner);
    if (!checked.ok) return checked;
    return await mergeInto(staging, sandbox, '');
  } catch (error) {
    return err(`cannot extract: ${(error as Error).message}`);
  } finally {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
  }
}

async function extractInto(archive: string, archiveName: string, kind: ArchiveKind, staging: string): Promise<Result<void>> {
  if (kind === 'gz') {
    await pipeline(createReadStream(archive), createGunzip(), createWriteStream(join(staging, gunzippedName(archiveName)), { flags: 'wx', mode: 0o644 }));
    return ok(undefined);
  }
  if (kind === 'zip') {
    const listing = await runHelper('unzip', ['-Z1', archive], archiveListingBytesMax);
    if (!listing.ok) return err(`cannot list the archive: ${listing.error}`);
    const checked = checkZipNames(listing.value);
    if (!checked.ok) return checked;
    const unzip = await runHelper('unzip', ['-qq', '-o', archive, '-d', staging], helperOutputBytesMax);
    return unzip.ok ? ok(undefined) : err(`unzip refused the archive: ${unzip.error}`);
  }
  const compression = tarCompressionFlags[kind];
  const listing = await runHelper('tar', ['-t', '-v', '-P', '--quoting-style=c', '--numeric-owner', ...compression, '-f', archive], archiveListingBytesMax);
  if (!listing.ok) return err(`cannot list the archive: ${listing.error}`);
  const entries = parseTarListing(listing.value);
  if (!entries.ok) return entries;
  const checked = checkArchiveEntries(entries.value);
  if (!checked.ok) return checked;
  const tar = await runHelper('tar', ['-x', ...compression, '-f', archive, '-C', staging, '--no-same-owner', '--no-same-permissions'], helperOutputBytesMax);
  return tar.ok ? ok(undefined) : err(`tar failed: ${tar.error}`);
}

/** Walks the staged tree: links stay inside it, only files, directories and links, no set-id bits, chowned. */
async function checkStagedTree(directory: string, stagingReal: string, staging: string, owner: UserIds | undefined): Promise<Result<void>> {
  for (const name of await readdir(directory)) {
    const path = join(directory, name);
    const shown = relative(staging, path);
    const stats = await lstat(path);
    if (stats.isSymbolicLink()) {
      if (!(await linkStaysInside(path, stagingReal))) return err(`archive entry '${shown}' is a symbolic link out of the sandbox (to '${await readlink(path)}')`);
    } else if (stats.isDirectory()) {
      const inner = await checkStagedTree(path, stagingReal, staging, owner);
      if (!inner.ok) return inner;
    } else if (stats.isFile()) {
      if ((stats.mode & 0o6000) !== 0) await chmod(path, stats.mode & 0o1777);
    } else {
      return err(`archive entry '${shown}' is not a file, directory or link`);
    }
    if (owner !== undefined) await lchown(path, owner.uid, owner.gid);
  }
  return ok(undefined);
}

/** A link without `..` stays inside (every other link is checked too); one with `..` must resolve inside. */
async function linkStaysInside(path: string, stagingReal: string): Promise<boolean> {
  const target = await readlink(path);
  if (target.startsWith('/')) return false;
  if (!target.split('/').includes('..')) return true;
  const resolved = await realpath(path).catch(() => undefined);
  return resolved !== undefined && (resolved === stagingReal || resolved.startsWith(stagingReal + sep));
}

/** Moves the staged tree into the sandbox: new names by rename, existing directories merged, never through a link. */
async function mergeInto(from: string, to: string, shownPrefix: string): Promise<Result<void>> {
  for (const name of await readdir(from)) {
    const source = join(from, name);
    const destination = join(to, name);
    const shown = `${shownPrefix}${name}`;
    const [sourceStats, destinationStats] = await Promise.all([lstat(source), lstat(destination).catch(() => undefined)]);
    if (destinationStats === undefined) {
      await rename(source, destination);
    } else if (destinationStats.isSymbolicLink() && sourceStats.isDirectory()) {
      return err(`'${shown}' in the sandbox is a symbolic link; not extracting into it`);
    } else if (destinationStats.isDirectory() && sourceStats.isDirectory()) {
      const merged = await mergeInto(source, destination, `${shown}/`);
      if (!merged.ok) return merged;
    } else if (destinationStats.isDirectory()) {
      return err(`'${shown}' in the sandbox is a directory; the archive has a file there`);
    } else {
      await rename(source, destination);
    }
  }
  return ok(undefined);
}

/** Runs a helper with LC_ALL=C; its stdout on success, else a one-line reason from its stderr. */
function runHelper(command: string, args: readonly string[], stdoutBytesMax: number): Promise<Result<string>> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' } });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let overflow = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > stdoutBytesMax) {
        overflow = true;
        child.kill('SIGKILL');
      } else {
        stdout.push(chunk);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < helperOutputBytesMax) stderr += text;
    });
    child.once('error', (error) => resolve(err(`cannot run ${command}: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (overflow) resolve(err(`${command} printed more than ${stdoutBytesMax} bytes`));
      else if (code === 0) resolve(ok(Buffer.concat(stdout).toString('utf8')));
      else resolve(err(firstLine(stderr) || firstLine(Buffer.concat(stdout).toString('utf8')) || `${command} exited with ${code ?? signal}`));
    });
  });
}

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? '';
}
