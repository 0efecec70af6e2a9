/**
 * Method: one master (100 ms allocation interval) and one agent shared by the
 * file; each test subscribes its own framework. A bad launch is sent with
 * refuse_seconds 0 so that the offer comes back at once; the test asserts the
 * update the spec names, that nothing was started (no task in /master/tasks,
 * no executor for it in the agent's /state), and then that the agent is still
 * fine: a good task on the next offer runs to TASK_FINISHED. /files requests
 * with bad paths and offsets go straight to the agent. Checks follow
 * spec/core.md 0.2 (unknown fields ignored), 1.5.3 (offer and task
 * validation), 3.3, 6.4 (/files) and 9.2 scenarios 28 and 29.
 */
import { describe, expect, it } from 'vitest';
import type { WireOffer, WireTaskStatus } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { metric } from './helpers.js';
import {
  agentExecutor,
  commandTask,
  filesGet,
  launch,
  launchOperation,
  masterTasks,
  nextOffer,
  nextUpdate,
  sandboxPath,
  scalar,
  smallResources,
  taskFramework,
  untilState,
  updatesUntil,
  useTaskCluster,
  type TaskInfoJson,
} from './task-helpers.js';

const cluster = useTaskCluster();

/** Launches `tasks` on the next offer (refuse_seconds 0) and returns the offer. */
async function launchOnNextOffer(session: SchedulerSession, tasks: (offer: WireOffer) => TaskInfoJson[]): Promise<WireOffer> {
  const offer = await nextOffer(session);
  expect(await launch(session, offer, tasks(offer), 0)).toBe(202);
  return offer;
}

/** The master's TASK_ERROR for an invalid task: SOURCE_MASTER, REASON_TASK_INVALID, no uuid. */
function expectTaskInvalid(status: WireTaskStatus, message: RegExp | string): void {
  expect(status).toMatchObject({ state: 'TASK_ERROR', source: 'SOURCE_MASTER', reason: 'REASON_TASK_INVALID' });
  expect(status).not.toHaveProperty('uuid');
  if (typeof message === 'string') expect(status.message).toBe(message);
  else expect(status.message).toMatch(message);
}

async function expectNothingStarted(session: SchedulerSession, taskId: string): Promise<void> {
  expect((await masterTasks(cluster.master.url, session.frameworkId)).map((task) => task.id)).not.toContain(taskId);
  expect(await agentExecutor(cluster.agent.url, session.frameworkId, taskId)).toBeUndefined();
}

/** The agent is still fine: a good task on the next offer runs to TASK_FINISHED. */
async function expectGoodTaskRuns(session: SchedulerSession, taskId = 'good'): Promise<void> {
  await launchOnNextOffer(session, (offer) => [commandTask(offer, taskId, 'echo fine')]);
  await untilState(session, taskId, 'TASK_FINISHED');
}

