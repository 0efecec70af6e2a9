/**
 * A real ZooKeeper for HA tests (src/ha/zookeeper-server.ts): on a free port,
 * its data under the test root. Its process carries BERTH_TEST_ROOT in its
 * environment, so scripts/clean-test-root.sh stops it if a run is interrupted.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { startZooKeeperServer, type ZooKeeperServer } from '../../src/ha/zookeeper-server.js';
import { freePort } from './cluster.js';
import { testRoot } from './test-root.js';

export { zooKeeperInstalled, type ZooKeeperServer } from '../../src/ha/zookeeper-server.js';

export async function startZooKeeper(): Promise<ZooKeeperServer> {
  mkdirSync(testRoot(), { recursive: true });
  const started = await startZooKeeperServer(mkdtempSync(join(testRoot(), 'zookeeper-')), await freePort(), { ...process.env, BERTH_TEST_ROOT: testRoot() });
  if (!started.ok) throw new Error(started.error);
  return started.value;
}
