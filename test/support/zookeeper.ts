/**
 * A real ZooKeeper for HA tests (Debian's zookeeper package, which
 * scripts/install-deps.sh installs): a standalone server on a free port, its
 * data under the test root, short ticks so that sessions can expire in
 * seconds. Its process carries BERTH_TEST_ROOT in its environment, so
 * scripts/clean-test-root.sh stops it if a run is interrupted.
 *
 *   const zk = await startZooKeeper();   // zk.address is 127.0.0.1:<port>
 *   ...
 *   await zk.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './cluster.js';
import { testRoot } from './test-root.js';

/** Where Debian's package puts the server's classes and its log configuration. */
const classPath = '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar';
const startTimeoutMs = 30_000;

export interface ZooKeeperServer {
  /** `127.0.0.1:<port>`, for a zk:// URL. */
  readonly address: string;
  stop(): Promise<void>;
}

export function zooKeeperInstalled(): boolean {
  return existsSync('/usr/share/java/zookeeper.jar');
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startZooKeeper(): Promise<ZooKeeperServer> {
  mkdirSync(testRoot(), { recursive: true });
  const directory = mkdtempSync(join(testRoot(), 'zookeeper-'));
  const port = await freePort();
  // tickTime 100 ms: sessions of 0.2 s to 2 s are allowed (ZooKeeper bounds them by 2 and 20 ticks).
  writeFileSync(
    join(directory, 'zoo.cfg'),
    [`tickTime=100`, `dataDir=${join(directory, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', 'maxSessionTimeout=30000'].join('\n'),
  );
  const child: ChildProcess = spawn('java', ['-cp', classPath, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(directory, 'zoo.cfg')], {
    cwd: directory,
    stdio: 'ignore',
    env: { ...process.env, BERTH_TEST_ROOT: testRoot() },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadlineMs = Date.now() + startTimeoutMs;
  while (!(await accepting(port))) {
    if (child.exitCode !== null || Date.now() > deadlineMs) {
      child.kill('SIGKILL');
      throw new Error(`ZooKeeper did not start on port ${port} within ${startTimeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    address: `127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