describe('tasks: bad launches', () => {
  it('unknown fields in TaskInfo and CommandInfo are ignored: the task runs', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [
      { ...commandTask(offer, 'extra-fields', { value: 'echo ran', frobnicate: true }), no_such_field: { nested: 1 }, another: 'x' },
    ]);
    const updates = await updatesUntil(session, 'extra-fields');

    expect(updates.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  });

  it('resources beyond the offer: TASK_ERROR, REASON_TASK_INVALID, SOURCE_MASTER; nothing started', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'too-big', 'true', { resources: [scalar('cpus', 3), scalar('mem', 32)] })]);
    const status = await nextUpdate(session, 'too-big');

    expectTaskInvalid(status, /more than available/);
    expect(status.agent_id).toEqual({ value: cluster.agentId });
    await expectNothingStarted(session, 'too-big');
    await expectGoodTaskRuns(session);
  });

  it('two tasks fitting alone but not together: the second gets TASK_ERROR, the first runs', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [
      commandTask(offer, 'first-half', 'true', { resources: [scalar('cpus', 1.5), scalar('mem', 32)] }),
      commandTask(offer, 'second-half', 'true', { resources: [scalar('cpus', 1.5), scalar('mem', 32)] }),
    ]);

    expectTaskInvalid(await nextUpdate(session, 'second-half'), /more than available/);
    await untilState(session, 'first-half', 'TASK_FINISHED');
  });

  it('no resources: TASK_ERROR "Task uses no resources"', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'no-resources', 'true', { resources: [] })]);

    expectTaskInvalid(await nextUpdate(session, 'no-resources'), 'Task uses no resources');
    await expectNothingStarted(session, 'no-resources');
  });

  it('a duplicate task id in one launch: the second task gets TASK_ERROR, the first runs', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'twin', 'echo first'), commandTask(offer, 'twin', 'echo second')]);
    const first = await nextUpdate(session, 'twin');

    expectTaskInvalid(first, 'Task has duplicate ID: twin');
    const rest = await updatesUntil(session, 'twin');
    expect(rest.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  });

  it('the id of a running task cannot be reused; the id of a completed (acknowledged) task can', async () => {
    const session = await cluster.open(taskFramework('root'));
    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'reused', 'sleep 1000')]);
    await untilState(session, 'reused', 'TASK_RUNNING');

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'reused', 'true')]);
    expectTaskInvalid(await nextUpdate(session, 'reused'), 'Task has duplicate ID: reused');

    await session.kill('reused');
    await untilState(session, 'reused', 'TASK_KILLED');
    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'reused', 'echo second life')]);
    const again = await updatesUntil(session, 'reused');
    expect(again.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    const stdout = await filesGet(cluster.agent.url, 'read', { path: `${sandboxPath(session.frameworkId, 'reused')}/stdout`, offset: 0 });
    expect(stdout.json()).toEqual({ offset: 0, data: 'second life\n' });
  });

  it('an invalid task id (with a slash): TASK_ERROR', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'a/b', 'true')]);

    expectTaskInvalid(await nextUpdate(session, 'a/b'), /^'TaskInfo.task_id' is invalid/);
    await expectGoodTaskRuns(session);
  });

  it('a Docker container: TASK_ERROR saying berth runs no container images', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'docker', 'true', { container: { type: 'DOCKER', docker: { image: 'alpine' } } })]);

    expectTaskInvalid(await nextUpdate(session, 'docker'), /berth runs no container images yet/);
    await expectNothingStarted(session, 'docker');
    await expectGoodTaskRuns(session);
  });

  it('a Mesos container with an image: TASK_ERROR saying berth runs no container images', async () => {
    const session = await cluster.open(taskFramework('root'));
    const container = { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } } };

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'image', 'true', { container })]);

    expectTaskInvalid(await nextUpdate(session, 'image'), /berth runs no container images yet/);
    await expectNothingStarted(session, 'image');
  });

  it('both a command and an executor, or neither: TASK_ERROR', async () => {
    const session = await cluster.open(taskFramework('root'));
    const executor = { executor_id: { value: 'exec' }, command: { value: 'true' }, resources: smallResources() };

    await launchOnNextOffer(session, (offer) => {
      const both = commandTask(offer, 'both', 'true', { executor });
      const { command: _command, ...neither } = commandTask(offer, 'neither', 'true');
      return [both, { ...neither, task_id: { value: 'neither' } }];
    });

    const message = 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
    expectTaskInvalid(await nextUpdate(session, 'both'), message);
    expectTaskInvalid(await nextUpdate(session, 'neither'), message);
    await expectNothingStarted(session, 'both');
    await expectNothingStarted(session, 'neither');
    await expectGoodTaskRuns(session);
  });

  it('a negative kill_policy grace period, or an invalid health check: TASK_ERROR naming the field', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [
      commandTask(offer, 'negative-grace', 'true', { kill_policy: { grace_period: { nanoseconds: -1 } } }),
      commandTask(offer, 'bad-check', 'true', { health_check: { type: 'HTTP', http: { port: 80, path: 'health' } } }),
    ]);

    expectTaskInvalid(await nextUpdate(session, 'negative-grace'), "Task's 'kill_policy.grace_period' must be non-negative");
    expectTaskInvalid(await nextUpdate(session, 'bad-check'), /^Task uses invalid health check: .*'health'.* must start with '\/'/);
    await expectGoodTaskRuns(session);
  });

  it('a framework user that does not exist on the agent: TASK_FAILED, SOURCE_AGENT, REASON_CONTAINER_LAUNCH_FAILED naming the user', async () => {
    const session = await cluster.open(taskFramework('root', { user: 'no-such-user-e2e' }));

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'no-user', 'true')]);
    const updates = await updatesUntil(session, 'no-user');

    expect(updates.map((status) => [status.state, status.source, status.reason])).toEqual([['TASK_FAILED', 'SOURCE_AGENT', 'REASON_CONTAINER_LAUNCH_FAILED']]);
    expect(updates[0]?.message).toContain('no-such-user-e2e');
    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'as-root', { value: 'true', user: 'root' })]);
    await untilState(session, 'as-root', 'TASK_FINISHED');
  });

  it('a task for another agent id than the offer: TASK_ERROR', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'wrong-agent', 'true', { agent_id: { value: `${offer.agent_id.value}9` } })]);

    expectTaskInvalid(await nextUpdate(session, 'wrong-agent'), /invalid agent/);
  });

  it('a LAUNCH operation with an `id`: TASK_ERROR, REASON_TASK_INVALID', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);

    const operation = { ...launchOperation([commandTask(offer, 'with-op-id', 'true')]), id: { value: 'op-1' } };
    await session.accept([offer.id], [operation], { refuse_seconds: 0 });

    expectTaskInvalid(await nextUpdate(session, 'with-op-id'), 'The `id` field cannot be set on LAUNCH operations');
    await expectNothingStarted(session, 'with-op-id');
  });

  it('a fetch URI that does not exist: TASK_FAILED, SOURCE_AGENT, REASON_CONTAINER_LAUNCH_FAILED; the agent runs the next task', async () => {
    const session = await cluster.open(taskFramework('root'));

    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'bad-uri', { value: 'true', uris: [{ value: 'file:///nonexistent/berth-e2e/tool.sh' }] })]);
    const updates = await updatesUntil(session, 'bad-uri');

    expect(updates.map((status) => [status.state, status.source, status.reason])).toEqual([['TASK_FAILED', 'SOURCE_AGENT', 'REASON_CONTAINER_LAUNCH_FAILED']]);
    expect(updates[0]?.message).toContain('file:///nonexistent/berth-e2e/tool.sh');
    await expectGoodTaskRuns(session);
  });
});

