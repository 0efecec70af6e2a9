/**
 * Method: the real probes against real things: an HTTP server and a TCP
 * listener on 127.0.0.1, and real commands in a temporary sandbox. The switch
 * to another user runs only when the tests run as root.
 */
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHealthCheck, type ProbeSpec } from './health-check-spec.js';
import { commandProbeArgv, createHealthProbe, groupIdOfPasswdLine, isHealthyStatus } from './probes.js';
import { TaskHealthChecker } from './task-health-checker.js';
import { systemTimers } from './timers.js';
import type { HealthCheckTarget, HealthEvent } from './types.js';
import { systemClock } from '../../lib/clock.js';

let sandbox = '';
let server: http.Server;
let httpPort = 0;
let listener: net.Server;
let tcpPort = 0;

beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'berth-health-'));
  await chmod(sandbox, 0o755);
  await writeFile(join(sandbox, 'marker'), '');
  server = http.createServer((request, response) => {
    const status = Number((request.url ?? '/200').slice(1)) || 200;
    response.writeHead(status).end('body');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  httpPort = (server.address() as net.AddressInfo).port;
  listener = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  tcpPort = (listener.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => listener.close(resolve));
  await rm(sandbox, { recursive: true, force: true });
});

function spec(check: Record<string, unknown>): ProbeSpec {
  const parsed = parseHealthCheck(check);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.probe;
}

function target(environment: Record<string, string> = {}, user: string | undefined = undefined): HealthCheckTarget {
  return { frameworkId: 'fw', taskId: 't', check: {}, sandbox, user, environment };
}

const probe = createHealthProbe();
const noAbort = new AbortController().signal;

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const socket = net.createServer();
  await new Promise<void>((resolve) => socket.listen(0, '127.0.0.1', resolve));
  const port = (socket.address() as net.AddressInfo).port;
  await new Promise((resolve) => socket.close(resolve));
  return port;
}

