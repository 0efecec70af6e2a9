/**
 * The /files endpoints' work (spec/core.md 6.4), without HTTP: browse a
 * directory, read a chunk of a file, download a file, list what is attached.
 * Every operation resolves the virtual path (resolve.ts), opens what it found
 * and checks the opened descriptor before reading: nothing outside an attached
 * root is ever read.
 *
 * The attached roots are a live map the agent owns (virtual path -> real
 * path): it attaches each sandbox under its real path and under Mesos'
 * `/frameworks/<fw>/executors/<ex>/runs/latest` (see `sandboxVirtualPaths`),
 * and its own log as `/slave/log` when it writes one.
 */
import { constants, type Stats } from 'node:fs';
import { open, readdir, realpath, stat, lstat, type FileHandle } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { ok, type Result } from '../../lib/result.js';
import { fileInfoJson, SystemOwnerNames, type FileInfoJson, type OwnerNames } from './file-info.js';
import { checkOpened, filesError, isWithin, resolveVirtualPath, type FilesError, type ResolvedPath } from './resolve.js';

/**
 * Mesos caps one read at 16 pages (64 KiB with 4 KiB pages); clients such as
 * the web UI's pailer read on from the returned offset.
 */
export const readLengthMaxBytesDefault = 16 * 4096;

/** The agent log's virtual path (Mesos' /slave/log). */
export const agentLogVirtualPath = '/slave/log';

/** The virtual paths a sandbox is attached under: its real path, and Mesos' `runs/latest` path. */
export function sandboxVirtualPaths(frameworkId: string, executorId: string, directory: string): readonly string[] {
  return [directory, `/frameworks/${frameworkId}/executors/${executorId}/runs/latest`];
}

export interface FilesOptions {
  /** Virtual path -> real path of a directory or a file; read on every request. */
  readonly roots: ReadonlyMap<string, string>;
  readonly ownerNames?: { current(): Promise<OwnerNames> };
  readonly readLengthMaxBytes?: number;
}

export interface ReadChunk {
  readonly offset: number;
  readonly data: string;
}

export interface Download {
  readonly stream: Readable;
  readonly contentType: string;
  readonly fileName: string;
}

