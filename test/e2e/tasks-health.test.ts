/**
 * Method: one master (100 ms allocation interval) and one agent shared by the
 * file; each test subscribes its own framework. Command tasks carry a
 * TaskInfo.health_check with no delay and short intervals (0.2 s), so that a
 * verdict comes within a second or two; the test follows the task's updates
 * (acknowledging each) until the health verdict or the task's end. HTTP and
 * TCP checks probe a server the test itself listens with on 127.0.0.1, on a
 * port the kernel chose (port 0) and that stays bound until the test's
 * frameworks are gone: no other process (other files' tasks, another run
 * sharing the host) can take it between choosing and probing. The task sharing
 * the host's network, its checks reach that server as they would one the task
 * ran; the server records what the probes asked. Checks follow spec/core.md
 * 2.5 (health checks) and 3.4 rule 1 (`healthy` in reconciliation answers).
 *
 * berth reports health *changes* only; Mesos' command executor sends a
 * TASK_RUNNING update after every failed check. The tests accept either: any
 * number of unhealthy TASK_RUNNING updates before the kill.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SchedulerSession } from '../../src/sdk/index.js';
import {
  commandTask,
  launch,
  masterTasks,
  nextOffer,
  nextUpdate,
  taskFramework,
  untilState,
  updatesUntil,
  useTaskCluster,
} from './task-helpers.js';

const cluster = useTaskCluster();

interface Target {
  readonly port: number;
  /** Paths of the HTTP requests received (HTTP targets), or one entry per connection (TCP targets). */
  readonly hits: string[];
}

/**
 * Listens on 127.0.0.1 port 0 until the test has finished (after its
 * frameworks, and so its tasks and their checks, are gone). HTTP: 200 for
 * `/`, 404 for anything else; TCP: accepts and holds each connection.
 */
async function listenTarget(kind: 'HTTP' | 'TCP'): Promise<Target> {
  const hits: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server =
    kind === 'HTTP'
      ? createHttpServer((request, response) => {
          hits.push(request.url ?? '');
          response.writeHead(request.url === '/' ? 200 : 404, { 'Content-Type': 'text/plain' }).end('berth e2e\n');
        })
      : createTcpServer(() => {
          hits.push('connection');
        });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as AddressInfo).port, hits };
}

/** Fast checks: first at once, then every 0.2 s. */
const fast = { delay_seconds: 0, interval_seconds: 0.2, timeout_seconds: 5 };

/** Launches a `sleep 1000` command task whose health check probes a fresh target of `kind`. */
async function launchWithTargetCheck(
  session: SchedulerSession,
  taskId: string,
  kind: 'HTTP' | 'TCP',
  check: (port: number) => Record<string, unknown>,
): Promise<Target> {
  const target = await listenTarget(kind);
  const offer = await nextOffer(session);
  await launch(session, offer, [commandTask(offer, taskId, 'sleep 1000', { health_check: check(target.port) })]);
  return target;
}

