/**
 * Method: one master (100 ms allocation interval) and one agent
 * (cpus:2;mem:1024;disk:1024;ports:[31000-32000], 1 s executor shutdown grace
 * period) shared by the file; each test subscribes its own framework, which is
 * closed (and so removed) after it. Tasks are command tasks (the agent plays
 * the built-in command executor); the test launches them on an offer,
 * acknowledges their updates and reads what they wrote through the agent's
 * /files/read. Tasks that must stay running until the test has looked at them
 * wait for a file the test creates in their sandbox (no sleeps). "No offer" is
 * asserted over counted allocation runs. Checks follow spec/core.md 1.5.3,
 * 2.3 (executor environment), 2.4 (master side, points 3-5), 2.5 and 9.2
 * scenario 16.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchJson, waitFor } from '../support/cluster.js';
import { openStream } from '../support/http.js';
import { expectNoEventDuringAllocations, waitForAllocationRuns } from './helpers.js';
import {
  agentExecutor,
  agentTask,
  commandTask,
  launch,
  masterStateTasks,
  masterTasks,
  nextOffer,
  nextUpdate,
  nextUpdateAcked,
  offered,
  portRange,
  readSandboxFile,
  scalar,
  taskFramework,
  untilState,
  updatesUntil,
  useTaskCluster,
} from './task-helpers.js';

const cluster = useTaskCluster();

/** A task that runs until the test creates `go` in its sandbox, then exits 0. */
const waitForGo = 'while [ ! -e go ]; do sleep 0.05; done';

async function sandboxOf(frameworkId: string, taskId: string): Promise<string> {
  const executor = await agentExecutor(cluster.agent.url, frameworkId, taskId);
  if (executor === undefined) throw new Error(`executor ${taskId} is not in the agent's /state`);
  return executor.directory;
}

