import { describe, expect, it } from 'vitest';
import { isZooKeeperUrl, parseZooKeeperUrl } from './zk-url.js';

describe('ha: zk:// URLs', () => {
  it('reads an ensemble and the group path', () => {
    expect(parseZooKeeperUrl('zk://10.0.0.1:2181,10.0.0.2:2181/mesos', 'zk')).toEqual({ ok: true, value: { servers: '10.0.0.1:2181,10.0.0.2:2181', path: '/mesos' } });
    expect(parseZooKeeperUrl('zk://localhost:2181/a/b/', 'master')).toEqual({ ok: true, value: { servers: 'localhost:2181', path: '/a/b' } });
    expect(isZooKeeperUrl(' zk://x:1/p')).toBe(true);
    expect(isZooKeeperUrl('10.0.0.1:5050')).toBe(false);
  });

  it('names the flag and the rule of a URL it cannot use', () => {
    expect(parseZooKeeperUrl('zk://localhost:2181', 'zk')).toEqual({ ok: false, error: "Invalid value for flag 'zk': 'zk://localhost:2181' is not zk://host:port[,host:port...]/path" });
    expect(parseZooKeeperUrl('zk://localhost/mesos', 'zk')).toEqual({ ok: false, error: "Invalid value for flag 'zk': 'zk://localhost/mesos' names 'localhost', which is not host:port" });
    expect(parseZooKeeperUrl('zk://u:p@localhost:2181/mesos', 'master')).toEqual({
      ok: false,
      error: "Invalid value for flag 'master': 'zk://u:p@localhost:2181/mesos' has credentials, which berth does not support",
    });
    expect(parseZooKeeperUrl('zk://localhost:2181/a/../b', 'zk').ok).toBe(false);
  });
});
