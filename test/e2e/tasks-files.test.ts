/**
 * Method: one master (100 ms allocation interval) and one agent shared by the
 * file; each test runs a command task that writes what the test needs into
 * its sandbox (bytes, symbolic links, a large file) and reads it back through
 * the agent's /files/browse, /files/read and /files/download, using the
 * virtual path /frameworks/<fw>/executors/<task>/runs/latest. The garbage
 * collection test starts a master and an agent of its own with --gc_delay=1secs
 * and stops them at its end. Checks follow spec/core.md 6.4 (the agent's
 * /files endpoints, Mesos' files process) and the sandbox boundary of
 * src/agent/files/resolve.ts: nothing outside a sandbox is ever served.
 */
import { describe, expect, it } from 'vitest';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { startAgent, startMaster, waitFor } from '../support/cluster.js';
import { rawRequest } from '../support/http.js';
import { fastMasterFlags, subscribeFramework, waitForActiveAgents } from './helpers.js';
import {
  agentExecutor,
  commandTask,
  filesGet,
  launch,
  nextOffer,
  sandboxPath,
  taskAgentFlags,
  taskFramework,
  untilState,
  useTaskCluster,
} from './task-helpers.js';

const cluster = useTaskCluster();

interface BrowseEntry {
  path: string;
  mode: string;
  uid: string;
  gid: string;
  size: number;
  nlink: number;
  mtime: number;
}

async function runTask(session: SchedulerSession, taskId: string, command: string): Promise<string> {
  const offer = await nextOffer(session);
  await launch(session, offer, [commandTask(offer, taskId, command)], 0);
  await untilState(session, taskId, 'TASK_FINISHED');
  return sandboxPath(session.frameworkId, taskId);
}

