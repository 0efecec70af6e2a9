/**
 * `--master` of the commands that run a framework (`berth execute`, the
 * reference frameworks): masters as `host:port[,host:port...]`, or one
 * `zk://host:port[,host:port...]/path` whose leader the Scheduler follows.
 */
import { isZooKeeperUrl, parseZooKeeperUrl } from '../ha/zk-url.js';

export function masterList(value: string): string[] {
  if (isZooKeeperUrl(value)) return [value.trim()];
  return value
    .split(',')
    .map((master) => master.trim())
    .filter((master) => master !== '');
}

/** Why `value` names no usable master, or undefined. */
export function masterListError(value: string): string | undefined {
  if (isZooKeeperUrl(value)) {
    const parsed = parseZooKeeperUrl(value, 'master');
    return parsed.ok ? undefined : parsed.error;
  }
  return masterList(value).length === 0 ? 'Expected `--master` to name a master (host:port)' : undefined;
}