describe('tasks: launch to the end', () => {
  it('a shell command goes TASK_STARTING, TASK_RUNNING, TASK_FINISHED, each from the executor with a uuid, executor id = task id', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);

    expect(await launch(session, offer, [commandTask(offer, 'hello', 'echo hello; echo oops >&2')])).toBe(202);
    const updates = await updatesUntil(session, 'hello');

    expect(updates.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    for (const status of updates) {
      expect(status.source, status.state).toBe('SOURCE_EXECUTOR');
      expect(status.agent_id, status.state).toEqual({ value: cluster.agentId });
      expect(status.executor_id, status.state).toEqual({ value: 'hello' });
      expect(Buffer.from(status.uuid ?? '', 'base64'), `${status.state} uuid`).toHaveLength(16);
      expect(status).not.toHaveProperty('reason');
    }
    expect(new Set(updates.map((status) => status.uuid)).size).toBe(3);
    expect(updates[2]?.message).toBe('Command exited with status 0');
    expect(await readSandboxFile(cluster.agent.url, session.frameworkId, 'hello', 'stdout')).toBe('hello\n');
    expect(await readSandboxFile(cluster.agent.url, session.frameworkId, 'hello', 'stderr')).toBe('oops\n');
  });

  it('a command that exits 3 ends TASK_FAILED "Command exited with status 3" from the executor', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);

    await launch(session, offer, [commandTask(offer, 'three', 'exit 3')]);
    const updates = await updatesUntil(session, 'three');

    expect(updates.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    expect(updates[2]).toMatchObject({ state: 'TASK_FAILED', source: 'SOURCE_EXECUTOR', message: 'Command exited with status 3' });
    expect(updates[2]).not.toHaveProperty('reason');
  });

  it('the task sees MESOS_SANDBOX, MESOS_TASK_ID, MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID, MESOS_AGENT_ENDPOINT and its command variables, as user root', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    const command = {
      value: 'for name in MESOS_SANDBOX MESOS_TASK_ID MESOS_FRAMEWORK_ID MESOS_EXECUTOR_ID MESOS_AGENT_ENDPOINT GREETING EMPTY; do eval "echo $name=\\${$name-unset}"; done; echo PWD=$(pwd); echo USER=$(id -un)',
      environment: { variables: [{ name: 'GREETING', value: 'hello world' }, { name: 'EMPTY', value: '' }] },
    };

    await launch(session, offer, [commandTask(offer, 'env', command)]);
    await untilState(session, 'env', 'TASK_FINISHED');

    const sandbox = await sandboxOf(session.frameworkId, 'env');
    const endpoint = new URL(cluster.agent.url).host;
    const stdout = await readSandboxFile(cluster.agent.url, session.frameworkId, 'env', 'stdout');
    expect(stdout.split('\n')).toEqual([
      `MESOS_SANDBOX=${sandbox}`,
      'MESOS_TASK_ID=env',
      `MESOS_FRAMEWORK_ID=${session.frameworkId}`,
      'MESOS_EXECUTOR_ID=env',
      `MESOS_AGENT_ENDPOINT=${endpoint}`,
      'GREETING=hello world',
      'EMPTY=',
      `PWD=${sandbox}`,
      'USER=root',
      '',
    ]);
    expect(sandbox).toMatch(new RegExp(`/slaves/${cluster.agentId}/frameworks/${session.frameworkId}/executors/env/runs/[0-9a-f-]{36}$`));
  });

  it('a framework with user nobody runs its task as nobody', async () => {
    const session = await cluster.open(taskFramework('nobody'));
    const offer = await nextOffer(session);

    await launch(session, offer, [commandTask(offer, 'who', 'id -un; touch mine; stat -c %U mine')]);
    await untilState(session, 'who', 'TASK_FINISHED');

    expect(await readSandboxFile(cluster.agent.url, session.frameworkId, 'who', 'stdout')).toBe('nobody\nnobody\n');
  });

  it('CommandInfo.user overrides the framework user', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);

    await launch(session, offer, [commandTask(offer, 'as-nobody', { value: 'id -un', user: 'nobody' })]);
    await untilState(session, 'as-nobody', 'TASK_FINISHED');

    expect(await readSandboxFile(cluster.agent.url, session.frameworkId, 'as-nobody', 'stdout')).toBe('nobody\n');
  });

  it('argv form (shell false): value is the executable, arguments[0] is argv[0], nothing is expanded by a shell', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    const command = { shell: false, value: '/bin/echo', arguments: ['echo', 'two  spaces', '$HOME', '*'] };

    await launch(session, offer, [commandTask(offer, 'argv', command)]);
    const updates = await updatesUntil(session, 'argv');

    expect(updates.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect(await readSandboxFile(cluster.agent.url, session.frameworkId, 'argv', 'stdout')).toBe('two  spaces $HOME *\n');
  });

  it('argv form with an executable that does not exist ends TASK_FAILED', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);

    await launch(session, offer, [commandTask(offer, 'missing', { shell: false, value: '/no/such/program', arguments: ['program'] })]);
    const updates = await updatesUntil(session, 'missing');

    expect(updates.at(-1)).toMatchObject({ state: 'TASK_FAILED' });
    expect(updates.map((status) => status.state)).not.toContain('TASK_FINISHED');
  });
});

