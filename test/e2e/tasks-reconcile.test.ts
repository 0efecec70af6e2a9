/**
 * Method: one master (100 ms allocation interval) and one agent shared by the
 * file (default status update retry interval, 10 s: no retry happens within a
 * test); each test subscribes its own framework. Tasks are command tasks;
 * answers are UPDATE events the master makes (no uuid). To know that every
 * answer to a RECONCILE has arrived, the test then reconciles one unknown
 * "marker" task: the master handles a framework's calls in order (each call is
 * answered 202 only after it was handled), so once the marker's answer is in,
 * nothing more can come for the call before it. Checks follow spec/core.md
 * 1.5.10, 3.4 (rules 1, 3, 6, implicit) and 9.3 scenarios 36, 38, 40.
 */
import { describe, expect, it } from 'vitest';
import type { WireTaskStatus } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { waitFor } from '../support/cluster.js';
import {
  agentTask,
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

/** Every UPDATE from now until the answer for an unknown marker task (which is excluded). */
async function answersTo(session: SchedulerSession, send: () => Promise<unknown>): Promise<WireTaskStatus[]> {
  const answers: WireTaskStatus[] = [];
  const stop = session.on('UPDATE', (event) => {
    answers.push(event.update.status);
  });
  try {
    await send();
    const marker = `marker-${Date.now()}`;
    await session.reconcile([{ task_id: { value: marker } }]);
    await nextUpdate(session, marker);
  } finally {
    stop();
  }
  const markerIndex = answers.findIndex((status) => status.task_id.value.startsWith('marker-'));
  return answers.slice(0, markerIndex);
}

async function runningTask(session: SchedulerSession, taskId: string): Promise<void> {
  const offer = await nextOffer(session);
  await launch(session, offer, [commandTask(offer, taskId, 'sleep 1000')], 0);
  await untilState(session, taskId, 'TASK_RUNNING');
}

describe('tasks: explicit reconciliation', () => {
  it('a known running task: TASK_RUNNING, REASON_RECONCILIATION, SOURCE_MASTER, no uuid, with its agent id', async () => {
    const session = await cluster.open(taskFramework('root'));
    await runningTask(session, 'known');

    const answers = await answersTo(session, () => session.reconcile([{ task_id: { value: 'known' }, agent_id: { value: cluster.agentId } }]));

    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      task_id: { value: 'known' },
      state: 'TASK_RUNNING',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      agent_id: { value: cluster.agentId },
    });
    expect(answers[0]?.message).toMatch(/^Reconciliation: /);
    expect(answers[0]).not.toHaveProperty('uuid');
    expect(answers[0]).not.toHaveProperty('data');
  });

  it('a known task without agent_id is answered the same way', async () => {
    const session = await cluster.open(taskFramework('root'));
    await runningTask(session, 'known-no-agent');

    const answers = await answersTo(session, () => session.reconcile([{ task_id: { value: 'known-no-agent' } }]));

    expect(answers.map((status) => [status.task_id.value, status.state, status.reason])).toEqual([['known-no-agent', 'TASK_RUNNING', 'REASON_RECONCILIATION']]);
  });

  it('unknown tasks: TASK_LOST for a registered agent, for an unknown agent and without agent_id (not partition-aware)', async () => {
    const session = await cluster.open(taskFramework('root'));

    const answers = await answersTo(session, () =>
      session.reconcile([
        { task_id: { value: 'unknown-1' }, agent_id: { value: cluster.agentId } },
        { task_id: { value: 'unknown-2' }, agent_id: { value: `${cluster.agentId}0` } },
        { task_id: { value: 'unknown-3' } },
      ]),
    );

    expect(answers.map((status) => [status.task_id.value, status.state, status.source, status.reason, status.agent_id?.value])).toEqual([
      ['unknown-1', 'TASK_LOST', 'SOURCE_MASTER', 'REASON_RECONCILIATION', cluster.agentId],
      ['unknown-2', 'TASK_LOST', 'SOURCE_MASTER', 'REASON_RECONCILIATION', `${cluster.agentId}0`],
      ['unknown-3', 'TASK_LOST', 'SOURCE_MASTER', 'REASON_RECONCILIATION', undefined],
    ]);
    for (const status of answers) {
      expect(status).not.toHaveProperty('uuid');
      expect(status).not.toHaveProperty('unreachable_time');
    }
  });

  it('unknown tasks, PARTITION_AWARE: TASK_GONE on a registered agent, TASK_UNKNOWN on an unknown agent and without agent_id', async () => {
    const session = await cluster.open(taskFramework('root', { capabilities: [{ type: 'PARTITION_AWARE' }] }));

    const answers = await answersTo(session, () =>
      session.reconcile([
        { task_id: { value: 'pa-1' }, agent_id: { value: cluster.agentId } },
        { task_id: { value: 'pa-2' }, agent_id: { value: `${cluster.agentId}0` } },
        { task_id: { value: 'pa-3' } },
      ]),
    );

    expect(answers.map((status) => [status.task_id.value, status.state, status.reason])).toEqual([
      ['pa-1', 'TASK_GONE', 'REASON_RECONCILIATION'],
      ['pa-2', 'TASK_UNKNOWN', 'REASON_RECONCILIATION'],
      ['pa-3', 'TASK_UNKNOWN', 'REASON_RECONCILIATION'],
    ]);
  });

  it('a task acknowledged as finished is no longer known: TASK_LOST', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'done', 'true')]);
    await untilState(session, 'done', 'TASK_FINISHED');
    await waitFor(async () => (await masterTasks(cluster.master.url, session.frameworkId)).length === 1, { message: 'the task in /master/tasks' });

    const answers = await answersTo(session, () => session.reconcile([{ task_id: { value: 'done' }, agent_id: { value: cluster.agentId } }]));

    expect(answers.map((status) => [status.task_id.value, status.state, status.reason])).toEqual([['done', 'TASK_LOST', 'REASON_RECONCILIATION']]);
  });

  it('the state last forwarded to the framework is reported, not the task latest state (TASK_STARTING unacknowledged, task already finished)', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'forwarded', 'true')]);
    const starting = await nextUpdate(session, 'forwarded');
    expect(starting.state).toBe('TASK_STARTING');
    await waitFor(async () => (await agentTask(cluster.agent.url, session.frameworkId, 'forwarded'))?.task.state === 'TASK_FINISHED', {
      message: 'the task to have finished on the agent',
    });

    const answers = await answersTo(session, () => session.reconcile([{ task_id: { value: 'forwarded' } }]));

    expect(answers.map((status) => [status.task_id.value, status.state, status.reason, status.uuid])).toEqual([
      ['forwarded', 'TASK_STARTING', 'REASON_RECONCILIATION', undefined],
    ]);
  });
});