describe('health: probes: HTTP', () => {
  it('is healthy on 200 to 399 and unhealthy otherwise', async () => {
    expect(await probe(spec({ type: 'HTTP', http: { port: httpPort, path: '/204' } }), target(), noAbort)).toEqual({ healthy: true });
    expect(await probe(spec({ type: 'HTTP', http: { port: httpPort, path: '/302' } }), target(), noAbort)).toEqual({ healthy: true });
    expect(await probe(spec({ type: 'HTTP', http: { port: httpPort, path: '/503' } }), target(), noAbort)).toEqual({
      healthy: false,
      reason: 'Unexpected HTTP response code: 503',
    });
  });

  it('accepts exactly the listed statuses when `statuses` is given', async () => {
    const check = (path: string) => spec({ type: 'HTTP', http: { port: httpPort, path, statuses: [503] } });
    expect((await probe(check('/503'), target(), noAbort)).healthy).toBe(true);
    expect((await probe(check('/200'), target(), noAbort)).healthy).toBe(false);
  });

  it('is unhealthy when nothing listens', async () => {
    const result = await probe(spec({ type: 'HTTP', http: { port: await closedPort() } }), target(), noAbort);
    expect(result).toMatchObject({ healthy: false, reason: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('isHealthyStatus: 200-399 by default', () => {
    expect([199, 200, 399, 400].map((status) => isHealthyStatus(status, []))).toEqual([false, true, true, false]);
  });
});

describe('health: probes: TCP', () => {
  it('is healthy when the port accepts a connection, unhealthy when refused', async () => {
    expect(await probe(spec({ type: 'TCP', tcp: { port: tcpPort } }), target(), noAbort)).toEqual({ healthy: true });
    expect((await probe(spec({ type: 'TCP', tcp: { port: await closedPort() } }), target(), noAbort)).healthy).toBe(false);
  });
});

describe('health: probes: COMMAND', () => {
  it('runs a shell command in the sandbox with the environment, the check variables winning', async () => {
    const check = spec({
      type: 'COMMAND',
      command: { value: 'test -f marker && test "$A" = task && test "$B" = check', environment: { variables: [{ name: 'B', value: 'check' }] } },
    });
    expect(await probe(check, target({ A: 'task', B: 'task' }), noAbort)).toEqual({ healthy: true });
  });

  it('reports the exit status of a failing command', async () => {
    expect(await probe(spec({ type: 'COMMAND', command: { value: 'exit 3' } }), target(), noAbort)).toEqual({ healthy: false, reason: 'Command exited with status 3' });
  });

  it('execs argv when shell is false', async () => {
    const check = spec({ type: 'COMMAND', command: { shell: false, value: '/bin/sh', arguments: ['sh', '-c', 'exit 4'] } });
    expect(await probe(check, target(), noAbort)).toEqual({ healthy: false, reason: 'Command exited with status 4' });
  });

  it('is unhealthy when the command cannot start', async () => {
    const check = spec({ type: 'COMMAND', command: { shell: false, value: '/no/such/binary' } });
    expect(await probe(check, target(), noAbort)).toMatchObject({ healthy: false, reason: expect.stringMatching(/Failed to launch/) });
  });

  it('kills the whole process group when aborted', async () => {
    const pids = join(sandbox, 'pids');
    const check = spec({ type: 'COMMAND', command: { value: `sleep 30 & echo $! > ${pids}; sleep 30` } });
    const controller = new AbortController();
    const result = probe(check, target(), controller.signal);
    let background = 0;
    for (let attempt = 0; attempt < 100 && background === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      background = Number((await readFile(pids, 'utf8').catch(() => '')).trim());
    }
    expect(background).toBeGreaterThan(0);
    controller.abort();
    expect((await result).healthy).toBe(false);
    let alive = true;
    for (let attempt = 0; attempt < 100 && alive; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      alive = isAlive(background);
    }
    expect(alive).toBe(false);
  });

  it.runIf(process.getuid?.() === 0)('runs as the task user through setpriv when the agent is root', async () => {
    const check = spec({ type: 'COMMAND', command: { value: 'test "$(id -un)" = nobody && test "$(id -u)" != 0' } });
    expect(await probe(check, target({}, 'nobody'), noAbort)).toEqual({ healthy: true });
    expect(await probe(check, target({}, 'no-such-user-berth'), noAbort)).toEqual({ healthy: false, reason: "Unknown user 'no-such-user-berth'" });
  });

  it('builds the setpriv argv only when switching users', () => {
    const command = spec({ type: 'COMMAND', command: { value: 'true' } });
    if (command.type !== 'COMMAND') throw new Error('unreachable');
    expect(commandProbeArgv(command, undefined)).toEqual(['/bin/sh', '-c', 'true']);
    expect(commandProbeArgv(command, { user: 'alice', gid: 100 })).toEqual(['setpriv', '--reuid=alice', '--regid=100', '--init-groups', '--', '/bin/sh', '-c', 'true']);
    expect(groupIdOfPasswdLine('alice:x:1000:100:Alice:/home/alice:/bin/sh', 'alice')).toBe(100);
    expect(groupIdOfPasswdLine('alice:x:1000:100:Alice:/home/alice:/bin/sh', 'bob')).toBeUndefined();
  });
});

describe('health: TaskHealthChecker with the real probes and timers', () => {
  it('reports a real HTTP service healthy, then unhealthy and failed once it stops answering', async () => {
    const service = http.createServer((_request, response) => response.writeHead(200).end());
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const port = (service.address() as net.AddressInfo).port;
    const checker = new TaskHealthChecker({ clock: systemClock, timers: systemTimers });
    const events: HealthEvent[] = [];
    const failed = new Promise<void>((resolve) =>
      checker.onEvent((event) => {
        events.push(event);
        if (event.type === 'health_changed' && event.healthy) service.close();
        if (event.type === 'health_failed') resolve();
      }),
    );
    checker.start({ ...target(), check: { type: 'HTTP', http: { port }, delay_seconds: 0, interval_seconds: 0.02, grace_period_seconds: 0, consecutive_failures: 2 } });
    await failed;
    checker.close();
    expect(events).toEqual([
      { type: 'health_changed', frameworkId: 'fw', taskId: 't', healthy: true },
      { type: 'health_changed', frameworkId: 'fw', taskId: 't', healthy: false },
      { type: 'health_failed', frameworkId: 'fw', taskId: 't' },
    ]);
  });
});

/** Alive and not a zombie (a killed orphan waits for whoever reaps it). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
