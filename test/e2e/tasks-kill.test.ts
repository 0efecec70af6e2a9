/**
 * Method: one master (100 ms allocation interval) and one agent
 * (cpus:2;mem:1024;disk:1024;ports:[31000-32000]) shared by the file; each
 * test subscribes its own framework (removed after it). Tasks are command
 * tasks that announce they are ready by writing their stdout, read through
 * /files/read, so that a KILL never races the task's start; pids of processes
 * a task starts are written to files in its sandbox, read the same way, and
 * checked with signal 0 from the test (the test, the agent and the tasks share
 * the host). Grace periods are measured from the KILL call to the terminal
 * update. A KILL during launch holds the task in its fetch: its URI is served
 * by an HTTP server in the test that answers only when released. Checks follow
 * spec/core.md 1.5.7, 1.5.8 (SHUTDOWN of a command executor), 2.5 (kill,
 * max_completion_time), 3.4 (KILL of an unknown task) and 9.2 scenarios 19,
 * 20 and 22, with Mesos' command executor (src/launcher/executor.cpp) where
 * the spec leaves the order of checks open.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { WireTaskStatus } from '../../src/protocol/outputs.js';
import { waitFor } from '../support/cluster.js';
import {
  agentTask,
  commandTask,
  filesGet,
  launch,
  nextOffer,
  nextUpdate,
  nextUpdateAcked,
  offered,
  processExists,
  readSandboxFile,
  sandboxPath,
  scalar,
  taskFramework,
  untilState,
  updatesUntil,
  useTaskCluster,
  waitForSandboxText,
} from './task-helpers.js';

const cluster = useTaskCluster();

const seconds = (value: number): { grace_period: { nanoseconds: number } } => ({ grace_period: { nanoseconds: Math.round(value * 1e9) } });

/** Launches `command` as `taskId`, acknowledges up to TASK_RUNNING and waits for `ready` on its stdout. */
async function startTask(
  capabilities: 'plain' | 'killing',
  taskId: string,
  command: string,
  extra: Record<string, unknown> = {},
): Promise<Awaited<ReturnType<typeof cluster.open>>> {
  const info = taskFramework('root', capabilities === 'killing' ? { capabilities: [{ type: 'TASK_KILLING_STATE' }] } : {});
  const session = await cluster.open(info);
  const offer = await nextOffer(session);
  await launch(session, offer, [commandTask(offer, taskId, command, extra)]);
  await untilState(session, taskId, 'TASK_RUNNING');
  await waitForSandboxText(cluster.agent.url, session.frameworkId, taskId, 'stdout', /ready/);
  return session;
}