describe('tasks: what the master and the agent show', () => {
  it('/master/tasks, /tasks, /master/state and the agent /state show the task running, then ended, then completed once acknowledged', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'shown', waitForGo, { resources: [scalar('cpus', 0.5), scalar('mem', 64)] })]);
    await untilState(session, 'shown', 'TASK_RUNNING');

    for (const path of ['/master/tasks', '/tasks']) {
      const tasks = await masterTasks(cluster.master.url, session.frameworkId, path);
      expect(tasks, path).toHaveLength(1);
      expect(tasks[0], path).toMatchObject({
        id: 'shown',
        name: 'task shown',
        framework_id: session.frameworkId,
        slave_id: cluster.agentId,
        state: 'TASK_RUNNING',
        user: 'root',
        resources: expect.objectContaining({ cpus: 0.5, mem: 64 }),
      });
      expect(tasks[0]?.statuses.map((status) => status.state), path).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    }
    const running = await agentTask(cluster.agent.url, session.frameworkId, 'shown');
    expect(running).toMatchObject({ list: 'tasks', completedExecutor: false, task: { state: 'TASK_RUNNING', executor_id: 'shown' } });
    // The command executor the agent made up (spec 2.5): named after the task and its command (cut after 12 characters).
    const executor = await agentExecutor(cluster.agent.url, session.frameworkId, 'shown');
    expect(executor).toMatchObject({ id: 'shown', name: "Command Executor (Task: shown) (Command: sh -c 'while [ ! -e...')", source: 'shown' });
    // The master does not track command executors.
    const masterState = await fetchJson<{ frameworks: { id: string; executors: unknown[] }[] }>(`${cluster.master.url}/master/state`);
    expect(masterState.frameworks.find((framework) => framework.id === session.frameworkId)?.executors ?? []).toEqual([]);

    writeFileSync(join(await sandboxOf(session.frameworkId, 'shown'), 'go'), '');
    const finished = await nextUpdate(session, 'shown');
    expect(finished.state).toBe('TASK_FINISHED');

    // Ended but not acknowledged: still an active task in the master, still a "running" one on the agent.
    const before = await masterStateTasks(cluster.master.url, session.frameworkId);
    expect(before.tasks.map((task) => [task.id, task.state])).toEqual([['shown', 'TASK_FINISHED']]);
    expect(before.completed_tasks).toEqual([]);
    expect(await agentTask(cluster.agent.url, session.frameworkId, 'shown')).toMatchObject({ list: 'tasks', task: { state: 'TASK_FINISHED' } });

    await session.acknowledgeStatus(finished);
    const after = await waitFor(
      async () => {
        const state = await masterStateTasks(cluster.master.url, session.frameworkId);
        return state.completed_tasks.length > 0 ? state : undefined;
      },
      { message: 'the task to be completed in the master' },
    );
    expect(after.tasks).toEqual([]);
    expect(after.completed_tasks.map((task) => [task.id, task.state])).toEqual([['shown', 'TASK_FINISHED']]);
    expect((await masterTasks(cluster.master.url, session.frameworkId)).map((task) => [task.id, task.state])).toEqual([['shown', 'TASK_FINISHED']]);
    const onAgent = await waitFor(
      async () => {
        const view = await agentTask(cluster.agent.url, session.frameworkId, 'shown');
        return view?.list === 'completed_tasks' ? view : undefined;
      },
      { message: 'the task to be completed on the agent' },
    );
    expect(onAgent).toMatchObject({ list: 'completed_tasks', completedExecutor: true, task: { state: 'TASK_FINISHED' } });
  });
});

describe('tasks: the operator event stream', () => {
  it('an operator subscriber sees TASK_ADDED (TASK_STAGING), then one TASK_UPDATED per state change, in order', async () => {
    const stream = await openStream(`${cluster.master.url}/api/v1`, { type: 'SUBSCRIBE' });
    try {
      expect(stream.status).toBe(200);
      const session = await cluster.open(taskFramework('root'));
      const offer = await nextOffer(session);
      await launch(session, offer, [commandTask(offer, 'watched', 'echo watched')]);
      await untilState(session, 'watched', 'TASK_FINISHED');

      const seen: [string, string, string][] = [];
      while (seen.length === 0 || seen[seen.length - 1]?.[1] !== 'TASK_FINISHED') {
        const event = (await stream.next(5_000)) as OperatorEvent;
        if (event.type === 'TASK_ADDED' && event.task_added?.task.task_id.value === 'watched') {
          seen.push(['TASK_ADDED', event.task_added.task.state, event.task_added.task.framework_id.value]);
        }
        if (event.type === 'TASK_UPDATED' && event.task_updated?.status.task_id.value === 'watched') {
          seen.push(['TASK_UPDATED', event.task_updated.status.state, event.task_updated.framework_id.value]);
        }
      }

      expect(seen).toEqual([
        ['TASK_ADDED', 'TASK_STAGING', session.frameworkId],
        ['TASK_UPDATED', 'TASK_STARTING', session.frameworkId],
        ['TASK_UPDATED', 'TASK_RUNNING', session.frameworkId],
        ['TASK_UPDATED', 'TASK_FINISHED', session.frameworkId],
      ]);
    } finally {
      stream.close();
    }
  });
});

