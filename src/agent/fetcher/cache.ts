/**
 * The fetch cache: files fetched with `cache: true`, one per (user, URI), kept
 * under the cache directory as <sha256 of user and URI> and reused by later
 * fetches. The least recently used files are evicted to stay within
 * `bytesMax`; a file being copied out (pinned) is never evicted. Concurrent
 * fetches of one key share a single download.
 *
 *   acquire(key) ── hit ──────────────────────────────► lease (pinned)
 *        │ miss: obtain(temporary) once per key, waiters share it
 *        └─► fits after evicting unpinned LRU files? ── yes: rename to <key>, index it
 *                                                     └─ no: lease the temporary file, removed on release
 *
 * The index is rebuilt from the directory when the agent starts (recency from
 * the files' mtimes, which every hit refreshes), so the cache survives restarts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { assert } from '../../lib/assert.js';
import { err, ok, type Result } from '../../lib/result.js';

export interface CacheLease {
  readonly path: string;
  /** Unpins the file; call exactly once, when done reading it. */
  release(): void;
}

interface CacheEntry {
  readonly key: string;
  readonly path: string;
  readonly bytes: number;
  /** In the index (and counted in bytesUsed); an entry that did not fit is not, and is removed when unpinned. */
  indexed: boolean;
  lastUse: number;
  pins: number;
}

interface Flight {
  readonly result: Promise<Result<CacheEntry>>;
  /** Callers waiting on this download; each holds a pin once it completes. */
  waiters: number;
}

const keyPattern = /^[0-9a-f]{64}$/;

export function cacheKey(user: string | undefined, uri: string): string {
  return createHash('sha256')
    .update(`${user ?? ''}\n${uri}`)
    .digest('hex');
}

export class FetchCache {
  private readonly index = new Map<string, CacheEntry>();
  private readonly flights = new Map<string, Flight>();
  private bytesUsed = 0;
  /** A logical clock for recency: every use takes the next tick. */
  private tick = 0;

  constructor(
    readonly directory: string,
    readonly bytesMax: number,
  ) {
    assert(bytesMax > 0, 'the fetch cache size must be positive');
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    this.adoptExistingFiles();
  }

  get bytes(): number {
    return this.bytesUsed;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /**
   * A pinned cached file for `key`; on a miss `obtain` writes it to the
   * temporary path it is given (a new file in the cache directory).
   */
  async acquire(key: string, obtain: (temporary: string) => Promise<Result<void>>): Promise<Result<CacheLease>> {
    assert(keyPattern.test(key), `malformed cache key ${key}`);
    const hit = this.index.get(key);
    if (hit !== undefined) {
      hit.pins++;
      this.touch(hit);
      return ok(this.lease(hit));
    }
    let flight = this.flights.get(key);
    if (flight === undefined) {
      const started: Flight = { result: this.load(key, obtain, () => started.waiters), waiters: 0 };
      flight = started;
      this.flights.set(key, flight);
    }
    flight.waiters++;
    const loaded = await flight.result;
    if (!loaded.ok) return loaded;
    return ok(this.lease(loaded.value));
  }

  private async load(key: string, obtain: (temporary: string) => Promise<Result<void>>, waiters: () => number): Promise<Result<CacheEntry>> {
    const temporary = join(this.directory, `.${key}.${randomBytes(6).toString('hex')}.tmp`);
    let bytes: number;
    try {
      const obtained = await obtain(temporary);
      if (!obtained.ok) {
        await rm(temporary, { force: true });
        return obtained;
      }
      bytes = (await stat(temporary)).size;
    } catch (error) {
      await rm(temporary, { force: true });
      return err((error as Error).message);
    } finally {
      this.flights.delete(key);
    }
    // From here on synchronous: the waiters' pins are taken before any other eviction can run.
    const fits = this.makeRoom(bytes);
    const entry: CacheEntry = { key, path: fits ? join(this.directory, key) : temporary, bytes, indexed: fits, lastUse: ++this.tick, pins: waiters() };
    if (fits) {
      renameSync(temporary, entry.path);
      this.index.set(key, entry);
      this.bytesUsed += bytes;
    }
    return ok(entry);
  }

  private lease(entry: CacheEntry): CacheLease {
    let released = false;
    return {
      path: entry.path,
      release: () => {
        assert(!released, 'cache lease released twice');
        released = true;
        entry.pins--;
        if (!entry.indexed && entry.pins === 0) void rm(entry.path, { force: true }).catch(() => undefined);
      },
    };
  }

  /** Evicts unpinned entries, least recently used first, until `bytes` more fit; false when they cannot. */
  private makeRoom(bytes: number): boolean {
    if (bytes > this.bytesMax) return false;
    if (this.bytesUsed + bytes <= this.bytesMax) return true;
    const candidates = [...this.index.values()].filter((entry) => entry.pins === 0).sort((a, b) => a.lastUse - b.lastUse);
    for (const entry of candidates) {
      if (this.bytesUsed + bytes <= this.bytesMax) break;
      this.evict(entry);
    }
    return this.bytesUsed + bytes <= this.bytesMax;
  }

  private evict(entry: CacheEntry): void {
    this.index.delete(entry.key);
    entry.indexed = false;
    this.bytesUsed -= entry.bytes;
    rmSync(entry.path, { force: true });
  }

  private touch(entry: CacheEntry): void {
    entry.lastUse = ++this.tick;
    const now = new Date();
    void utimes(entry.path, now, now).catch(() => undefined);
  }

  /** Indexes the files a previous run left, oldest use first; removes unfinished downloads. */
  private adoptExistingFiles(): void {
    const found: { key: string; bytes: number; mtimeMs: number }[] = [];
    for (const name of readdirSync(this.directory)) {
      const path = join(this.directory, name);
      const stats = statSync(path, { throwIfNoEntry: false });
      if (keyPattern.test(name) && stats?.isFile() === true) found.push({ key: name, bytes: stats.size, mtimeMs: stats.mtimeMs });
      else rmSync(path, { recursive: true, force: true });
    }
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const file of found) {
      this.index.set(file.key, { key: file.key, path: join(this.directory, file.key), bytes: file.bytes, indexed: true, lastUse: ++this.tick, pins: 0 });
      this.bytesUsed += file.bytes;
    }
    this.makeRoom(0);
  }
}
