/**
 * A real ZooKeeper for HA tests (src/ha/zookeeper-server.ts): on a free port,
 * its data under the test root. Its process carries BERTH_TEST_ROOT in its
 * environment, so scripts/clean-test-root.sh stops it if a run is interrupted.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startZooKeeperServer, zooKeeperInstalled, type ZooKeeperServer } from '../../src/ha/zookeeper-server.js';
import { freePort } from './cluster.js';
import { testRoot } from './test-root.js';

export { zooKeeperInstalled, type ZooKeeperServer } from '../../src/ha/zookeeper-server.js';

export async function startZooKeeper(): Promise<ZooKeeperServer> {
  mkdirSync(testRoot(), { recursive: true });
  const started = await startZooKeeperServer(mkdtempSync(join(testRoot(), 'zookeeper-')), await freePort(), { ...process.env, BERTH_TEST_ROOT: testRoot() });
  if (!started.ok) throw new Error(started.error);
  return started.value;
}

/**
 * A ZooKeeper for the whole test file, where Debian's package is installed:
 * started before the tests and stopped after them. `address` is '' without one.
 */
export function useZooKeeper(): { address(): string } {
  let server: ZooKeeperServer | undefined;
  beforeAll(async () => {
    if (zooKeeperInstalled()) server = await startZooKeeper();
  }, 40_000);
  afterAll(async () => {
    await server?.stop();
  });
  return { address: () => server?.address ?? '' };
}