describe('tasks: launches on stale offers', () => {
  it('an offer already used: TASK_LOST, REASON_INVALID_OFFERS, SOURCE_MASTER, no uuid', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await launchOnNextOffer(session, (first) => [commandTask(first, 'used', 'true')]);

    await launch(session, offer, [commandTask(offer, 'stale', 'true')], 0);
    const status = await nextUpdate(session, 'stale');

    expect(status).toMatchObject({ state: 'TASK_LOST', source: 'SOURCE_MASTER', reason: 'REASON_INVALID_OFFERS' });
    expect(status).not.toHaveProperty('uuid');
    await expectNothingStarted(session, 'stale');
    await untilState(session, 'used', 'TASK_FINISHED');
  });

  it('an offer already used, PARTITION_AWARE framework: TASK_DROPPED', async () => {
    const session = await cluster.open(taskFramework('root', { capabilities: [{ type: 'PARTITION_AWARE' }] }));
    const offer = await nextOffer(session);
    expect((await session.decline([offer.id], { refuse_seconds: 0 })).status).toBe(202);

    await launch(session, offer, [commandTask(offer, 'dropped', 'true')], 0);
    const status = await nextUpdate(session, 'dropped');

    expect(status).toMatchObject({ state: 'TASK_DROPPED', source: 'SOURCE_MASTER', reason: 'REASON_INVALID_OFFERS' });
    await expectGoodTaskRuns(session);
  });

  it('a valid offer listed with a used one: TASK_LOST, and the valid offer is returned without a filter', async () => {
    const session = await cluster.open(taskFramework('root'));
    const used = await nextOffer(session);
    expect((await session.decline([used.id], { refuse_seconds: 0 })).status).toBe(202);
    const valid = await nextOffer(session);
    const lostBefore = await metric(cluster.master.url, 'master/tasks_lost');

    await session.accept([valid.id, used.id], [launchOperation([commandTask(valid, 'mixed', 'true')])], { refuse_seconds: 3600 });
    const status = await nextUpdate(session, 'mixed');
    const again = await nextOffer(session, 3_000);

    expect(status).toMatchObject({ state: 'TASK_LOST', source: 'SOURCE_MASTER', reason: 'REASON_INVALID_OFFERS' });
    expect(again.agent_id).toEqual(valid.agent_id);
    expect(await metric(cluster.master.url, 'master/tasks_lost')).toBe(lostBefore + 1);
  });

  it('an offer id that never existed: TASK_LOST, REASON_INVALID_OFFERS', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    const masterId = session.subscribedEvent.master_info.id;

    await session.accept([`${masterId}-O999999`], [launchOperation([commandTask(offer, 'invented', 'true')])]);

    expect(await nextUpdate(session, 'invented')).toMatchObject({ state: 'TASK_LOST', source: 'SOURCE_MASTER', reason: 'REASON_INVALID_OFFERS' });
  });
});