describe('tasks: /files on a sandbox', () => {
  it('/files/browse lists stdout and stderr (and what the task made) with size, mode and owner', async () => {
    const session = await cluster.open(taskFramework('nobody'));
    const root = await runTask(session, 'listed', 'printf abc; printf de >&2; mkdir sub; printf 12345678 > sub/file');

    const answer = await filesGet(cluster.agent.url, 'browse', { path: root });
    const entries = answer.json() as BrowseEntry[];

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(entries.map((entry) => entry.path)).toEqual([`${root}/stderr`, `${root}/stdout`, `${root}/sub`]);
    expect(entries[0]).toMatchObject({ size: 2, mode: '-rw-r--r--', uid: 'nobody', nlink: 1 });
    expect(entries[1]).toMatchObject({ size: 3, mode: '-rw-r--r--', uid: 'nobody' });
    expect(entries[2]?.mode).toMatch(/^d/);
    const sub = (await filesGet(cluster.agent.url, 'browse', { path: `${root}/sub` })).json() as BrowseEntry[];
    expect(sub.map((entry) => [entry.path, entry.size])).toEqual([[`${root}/sub/file`, 8]]);
  });

  it('the sandbox is also served under its real path', async () => {
    const session = await cluster.open(taskFramework('root'));
    await runTask(session, 'real-path', 'printf real');
    const executor = await agentExecutor(cluster.agent.url, session.frameworkId, 'real-path');

    const answer = await filesGet(cluster.agent.url, 'read', { path: `${executor?.directory ?? ''}/stdout`, offset: 0 });

    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ offset: 0, data: 'real' });
  });

  it('/files/download returns the exact bytes of a binary file as an attachment', async () => {
    const session = await cluster.open(taskFramework('root'));
    const root = await runTask(session, 'bytes', "printf '\\000\\001\\377\\376binary\\n' > blob.bin");

    const response = await fetch(`${cluster.agent.url}/files/download?path=${encodeURIComponent(`${root}/blob.bin`)}`);
    const bytes = Buffer.from(await response.arrayBuffer());

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename=blob.bin');
    expect([...bytes]).toEqual([0, 1, 255, 254, ...Buffer.from('binary\n')]);
  });

  it('/files/read is capped at 64 KiB per read; reading on from the returned length gives the rest; offset -1 gives the size', async () => {
    const session = await cluster.open(taskFramework('root'));
    // 100000 times 'x', a newline, then a marker line: 100005 bytes.
    const root = await runTask(session, 'large', "head -c 100000 /dev/zero | tr '\\000' x; echo; echo END");

    const first = (await filesGet(cluster.agent.url, 'read', { path: `${root}/stdout`, offset: 0 })).json() as { offset: number; data: string };
    const size = (await filesGet(cluster.agent.url, 'read', { path: `${root}/stdout`, offset: -1 })).json() as { offset: number; data: string };
    const rest = (await filesGet(cluster.agent.url, 'read', { path: `${root}/stdout`, offset: first.data.length })).json() as { offset: number; data: string };

    expect(size).toEqual({ offset: 100005, data: '' });
    expect(first.offset).toBe(0);
    expect(first.data.length).toBe(65536);
    expect(rest.offset).toBe(65536);
    expect(first.data + rest.data).toBe(`${'x'.repeat(100000)}\nEND\n`);
  });

  it('a symlink in the sandbox to /etc/passwd is refused by read and download; browse does not follow it', async () => {
    const session = await cluster.open(taskFramework('root'));
    const root = await runTask(session, 'escape', 'ln -s /etc/passwd passwd; ln -s / rootdir; ln -s stdout inside; echo visible');

    const read = await filesGet(cluster.agent.url, 'read', { path: `${root}/passwd`, offset: 0 });
    const download = await filesGet(cluster.agent.url, 'download', { path: `${root}/passwd` });
    const browseRoot = await filesGet(cluster.agent.url, 'browse', { path: `${root}/rootdir` });
    const throughDir = await filesGet(cluster.agent.url, 'read', { path: `${root}/rootdir/etc/passwd`, offset: 0 });

    for (const [what, answer] of [
      ['read', read],
      ['download', download],
      ['browse of a link to /', browseRoot],
      ['read through a link to /', throughDir],
    ] as const) {
      expect(answer.status, what).toBe(403);
      expect(answer.text, what).not.toContain('root:');
    }
    const listing = (await filesGet(cluster.agent.url, 'browse', { path: root })).json() as BrowseEntry[];
    const link = listing.find((entry) => entry.path === `${root}/passwd`);
    expect(link?.mode).toMatch(/^l/);
    // A link that stays inside the sandbox is served.
    expect((await filesGet(cluster.agent.url, 'read', { path: `${root}/inside`, offset: 0 })).json()).toEqual({ offset: 0, data: 'visible\n' });
  });

  it('reading a directory is 400; browsing a file answers an empty list', async () => {
    const session = await cluster.open(taskFramework('root'));
    const root = await runTask(session, 'kinds', 'mkdir dir; echo hi');

    expect((await filesGet(cluster.agent.url, 'read', { path: `${root}/dir`, offset: 0 })).status).toBe(400);
    expect((await filesGet(cluster.agent.url, 'download', { path: `${root}/dir` })).status).toBe(400);
    const browseFile = await filesGet(cluster.agent.url, 'browse', { path: `${root}/stdout` });
    expect(browseFile.status).toBe(200);
    expect(browseFile.json()).toEqual([]);
  });
});

describe('tasks: sandbox garbage collection', () => {
  it('with --gc_delay=1secs the sandbox of a completed task is removed and /files answers 404', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, { flags: [...taskAgentFlags, '--gc_delay=1secs', '--disk_watch_interval=1secs'] });
    try {
      await waitForActiveAgents(master.url, 1);
      const session = await subscribeFramework(master.url, taskFramework('root'));
      try {
        const offer = await nextOffer(session);
        await launch(session, offer, [commandTask(offer, 'collected', 'echo bye')]);
        await untilState(session, 'collected', 'TASK_FINISHED');
        const root = sandboxPath(session.frameworkId, 'collected');
        const before = await rawRequest(`${agent.url}/files/read?path=${encodeURIComponent(`${root}/stdout`)}&offset=0`);
        expect([before.status, before.json()]).toEqual([200, { offset: 0, data: 'bye\n' }]);

        await waitFor(async () => (await rawRequest(`${agent.url}/files/browse?path=${encodeURIComponent(root)}`)).status === 404, {
          message: 'the sandbox to be garbage collected',
          timeoutMs: 10_000,
        });
        expect((await rawRequest(`${agent.url}/files/read?path=${encodeURIComponent(`${root}/stdout`)}&offset=0`)).status).toBe(404);
      } finally {
        await session.close();
      }
    } finally {
      await agent.stop();
      await master.stop();
    }
  });
});
