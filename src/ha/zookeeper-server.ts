/**
 * A standalone ZooKeeper server from Debian's `zookeeper` package (which
 * scripts/install-deps.sh installs), for `berth local --ha` and the tests:
 * its data under `directory`, listening on 127.0.0.1:`port`, with 100 ms ticks
 * so that sessions of 0.2 to 30 s are allowed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { err, ok, type Result } from '../lib/result.js';

/** Where Debian's package puts the server's classes and its log configuration. */
const zooKeeperJar = '/usr/share/java/zookeeper.jar';
const classPath = `/etc/zookeeper/conf:${zooKeeperJar}`;
const startTimeoutMs = 30_000;
const pollMs = 100;

export interface ZooKeeperServer {
  /** `127.0.0.1:<port>`, for a zk:// URL. */
  readonly address: string;
  stop(): Promise<void>;
}

export function zooKeeperInstalled(): boolean {
  return existsSync(zooKeeperJar);
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

/** Starts the server and waits until it accepts connections; `env` is its environment. */
export async function startZooKeeperServer(directory: string, port: number, env: NodeJS.ProcessEnv): Promise<Result<ZooKeeperServer>> {
  if (!zooKeeperInstalled()) return err(`ZooKeeper is not installed (${zooKeeperJar}): run scripts/install-deps.sh, or apt-get install zookeeper`);
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'zoo.cfg'),
    ['tickTime=100', `dataDir=${join(directory, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', 'maxSessionTimeout=30000', ''].join('\n'),
  );
  const child: ChildProcess = spawn('java', ['-cp', classPath, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(directory, 'zoo.cfg')], {
    cwd: directory,
    stdio: 'ignore',
    env,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failedToSpawn = new Promise<string>((resolve) => child.once('error', (error) => resolve(error.message)));
  const deadlineMs = Date.now() + startTimeoutMs;
  for (;;) {
    if (await accepting(port)) break;
    const spawnError = await Promise.race([failedToSpawn, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), pollMs))]);
    if (spawnError !== undefined) return err(`Cannot start ZooKeeper: ${spawnError}`);
    if (child.exitCode !== null) return err(`ZooKeeper exited with status ${child.exitCode} before it listened on port ${port}`);
    if (Date.now() > deadlineMs) {
      child.kill('SIGKILL');
      return err(`ZooKeeper did not listen on port ${port} within ${startTimeoutMs} ms`);
    }
  }
  return ok({
    address: `127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  });
}