describe('tasks: KILL', () => {
  it('a running `sleep 1000` killed ends TASK_KILLED from the executor, with no TASK_KILLING for a framework without TASK_KILLING_STATE', async () => {
    const session = await startTask('plain', 'sleeper', 'echo ready; sleep 1000');

    expect((await session.kill('sleeper', cluster.agentId)).status).toBe(202);
    const updates = await updatesUntil(session, 'sleeper');

    expect(updates.map((status) => status.state)).toEqual(['TASK_KILLED']);
    expect(updates[0]).toMatchObject({
      state: 'TASK_KILLED',
      source: 'SOURCE_EXECUTOR',
      agent_id: { value: cluster.agentId },
      executor_id: { value: 'sleeper' },
      message: 'Command terminated with signal Terminated',
    });
    expect(updates[0]?.uuid).toEqual(expect.any(String));
  });

  // Mesos' command executor (src/launcher/executor.cpp reaped(), at the spec's commit) decides
  // max_completion_time first, then `killed`, then the exit status: a killed task that exits 0 is
  // TASK_KILLED, with the exit in the message.
  it('a killed task that handles SIGTERM by exiting 0 still ends TASK_KILLED, "Command exited with status 0"', async () => {
    const session = await startTask('plain', 'graceful', "trap 'exit 0' TERM; echo ready; while :; do sleep 0.05; done");

    await session.kill('graceful');
    const updates = await updatesUntil(session, 'graceful');

    expect(updates.map((status) => [status.state, status.source, status.message])).toEqual([
      ['TASK_KILLED', 'SOURCE_EXECUTOR', 'Command exited with status 0'],
    ]);
  });

  it('a task that handles SIGTERM by exiting 1 ends TASK_KILLED "Command exited with status 1"', async () => {
    const session = await startTask('plain', 'graceful-1', "trap 'exit 1' TERM; echo ready; while :; do sleep 0.05; done");

    await session.kill('graceful-1');
    const updates = await updatesUntil(session, 'graceful-1');

    expect(updates.map((status) => [status.state, status.source, status.message])).toEqual([
      ['TASK_KILLED', 'SOURCE_EXECUTOR', 'Command exited with status 1'],
    ]);
  });

  it('a framework with TASK_KILLING_STATE gets TASK_KILLING, then TASK_KILLED', async () => {
    const session = await startTask('killing', 'killing', 'echo ready; sleep 1000');

    await session.kill('killing');
    const updates = await updatesUntil(session, 'killing');

    expect(updates.map((status) => [status.state, status.source])).toEqual([
      ['TASK_KILLING', 'SOURCE_EXECUTOR'],
      ['TASK_KILLED', 'SOURCE_EXECUTOR'],
    ]);
  });

  it('the killed task resources are offered again', async () => {
    const info = taskFramework('root');
    const session = await cluster.open(info);
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'all', 'echo ready; sleep 1000', { resources: [scalar('cpus', 2), scalar('mem', 1024)] })]);
    await untilState(session, 'all', 'TASK_RUNNING');

    await session.kill('all');
    await untilState(session, 'all', 'TASK_KILLED');
    const again = await nextOffer(session);

    expect(offered(again, 'cpus')).toBe(2);
    expect(offered(again, 'mem')).toBe(1024);
  });

  it('a task that ignores SIGTERM is SIGKILLed once the TaskInfo kill_policy grace period (1 s) has passed', async () => {
    const session = await startTask('plain', 'stubborn', "trap '' TERM; echo ready; while :; do sleep 0.05; done", { kill_policy: seconds(1) });

    const killedAtMs = Date.now();
    await session.kill('stubborn');
    const killed = await nextUpdateAcked(session, 'stubborn');
    const elapsedMs = Date.now() - killedAtMs;

    expect(killed).toMatchObject({ state: 'TASK_KILLED', source: 'SOURCE_EXECUTOR', message: 'Command terminated with signal Killed' });
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
    expect(elapsedMs).toBeLessThan(2_900);
  });

  it('the KILL call kill_policy overrides the TaskInfo one', async () => {
    const session = await startTask('plain', 'shortened', "trap '' TERM; echo ready; while :; do sleep 0.05; done", { kill_policy: seconds(60) });

    const killedAtMs = Date.now();
    await session.kill('shortened', undefined, seconds(0.3));
    const killed = await nextUpdateAcked(session, 'shortened', 10_000);
    const elapsedMs = Date.now() - killedAtMs;

    expect(killed).toMatchObject({ state: 'TASK_KILLED', message: 'Command terminated with signal Killed' });
    expect(elapsedMs).toBeGreaterThanOrEqual(250);
    expect(elapsedMs).toBeLessThan(2_900);
  });

  it('a task that ignores SIGTERM with no kill_policy is SIGKILLed after the default 3 s', async () => {
    const session = await startTask('plain', 'default-grace', "trap '' TERM; echo ready; while :; do sleep 0.05; done");

    const killedAtMs = Date.now();
    await session.kill('default-grace');
    const killed = await nextUpdateAcked(session, 'default-grace', 10_000);
    const elapsedMs = Date.now() - killedAtMs;

    expect(killed).toMatchObject({ state: 'TASK_KILLED', message: 'Command terminated with signal Killed' });
    expect(elapsedMs).toBeGreaterThanOrEqual(2_950);
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('the whole process tree dies: a background child that left the process group and ignores SIGTERM is gone after TASK_KILLED', async () => {
    const command = [
      // The child ignores SIGTERM and leads a session of its own, out of the task's process group.
      `setsid sh -c "trap '' TERM; echo \\$\\$ > child.pid; exec sleep 1000" &`,
      'while [ ! -s child.pid ]; do sleep 0.05; done',
      'echo ready',
      'sleep 1000',
    ].join('\n');
    const session = await startTask('plain', 'tree', command, { kill_policy: seconds(0.5) });
    const childPid = Number((await readSandboxFile(cluster.agent.url, session.frameworkId, 'tree', 'child.pid')).trim());
    expect(childPid).toBeGreaterThan(1);
    expect(processExists(childPid)).toBe(true);

    await session.kill('tree');
    const killed = await nextUpdateAcked(session, 'tree');

    expect(killed.state).toBe('TASK_KILLED');
    expect(processExists(childPid)).toBe(false);
  });

  it('a task that ends leaving a daemonized grandchild: the grandchild is gone when TASK_FINISHED arrives', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    // The intermediate shell exits at once: the grandchild is orphaned (re-parented) while the task still runs.
    const command = "sh -c 'sleep 1000 >/dev/null 2>&1 & echo $! > grandchild.pid'; sleep 0.2";

    await launch(session, offer, [commandTask(offer, 'daemon', command)]);
    await untilState(session, 'daemon', 'TASK_FINISHED');

    const pid = Number((await readSandboxFile(cluster.agent.url, session.frameworkId, 'daemon', 'grandchild.pid')).trim());
    expect(pid).toBeGreaterThan(1);
    expect(processExists(pid)).toBe(false);
  });
});