interface OperatorEvent {
  type: string;
  task_added?: { task: { task_id: { value: string }; framework_id: { value: string }; state: string } };
  task_updated?: { framework_id: { value: string }; status: { task_id: { value: string }; state: string }; state: string };
}

describe('tasks: resources', () => {
  it('the resources of a task come back in an offer as soon as its terminal update arrives, before it is acknowledged', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    // All the cpus and memory: nothing else is offered while the task runs.
    await launch(session, offer, [commandTask(offer, 'whole', waitForGo, { resources: [scalar('cpus', 2), scalar('mem', 1024)] })], 0);
    await untilState(session, 'whole', 'TASK_RUNNING');
    await expectNoEventDuringAllocations(session, 'OFFERS', cluster.master.url, 5);

    writeFileSync(join(await sandboxOf(session.frameworkId, 'whole'), 'go'), '');
    const finished = await nextUpdate(session, 'whole');
    const again = await nextOffer(session);

    expect(finished.state).toBe('TASK_FINISHED');
    expect(offered(again, 'cpus')).toBe(2);
    expect(offered(again, 'mem')).toBe(1024);
    // The terminal update is still unacknowledged: the master keeps the task active.
    expect((await masterStateTasks(cluster.master.url, session.frameworkId)).tasks.map((task) => task.state)).toEqual(['TASK_FINISHED']);
  });

  it('what a launch leaves unused is offered again at once with refuse_seconds 0', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);

    await launch(session, offer, [commandTask(offer, 'part', waitForGo, { resources: [scalar('cpus', 0.5), scalar('mem', 128), portRange(31000, 31009)] })], 0);
    const rest = await nextOffer(session, 3_000);

    expect(rest.agent_id).toEqual(offer.agent_id);
    expect(offered(rest, 'cpus')).toBe(1.5);
    expect(offered(rest, 'mem')).toBe(896);
    expect(offered(rest, 'disk')).toBe(1024);
    expect(rest.resources.find((resource) => resource['name'] === 'ports')?.['ranges']).toEqual({ range: [{ begin: 31010, end: 32000 }] });
    // A command task's executor is the agent's own: offers never list it.
    expect(rest.executor_ids ?? []).toEqual([]);
  });

  it('what a launch leaves unused is not offered while the refuse filter lasts; more resources than were refused are offered', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);

    await launch(session, offer, [commandTask(offer, 'filtered', waitForGo, { resources: [scalar('cpus', 0.5), scalar('mem', 128)] })], 3600);
    await untilState(session, 'filtered', 'TASK_RUNNING');
    await expectNoEventDuringAllocations(session, 'OFFERS', cluster.master.url, 10);

    // The task's end returns 0.5 cpus and 128 MB: the agent now has more than the filter refused.
    writeFileSync(join(await sandboxOf(session.frameworkId, 'filtered'), 'go'), '');
    await nextUpdateAcked(session, 'filtered');
    const again = await nextOffer(session);
    expect(offered(again, 'cpus')).toBe(2);
    expect(offered(again, 'mem')).toBe(1024);
  });

  it('the default filter (5 s) applies to what a launch without filters leaves unused', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);

    const launchedMs = Date.now();
    await launch(session, offer, [commandTask(offer, 'default-filter', waitForGo)]);
    await waitForAllocationRuns(cluster.master.url, 5);
    const again = await nextOffer(session, 9_000);
    const elapsedMs = Date.now() - launchedMs;

    expect(elapsedMs).toBeGreaterThanOrEqual(4_900);
    expect(offered(again, 'cpus')).toBeCloseTo(1.9, 5);
  });
});
