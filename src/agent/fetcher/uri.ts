/**
 * What a fetch URI names (pure): where to read it from, what the fetched file
 * is called in the sandbox, and whether that name marks an archive.
 */
import { basename, isAbsolute, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '../../lib/result.js';
import type { FetchUri } from '../containerizer/types.js';

export type FetchSource = { readonly kind: 'local'; readonly path: string } | { readonly kind: 'http'; readonly url: URL };

/** tar.* by GNU tar, zip by unzip, a bare .gz by zlib (Mesos' list, plus .tbz). */
export type ArchiveKind = 'tar' | 'tar.gz' | 'tar.bz2' | 'tar.xz' | 'zip' | 'gz';

const archiveSuffixes: readonly (readonly [string, ArchiveKind])[] = [
  ['.tar.gz', 'tar.gz'],
  ['.tgz', 'tar.gz'],
  ['.tar.bz2', 'tar.bz2'],
  ['.tbz2', 'tar.bz2'],
  ['.tbz', 'tar.bz2'],
  ['.tar.xz', 'tar.xz'],
  ['.txz', 'tar.xz'],
  ['.tar', 'tar'],
  ['.zip', 'zip'],
  ['.gz', 'gz'],
];

const schemePattern = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** `file://` URLs and absolute paths are local; `http(s)://` URLs are downloaded; nothing else is fetched. */
export function parseFetchSource(value: string): Result<FetchSource> {
  const uri = value.trimStart();
  if (uri.includes('\0')) return err('the URI contains a NUL character');
  if (uri.startsWith('/')) return ok({ kind: 'local', path: uri });
  const scheme = schemePattern.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return err('not an absolute path or a file://, http:// or https:// URL');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return err('malformed URL');
  }
  if (scheme === 'http' || scheme === 'https') return ok({ kind: 'http', url });
  if (scheme !== 'file') return err(`unsupported URI scheme '${scheme}'`);
  if (url.hostname !== '' && url.hostname !== 'localhost') return err(`file URL on another host '${url.hostname}'`);
  try {
    return ok({ kind: 'local', path: fileURLToPath(url) });
  } catch (error) {
    return err(`malformed file URL: ${(error as Error).message}`);
  }
}

/**
 * The fetched file's path relative to the sandbox: `output_file` when set (a
 * relative path without `..`, normalised), else the URI's last path segment.
 */
export function fetchedFileName(uri: FetchUri, source: FetchSource): Result<string> {
  if (uri.outputFile !== undefined) return validateOutputFile(uri.outputFile);
  const name = source.kind === 'local' ? basename(source.path) : urlFileName(source.url);
  if (name === undefined || name === '' || name === '.' || name === '..' || name.includes('/')) {
    return err('the URI names no file (set output_file)');
  }
  return ok(name);
}

export function validateOutputFile(outputFile: string): Result<string> {
  if (outputFile === '') return err('output_file is empty');
  if (outputFile.includes('\0')) return err('output_file contains a NUL character');
  if (isAbsolute(outputFile)) return err(`output_file '${outputFile}' must be relative to the sandbox`);
  if (outputFile.endsWith('/')) return err(`output_file '${outputFile}' names a directory`);
  if (outputFile.split('/').includes('..')) return err(`output_file '${outputFile}' must not contain '..'`);
  const normalized = posix.normalize(outputFile);
  if (normalized === '.' || normalized.startsWith('../')) return err(`output_file '${outputFile}' names no file in the sandbox`);
  return ok(normalized);
}

/** The archive kind a file name marks (case-insensitive), or undefined when it is no archive. */
export function archiveKind(fileName: string): ArchiveKind | undefined {
  const lower = fileName.toLowerCase();
  for (const [suffix, kind] of archiveSuffixes) if (lower.endsWith(suffix) && lower.length > suffix.length) return kind;
  return undefined;
}

/** The name a bare `.gz` file decompresses to: the name without `.gz`. */
export function gunzippedName(fileName: string): string {
  return basename(fileName).slice(0, -'.gz'.length);
}

function urlFileName(url: URL): string | undefined {
  const segment = url.pathname.split('/').at(-1);
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