describe('tasks: KILL at other moments, SHUTDOWN, max_completion_time', () => {
  it('a second KILL with a shorter kill_policy shortens the grace period of the first', async () => {
    const session = await startTask('plain', 'twice', "trap '' TERM; echo ready; while :; do sleep 0.05; done");

    await session.kill('twice', undefined, seconds(60));
    const secondAtMs = Date.now();
    await session.kill('twice', undefined, seconds(0.2));
    const killed = await nextUpdateAcked(session, 'twice', 10_000);

    expect(killed).toMatchObject({ state: 'TASK_KILLED', message: 'Command terminated with signal Killed' });
    expect(Date.now() - secondAtMs).toBeLessThan(2_900);
  });

  it('a KILL while the task URIs are still being fetched: TASK_KILLED, SOURCE_AGENT, REASON_TASK_KILLED_DURING_LAUNCH; the command never runs', async () => {
    let release: (() => void) | undefined;
    let requested: (() => void) | undefined;
    const fetchStarted = new Promise<void>((resolve) => (requested = resolve));
    const server = createServer((_request, response) => {
      requested?.();
      release = () => {
        release = undefined;
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end('late\n');
      };
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const session = await cluster.open(taskFramework('root'));
      const offer = await nextOffer(session);
      const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow.txt`;
      await launch(session, offer, [commandTask(offer, 'fetching', { value: 'echo started', uris: [{ value: uri }] })]);
      await fetchStarted;

      await session.kill('fetching');
      const updates = await updatesUntil(session, 'fetching');
      release?.();

      expect(updates.map((status) => [status.state, status.source, status.reason, status.message])).toEqual([
        ['TASK_KILLED', 'SOURCE_AGENT', 'REASON_TASK_KILLED_DURING_LAUNCH', 'Killed before delivery to the executor'],
      ]);
      await waitFor(async () => (await agentTask(cluster.agent.url, session.frameworkId, 'fetching'))?.completedExecutor === true, {
        message: 'the executor of the killed task to complete',
      });
      const stdout = await filesGet(cluster.agent.url, 'read', { path: `${sandboxPath(session.frameworkId, 'fetching')}/stdout`, offset: 0 });
      expect(stdout.status === 404 || (stdout.json() as { data: string }).data === '').toBe(true);
    } finally {
      release?.();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('SHUTDOWN of a command task executor (executor id = task id): TASK_KILLED, and no FAILURE event', async () => {
    const session = await startTask('plain', 'shut', 'echo ready; sleep 1000');
    const failures: unknown[] = [];
    const stop = session.on('FAILURE', (event) => {
      failures.push(event);
    });

    expect((await session.shutdown('shut', cluster.agentId)).status).toBe(202);
    const killed = await nextUpdateAcked(session, 'shut');
    await session.reconcile([{ task_id: { value: 'marker' } }]);
    await nextUpdate(session, 'marker');
    stop();

    expect(killed).toMatchObject({ state: 'TASK_KILLED', source: 'SOURCE_EXECUTOR' });
    expect(failures).toEqual([]);
  });

  it('a task running past max_completion_time ends TASK_FAILED with REASON_MAX_COMPLETION_TIME_REACHED', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);

    await launch(session, offer, [commandTask(offer, 'overtime', 'sleep 1000', { max_completion_time: { nanoseconds: 500_000_000 } })]);
    const updates = await updatesUntil(session, 'overtime');

    expect(updates.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    expect(updates[2]).toMatchObject({ state: 'TASK_FAILED', source: 'SOURCE_EXECUTOR', reason: 'REASON_MAX_COMPLETION_TIME_REACHED' });
  });
});

describe('tasks: KILL of a task the master does not know (reconciliation, spec 3.4)', () => {
  it('without agent_id: TASK_LOST, REASON_RECONCILIATION, SOURCE_MASTER, no uuid, no agent_id', async () => {
    const session = await cluster.open(taskFramework('root'));

    expect((await session.kill('never-launched')).status).toBe(202);
    const status = await nextUpdate(session, 'never-launched');

    expect(status).toMatchObject({ state: 'TASK_LOST', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' });
    expect(status.message).toMatch(/^Reconciliation: /);
    expect(status).not.toHaveProperty('uuid');
    expect(status).not.toHaveProperty('agent_id');
  });

  it('with the id of the registered agent: TASK_LOST with that agent_id', async () => {
    const session = await cluster.open(taskFramework('root'));

    await session.kill('never-launched', cluster.agentId);
    const status = await nextUpdate(session, 'never-launched');

    expect(status).toMatchObject({ state: 'TASK_LOST', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION', agent_id: { value: cluster.agentId } });
    expect(status).not.toHaveProperty('uuid');
  });

  it('a PARTITION_AWARE framework gets TASK_GONE for a registered agent and TASK_UNKNOWN without agent_id', async () => {
    const session = await cluster.open(taskFramework('root', { capabilities: [{ type: 'PARTITION_AWARE' }] }));

    await session.kill('ghost-on-agent', cluster.agentId);
    await session.kill('ghost-anywhere');
    const onAgent = await nextUpdate(session, 'ghost-on-agent');
    const anywhere = await nextUpdate(session, 'ghost-anywhere');

    expect(onAgent).toMatchObject({ state: 'TASK_GONE', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' });
    expect(anywhere).toMatchObject({ state: 'TASK_UNKNOWN', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' });
    expect(onAgent).not.toHaveProperty('uuid');
    expect(anywhere).not.toHaveProperty('uuid');
  });

  // spec/core.md 1.5.7: "`agent_id` given but differs from the task's agent → silently ignored":
  // no kill reaches the task and no UPDATE answers the call. "Nothing arrived" needs a marker that
  // would come after whatever the bad KILL could cause: a second task of the same framework on
  // the same agent is then killed with the right agent id. KILLs travel the master-to-agent link
  // in order, and berth's command executor lives in the agent: it makes TASK_KILLING (the
  // framework has TASK_KILLING_STATE) when it handles the KILL, before it signals the task.
  // Had the bad KILL been forwarded, the KILLING of `elsewhere` would have been made before the
  // marker's and, both RUNNING updates being acknowledged (heads of their streams), sent to the
  // master, and on to the framework, ahead of it over the ordered agent-to-master link.
  it('a KILL naming another agent than the task is on is ignored: no UPDATE for the task, which keeps running', async () => {
    const session = await cluster.open(taskFramework('root', { capabilities: [{ type: 'TASK_KILLING_STATE' }] }));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'elsewhere', 'echo ready; sleep 1000'), commandTask(offer, 'marker', 'echo ready; sleep 1000')]);
    for (const taskId of ['elsewhere', 'marker']) {
      await untilState(session, taskId, 'TASK_RUNNING');
      await waitForSandboxText(cluster.agent.url, session.frameworkId, taskId, 'stdout', /ready/);
    }
    const seen: WireTaskStatus[] = [];
    const stop = session.on('UPDATE', (event) => {
      seen.push(event.update.status);
    });

    expect((await session.kill('elsewhere', `${cluster.agentId}-other`)).status).toBe(202);
    expect((await session.kill('marker', cluster.agentId)).status).toBe(202);
    const marker = await updatesUntil(session, 'marker');
    stop();

    // The marker shows that a forwarded KILL would have been seen: TASK_KILLING, then TASK_KILLED.
    expect(marker.map((status) => status.state)).toEqual(['TASK_KILLING', 'TASK_KILLED']);
    expect(seen.map((status) => [status.task_id.value, status.state])).toEqual([
      ['marker', 'TASK_KILLING'],
      ['marker', 'TASK_KILLED'],
    ]);
    await session.reconcile([{ task_id: { value: 'elsewhere' } }]);
    expect(await nextUpdate(session, 'elsewhere')).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION' });
    expect((await agentTask(cluster.agent.url, session.frameworkId, 'elsewhere'))?.task.state).toBe('TASK_RUNNING');
  });
});
