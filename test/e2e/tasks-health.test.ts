/**
 * Method: one master (100 ms allocation interval) and one agent shared by the
 * file; each test subscribes its own framework. Command tasks carry a
 * TaskInfo.health_check with no delay and short intervals (0.2 s), so that a
 * verdict comes within a second or two; the test follows the task's updates
 * (acknowledging each) until the health verdict or the task's end. HTTP and
 * TCP checks probe a `python3 -m http.server` the task runs on a port taken
 * from the offer (one found free on the host, since other files' agents
 * offer the same range). Checks follow spec/core.md 2.5 (health checks) and
 * 3.4 rule 1 (`healthy` in reconciliation answers).
 *
 * berth reports health *changes* only; Mesos' command executor sends a
 * TASK_RUNNING update after every failed check. The tests accept either: any
 * number of unhealthy TASK_RUNNING updates before the kill.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { WireOffer } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import {
  commandTask,
  launch,
  masterTasks,
  nextOffer,
  nextUpdate,
  portRange,
  scalar,
  taskFramework,
  untilState,
  updatesUntil,
  useTaskCluster,
} from './task-helpers.js';

const cluster = useTaskCluster();

/** A port in the agent's offered range that nothing on this host listens on now. */
async function freeOfferedPort(offer: WireOffer): Promise<number> {
  const ranges = offer.resources.find((resource) => resource['name'] === 'ports')?.['ranges'] as { range: { begin: number; end: number }[] } | undefined;
  const range = ranges?.range[0];
  if (range === undefined) throw new Error('the offer has no ports');
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = range.begin + Math.floor(Math.random() * (range.end - range.begin + 1));
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in the offered range');
}

/** Fast checks: first at once, then every 0.2 s. */
const fast = { delay_seconds: 0, interval_seconds: 0.2, timeout_seconds: 5 };

async function launchServerWithCheck(session: SchedulerSession, taskId: string, check: (port: number) => Record<string, unknown>): Promise<number> {
  const offer = await nextOffer(session);
  const port = await freeOfferedPort(offer);
  const task = commandTask(offer, taskId, `exec /usr/bin/python3 -m http.server ${port} --bind 127.0.0.1`, {
    resources: [scalar('cpus', 0.1), scalar('mem', 64), portRange(port, port)],
    health_check: check(port),
  });
  await launch(session, offer, [task]);
  return port;
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
    await launchServerWithCheck(session, 'web', (port) => ({ type: 'HTTP', http: { port, path: '/' }, ...fast, grace_period_seconds: 20, consecutive_failures: 3 }));

    const updates = await updatesUntil(session, 'web', (status) => status.healthy !== undefined || status.state !== 'TASK_STARTING' && status.state !== 'TASK_RUNNING');

    expect(updates.at(-1)).toMatchObject({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy: true });
    const [task] = await masterTasks(cluster.master.url, session.frameworkId);
    expect(task?.state).toBe('TASK_RUNNING');
    expect(task?.statuses.at(-1)).toMatchObject({ state: 'TASK_RUNNING', healthy: true });
    await session.reconcile([{ task_id: { value: 'web' } }]);
    expect(await nextUpdate(session, 'web')).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', healthy: true });
  });

  it('a passing TCP check: TASK_RUNNING healthy=true', async () => {
    const session = await cluster.open(taskFramework('root'));
    await launchServerWithCheck(session, 'tcp', (port) => ({ type: 'TCP', tcp: { port }, ...fast, grace_period_seconds: 20, consecutive_failures: 3 }));

    const updates = await updatesUntil(session, 'tcp', (status) => status.healthy !== undefined || status.state !== 'TASK_STARTING' && status.state !== 'TASK_RUNNING');

    expect(updates.at(-1)).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy: true });
  });

  it('an HTTP check answered with a status outside `statuses` fails: the task is killed with healthy=false', async () => {
    const session = await cluster.open(taskFramework('root'));
    // http.server answers 404 for a missing path; 404 is not among the accepted statuses.
    await launchServerWithCheck(session, 'not-found', (port) => ({
      type: 'HTTP',
      http: { port, path: '/missing', statuses: [200] },
      ...fast,
      grace_period_seconds: 0,
      consecutive_failures: 3,
    }));

    const updates = await updatesUntil(session, 'not-found');

    expect(updates.map((status) => status.healthy)).not.toContain(true);
    expect(updates.at(-1)).toMatchObject({ state: 'TASK_KILLED', healthy: false });
  });

  it('a healthy task killed by the framework ends TASK_KILLED', async () => {
    const session = await cluster.open(taskFramework('root'));
    await launchServerWithCheck(session, 'healthy-kill', (port) => ({ type: 'TCP', tcp: { port }, ...fast, grace_period_seconds: 20, consecutive_failures: 3 }));
    await updatesUntil(session, 'healthy-kill', (status) => status.healthy === true);

    await session.kill('healthy-kill');
    const killed = await untilState(session, 'healthy-kill', 'TASK_KILLED');

    expect(killed.source).toBe('SOURCE_EXECUTOR');
  });
});