describe('tasks: health checks', () => {
  it('a COMMAND check that always fails: TASK_RUNNING healthy=false (REASON_TASK_HEALTH_CHECK_STATUS_UPDATED), then TASK_KILLED healthy=false', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    const check = { type: 'COMMAND', command: { value: 'exit 1' }, ...fast, grace_period_seconds: 0, consecutive_failures: 2 };

    await launch(session, offer, [commandTask(offer, 'sick', 'sleep 1000', { health_check: check })]);
    const updates = await updatesUntil(session, 'sick');

    expect(updates.slice(0, 2).map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    expect(updates[1]).not.toHaveProperty('healthy');
    const verdicts = updates.slice(2, -1);
    expect(verdicts.length).toBeGreaterThanOrEqual(1);
    for (const status of verdicts) {
      expect(status).toMatchObject({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy: false });
    }
    expect(updates.at(-1)).toMatchObject({ state: 'TASK_KILLED', source: 'SOURCE_EXECUTOR', healthy: false });
  });

  it('failures within the grace period are not counted: a check that passes once the task is ready reports healthy=true first', async () => {
    const session = await cluster.open(taskFramework('nobody'));
    const offer = await nextOffer(session);
    // The check runs in the sandbox as the task's user; it fails until the task has created `ready`.
    const check = { type: 'COMMAND', command: { value: 'test -e ready && [ "$(id -un)" = nobody ]' }, ...fast, grace_period_seconds: 20, consecutive_failures: 1 };

    await launch(session, offer, [commandTask(offer, 'slow-start', 'sleep 0.5; touch ready; sleep 1000', { health_check: check })]);
    const updates = await updatesUntil(session, 'slow-start', (status) => status.healthy !== undefined || status.state !== 'TASK_STARTING' && status.state !== 'TASK_RUNNING');

    expect(updates.map((status) => [status.state, status.healthy])).toEqual([
      ['TASK_STARTING', undefined],
      ['TASK_RUNNING', undefined],
      ['TASK_RUNNING', true],
    ]);
    expect(updates[2]?.reason).toBe('REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
  });

  it('a passing HTTP check: TASK_RUNNING healthy=true; the master then shows the task healthy and reconciliation answers healthy=true', async () => {
    const session = await cluster.open(taskFramework('root'));
    const target = await launchWithTargetCheck(session, 'web', 'HTTP', (port) => ({ type: 'HTTP', http: { port, path: '/' }, ...fast, grace_period_seconds: 20, consecutive_failures: 3 }));

    const updates = await updatesUntil(session, 'web', (status) => status.healthy !== undefined || status.state !== 'TASK_STARTING' && status.state !== 'TASK_RUNNING');

    expect(updates.at(-1)).toMatchObject({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy: true });
    expect(target.hits.length).toBeGreaterThanOrEqual(1);
    expect(target.hits.filter((path) => path !== '/')).toEqual([]);
    const [task] = await masterTasks(cluster.master.url, session.frameworkId);
    expect(task?.state).toBe('TASK_RUNNING');
    expect(task?.statuses.at(-1)).toMatchObject({ state: 'TASK_RUNNING', healthy: true });
    await session.reconcile([{ task_id: { value: 'web' } }]);
    expect(await nextUpdate(session, 'web')).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', healthy: true });
  });

  it('a passing TCP check: TASK_RUNNING healthy=true', async () => {
    const session = await cluster.open(taskFramework('root'));
    const target = await launchWithTargetCheck(session, 'tcp', 'TCP', (port) => ({ type: 'TCP', tcp: { port }, ...fast, grace_period_seconds: 20, consecutive_failures: 3 }));

    const updates = await updatesUntil(session, 'tcp', (status) => status.healthy !== undefined || status.state !== 'TASK_STARTING' && status.state !== 'TASK_RUNNING');

    expect(updates.at(-1)).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy: true });
    expect(target.hits.length).toBeGreaterThanOrEqual(1);
  });

  it('an HTTP check answered with a status outside `statuses` fails: the task is killed with healthy=false', async () => {
    const session = await cluster.open(taskFramework('root'));
    // The target answers 404 for a path other than `/`; 404 is not among the accepted statuses.
    const target = await launchWithTargetCheck(session, 'not-found', 'HTTP', (port) => ({
      type: 'HTTP',
      http: { port, path: '/missing', statuses: [200] },
      ...fast,
      grace_period_seconds: 0,
      consecutive_failures: 3,
    }));

    const updates = await updatesUntil(session, 'not-found');

    expect(updates.map((status) => status.healthy)).not.toContain(true);
    expect(updates.at(-1)).toMatchObject({ state: 'TASK_KILLED', healthy: false });
    // The failures are the probes' answers (404 from the target), not a refused connection.
    expect(target.hits.length).toBeGreaterThanOrEqual(3);
    expect(target.hits.filter((path) => path !== '/missing')).toEqual([]);
  });

  it('a healthy task killed by the framework ends TASK_KILLED', async () => {
    const session = await cluster.open(taskFramework('root'));
    await launchWithTargetCheck(session, 'healthy-kill', 'TCP', (port) => ({ type: 'TCP', tcp: { port }, ...fast, grace_period_seconds: 20, consecutive_failures: 3 }));
    await updatesUntil(session, 'healthy-kill', (status) => status.healthy === true);

    await session.kill('healthy-kill');
    const killed = await untilState(session, 'healthy-kill', 'TASK_KILLED');

    expect(killed.source).toBe('SOURCE_EXECUTOR');
  });
});
