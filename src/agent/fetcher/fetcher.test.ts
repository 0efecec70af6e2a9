/**
 * Method: the real fetcher against real files under the test root and a real
 * HTTP server on 127.0.0.1 (port 0) that counts requests per path. Archives are
 * made with the system's tar and with a small zip writer (zip-writer.ts) that
 * can store names no honest tool writes. Ownership tests run only as root.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import type { FetchUri } from '../containerizer/types.js';
import { AgentFetcher } from './fetcher.js';
import { makeZip } from './zip-writer.js';

const isRoot = process.getuid?.() === 0;

let root: string;
let sandbox: string;
let files: string;
let server: Server;
let baseUrl: string;
let dispatcher: Agent;
let fetcher: AgentFetcher;
const served = new Map<string, { status: number; body: Buffer | string; location?: string }>();
const requests = new Map<string, number>();

beforeEach(async () => {
  root = mkdtempSync(join(testRoot(), 'fetcher-'));
  chmodSync(root, 0o755); // the task's user must be able to reach the source files
  sandbox = join(root, 'sandbox');
  files = join(root, 'files');
  mkdirSync(sandbox);
  mkdirSync(files);
  served.clear();
  requests.clear();
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const route = served.get(path);
    if (route === undefined) {
      response.writeHead(404).end('not here');
      return;
    }
    if (route.status === 0) return; // never answers
    response.writeHead(route.status, route.location === undefined ? {} : { location: route.location }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dispatcher = new Agent();
  fetcher = new AgentFetcher(join(root, 'cache'), 1024 * 1024, dispatcher);
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dispatcher.close();
  rmSync(root, { recursive: true, force: true });
});

function uri(value: string, fields: Partial<Omit<FetchUri, 'value'>> = {}): FetchUri {
  return { value, executable: false, extract: false, cache: false, outputFile: undefined, ...fields };
}

async function fetchInto(uris: readonly FetchUri[], user?: string, into = sandbox): Promise<string | undefined> {
  const result = await fetcher.fetch({ uris, sandbox: into, user });
  return result.ok ? undefined : result.error;
}

function sandboxFile(name: string): string {
  return readFileSync(join(sandbox, name), 'utf8');
}

/** A source tree for archives: a.txt, dir/b.txt, bin/run.sh (0755), link -> a.txt. */
function makeSourceTree(): string {
  const tree = join(root, 'tree');
  mkdirSync(join(tree, 'dir'), { recursive: true });
  mkdirSync(join(tree, 'bin'));
  writeFileSync(join(tree, 'a.txt'), 'alpha');
  writeFileSync(join(tree, 'dir', 'b.txt'), 'beta');
  writeFileSync(join(tree, 'bin', 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(tree, 'bin', 'run.sh'), 0o755);
  symlinkSync('a.txt', join(tree, 'link'));
  return tree;
}

function expectSourceTreeIn(directory: string): void {
  expect(readFileSync(join(directory, 'a.txt'), 'utf8')).toBe('alpha');
  expect(readFileSync(join(directory, 'dir', 'b.txt'), 'utf8')).toBe('beta');
  expect(statSync(join(directory, 'bin', 'run.sh')).mode & 0o111).not.toBe(0);
  expect(readFileSync(join(directory, 'link'), 'utf8')).toBe('alpha');
}

describe('fetcher: sources', () => {
  it('copies a plain absolute path', async () => {
    writeFileSync(join(files, 'config.json'), '{"a":1}');
    expect(await fetchInto([uri(join(files, 'config.json'))])).toBeUndefined();
    expect(sandboxFile('config.json')).toBe('{"a":1}');
    expect(statSync(join(sandbox, 'config.json')).mode & 0o777).toBe(0o644);
  });

  it('copies a file:// URL, decoding its path', async () => {
    writeFileSync(join(files, 'with space.txt'), 'spaced');
    const url = pathToFileURL(join(files, 'with space.txt')).href;
    expect(url).toContain('%20');
    expect(await fetchInto([uri(url)])).toBeUndefined();
    expect(sandboxFile('with space.txt')).toBe('spaced');
  });

  it('downloads over HTTP, following redirects', async () => {
    served.set('/v1/app.bin', { status: 200, body: 'payload' });
    served.set('/latest/app.bin', { status: 302, body: '', location: '/v1/app.bin' });
    expect(await fetchInto([uri(`${baseUrl}/latest/app.bin`)])).toBeUndefined();
    expect(sandboxFile('app.bin')).toBe('payload');
    expect(requests.get('/v1/app.bin')).toBe(1);
  });

  it('gives up after too many redirects', async () => {
    for (let hop = 0; hop <= 11; hop++) served.set(`/r${hop}`, { status: 302, body: '', location: `/r${hop + 1}` });
    expect(await fetchInto([uri(`${baseUrl}/r0`)])).toBe(`Failed to fetch '${baseUrl}/r0': too many redirects (302 Found)`);
    expect(requests.get('/r10')).toBe(1);
    expect(requests.get('/r11')).toBeUndefined();
  });

  it('fails on a 404, naming the URI and the status', async () => {
    expect(await fetchInto([uri(`${baseUrl}/missing.tgz`)])).toBe(`Failed to fetch '${baseUrl}/missing.tgz': 404 Not Found`);
    expect(readdirSync(sandbox)).toEqual([]);
  });

  it('fails on a missing local file, naming it', async () => {
    const missing = join(files, 'nope.txt');
    expect(await fetchInto([uri(missing)])).toBe(`Failed to fetch '${missing}': no such file`);
  });

  it('refuses a directory source', async () => {
    expect(await fetchInto([uri(files)])).toBe(`Failed to fetch '${files}': is a directory`);
  });

  it('refuses other schemes and relative paths', async () => {
    expect(await fetchInto([uri('ftp://example.com/x')])).toBe("Failed to fetch 'ftp://example.com/x': unsupported URI scheme 'ftp'");
    expect(await fetchInto([uri('relative/x')])).toMatch(/^Failed to fetch 'relative\/x': not an absolute path/);
  });

  it('gives up on a server that does not answer within the stall timeout', async () => {
    const patient = new AgentFetcher(join(root, 'cache2'), 1024, dispatcher, { stallTimeoutMs: 200 });
    served.set('/slow', { status: 0, body: '' });
    const result = await patient.fetch({ uris: [uri(`${baseUrl}/slow`)], sandbox, user: undefined });
    expect(!result.ok && result.error).toBe(`Failed to fetch '${baseUrl}/slow': no response within 200 ms`);
  });

  it('fails for an unknown user, naming the URI', async () => {
    writeFileSync(join(files, 'x'), 'x');
    expect(await fetchInto([uri(join(files, 'x'))], 'no-such-user-here')).toBe(`Failed to fetch '${join(files, 'x')}': unknown user 'no-such-user-here'`);
  });

  it('stops at the first failure, keeping what came before', async () => {
    writeFileSync(join(files, 'one'), '1');
    writeFileSync(join(files, 'three'), '3');
    const error = await fetchInto([uri(join(files, 'one')), uri(join(files, 'two')), uri(join(files, 'three'))]);
    expect(error).toBe(`Failed to fetch '${join(files, 'two')}': no such file`);
    expect(readdirSync(sandbox).sort()).toEqual(['one']);
  });
});

describe('fetcher: naming and modes', () => {
  it('sets 0755 with executable', async () => {
    served.set('/tool', { status: 200, body: '#!/bin/sh\necho hi\n' });
    expect(await fetchInto([uri(`${baseUrl}/tool`, { executable: true })])).toBeUndefined();
    expect(statSync(join(sandbox, 'tool')).mode & 0o777).toBe(0o755);
  });

  it('names the result after output_file, creating its directories', async () => {
    served.set('/download?id=7', { status: 200, body: 'renamed' });
    expect(await fetchInto([uri(`${baseUrl}/download?id=7`, { outputFile: 'bin/tool' })])).toBeUndefined();
    expect(sandboxFile('bin/tool')).toBe('renamed');
  });

  it('refuses an output_file that climbs out or is absolute', async () => {
    writeFileSync(join(files, 'x'), 'x');
    expect(await fetchInto([uri(join(files, 'x'), { outputFile: '../x' })])).toBe(`Failed to fetch '${join(files, 'x')}': output_file '../x' must not contain '..'`);
    expect(await fetchInto([uri(join(files, 'x'), { outputFile: '/etc/x' })])).toMatch(/must be relative to the sandbox$/);
  });

  it('does not write through a symbolic link in the sandbox', async () => {
    const outside = join(root, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(sandbox, 'volume'));
    writeFileSync(join(files, 'x'), 'x');
    expect(await fetchInto([uri(join(files, 'x'), { outputFile: 'volume/x' })])).toBe(`Failed to fetch '${join(files, 'x')}': 'volume' in the sandbox is a symbolic link`);
    expect(readdirSync(outside)).toEqual([]);
    // A link at the file's own name is replaced, not followed.
    symlinkSync(join(outside, 'target'), join(sandbox, 'x'));
    expect(await fetchInto([uri(join(files, 'x'))])).toBeUndefined();
    expect(lstatSync(join(sandbox, 'x')).isFile()).toBe(true);
    expect(existsSync(join(outside, 'target'))).toBe(false);
  });
});

describe('fetcher: extraction', () => {
  const tarKinds: readonly (readonly [string, readonly string[]])[] = [
    ['app.tar', []],
    ['app.tar.gz', ['-z']],
    ['app.tgz', ['-z']],
    ['app.tar.bz2', ['-j']],
    ['app.tar.xz', ['-J']],
    ['app.txz', ['-J']],
  ];

  for (const [name, flags] of tarKinds) {
    it(`extracts ${name} into the sandbox`, async () => {
      const tree = makeSourceTree();
      execFileSync('tar', ['-c', ...flags, '-f', join(files, name), '-C', tree, '.']);
      served.set(`/${name}`, { status: 200, body: readFileSync(join(files, name)) });
      expect(await fetchInto([uri(`${baseUrl}/${name}`, { extract: true })])).toBeUndefined();
      expectSourceTreeIn(sandbox);
      expect(existsSync(join(sandbox, name))).toBe(true);
      expect(readdirSync(sandbox).filter((entry) => entry.startsWith('.berth-extract-'))).toEqual([]);
    });
  }

  it('extracts a zip archive', async () => {
    writeFileSync(join(files, 'app.zip'), makeZip([
      { name: 'a.txt', data: 'alpha' },
      { name: 'dir/', directory: true },
      { name: 'dir/b.txt', data: 'beta' },
      { name: 'bin/run.sh', data: '#!/bin/sh\n', mode: 0o755 },
      { name: 'link', data: 'a.txt', symlink: true },
    ]));
    expect(await fetchInto([uri(join(files, 'app.zip'), { extract: true })])).toBeUndefined();
    expectSourceTreeIn(sandbox);
  });

  it('gunzips a bare .gz file', async () => {
    execFileSync('sh', ['-c', `printf 'hello' | gzip > '${join(files, 'notes.txt.gz')}'`]);
    expect(await fetchInto([uri(join(files, 'notes.txt.gz'), { extract: true })])).toBeUndefined();
    expect(sandboxFile('notes.txt')).toBe('hello');
  });

  it('leaves a file that is no archive as it is, and does not extract an executable', async () => {
    writeFileSync(join(files, 'plain.txt'), 'text');
    const tree = makeSourceTree();
    execFileSync('tar', ['-czf', join(files, 'tool.tgz'), '-C', tree, '.']);
    expect(await fetchInto([uri(join(files, 'plain.txt'), { extract: true }), uri(join(files, 'tool.tgz'), { extract: true, executable: true })])).toBeUndefined();
    expect(readdirSync(sandbox).sort()).toEqual(['plain.txt', 'tool.tgz']);
  });

  it('merges into directories an earlier URI made', async () => {
    const tree = makeSourceTree();
    mkdirSync(join(sandbox, 'dir'));
    writeFileSync(join(sandbox, 'dir', 'kept.txt'), 'kept');
    execFileSync('tar', ['-czf', join(files, 'app.tgz'), '-C', tree, '.']);
    expect(await fetchInto([uri(join(files, 'app.tgz'), { extract: true })])).toBeUndefined();
    expect(sandboxFile('dir/kept.txt')).toBe('kept');
    expect(sandboxFile('dir/b.txt')).toBe('beta');
  });
});

describe('fetcher: archives that reach out of the sandbox', () => {
  function expectRefused(error: string | undefined, archive: string, reason: string | RegExp): void {
    expect(error).toBeDefined();
    expect(error?.startsWith(`Failed to fetch '${archive}': `)).toBe(true);
    expect(error).toMatch(reason);
    // Only the archive itself is in the sandbox; nothing was extracted, nothing landed beside it.
    expect(readdirSync(sandbox)).toEqual([archive.split('/').at(-1)]);
    expect(existsSync(join(root, 'evil'))).toBe(false);
  }

  it("refuses a tar entry with '..'", async () => {
    mkdirSync(join(files, 'inner'));
    writeFileSync(join(files, 'evil'), 'evil');
    writeFileSync(join(files, 'inner', 'fine'), 'fine');
    const archive = join(files, 'up.tar');
    execFileSync('tar', ['-cPf', archive, '-C', join(files, 'inner'), 'fine', '../evil']);
    expectRefused(await fetchInto([uri(archive, { extract: true })]), archive, "archive entry '../evil' climbs out of the sandbox with '..'");
  });

  it('refuses a tar entry with an absolute name', async () => {
    writeFileSync(join(files, 'abs'), 'abs');
    const archive = join(files, 'abs.tar');
    execFileSync('tar', ['-cPf', archive, join(files, 'abs')]);
    expectRefused(await fetchInto([uri(archive, { extract: true })]), archive, `archive entry '${join(files, 'abs')}' has an absolute name`);
  });

  it('refuses a tar symlink to an absolute path', async () => {
    const tree = join(root, 'linktree');
    mkdirSync(tree);
    symlinkSync(root, join(tree, 'escape'));
    const archive = join(files, 'link.tar');
    execFileSync('tar', ['-cf', archive, '-C', tree, 'escape']);
    expectRefused(await fetchInto([uri(archive, { extract: true })]), archive, /archive entry 'escape' is a symbolic link out of the sandbox/);
  });

  it('refuses a tar symlink that climbs out through another link', async () => {
    // here -> .  and  up -> here/..  look harmless by name but resolve above the sandbox.
    const tree = join(root, 'sneaky');
    mkdirSync(tree);
    symlinkSync('.', join(tree, 'here'));
    symlinkSync('here/..', join(tree, 'up'));
    const archive = join(files, 'sneaky.tar');
    execFileSync('tar', ['-cf', archive, '-C', tree, 'here', 'up']);
    expectRefused(await fetchInto([uri(archive, { extract: true })]), archive, /archive entry 'up' is a symbolic link out of the sandbox/);
  });

  it("refuses a zip entry with '..' or an absolute name", async () => {
    const archive = join(files, 'up.zip');
    writeFileSync(archive, makeZip([{ name: 'fine', data: 'fine' }, { name: '../evil', data: 'evil' }]));
    expectRefused(await fetchInto([uri(archive, { extract: true })]), archive, "archive entry '../evil' climbs out of the sandbox with '..'");
    rmSync(join(sandbox, 'up.zip'));
    const absolute = join(files, 'abs.zip');
    writeFileSync(absolute, makeZip([{ name: `${root}/evil`, data: 'evil' }]));
    expectRefused(await fetchInto([uri(absolute, { extract: true })]), absolute, `archive entry '${root}/evil' has an absolute name`);
    rmSync(join(sandbox, 'abs.zip'));
    const windows = join(files, 'windows.zip');
    writeFileSync(windows, makeZip([{ name: '..\\evil', data: 'evil' }]));
    expectRefused(await fetchInto([uri(windows, { extract: true })]), windows, 'has a backslash in its name');
  });

  it('refuses a zip symlink out of the sandbox and a file written through it', async () => {
    const archive = join(files, 'link.zip');
    writeFileSync(archive, makeZip([{ name: 'escape', data: root, symlink: true }, { name: 'escape/evil', data: 'evil' }]));
    expectRefused(await fetchInto([uri(archive, { extract: true })]), archive, /unzip refused the archive: .*escape exists but is not directory/);
    rmSync(join(sandbox, 'link.zip'));
    const climbing = join(files, 'climb.zip');
    writeFileSync(climbing, makeZip([{ name: 'escape', data: '../..', symlink: true }]));
    expectRefused(await fetchInto([uri(climbing, { extract: true })]), climbing, "archive entry 'escape' is a symbolic link out of the sandbox (to '../..')");
  });
});

describe('fetcher: cache', () => {
  it('reuses a cached download: two fetches, one request', async () => {
    served.set('/big.bin', { status: 200, body: 'x'.repeat(1000) });
    const second = join(root, 'sandbox2');
    mkdirSync(second);
    expect(await fetchInto([uri(`${baseUrl}/big.bin`, { cache: true })])).toBeUndefined();
    expect(await fetchInto([uri(`${baseUrl}/big.bin`, { cache: true })], undefined, second)).toBeUndefined();
    expect(requests.get('/big.bin')).toBe(1);
    expect(readFileSync(join(second, 'big.bin'), 'utf8')).toBe('x'.repeat(1000));
  });

  it('shares one download among concurrent fetches of the same URI', async () => {
    served.set('/shared.bin', { status: 200, body: 'shared' });
    const sandboxes = [1, 2, 3].map((index) => join(root, `concurrent-${index}`));
    for (const directory of sandboxes) mkdirSync(directory);
    const errors = await Promise.all(sandboxes.map((directory) => fetchInto([uri(`${baseUrl}/shared.bin`, { cache: true })], undefined, directory)));
    expect(errors).toEqual([undefined, undefined, undefined]);
    expect(requests.get('/shared.bin')).toBe(1);
  });

  it('keys the cache by user and URI, and fetches uncached URIs every time', async () => {
    served.set('/f', { status: 200, body: 'f' });
    await fetchInto([uri(`${baseUrl}/f`)]);
    await fetchInto([uri(`${baseUrl}/f`)]);
    expect(requests.get('/f')).toBe(2);
    if (!isRoot) return;
    await fetchInto([uri(`${baseUrl}/f`, { cache: true })], 'root');
    await fetchInto([uri(`${baseUrl}/f`, { cache: true })], 'nobody');
    await fetchInto([uri(`${baseUrl}/f`, { cache: true })], 'nobody');
    expect(requests.get('/f')).toBe(4);
  });

  it('keeps a failed download out of the cache', async () => {
    expect(await fetchInto([uri(`${baseUrl}/later.bin`, { cache: true })])).toMatch(/404 Not Found$/);
    served.set('/later.bin', { status: 200, body: 'now' });
    expect(await fetchInto([uri(`${baseUrl}/later.bin`, { cache: true })])).toBeUndefined();
    expect(sandboxFile('later.bin')).toBe('now');
  });
});

describe.skipIf(!isRoot)('fetcher: ownership (as root)', () => {
  it("chowns fetched and extracted files to the user", async () => {
    const tree = makeSourceTree();
    execFileSync('tar', ['-czf', join(files, 'app.tgz'), '-C', tree, '.']);
    served.set('/tool', { status: 200, body: 'tool' });
    expect(await fetchInto([uri(`${baseUrl}/tool`, { outputFile: 'bin2/tool' }), uri(join(files, 'app.tgz'), { extract: true })], 'nobody')).toBeUndefined();
    for (const path of ['bin2', 'bin2/tool', 'app.tgz', 'a.txt', 'dir', 'dir/b.txt', 'bin/run.sh', 'link']) {
      expect(lstatSync(join(sandbox, path)).uid, path).toBe(65534);
    }
  });

  it("reads local files as the user: one it may not read is refused", async () => {
    writeFileSync(join(files, 'secret'), 'secret');
    chmodSync(join(files, 'secret'), 0o600);
    expect(await fetchInto([uri(join(files, 'secret'))], 'nobody')).toBe(`Failed to fetch '${join(files, 'secret')}': cannot read it as user 'nobody': Permission denied`);
  });

  it('drops set-id bits from extracted files', async () => {
    const tree = join(root, 'suid');
    mkdirSync(tree);
    writeFileSync(join(tree, 'prog'), 'x');
    chmodSync(join(tree, 'prog'), 0o4755);
    execFileSync('tar', ['-cf', join(files, 'suid.tar'), '-C', tree, 'prog']);
    expect(await fetchInto([uri(join(files, 'suid.tar'), { extract: true })])).toBeUndefined();
    expect(statSync(join(sandbox, 'prog')).mode & 0o7777).toBe(0o755);
  });

});
