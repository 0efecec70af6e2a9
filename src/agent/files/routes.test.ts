/**
 * Method: a real sandbox in a temporary directory (files, a subdirectory,
 * symlinks that stay in and that lead out, a FIFO), attached the way the agent
 * attaches it, and every request through fastify's inject on the agent's
 * real server setup. Escapes are tried with `..`, with encoded `..`, with
 * symlinks to a file, to a directory and to a sibling whose name shares the
 * sandbox's prefix.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../lib/http/server.js';
import { agentLogVirtualPath, Files, sandboxVirtualPaths, utf8Chunk } from './files.js';
import type { OwnerNames } from './file-info.js';
import { readArguments, registerFilesRoutes } from './routes.js';

let base = '';
let sandbox = '';
let app: FastifyInstance;
const latest = '/frameworks/fw-1/executors/ex-1/runs/latest';
const stdoutText = 'hello from the task\n';

const names: OwnerNames = { user: (uid) => (uid === 0 ? 'root' : String(uid)), group: (gid) => (gid === 0 ? 'root' : String(gid)) };

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'berth-files-')));
  sandbox = join(base, 'sandbox');
  await mkdir(join(sandbox, 'sub', 'deeper'), { recursive: true });
  await writeFile(join(sandbox, 'stdout'), stdoutText);
  await writeFile(join(sandbox, 'page.html'), '<p>hi</p>');
  await writeFile(join(sandbox, 'sub', 'deeper', 'file'), 'deep');
  await writeFile(join(base, 'secret'), 'outside the sandbox');
  await mkdir(join(base, 'sandbox2'));
  await writeFile(join(base, 'sandbox2', 'secret'), 'in a sibling');
  await writeFile(join(base, 'agent.log'), 'agent log line\n');
  await symlink('/etc/passwd', join(sandbox, 'passwd'));
  await symlink(join(base, 'secret'), join(sandbox, 'secret-link'));
  await symlink(base, join(sandbox, 'up'));
  await symlink(join(base, 'sandbox2', 'secret'), join(sandbox, 'sibling-link'));
  await symlink('stdout', join(sandbox, 'stdout-link'));
  execFileSync('mkfifo', [join(sandbox, 'fifo')]);
  const roots = new Map<string, string>();
  for (const virtual of sandboxVirtualPaths('fw-1', 'ex-1', sandbox)) roots.set(virtual, sandbox);
  roots.set(agentLogVirtualPath, join(base, 'agent.log'));
  app = createHttpServer();
  registerFilesRoutes(app, new Files({ roots, ownerNames: { current: async () => names } }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await rm(base, { recursive: true, force: true });
});

function get(endpoint: string, query: Record<string, string>) {
  return app.inject({ method: 'GET', url: endpoint, query });
}

describe('files: /files/browse', () => {
  it('lists a sandbox by its runs/latest path, sorted, in Mesos form', async () => {
    const response = await get('/files/browse', { path: latest });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    const listing = response.json() as { path: string; mode: string; size: number; uid: string; gid: string; nlink: number; mtime: number }[];
    expect(listing.map((entry) => entry.path)).toEqual(
      ['fifo', 'page.html', 'passwd', 'secret-link', 'sibling-link', 'stdout', 'stdout-link', 'sub', 'up'].map((name) => `${latest}/${name}`),
    );
    const stdout = listing.find((entry) => entry.path.endsWith('/stdout'));
    expect(stdout).toEqual({ gid: expect.any(String), mode: '-rw-r--r--', mtime: expect.any(Number), nlink: 1, path: `${latest}/stdout`, size: stdoutText.length, uid: expect.any(String) });
    expect(Number.isInteger(stdout?.mtime)).toBe(true);
    expect(listing.find((entry) => entry.path.endsWith('/sub'))?.mode).toMatch(/^d/);
    expect(listing.find((entry) => entry.path.endsWith('/fifo'))?.mode).toMatch(/^p/);
    // A link inside the sandbox shows its target; links that lead out show only as links.
    expect(listing.find((entry) => entry.path.endsWith('/stdout-link'))?.mode).toBe('-rw-r--r--');
    for (const name of ['passwd', 'secret-link', 'up', 'sibling-link']) {
      expect(listing.find((entry) => entry.path.endsWith(`/${name}`))?.mode).toMatch(/^l/);
    }
  });

  it('lists a sandbox by its real path and a subdirectory of it (trailing slash and ./ ignored)', async () => {
    const response = await get('/files/browse', { path: `${sandbox}/./sub/` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([expect.objectContaining({ path: `${sandbox}/sub/deeper`, mode: expect.stringMatching(/^d/) })]);
  });

  it('answers an empty list for a file, as Mesos does', async () => {
    const response = await get('/files/browse', { path: `${latest}/stdout` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
  });

  it('wraps the answer for ?jsonp= and refuses a bad callback name', async () => {
    const response = await get('/files/browse', { path: `${latest}/sub`, jsonp: 'cb' });
    expect(response.headers['content-type']).toMatch(/text\/javascript/);
    expect(response.body).toMatch(/^cb\(\[.*\]\);$/);
    expect((await get('/files/browse', { path: latest, jsonp: 'alert(1)//' })).statusCode).toBe(400);
  });

  it('400 without a path, 404 for an unknown path or a missing file', async () => {
    const missing = await get('/files/browse', {});
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toBe("Expecting 'path=value' in query.\n");
    expect((await get('/files/browse', { path: '/frameworks/other/executors/x/runs/latest' })).statusCode).toBe(404);
    expect((await get('/files/browse', { path: `${latest}/nothing-here` })).statusCode).toBe(404);
    expect((await get('/files/browse', { path: `${agentLogVirtualPath}/child` })).statusCode).toBe(404);
  });

  it('403 for a symlink to a directory outside the sandbox', async () => {
    expect((await get('/files/browse', { path: `${latest}/up` })).statusCode).toBe(403);
  });
});

describe('files: /files/read', () => {
  it('offset absent or -1 answers the size as the offset and no data', async () => {
    expect((await get('/files/read', { path: `${latest}/stdout` })).json()).toEqual({ offset: stdoutText.length, data: '' });
    expect((await get('/files/read', { path: `${latest}/stdout`, offset: '-1' })).json()).toEqual({ offset: stdoutText.length, data: '' });
  });

  it('reads from an offset, to the end or for a length', async () => {
    expect((await get('/files/read', { path: `${latest}/stdout`, offset: '0' })).json()).toEqual({ offset: 0, data: stdoutText });
    expect((await get('/files/read', { path: `${latest}/stdout`, offset: '6', length: '4' })).json()).toEqual({ offset: 6, data: 'from' });
    expect((await get('/files/read', { path: `${latest}/stdout`, offset: '6', length: '-1' })).json()).toEqual({ offset: 6, data: stdoutText.slice(6) });
    expect((await get('/files/read', { path: `${latest}/stdout`, offset: '6', length: '0' })).json()).toEqual({ offset: 6, data: '' });
    expect((await get('/files/read', { path: `${latest}/stdout`, offset: '1000' })).json()).toEqual({ offset: 1000, data: '' });
  });

  it('reads the agent log as /slave/log and an in-sandbox symlink', async () => {
    expect((await get('/files/read', { path: agentLogVirtualPath, offset: '0' })).json()).toEqual({ offset: 0, data: 'agent log line\n' });
    expect((await get('/files/read', { path: `${latest}/stdout-link`, offset: '0' })).json()).toEqual({ offset: 0, data: stdoutText });
  });

  it('caps a read at the maximum chunk', async () => {
    const small = createHttpServer();
    registerFilesRoutes(small, new Files({ roots: new Map([['/s', sandbox]]), readLengthMaxBytes: 5, ownerNames: { current: async () => names } }));
    const response = await small.inject({ method: 'GET', url: '/files/read', query: { path: '/s/stdout', offset: '0' } });
    expect(response.json()).toEqual({ offset: 0, data: 'hello' });
    await small.close();
  });

  it.each([
    [{ offset: 'x' }, "Failed to parse offset: Failed to convert 'x' to number.\n"],
    [{ offset: '-2' }, 'Negative offset provided: -2.\n'],
    [{ offset: '0', length: '1.5' }, "Failed to parse length: Failed to convert '1.5' to number.\n"],
    [{ offset: '0', length: '-7' }, 'Negative length provided: -7.\n'],
  ])('400 for bad arguments %j', async (query, message) => {
    const response = await get('/files/read', { path: `${latest}/stdout`, ...query });
    expect(response.statusCode).toBe(400);
    expect(response.body).toBe(message);
  });

  it('400 for a directory and for a FIFO (which is never opened for reading)', async () => {
    const directory = await get('/files/read', { path: `${latest}/sub`, offset: '0' });
    expect(directory.statusCode).toBe(400);
    expect(directory.body).toBe('Cannot read a directory.\n');
    expect((await get('/files/read', { path: `${latest}/fifo`, offset: '0' })).statusCode).toBe(400);
  });

  it('404 for a missing file', async () => {
    expect((await get('/files/read', { path: `${latest}/missing`, offset: '0' })).statusCode).toBe(404);
  });
});

describe('files: /files/download', () => {
  it('streams the bytes with a content type by extension and a file name', async () => {
    const text = await get('/files/download', { path: `${latest}/stdout` });
    expect(text.statusCode).toBe(200);
    expect(text.body).toBe(stdoutText);
    expect(text.headers['content-type']).toBe('application/octet-stream');
    expect(text.headers['content-disposition']).toBe('attachment; filename=stdout');
    const page = await get('/files/download', { path: `${latest}/page.html` });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });

  it('400 for a directory or no path, 404 when missing', async () => {
    const directory = await get('/files/download', { path: latest });
    expect(directory.statusCode).toBe(400);
    expect(directory.body).toBe('Cannot download a directory.\n');
    expect((await get('/files/download', {})).statusCode).toBe(400);
    expect((await get('/files/download', { path: `${latest}/missing` })).statusCode).toBe(404);
  });
});

describe('files: escapes from the sandbox', () => {
  const endpoints = ['/files/browse', '/files/read', '/files/download'];

  it.each(endpoints)('%s: a path with `..` is a 400, nothing is read, and the agent keeps serving', async (endpoint) => {
    for (const path of [`${latest}/../../../../../../etc/passwd`, `${latest}/sub/../stdout`, `${sandbox}/..`, '../etc/passwd']) {
      const response = await get(endpoint, { path, offset: '0' });
      expect(response.statusCode, path).toBe(400);
      expect(response.body).not.toContain('root:');
    }
    // Percent-encoded dots arrive decoded and are refused the same way.
    const encoded = await app.inject({ method: 'GET', url: `${endpoint}?path=${encodeURIComponent(latest)}%2F%2E%2E%2F%2E%2E&offset=0` });
    expect(encoded.statusCode).toBe(400);
    expect((await get(endpoint, { path: `${latest}/stdout`, offset: '0' })).statusCode).toBe(200);
  });

  it.each(endpoints)('%s: a symlink out of the sandbox is a 403 and its target is never read', async (endpoint) => {
    for (const name of ['passwd', 'secret-link', 'up/secret', 'sibling-link']) {
      const response = await get(endpoint, { path: `${latest}/${name}`, offset: '0' });
      expect(response.statusCode, name).toBe(403);
      expect(response.body).not.toMatch(/root:|outside the sandbox|in a sibling/);
    }
  });

  it('/files/debug lists the attached roots', async () => {
    expect((await get('/files/debug', {})).json()).toEqual({ [sandbox]: sandbox, [latest]: sandbox, [agentLogVirtualPath]: join(base, 'agent.log') });
  });
});

describe('files: helpers', () => {
  it('readArguments defaults offset and length to -1', () => {
    expect(readArguments('/p', undefined, undefined)).toEqual({ ok: true, value: { path: '/p', offset: -1, length: -1 } });
  });

  it('utf8Chunk leaves a character cut at the end for the next read', () => {
    const euro = Buffer.from('a€', 'utf8');
    expect(utf8Chunk(euro.subarray(0, 3))).toBe('a');
    expect(utf8Chunk(euro)).toBe('a€');
  });
});
