/**
 * The agent's fetcher (contract in types.ts): puts each URI into the sandbox
 * before the container starts, in order, stopping at the first failure.
 *
 * For one URI:
 *   parse the source (file:// or absolute path: local; http(s)://: download)
 *   name the result (output_file, else the URI's last segment) and make its directories
 *   bytes -> <name>.fetching-<random> beside it: from the cache (cache: true), or fetched directly
 *   chmod (0755 with executable, else 0644), chown to the user, rename into place
 *   extract: an archive by its name's extension, into the sandbox root (not with executable, as in Mesos)
 *
 * The agent is root: files end owned by the request's user, local files are
 * read as that user, and nothing is written through a symbolic link.
 */
import { lstat, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { interceptors, type Dispatcher } from 'undici';
import { assert } from '../../lib/assert.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { FetchUri } from '../containerizer/types.js';
import { extractArchive } from './archive.js';
import { cacheKey, FetchCache } from './cache.js';
import { copyLocalFile, downloadHttp } from './download.js';
import { makeSandboxDirectories, placeFile, temporaryPathFor } from './sandbox-files.js';
import type { FetchRequest, Fetcher } from './types.js';
import { archiveKind, fetchedFileName, parseFetchSource, type FetchSource } from './uri.js';
import { lookupUser, passwdPathDefault, type UserIds } from './users.js';

/** How long a download may wait for headers or for the next piece of body (Mesos' --fetcher_stall_timeout). */
export const fetchStallTimeoutMsDefault = 60_000;

/** Redirects followed per download before it fails. */
export const fetchRedirectsMaxDefault = 10;

const executableFileMode = 0o755;
const plainFileMode = 0o644;

export interface AgentFetcherOptions {
  readonly stallTimeoutMs?: number;
  readonly redirectsMax?: number;
  /** Where users are looked up; a test may point at its own file. */
  readonly passwdPath?: string;
}

export class AgentFetcher implements Fetcher {
  private readonly cache: FetchCache;
  private readonly dispatcher: Dispatcher;
  private readonly stallTimeoutMs: number;
  private readonly passwdPath: string;

  /**
   * `cacheDirectory` holds cached files (created when missing; files a previous
   * run left are reused), at most `cacheBytesMax` bytes of them. `dispatcher`
   * carries the HTTP(S) downloads; redirects are followed on top of it.
   */
  constructor(cacheDirectory: string, cacheBytesMax: number, dispatcher: Dispatcher, options: AgentFetcherOptions = {}) {
    this.stallTimeoutMs = options.stallTimeoutMs ?? fetchStallTimeoutMsDefault;
    const redirectsMax = options.redirectsMax ?? fetchRedirectsMaxDefault;
    assert(this.stallTimeoutMs > 0, 'the fetch stall timeout must be positive');
    assert(redirectsMax > 0, 'the redirect limit must be positive');
    this.cache = new FetchCache(cacheDirectory, cacheBytesMax);
    this.dispatcher = dispatcher.compose(interceptors.redirect({ maxRedirections: redirectsMax }));
    this.passwdPath = options.passwdPath ?? passwdPathDefault;
  }

  async fetch(request: FetchRequest): Promise<Result<void>> {
    const first = request.uris[0];
    if (first === undefined) return ok(undefined);
    const failed = (uri: FetchUri, reason: string): Result<void> => err(`Failed to fetch '${uri.value}': ${oneLine(reason)}`);
    const sandbox = await lstat(request.sandbox).catch(() => undefined);
    if (sandbox?.isDirectory() !== true) return failed(first, `the sandbox ${request.sandbox} is not a directory`);
    let owner: UserIds | undefined;
    if (request.user !== undefined) {
      const user = await lookupUser(request.user, this.passwdPath);
      if (!user.ok) return failed(first, user.error);
      owner = user.value;
    }
    for (const uri of request.uris) {
      let fetched: Result<void>;
      try {
        fetched = await this.fetchOne(uri, request.sandbox, owner, request.user);
      } catch (error) {
        fetched = err((error as Error).message);
      }
      if (!fetched.ok) return failed(uri, fetched.error);
    }
    return ok(undefined);
  }

  private async fetchOne(uri: FetchUri, sandbox: string, owner: UserIds | undefined, user: string | undefined): Promise<Result<void>> {
    const source = parseFetchSource(uri.value);
    if (!source.ok) return source;
    const name = fetchedFileName(uri, source.value);
    if (!name.ok) return name;
    const directories = await makeSandboxDirectories(sandbox, dirname(name.value), owner);
    if (!directories.ok) return directories;
    const destination = join(sandbox, name.value);
    const temporary = temporaryPathFor(destination);
    const obtained = uri.cache ? await this.copyFromCache(uri, source.value, temporary, owner, user) : await this.obtain(source.value, temporary, owner);
    if (!obtained.ok) {
      await rm(temporary, { force: true });
      return obtained;
    }
    const placed = await placeFile(temporary, destination, uri.executable ? executableFileMode : plainFileMode, owner);
    if (!placed.ok) return placed;
    const kind = uri.extract && !uri.executable ? archiveKind(name.value) : undefined;
    if (kind === undefined) return ok(undefined);
    return extractArchive(destination, name.value, kind, sandbox, owner);
  }

  private async copyFromCache(uri: FetchUri, source: FetchSource, temporary: string, owner: UserIds | undefined, user: string | undefined): Promise<Result<void>> {
    const lease = await this.cache.acquire(cacheKey(user, uri.value), (cacheTemporary) => this.obtain(source, cacheTemporary, owner));
    if (!lease.ok) return lease;
    try {
      // Read as the agent: the user's access was checked when the file entered the cache, which is keyed by user.
      return await copyLocalFile(lease.value.path, temporary, undefined);
    } finally {
      lease.value.release();
    }
  }

  /** Writes the source's bytes to `destination`, a new file. */
  private async obtain(source: FetchSource, destination: string, owner: UserIds | undefined): Promise<Result<void>> {
    if (source.kind === 'http') return downloadHttp(source.url, destination, this.dispatcher, this.stallTimeoutMs);
    return copyLocalFile(source.path, destination, owner);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}
