/**
 * Method: the resolution rules on a small real tree, and the check of an
 * opened descriptor with a root that does not contain it (what a swap of a
 * directory for a symlink between resolving and opening would produce).
 */
import { open, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOpened, isWithin, normalizeVirtualPath, resolveVirtualPath, virtualPathSegments } from './resolve.js';

let base = '';

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'berth-resolve-')));
  await mkdir(join(base, 'root', 'a'), { recursive: true });
  await writeFile(join(base, 'root', 'a', 'f'), 'x');
  await writeFile(join(base, 'outside'), 'y');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('files: resolve', () => {
  it('normalises virtual paths and refuses `..` and NUL', () => {
    expect(normalizeVirtualPath('/a//b/./c/')).toBe('/a/b/c');
    expect(normalizeVirtualPath('file:///a/b')).toBe('/a/b');
    expect(normalizeVirtualPath('/a/../b')).toBeUndefined();
    expect(virtualPathSegments('/a/..')).toMatchObject({ ok: false, error: { status: 400 } });
    expect(virtualPathSegments('/a\0b')).toMatchObject({ ok: false, error: { status: 400 } });
    // '...' and '..x' are names, not parent references.
    expect(normalizeVirtualPath('/a/.../..x')).toBe('/a/.../..x');
  });

  it('isWithin needs a path boundary', () => {
    expect(isWithin('/a/b', '/a/b')).toBe(true);
    expect(isWithin('/a/b/c', '/a/b')).toBe(true);
    expect(isWithin('/a/bc', '/a/b')).toBe(false);
    expect(isWithin('/anything', '/')).toBe(true);
  });

  it('takes the longest attached prefix', async () => {
    const roots = new Map([
      ['/v', join(base, 'root')],
      ['/v/a/', join(base, 'root', 'a')],
    ]);
    expect(await resolveVirtualPath(roots, '/v/a/f')).toEqual({
      ok: true,
      value: { virtualPath: '/v/a/f', realPath: join(base, 'root', 'a', 'f'), rootRealPath: join(base, 'root', 'a') },
    });
    expect(await resolveVirtualPath(roots, '/w')).toEqual({ ok: false, error: { status: 404, message: '' } });
  });

  it('an attached root that no longer exists is not found', async () => {
    expect(await resolveVirtualPath(new Map([['/gone', join(base, 'gone')]]), '/gone/x')).toMatchObject({ ok: false, error: { status: 404 } });
  });

  it('checkOpened refuses a descriptor that refers to a file outside the root', async () => {
    const handle = await open(join(base, 'outside'), 'r');
    try {
      const resolved = { virtualPath: '/v/f', realPath: join(base, 'root', 'a', 'f'), rootRealPath: join(base, 'root') };
      expect(await checkOpened(handle.fd, resolved)).toMatchObject({ ok: false, error: { status: 403 } });
      expect(await checkOpened(handle.fd, { ...resolved, rootRealPath: base })).toEqual({ ok: true, value: join(base, 'outside') });
    } finally {
      await handle.close();
    }
  });
});
