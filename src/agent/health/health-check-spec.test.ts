/** Method: wire HealthCheck objects in, specs or Mesos' error messages out. */
import { describe, expect, it } from 'vitest';
import { parseHealthCheck } from './health-check-spec.js';

describe('health: parseHealthCheck', () => {
  it('applies the defaults of spec 2.5: delay 15 s, interval 10 s, timeout 20 s, 3 failures, grace 10 s', () => {
    const spec = parseHealthCheck({ type: 'TCP', tcp: { port: 80 } });
    expect(spec).toEqual({
      ok: true,
      value: { delayMs: 15_000, intervalMs: 10_000, timeoutMs: 20_000, consecutiveFailures: 3, gracePeriodMs: 10_000, probe: { type: 'TCP', port: 80, ipv6: false } },
    });
  });

  it('reads a shell COMMAND check with its environment', () => {
    const spec = parseHealthCheck({
      type: 'COMMAND',
      command: { value: 'test -f ready', environment: { variables: [{ name: 'A', value: '1' }] } },
      delay_seconds: 0.5,
      timeout_seconds: 0,
    });
    expect(spec.ok && spec.value).toMatchObject({
      delayMs: 500,
      timeoutMs: undefined,
      probe: { type: 'COMMAND', shell: true, value: 'test -f ready', arguments: [], environment: { A: '1' } },
    });
  });

  it('reads an HTTP check: scheme http by default, path /, the accepted statuses', () => {
    const spec = parseHealthCheck({ type: 'HTTP', http: { port: 8080, statuses: [200, 204], protocol: 'IPv6' } });
    expect(spec.ok && spec.value.probe).toEqual({ type: 'HTTP', scheme: 'http', port: 8080, path: '/', statuses: [200, 204], ipv6: true });
  });

  it('waits at least 100 ms between checks, even when interval_seconds is 0', () => {
    const spec = parseHealthCheck({ type: 'TCP', tcp: { port: 80 }, interval_seconds: 0 });
    expect(spec.ok && spec.value.intervalMs).toBe(100);
  });

  it.each([
    [{}, "HealthCheck must specify 'type'"],
    [{ type: 'UNKNOWN' }, "'UNKNOWN' is not a valid health check type"],
    [{ type: 'COMMAND' }, "Expecting 'command' to be set for COMMAND health check"],
    [{ type: 'COMMAND', command: { shell: false } }, "Command health check must contain 'executable path'"],
    [{ type: 'HTTP', http: { port: 80, scheme: 'ftp' } }, "Unsupported HTTP health check scheme: 'ftp'"],
    [{ type: 'HTTP', http: { port: 80, path: 'x' } }, "The path 'x' of HTTP health check must start with '/'"],
    [{ type: 'TCP' }, "Expecting 'tcp' to be set for TCP health check"],
    [{ type: 'TCP', tcp: { port: 70000 } }, "Expecting 'tcp.port' to be a port number"],
    [{ type: 'TCP', tcp: { port: 1 }, interval_seconds: -1 }, "Expecting 'interval_seconds' to be non-negative"],
    [{ type: 'TCP', tcp: { port: 1 }, consecutive_failures: 1.5 }, "Expecting 'consecutive_failures' to be a non-negative integer"],
  ])('refuses %j', (check, message) => {
    expect(parseHealthCheck(check)).toEqual({ ok: false, error: message });
  });
});
