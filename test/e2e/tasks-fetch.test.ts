/**
 * Method: one master (100 ms allocation interval) and one agent shared by the
 * file, and an HTTP server (node:http, on 127.0.0.1) in the test process that
 * serves a shell script and a .tar.gz built with tar in beforeAll, counting
 * the requests for each path. Command tasks list CommandInfo.uris; what the
 * fetcher put in the sandbox is seen by the task itself (its stdout, read
 * through /files/read) and through /files/browse (modes, owners). Local URIs
 * (file:// and absolute paths) point at files under the test root. Checks
 * follow Mesos' fetcher (CommandInfo.URI: executable, extract, cache,
 * output_file), spec/core.md 2.5 and 3.3 (a container that cannot be
 * prepared: TASK_FAILED, SOURCE_AGENT, REASON_CONTAINER_LAUNCH_FAILED).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { testRoot } from '../support/test-root.js';
import {
  commandTask,
  filesGet,
  launch,
  nextOffer,
  readSandboxFile,
  sandboxPath,
  taskFramework,
  untilState,
  updatesUntil,
  useTaskCluster,
} from './task-helpers.js';

const cluster = useTaskCluster();

let server: Server;
let baseUrl: string;
let filesDir: string;
const requests = new Map<string, number>();
const served = new Map<string, Buffer>();

beforeAll(async () => {
  mkdirSync(testRoot(), { recursive: true });
  filesDir = mkdtempSync(join(testRoot(), 'fetch-files-'));
  const bundle = join(filesDir, 'bundle');
  mkdirSync(join(bundle, 'nested'), { recursive: true });
  writeFileSync(join(bundle, 'hello.txt'), 'hello from the bundle\n');
  writeFileSync(join(bundle, 'nested', 'deep.txt'), 'deep\n');
  execFileSync('tar', ['czf', join(filesDir, 'bundle.tar.gz'), '-C', filesDir, 'bundle']);
  writeFileSync(join(filesDir, 'tool.sh'), '#!/bin/sh\necho "tool ran as $(id -un) in $(pwd)"\n');
  writeFileSync(join(filesDir, 'settings.txt'), 'colour=blue\n');
  served.set('/bundle.tar.gz', readFileSync(join(filesDir, 'bundle.tar.gz')));
  served.set('/tool.sh', readFileSync(join(filesDir, 'tool.sh')));
  served.set('/settings.txt', readFileSync(join(filesDir, 'settings.txt')));
  for (const name of ['cached-1.txt', 'cached-2.txt']) served.set(`/${name}`, Buffer.from(`contents of ${name}\n`));

  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const body = served.get(path);
    if (body === undefined) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here\n');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface BrowseEntry {
  path: string;
  mode: string;
  uid: string;
  size: number;
}

async function browse(session: SchedulerSession, taskId: string, under = ''): Promise<Map<string, BrowseEntry>> {
  const root = sandboxPath(session.frameworkId, taskId);
  const answer = await filesGet(cluster.agent.url, 'browse', { path: `${root}${under}` });
  expect(answer.status, answer.text).toBe(200);
  return new Map((answer.json() as BrowseEntry[]).map((entry) => [entry.path.slice(root.length + 1), entry]));
}

async function runFetching(session: SchedulerSession, taskId: string, uris: Record<string, unknown>[], command: string): Promise<void> {
  const offer = await nextOffer(session);
  await launch(session, offer, [commandTask(offer, taskId, { value: command, uris })]);
}

describe('tasks: fetching URIs', () => {
  it('HTTP URIs: an executable script runs, a .tar.gz is extracted into the sandbox, output_file names a plain file; all owned by the task user', async () => {
    const session = await cluster.open(taskFramework('nobody'));
    const uris = [
      { value: `${baseUrl}/tool.sh`, executable: true },
      { value: `${baseUrl}/bundle.tar.gz`, extract: true },
      { value: `${baseUrl}/settings.txt`, extract: false, output_file: 'conf/app.conf' },
    ];

    await runFetching(session, 'http-fetch', uris, './tool.sh && cat bundle/hello.txt bundle/nested/deep.txt conf/app.conf');
    const updates = await updatesUntil(session, 'http-fetch');

    expect(updates.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    const stdout = await readSandboxFile(cluster.agent.url, session.frameworkId, 'http-fetch', 'stdout');
    expect(stdout).toMatch(/^tool ran as nobody in \/.*\/executors\/http-fetch\/runs\/[0-9a-f-]+\n/);
    expect(stdout.split('\n').slice(1)).toEqual(['hello from the bundle', 'deep', 'colour=blue', '']);
    const entries = await browse(session, 'http-fetch');
    expect(entries.get('tool.sh')).toMatchObject({ mode: '-rwxr-xr-x', uid: 'nobody' });
    expect(entries.get('bundle.tar.gz')).toMatchObject({ mode: '-rw-r--r--', uid: 'nobody', size: served.get('/bundle.tar.gz')?.length });
    expect(entries.get('bundle')).toMatchObject({ mode: expect.stringMatching(/^d/), uid: 'nobody' });
    const conf = await browse(session, 'http-fetch', '/conf');
    expect(conf.get('conf/app.conf')).toMatchObject({ mode: '-rw-r--r--', uid: 'nobody' });
  });

  it('a URI the server answers 404: TASK_FAILED, SOURCE_AGENT, REASON_CONTAINER_LAUNCH_FAILED, naming the URI; nothing started', async () => {
    const session = await cluster.open(taskFramework('root'));
    const uri = `${baseUrl}/does-not-exist.sh`;

    await runFetching(session, 'fetch-404', [{ value: uri, executable: true }], './does-not-exist.sh');
    const updates = await updatesUntil(session, 'fetch-404');

    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ state: 'TASK_FAILED', source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
    expect(updates[0]?.message).toContain(uri);
    expect(updates[0]?.message).toMatch(/404/);
    expect(requests.get('/does-not-exist.sh')).toBe(1);

    // The agent still runs tasks.
    await runFetching(session, 'after-404', [], 'true');
    await untilState(session, 'after-404', 'TASK_FINISHED');
  });

  it('file:// URIs and plain absolute paths are copied from the agent host; a local .tar.gz is extracted', async () => {
    const session = await cluster.open(taskFramework('root'));
    const uris = [
      { value: `file://${join(filesDir, 'settings.txt')}` },
      { value: join(filesDir, 'tool.sh'), executable: true },
      { value: `file://${join(filesDir, 'bundle.tar.gz')}` },
    ];

    await runFetching(session, 'local-fetch', uris, 'cat settings.txt && ./tool.sh >/dev/null && cat bundle/hello.txt');
    await untilState(session, 'local-fetch', 'TASK_FINISHED');

    expect(await readSandboxFile(cluster.agent.url, session.frameworkId, 'local-fetch', 'stdout')).toBe('colour=blue\nhello from the bundle\n');
    const entries = await browse(session, 'local-fetch');
    expect(entries.get('tool.sh')?.mode).toBe('-rwxr-xr-x');
  });

  it('a local path that does not exist: TASK_FAILED, SOURCE_AGENT, REASON_CONTAINER_LAUNCH_FAILED, naming the URI', async () => {
    const session = await cluster.open(taskFramework('root'));
    const uri = join(filesDir, 'no-such-file');

    await runFetching(session, 'local-missing', [{ value: uri }], 'true');
    const updates = await updatesUntil(session, 'local-missing');

    expect(updates.map((status) => [status.state, status.source, status.reason])).toEqual([['TASK_FAILED', 'SOURCE_AGENT', 'REASON_CONTAINER_LAUNCH_FAILED']]);
    expect(updates[0]?.message).toContain(uri);
  });

  it('cache: true fetches a URI once for two tasks; cache: false fetches it again', async () => {
    const session = await cluster.open(taskFramework('root'));
    const cached = { value: `${baseUrl}/cached-1.txt`, cache: true };

    await runFetching(session, 'cache-a', [cached], 'cat cached-1.txt');
    await untilState(session, 'cache-a', 'TASK_FINISHED');
    await runFetching(session, 'cache-b', [cached], 'cat cached-1.txt');
    await untilState(session, 'cache-b', 'TASK_FINISHED');

    expect(requests.get('/cached-1.txt')).toBe(1);
    expect(await readSandboxFile(cluster.agent.url, session.frameworkId, 'cache-a', 'stdout')).toBe('contents of cached-1.txt\n');
    expect(await readSandboxFile(cluster.agent.url, session.frameworkId, 'cache-b', 'stdout')).toBe('contents of cached-1.txt\n');

    await runFetching(session, 'no-cache', [{ value: `${baseUrl}/cached-1.txt`, cache: false }], 'cat cached-1.txt');
    await untilState(session, 'no-cache', 'TASK_FINISHED');
    expect(requests.get('/cached-1.txt')).toBe(2);
  });

  it('the cache is per user: the same URI fetched for another user is downloaded again', async () => {
    const root = await cluster.open(taskFramework('root'));
    const nobody = await cluster.open(taskFramework('nobody'));
    const cached = { value: `${baseUrl}/cached-2.txt`, cache: true };

    await runFetching(root, 'cache-root', [cached], 'cat cached-2.txt');
    await untilState(root, 'cache-root', 'TASK_FINISHED');
    await runFetching(nobody, 'cache-nobody', [cached], 'cat cached-2.txt');
    await untilState(nobody, 'cache-nobody', 'TASK_FINISHED');

    expect(requests.get('/cached-2.txt')).toBe(2);
    expect(await readSandboxFile(cluster.agent.url, nobody.frameworkId, 'cache-nobody', 'stdout')).toBe('contents of cached-2.txt\n');
  });
});