/** Content types by extension: libprocess' table (process/mime.cpp), the common part of it. */
const contentTypes = new Map<string, string>([
  ['.sh', 'application/x-sh'],
  ['.js', 'application/x-javascript'],
  ['.css', 'text/css'],
  ['.pdf', 'application/pdf'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.xml', 'text/xml'],
  ['.html', 'text/html'],
  ['.htm', 'text/html'],
  ['.gif', 'image/gif'],
  ['.png', 'image/png'],
  ['.txt', 'text/plain'],
  ['.zip', 'application/zip'],
  ['.tar', 'application/x-tar'],
]);

/**
 * O_NONBLOCK: opening a FIFO a task left in its sandbox must not hang the
 * agent; O_NOFOLLOW: the last component was resolved already, a symlink
 * there now means it was swapped meanwhile. (libuv adds O_CLOEXEC itself.)
 */
const openFlags = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

export class Files {
  private readonly ownerNames: { current(): Promise<OwnerNames> };
  private readonly readLengthMaxBytes: number;

  constructor(private readonly options: FilesOptions) {
    this.ownerNames = options.ownerNames ?? new SystemOwnerNames();
    this.readLengthMaxBytes = options.readLengthMaxBytes ?? readLengthMaxBytesDefault;
  }

  /**
   * The entries of a directory, sorted by name. Browsing a file answers an
   * empty list, as Mesos does (it lists the path, which fails for a file).
   */
  async browse(path: string): Promise<Result<FileInfoJson[], FilesError>> {
    const resolved = await resolveVirtualPath(this.options.roots, path);
    if (!resolved.ok) return resolved;
    const opened = await openChecked(resolved.value);
    if (!opened.ok) return opened;
    const { handle, stats } = opened.value;
    try {
      if (!stats.isDirectory()) return ok([]);
      // Listing through the descriptor keeps the listing on the directory that was checked.
      const directory = `/proc/self/fd/${handle.fd}`;
      const base = (await stat(directory).catch(() => undefined)) !== undefined ? directory : opened.value.realPath;
      const names = (await readdir(base)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const owners = await this.ownerNames.current();
      const entries: FileInfoJson[] = [];
      for (const name of names) {
        const entryStats = await entryStatsWithin(join(base, name), resolved.value.rootRealPath);
        if (entryStats === undefined) continue;
        entries.push(fileInfoJson(joinVirtual(resolved.value.virtualPath, name), entryStats, owners));
      }
      return ok(entries);
    } finally {
      await handle.close();
    }
  }

  /**
   * Reads up to `length` bytes at `offset` (Mesos' semantics): offset -1
   * answers the file's size as the offset and no data; length -1 reads to the
   * end; every read is capped at `readLengthMaxBytes`. The returned offset is
   * the one asked for. Data is UTF-8 text; a multi-byte character cut by the
   * end of the chunk is left for the next read.
   */
  async read(path: string, offset: number, length: number): Promise<Result<ReadChunk, FilesError>> {
    const resolved = await resolveVirtualPath(this.options.roots, path);
    if (!resolved.ok) return resolved;
    const opened = await openChecked(resolved.value);
    if (!opened.ok) return opened;
    const { handle, stats } = opened.value;
    try {
      if (stats.isDirectory()) return filesError(400, 'Cannot read a directory.\n');
      if (!stats.isFile()) return filesError(400, 'Cannot read a file that is not a regular file.\n');
      if (offset === -1) return ok({ offset: stats.size, data: '' });
      const wanted = length === -1 ? stats.size - offset : length;
      if (offset >= stats.size || wanted <= 0) return ok({ offset, data: '' });
      const buffer = Buffer.alloc(Math.min(wanted, this.readLengthMaxBytes));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      return ok({ offset, data: utf8Chunk(buffer.subarray(0, bytesRead)) });
    } finally {
      await handle.close();
    }
  }

  /** The file's bytes as a stream (the stream closes the file). */
  async download(path: string): Promise<Result<Download, FilesError>> {
    const resolved = await resolveVirtualPath(this.options.roots, path);
    if (!resolved.ok) return resolved;
    const opened = await openChecked(resolved.value);
    if (!opened.ok) return opened;
    const { handle, stats, realPath } = opened.value;
    if (stats.isDirectory() || !stats.isFile()) {
      await handle.close();
      return filesError(400, stats.isDirectory() ? 'Cannot download a directory.\n' : 'Cannot download a file that is not a regular file.\n');
    }
    const contentType = contentTypes.get(extname(realPath)) ?? 'application/octet-stream';
    return ok({ stream: handle.createReadStream({ start: 0 }), contentType, fileName: basename(realPath) });
  }

  /** The attached roots (Mesos' /files/debug). */
  debug(): Record<string, string> {
    return Object.fromEntries(this.options.roots);
  }
}

async function openChecked(resolved: ResolvedPath): Promise<Result<{ handle: FileHandle; stats: Stats; realPath: string }, FilesError>> {
  let handle: FileHandle;
  try {
    handle = await open(resolved.realPath, openFlags);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') return filesError(404);
    if (code === 'ELOOP') return filesError(403, `'${resolved.virtualPath}' is inaccessible.\n`);
    if (code === 'EACCES' || code === 'EPERM') return filesError(403, `'${resolved.virtualPath}' is not readable.\n`);
    return filesError(500, `Failed to open '${resolved.virtualPath}': ${error instanceof Error ? error.message : String(error)}.\n`);
  }
  const checked = await checkOpened(handle.fd, resolved);
  if (!checked.ok) {
    await handle.close();
    return checked;
  }
  return ok({ handle, stats: await handle.stat(), realPath: checked.value });
}

/**
 * What browse shows of an entry: the target of a symlink that stays inside
 * the root (as Mesos' stat does), the link itself when it leads out, so that
 * the listing tells nothing about files outside the sandbox.
 */
async function entryStatsWithin(entryPath: string, rootRealPath: string): Promise<Stats | undefined> {
  const linkStats = await lstat(entryPath).catch(() => undefined);
  if (linkStats === undefined || !linkStats.isSymbolicLink()) return linkStats;
  const target = await realpath(entryPath).catch(() => undefined);
  if (target === undefined || !isWithin(target, rootRealPath)) return linkStats;
  return (await stat(entryPath).catch(() => undefined)) ?? linkStats;
}

function joinVirtual(directory: string, name: string): string {
  return directory.endsWith('/') ? directory + name : `${directory}/${name}`;
}

/** Decodes UTF-8, leaving out a character cut off at the end (unless that is all there is). */
export function utf8Chunk(bytes: Buffer): string {
  let end = bytes.length;
  // Walk back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  let lead = end - 1;
  while (lead >= 0 && lead >= end - 4 && ((bytes[lead] ?? 0) & 0xc0) === 0x80) lead -= 1;
  if (lead >= 0) {
    const byte = bytes[lead] ?? 0;
    const expected = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (end - lead < expected && lead > 0) end = lead;
  }
  return bytes.subarray(0, end).toString('utf8');
}
