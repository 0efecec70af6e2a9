/**
 * From a virtual path (what /files/* take in `path`) to a real path that is
 * safe to open: the one place where the sandbox boundary is enforced.
 *
 * The agent attaches real directories (sandboxes) and files (its log) under
 * virtual paths. A request resolves to the longest attached prefix of its
 * path, plus the rest of the path inside it, as in Mesos' FilesProcess:
 *
 *   /frameworks/F/executors/E/runs/latest/stdout
 *   └──────── attached: /work/slaves/A/frameworks/F/executors/E/runs/C ─┘ + stdout
 *
 * Rules, stricter than Mesos (which canonicalises `..` and answers 400 for an
 * escape, and compares prefixes without a '/' boundary):
 *   - a `..` segment (or a NUL byte) is refused with 400 before anything else;
 *   - the real path (symlinks resolved) must be the attached root's own real
 *     path or lie under it, else 403: a symlink in a sandbox to /etc/passwd is
 *     not readable;
 *   - after opening, the caller checks the opened descriptor again
 *     (`checkOpened`), so that swapping a directory for a symlink between the
 *     check and the open does not lead out either.
 */
import { readlink, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../lib/result.js';

export type FilesErrorStatus = 400 | 403 | 404 | 500;

export interface FilesError {
  readonly status: FilesErrorStatus;
  /** The response body (text/plain); empty where Mesos answers with an empty body. */
  readonly message: string;
}

export function filesError(status: FilesErrorStatus, message = ''): { readonly ok: false; readonly error: FilesError } {
  return err({ status, message });
}

export interface ResolvedPath {
  /** The virtual path as normalised (no '.', no empty segments, no trailing '/'). */
  readonly virtualPath: string;
  /** Real path of the target, symlinks resolved. */
  readonly realPath: string;
  /** Real path of the attached root that contains it. */
  readonly rootRealPath: string;
}

/** Splits a virtual path into segments, refusing `..` and NUL. A `file://` prefix is dropped, as Mesos' path::from_uri does. */
export function virtualPathSegments(path: string): Result<{ readonly absolute: boolean; readonly segments: readonly string[] }, FilesError> {
  const bare = path.startsWith('file://') ? path.slice('file://'.length) : path;
  if (bare.includes('\0')) return filesError(400, 'Path contains a NUL byte.\n');
  const parts = bare.split('/');
  if (parts.includes('..')) return filesError(400, `Path '${path}' contains '..'.\n`);
  return ok({ absolute: bare.startsWith('/'), segments: parts.filter((part) => part !== '' && part !== '.') });
}

/** The normalised form of a virtual path, or undefined when it holds `..`. */
export function normalizeVirtualPath(path: string): string | undefined {
  const split = virtualPathSegments(path);
  if (!split.ok) return undefined;
  return joinSegments(split.value.absolute, split.value.segments);
}

function joinSegments(absolute: boolean, segments: readonly string[]): string {
  return (absolute ? '/' : '') + segments.join('/');
}

/** Whether `path` is `root` or lies under it (with a '/' boundary: /a/bc is not under /a/b). */
export function isWithin(path: string, root: string): boolean {
  if (path === root) return true;
  return path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/**
 * Resolves a virtual path against the attached roots (virtual path -> real
 * path). Not found: 404. Escapes: 403. Bad paths: 400.
 */
export async function resolveVirtualPath(roots: ReadonlyMap<string, string>, path: string): Promise<Result<ResolvedPath, FilesError>> {
  const split = virtualPathSegments(path);
  if (!split.ok) return split;
  const { absolute, segments } = split.value;
  const attached = new Map<string, string>();
  for (const [name, real] of roots) {
    const normalized = normalizeVirtualPath(name);
    if (normalized !== undefined) attached.set(normalized, real);
  }
  for (let length = segments.length; length >= 0; length -= 1) {
    const root = attached.get(joinSegments(absolute, segments.slice(0, length)));
    if (root === undefined) continue;
    return resolveUnder(root, segments.slice(length), joinSegments(absolute, segments));
  }
  return filesError(404);
}

async function resolveUnder(root: string, suffix: readonly string[], virtualPath: string): Promise<Result<ResolvedPath, FilesError>> {
  const rootReal = await realPathOf(root);
  if (!rootReal.ok) return rootReal;
  const rootStats = await stat(rootReal.value).catch(() => undefined);
  if (rootStats === undefined) return filesError(404);
  if (!rootStats.isDirectory()) {
    // An attached file has no children: Mesos answers 'Not Found' rather than 'Bad Request'.
    if (suffix.length > 0) return filesError(404);
    return ok({ virtualPath, realPath: rootReal.value, rootRealPath: rootReal.value });
  }
  const candidate = join(rootReal.value, ...suffix);
  const real = await realPathOf(candidate);
  if (!real.ok) return real;
  if (!isWithin(real.value, rootReal.value)) return filesError(403, `'${candidate}' is inaccessible.\n`);
  return ok({ virtualPath, realPath: real.value, rootRealPath: rootReal.value });
}

async function realPathOf(path: string): Promise<Result<string, FilesError>> {
  try {
    return ok(await realpath(path));
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return filesError(404);
    if (code === 'EACCES') return filesError(403, `'${path}' is inaccessible.\n`);
    return filesError(400, `Failed to determine canonical path of '${path}': ${error instanceof Error ? error.message : String(error)}.\n`);
  }
}

/**
 * Checks what a descriptor really refers to (Linux: /proc/self/fd), closing
 * the race between resolving a path and opening it. Without /proc the check
 * made while resolving stands.
 */
export async function checkOpened(fd: number, resolved: ResolvedPath): Promise<Result<string, FilesError>> {
  let opened: string;
  try {
    opened = await readlink(`/proc/self/fd/${fd}`);
  } catch {
    return ok(resolved.realPath);
  }
  if (!isWithin(opened, resolved.rootRealPath)) return filesError(403, `'${resolved.virtualPath}' is inaccessible.\n`);
  return ok(opened);
}
