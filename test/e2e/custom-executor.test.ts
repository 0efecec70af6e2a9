/**
 * Method: a real master and agent; the framework launches tasks with an
 * ExecutorInfo whose command runs test/fixtures/echo-executor.ts (built), a custom
 * executor written with berth's executor SDK that speaks the v1 executor API
 * at the agent's /api/v1/executor (spec/core.md section 2). Messages go both
 * ways (framework -> MESSAGE -> executor, executor -> MESSAGE -> framework);
 * task states come from the executor's UPDATE calls (SOURCE_EXECUTOR). The
 * executor API's own answers (status codes of 2.1) are checked with raw HTTP.
 * The agent restart test pins the agent's port: a restarted agent must be
 * where its executors look for it (MESOS_AGENT_ENDPOINT), as in Mesos.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WireTaskStatus } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, useCluster, waitFor, freePort } from '../support/cluster.js';
import { rawRequest } from '../support/http.js';
import { fastMasterFlags, frameworkInfo, subscribeFramework, waitForActiveAgents } from './helpers.js';

useCluster();

const executorScript = resolve(import.meta.dirname, '..', '..', 'dist', 'test', 'fixtures', 'echo-executor.js');

interface Observed {
  readonly updates: WireTaskStatus[];
  readonly messages: string[];
  readonly failures: unknown[];
}

function observe(session: SchedulerSession): Observed {
  const observed: Observed = { updates: [], messages: [], failures: [] };
  session.on('UPDATE', (event) => {
    const status = (event as { update: { status: WireTaskStatus } }).update.status;
    observed.updates.push(status);
    void session.acknowledgeStatus(status);
  });
  session.on('MESSAGE', (event) => {
    const data = (event as { message: { data: string } }).message.data;
    observed.messages.push(Buffer.from(data, 'base64').toString('utf8'));
  });
  session.on('FAILURE', (event) => observed.failures.push((event as { failure: unknown }).failure));
  return observed;
}

function executorTask(id: string, agentId: string, executorId = 'echo'): object {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
    executor: {
      executor_id: { value: executorId },
      name: 'echo executor',
      command: { value: `exec ${process.execPath} ${executorScript}` },
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
      ],
    },
  };
}

function statesOf(observed: Observed, taskId: string): string[] {
  return observed.updates.filter((s) => s.task_id.value === taskId).map((s) => s.state);
}

async function setUp(checkpoint: boolean, agentFlags: readonly string[] = []) {
  const master = await startMaster({ flags: fastMasterFlags });
  const agent = await startAgent(master.url, { flags: ['--registration_backoff_factor=10ms', '--resources=cpus:2;mem:2048', ...agentFlags] });
  await waitForActiveAgents(master.url, 1);
  const session = await subscribeFramework(master.url, frameworkInfo({ user: 'root', checkpoint }));
  const observed = observe(session);
  const offers = (await session.nextEvent('OFFERS', 10_000)) as { offers: { offers: { id: { value: string }; agent_id: { value: string } }[] } };
  const offer = offers.offers.offers[0];
  if (offer === undefined) throw new Error('no offer');
  return { master, agent, session, observed, agentId: offer.agent_id.value, offerId: offer.id };
}

describe('custom executors (spec/core.md 2)', () => {
  it('runs tasks through an SDK executor; messages travel both ways; updates come from the executor', async () => {
    const { session, observed, agentId, offerId } = await setUp(false);
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [executorTask('one', agentId), executorTask('two', agentId)] } }] as never);
    await waitFor(() => statesOf(observed, 'one').includes('TASK_RUNNING') && statesOf(observed, 'two').includes('TASK_RUNNING'), {
      message: 'both tasks to run on the one executor',
      timeoutMs: 20_000,
    });
    const running = observed.updates.find((s) => s.task_id.value === 'one' && s.state === 'TASK_RUNNING');
    expect(running?.source).toBe('SOURCE_EXECUTOR');
    expect(running?.executor_id?.value).toBe('echo');

    await session.message(agentId, 'echo', 'echo hello');
    await waitFor(() => observed.messages.includes('echo:hello'), { message: 'the echoed message' });
    await session.message(agentId, 'echo', 'finish one');
    await waitFor(() => statesOf(observed, 'one').includes('TASK_FINISHED') && observed.messages.includes('finished:one'), {
      message: 'task one to finish',
    });
    await session.kill('two', agentId);
    await waitFor(() => statesOf(observed, 'two').includes('TASK_KILLED'), { message: 'task two to be killed by the executor' });
    expect(statesOf(observed, 'one')).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    expect(statesOf(observed, 'two')).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
    await session.close();
  }, 60_000);

  it('shuts an executor down on SHUTDOWN: its tasks end, and the framework hears FAILURE for the executor', async () => {
    const { session, observed, agentId, offerId } = await setUp(false);
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [executorTask('held', agentId)] } }] as never);
    await waitFor(() => statesOf(observed, 'held').includes('TASK_RUNNING'), { message: 'the task to run', timeoutMs: 20_000 });
    await session.shutdown('echo', agentId);
    await waitFor(() => statesOf(observed, 'held').includes('TASK_KILLED'), { message: 'the executor to kill its task' });
    await waitFor(() => observed.failures.length > 0, { message: 'FAILURE for the exited executor' });
    expect(observed.failures[0]).toMatchObject({ agent_id: { value: agentId }, executor_id: { value: 'echo' } });
    await session.close();
  }, 60_000);

  it('answers the executor API with the status codes of spec 2.1', async () => {
    const { agent } = await setUp(false);
    const url = `${agent.url}/api/v1/executor`;
    const call = { framework_id: { value: 'no-such-framework' }, executor_id: { value: 'x' }, type: 'MESSAGE', message: { data: '' } };
    const json = { 'Content-Type': 'application/json' };
    expect((await rawRequest(url, { method: 'GET' })).status).toBe(405);
    expect((await rawRequest(url, { method: 'POST', body: JSON.stringify(call) })).status).toBe(400);
    expect((await rawRequest(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(call) })).status).toBe(415);
    const unknown = await rawRequest(url, { method: 'POST', headers: json, body: JSON.stringify(call) });
    expect([unknown.status, unknown.text]).toEqual([400, 'Framework cannot be found']);
    const heartbeat = await rawRequest(url, { method: 'POST', headers: json, body: JSON.stringify({ ...call, type: 'HEARTBEAT' }) });
    expect(heartbeat.status).toBe(202);
    const staging = {
      ...call,
      type: 'UPDATE',
      update: { status: { task_id: { value: 't' }, state: 'TASK_STAGING', source: 'SOURCE_EXECUTOR', uuid: Buffer.alloc(16, 1).toString('base64') } },
    };
    const refused = await rawRequest(url, { method: 'POST', headers: json, body: JSON.stringify(staging) });
    expect([refused.status, refused.text]).toEqual([
      400,
      'Failed to validate Executor::Call: Received TASK_STAGING from executor x of framework no-such-framework which is not allowed',
    ]);
    expect((await fetchJson<{ id: string }>(`${agent.url}/state`)).id).toBeDefined();
  }, 30_000);

  it('keeps a checkpointing framework\'s executor and task through an agent restart: the executor re-subscribes', async () => {
    const port = await freePort();
    const { agent, session, observed, agentId, offerId } = await setUp(true, [`--port=${port}`, '--executor_reregistration_timeout=10secs']);
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [executorTask('durable', agentId)] } }] as never);
    await waitFor(() => statesOf(observed, 'durable').includes('TASK_RUNNING'), { message: 'the task to run', timeoutMs: 20_000 });
    agent.kill('SIGKILL');
    await agent.exited;
    const restarted = await agent.restart();
    await waitFor(
      async () => {
        const state = await fetchJson<{ id?: string; frameworks: { executors: { id: string; tasks: { id: string; state: string }[] }[] }[] }>(`${restarted.url}/state`);
        return state.id === agentId && state.frameworks.flatMap((f) => f.executors).some((e) => e.tasks.some((t) => t.id === 'durable' && t.state === 'TASK_RUNNING'));
      },
      { message: 'the restarted agent to have the executor back', timeoutMs: 20_000 },
    );
    // Messages are best effort (dropped until the executor has re-subscribed): sent until one gets through.
    await waitFor(
      async () => {
        if (statesOf(observed, 'durable').includes('TASK_FINISHED')) return true;
        await session.message(agentId, 'echo', 'finish durable');
        return false;
      },
      { message: 'the re-subscribed executor to finish the task', timeoutMs: 20_000, intervalMs: 500 },
    );
    // An update whose acknowledgement the agent had not recorded when it died comes again (at least once,
    // spec/core.md 2.4): the same uuid. Distinct updates are exactly these two.
    const distinct = new Map(observed.updates.filter((s) => s.task_id.value === 'durable').map((s) => [s.uuid, s.state]));
    expect([...distinct.values()]).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    await session.close();
  }, 90_000);
});