describe('tasks: /files with bad arguments', () => {
  async function finishedTask(): Promise<{ session: SchedulerSession; root: string }> {
    const session = await cluster.open(taskFramework('root'));
    await launchOnNextOffer(session, (offer) => [commandTask(offer, 'files', 'printf 0123456789')]);
    await untilState(session, 'files', 'TASK_FINISHED');
    return { session, root: sandboxPath(session.frameworkId, 'files') };
  }

  it('a path with `..` is refused with 400, even when it would stay inside the sandbox', async () => {
    const { root } = await finishedTask();

    for (const path of [`${root}/../../../../../../etc/passwd`, `${root}/../files/runs/latest/stdout`, `${root}/x/../stdout`]) {
      for (const endpoint of ['read', 'browse', 'download'] as const) {
        const answer = await filesGet(cluster.agent.url, endpoint, endpoint === 'read' ? { path, offset: 0 } : { path });
        expect(answer.status, `${endpoint} ${path}`).toBe(400);
      }
    }
  });

  it('a path outside every sandbox is not found (404), and no file content is returned', async () => {
    await finishedTask();

    for (const path of ['/etc/passwd', '/', '/frameworks', `/frameworks/no-such-framework/executors/x/runs/latest/stdout`]) {
      const answer = await filesGet(cluster.agent.url, 'read', { path, offset: 0 });
      expect([403, 404], `read ${path}`).toContain(answer.status);
      expect(answer.text).not.toContain('root:');
    }
  });

  it('offsets: beyond the size gives no data; -1 gives the size; length bounds the data; a negative offset or a non-number is 400', async () => {
    const { root } = await finishedTask();
    const read = async (query: Record<string, string | number>): Promise<{ status: number; body: unknown }> => {
      const answer = await filesGet(cluster.agent.url, 'read', { path: `${root}/stdout`, ...query });
      return { status: answer.status, body: answer.status === 200 ? answer.json() : answer.text };
    };

    expect(await read({ offset: 0 })).toEqual({ status: 200, body: { offset: 0, data: '0123456789' } });
    expect(await read({ offset: 4, length: 3 })).toEqual({ status: 200, body: { offset: 4, data: '456' } });
    expect(await read({ offset: 10 })).toEqual({ status: 200, body: { offset: 10, data: '' } });
    expect(await read({ offset: 1_000_000 })).toEqual({ status: 200, body: { offset: 1_000_000, data: '' } });
    expect(await read({ offset: -1 })).toEqual({ status: 200, body: { offset: 10, data: '' } });
    expect((await read({ offset: -2 })).status).toBe(400);
    expect((await read({ offset: 'ten' })).status).toBe(400);
    expect((await read({ offset: 0, length: -5 })).status).toBe(400);
  });

  it('a file that does not exist in the sandbox is 404; a read without path is 400', async () => {
    const { root } = await finishedTask();

    expect((await filesGet(cluster.agent.url, 'read', { path: `${root}/no-such-file`, offset: 0 })).status).toBe(404);
    expect((await filesGet(cluster.agent.url, 'read', { offset: 0 })).status).toBe(400);
    expect((await filesGet(cluster.agent.url, 'browse', {})).status).toBe(400);
  });
});
