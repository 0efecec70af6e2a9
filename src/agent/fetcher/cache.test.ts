/**
 * Method: a real cache directory under the test root, filled by an `obtain`
 * that writes a given number of bytes and counts its calls, so eviction,
 * pinning and sharing are seen directly on disk.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { ok, type Result } from '../../lib/result.js';
import { cacheKey, FetchCache } from './cache.js';

let directory: string;
let obtained: number;

beforeEach(() => {
  directory = mkdtempSync(join(testRoot(), 'fetch-cache-'));
  obtained = 0;
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function writer(bytes: number): (temporary: string) => Promise<Result<void>> {
  return async (temporary) => {
    obtained++;
    await writeFile(temporary, 'x'.repeat(bytes));
    return ok(undefined);
  };
}

async function use(cache: FetchCache, uri: string, bytes: number): Promise<void> {
  const lease = await cache.acquire(cacheKey('u', uri), writer(bytes));
  if (!lease.ok) throw new Error(lease.error);
  lease.value.release();
}

describe('fetcher: cache', () => {
  it('evicts the least recently used files past its size', async () => {
    const cache = new FetchCache(join(directory, 'cache'), 300);
    await use(cache, 'a', 100);
    await use(cache, 'b', 100);
    await use(cache, 'c', 100);
    await use(cache, 'a', 100); // a is now more recent than b
    await use(cache, 'd', 100); // evicts b
    expect(['a', 'b', 'c', 'd'].map((uri) => cache.has(cacheKey('u', uri)))).toEqual([true, false, true, true]);
    expect(cache.bytes).toBe(300);
    expect(readdirSync(join(directory, 'cache')).length).toBe(3);
    expect(obtained).toBe(4);
  });

  it('never evicts a file that is being read', async () => {
    const cache = new FetchCache(join(directory, 'cache'), 200);
    const pinned = await cache.acquire(cacheKey('u', 'a'), writer(150));
    if (!pinned.ok) throw new Error(pinned.error);
    const other = await cache.acquire(cacheKey('u', 'b'), writer(150));
    if (!other.ok) throw new Error(other.error);
    expect(cache.has(cacheKey('u', 'a'))).toBe(true);
    expect(cache.has(cacheKey('u', 'b'))).toBe(false); // did not fit: served, then removed
    expect(existsSync(other.value.path)).toBe(true);
    other.value.release();
    pinned.value.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(other.value.path)).toBe(false);
  });

  it('does not cache a file larger than the cache', async () => {
    const cache = new FetchCache(join(directory, 'cache'), 100);
    await use(cache, 'big', 101);
    expect(cache.has(cacheKey('u', 'big'))).toBe(false);
    expect(cache.bytes).toBe(0);
  });

  it('shares one obtain among concurrent acquirers', async () => {
    const cache = new FetchCache(join(directory, 'cache'), 1000);
    const leases = await Promise.all([1, 2, 3].map(() => cache.acquire(cacheKey('u', 'a'), writer(10))));
    expect(obtained).toBe(1);
    for (const lease of leases) if (lease.ok) lease.value.release();
  });

  it('keeps what a previous run cached, and drops unfinished downloads', async () => {
    const path = join(directory, 'cache');
    const first = new FetchCache(path, 1000);
    await use(first, 'a', 10);
    writeFileSync(join(path, `.${cacheKey('u', 'b')}.abc.tmp`), 'partial');
    const second = new FetchCache(path, 1000);
    expect(second.has(cacheKey('u', 'a'))).toBe(true);
    expect(second.bytes).toBe(10);
    expect(readdirSync(path)).toEqual([cacheKey('u', 'a')]);
    await use(second, 'a', 10);
    expect(obtained).toBe(1);
  });

  it('keys by user and URI', () => {
    expect(cacheKey('alice', 'http://h/x')).not.toBe(cacheKey('bob', 'http://h/x'));
    expect(cacheKey(undefined, 'http://h/x')).toMatch(/^[0-9a-f]{64}$/);
  });
});
