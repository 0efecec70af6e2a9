/**
 * The leading master of a ZooKeeper group, once, for a command that makes one
 * call (the storage CLI): it joins the group without contending, takes the
 * first leader it sees, and leaves.
 */
import { err, ok, type Result } from '../lib/result.js';
import { ZooKeeperGroup, type LeaderInfo } from './zookeeper-group.js';
import type { ZooKeeperUrl } from './zk-url.js';

export async function findLeader(url: ZooKeeperUrl, timeoutMs: number): Promise<Result<string>> {
  let found: (leader: LeaderInfo) => void = () => undefined;
  const leader = new Promise<LeaderInfo>((resolve) => (found = resolve));
  const group = await ZooKeeperGroup.connect(url, timeoutMs, timeoutMs, {
    leader: (current) => {
      if (current !== undefined) found(current);
    },
    sessionLost: () => undefined,
  });
  if (!group.ok) return group;
  try {
    const first = await Promise.race([leader, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs))]);
    return first === undefined ? err(`No master leads under ${url.path} in ZooKeeper at ${url.servers} (waited ${timeoutMs} ms)`) : ok(first.url);
  } finally {
    group.value.close();
  }
}
