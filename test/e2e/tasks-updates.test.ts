/**
 * Method: one master (100 ms allocation interval) and one agent with
 * --status_update_retry_interval=1secs (berth's flag; Mesos fixes the first
 * retry at 10 s), shared by the file; each test subscribes its own framework.
 * The test withholds acknowledgements and watches every UPDATE the framework
 * receives (the session keeps them all, in arrival order): retries must repeat
 * the unacknowledged update with its uuid, nothing behind it may overtake it,
 * and each acknowledgement releases exactly the next one. Checks follow
 * spec/core.md 1.5.9, 1.6 (TaskStatus shape), 2.4 (agent side points 1, 3, 5,
 * 6; master side points 2-5) and 9.2 scenario 17.
 */
import { describe, expect, it } from 'vitest';
import type { WireTaskStatus } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import {
  agentExecutor,
  commandTask,
  launch,
  masterStateTasks,
  nextOffer,
  nextUpdate,
  offered,
  scalar,
  taskFramework,
  useTaskCluster,
} from './task-helpers.js';

const cluster = useTaskCluster({ agentFlags: ['--status_update_retry_interval=1secs'] });

interface Received {
  readonly status: WireTaskStatus;
  readonly atMs: number;
}

/** Every UPDATE of `taskId` from now on, with its arrival time; stop() ends the recording. */
function record(session: SchedulerSession, taskId: string): { received: Received[]; stop: () => void } {
  const received: Received[] = [];
  const stop = session.on('UPDATE', (event) => {
    if (event.update.status.task_id.value === taskId) received.push({ status: event.update.status, atMs: Date.now() });
  });
  return { received, stop };
}

describe('tasks: status updates are gated by acknowledgements', () => {
  it('an unacknowledged TASK_STARTING comes again with the same uuid (1 s, then 2 s later) and TASK_RUNNING waits behind it', async () => {
    const session = await cluster.open(taskFramework('root'));
    const recording = record(session, 'gated');
    const offer = await nextOffer(session);

    await launch(session, offer, [commandTask(offer, 'gated', 'echo done')]);
    const first = await nextUpdate(session, 'gated');
    const second = await nextUpdate(session, 'gated', 5_000);
    const third = await nextUpdate(session, 'gated', 8_000);
    recording.stop();

    expect(first).toMatchObject({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR', uuid: expect.any(String) });
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(recording.received.map((entry) => entry.status.uuid)).toEqual([first.uuid, first.uuid, first.uuid]);
    // Arrival times are taken in this process, each late by however long the master, the stream
    // and a busy host held it: a gap may come out shorter than the agent's timer by that much. The
    // bound is half of each interval (1 s, then 2 s): wide of any such delay, and still far from
    // retries that come at once. The exact doubling is checked on the agent core's own clock
    // (src/agent/core/status-updates.test.ts).
    const [a, b, c] = recording.received.map((entry) => entry.atMs) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(500);
    expect(c - b).toBeGreaterThanOrEqual(1_000);
  });

  it('each acknowledgement releases the next update: STARTING, RUNNING, FINISHED arrive in order, none before the previous one is acknowledged', async () => {
    const session = await cluster.open(taskFramework('root'));
    const recording = record(session, 'in-order');
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'in-order', 'echo done')]);

    const starting = await nextUpdate(session, 'in-order');
    // Hold the acknowledgement over one retry: the same update comes again, nothing else.
    const retried = await nextUpdate(session, 'in-order', 5_000);
    expect(retried).toEqual(starting);
    const acknowledged: string[] = [];
    const byUuid = async (status: WireTaskStatus): Promise<void> => {
      acknowledged.push(status.uuid ?? '');
      await session.acknowledgeStatus(status);
    };
    await byUuid(starting);
    const running = await nextDistinct(session, 'in-order', acknowledged);
    await byUuid(running);
    const finished = await nextDistinct(session, 'in-order', acknowledged);
    await byUuid(finished);
    recording.stop();

    expect([starting.state, running.state, finished.state]).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    // Every update received is, in order, one of the three; a later state never came before an earlier was acknowledged.
    const order = recording.received.map((entry) => entry.status.uuid);
    const indexOf = (uuid: string | undefined): number => [starting.uuid, running.uuid, finished.uuid].indexOf(uuid);
    expect(order.every((uuid) => indexOf(uuid) >= 0)).toBe(true);
    const indices = order.map(indexOf);
    expect(indices).toEqual([...indices].sort((x, y) => x - y));
    expect(indices.filter((index) => index === 0).length).toBeGreaterThanOrEqual(2);
  });

  it('an acknowledgement with a uuid that is not the head of the stream releases nothing', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'wrong-ack', 'echo done')]);

    const starting = await nextUpdate(session, 'wrong-ack');
    const bogus = Buffer.alloc(16, 7).toString('base64');
    expect((await session.acknowledge(cluster.agentId, 'wrong-ack', bogus)).status).toBe(202);
    const next = await nextUpdate(session, 'wrong-ack', 5_000);

    expect(next).toEqual(starting);
  });

  // spec/core.md 2.4, agent side point 1: the agent "fills container_status (container network
  // IPs; agent IP as fallback)"; 1.6 gives the shape {"container_id", "network_infos":
  // [{"ip_addresses": [{"ip_address"}]}]} (Mesos: Slave::_statusUpdate).
  it('every update from the agent carries container_status: the container id and the agent IP', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'with-ip', 'echo done')]);

    const updates: WireTaskStatus[] = [];
    for (;;) {
      const status = await nextUpdate(session, 'with-ip');
      await session.acknowledgeStatus(status);
      updates.push(status);
      if (status.state === 'TASK_FINISHED') break;
    }
    const executor = await agentExecutor(cluster.agent.url, session.frameworkId, 'with-ip');

    for (const status of updates) {
      expect(status.container_status, status.state).toMatchObject({
        container_id: { value: executor?.container },
        network_infos: [{ ip_addresses: [{ ip_address: '127.0.0.1' }] }],
      });
    }
  });

  it('a task that ended before any acknowledgement: its resources come back with the first retry (latest_state), while the framework has seen only TASK_STARTING', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    const seen = record(session, 'early-end');
    await launch(session, offer, [commandTask(offer, 'early-end', 'exit 0', { resources: [scalar('cpus', 2), scalar('mem', 1024)] })]);

    const again = await nextOffer(session, 8_000);
    seen.stop();

    expect(offered(again, 'cpus')).toBe(2);
    expect(offered(again, 'mem')).toBe(1024);
    // The first TASK_STARTING went to the framework before the retry that freed the resources, so
    // before the offer: at least one arrived, and nothing but TASK_STARTING.
    const states = seen.received.map((entry) => entry.status.state);
    expect(states.length).toBeGreaterThanOrEqual(1);
    expect(states.filter((state) => state !== 'TASK_STARTING')).toEqual([]);
    const { tasks } = await masterStateTasks(cluster.master.url, session.frameworkId);
    expect(tasks.map((task) => [task.id, task.state])).toEqual([['early-end', 'TASK_FINISHED']]);
  });
});

/** The next update of `taskId` whose uuid was not acknowledged yet (a retry of the previous one may still be in flight). */
async function nextDistinct(session: SchedulerSession, taskId: string, acknowledged: readonly string[]): Promise<WireTaskStatus> {
  for (;;) {
    const status = await nextUpdate(session, taskId, 5_000);
    if (!acknowledged.includes(status.uuid ?? '')) return status;
  }
}
