/**
 * `berth local --ha`: a ZooKeeper from Debian's package and three masters
 * electing a leader through it, with the agents following the leader; Ctrl-C
 * (SIGTERM here) stops everything, ZooKeeper included.
 *
 * Method: the built CLI as a child process with its work directory under the
 * test root; its printed table gives the masters' URLs, asked without
 * following redirects; ZooKeeper's address comes from the summary line.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/cluster.js';
import { testRoot } from '../support/test-root.js';
import { zooKeeperInstalled } from '../support/zookeeper.js';

const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

function accepting(address: string): Promise<boolean> {
  const [host = '', port = ''] = address.split(':');
  return new Promise((done) => {
    const socket = connect(Number(port), host);
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

describe.skipIf(!zooKeeperInstalled())('berth local --ha', () => {
  it('starts ZooKeeper and three masters that elect one leader, agents registered with it; SIGTERM stops all of it', async () => {
    mkdirSync(testRoot(), { recursive: true });
    const workDir = mkdtempSync(join(testRoot(), 'local-ha-'));
    const child = spawn(process.execPath, [cliEntry, 'local', '--ha', '--port=0', '--agents=1', `--work_dir=${workDir}`], {
      env: { ...process.env, BERTH_TEST_ROOT: testRoot() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      await waitFor(() => output.includes('Press Ctrl-C to stop'), { message: `berth local --ha to start (output so far: ${output})`, timeoutMs: 60_000 });
      const masters = [...output.matchAll(/^master\d\s+\d+\s+(http:\/\/\S+)/gm)].map((match) => match[1] ?? '');
      expect(masters).toHaveLength(3);
      const zookeeper = /through zk:\/\/([^/\s]+)\//.exec(output)?.[1] ?? '';
      expect(await accepting(zookeeper)).toBe(true);
      const leaderUrl = await waitFor(
        async () => {
          const statuses = await Promise.all(masters.map((url) => fetch(`${url}/master/state`, { redirect: 'manual' }).then((answer) => answer.status)));
          const leaders = masters.filter((_, index) => statuses[index] === 200);
          return leaders.length === 1 && statuses.filter((status) => status === 307).length === 2 ? leaders[0] : undefined;
        },
        { message: 'one leader and two redirecting standbys' },
      );
      await waitFor(
        async () => ((await (await fetch(`${leaderUrl}/master/slaves`)).json()) as { slaves: unknown[] }).slaves.length === 1,
        { message: 'the agent registered with the leader', timeoutMs: 20_000 },
      );
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('stopping zookeeper');
      expect(output).toContain('berth local stopped');
      expect(await accepting(zookeeper)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  }, 90_000);
});
