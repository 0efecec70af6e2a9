/**
 * `zk://host:port[,host:port...]/path` as Mesos spells a ZooKeeper ensemble
 * and the znode its masters gather under (spec/core.md 5.1). Credentials
 * (`zk://user:pass@...`) are not supported; an error says so.
 */
import { err, ok, type Result } from '../lib/result.js';

export interface ZooKeeperUrl {
  /** `host:port,host:port`, as the client takes it. */
  readonly servers: string;
  /** The group's znode, absolute, without a trailing slash. */
  readonly path: string;
}

export function isZooKeeperUrl(value: string): boolean {
  return value.trim().startsWith('zk://');
}

export function parseZooKeeperUrl(value: string, flag: string): Result<ZooKeeperUrl> {
  const match = /^zk:\/\/([^/]+)(\/.*)$/.exec(value.trim());
  const invalid = (why: string): Result<ZooKeeperUrl> => err(`Invalid value for flag '${flag}': '${value}' ${why}`);
  if (match === null) return invalid('is not zk://host:port[,host:port...]/path');
  const [, servers = '', rawPath = ''] = match;
  if (servers.includes('@')) return invalid('has credentials, which berth does not support');
  for (const server of servers.split(',')) {
    if (!/^[^:,\s]+:\d{1,5}$/.test(server)) return invalid(`names '${server}', which is not host:port`);
  }
  const path = rawPath.replace(/\/+$/, '');
  if (path === '' || path.split('/').slice(1).some((part) => part === '' || part === '.' || part === '..')) {
    return invalid('has no usable path (zk://host:port/path)');
  }
  return ok({ servers, path });
}