describe('tasks: implicit reconciliation', () => {
  it('answers each non-terminal task once and nothing for a task whose end was acknowledged', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'alive-1', 'sleep 1000'), commandTask(offer, 'alive-2', 'sleep 1000'), commandTask(offer, 'ended', 'true')], 0);
    await untilState(session, 'alive-1', 'TASK_RUNNING');
    await untilState(session, 'alive-2', 'TASK_RUNNING');
    await untilState(session, 'ended', 'TASK_FINISHED');
    await waitFor(async () => (await agentTask(cluster.agent.url, session.frameworkId, 'ended'))?.list === 'completed_tasks', {
      message: 'the acknowledged task to be completed',
    });

    const answers = await answersTo(session, () => session.reconcile([]));

    expect(answers.map((status) => [status.task_id.value, status.state, status.source, status.reason, status.uuid]).sort()).toEqual([
      ['alive-1', 'TASK_RUNNING', 'SOURCE_MASTER', 'REASON_RECONCILIATION', undefined],
      ['alive-2', 'TASK_RUNNING', 'SOURCE_MASTER', 'REASON_RECONCILIATION', undefined],
    ]);
  });

  it('includes a terminal task whose terminal update is not acknowledged yet', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'unacked-end', 'exit 2')]);
    const updates = await updatesUntil(session, 'unacked-end', (status) => status.state === 'TASK_RUNNING');
    expect(updates.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    const failed = await nextUpdate(session, 'unacked-end');
    expect(failed.state).toBe('TASK_FAILED');

    const answers = await answersTo(session, () => session.reconcile());

    expect(answers.map((status) => [status.task_id.value, status.state, status.reason, status.uuid])).toEqual([
      ['unacked-end', 'TASK_FAILED', 'REASON_RECONCILIATION', undefined],
    ]);
  });

  it('a framework without tasks gets no answer', async () => {
    const session = await cluster.open(taskFramework('root'));

    const answers = await answersTo(session, () => session.reconcile());

    expect(answers).toEqual([]);
  });
});
