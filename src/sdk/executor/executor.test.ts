/**
 * Method: a real Executor against a FakeAgent on 127.0.0.1, its settings
 * given as a literal environment and its backoff cut to milliseconds. The
 * test plays the agent: it sends events on the stream, breaks it, answers
 * SUBSCRIBE differently, and checks the calls received and the handler calls.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../lib/random.js';
import { answer } from '../testing/fake-master.js';
import { FakeAgent } from '../testing/fake-agent.js';
import { CallError, NotSubscribedError } from '../errors.js';
import type { TaskInfo } from '../types.js';
import type { ExecutorCallBody } from './calls.js';
import { Executor } from './executor.js';
import type { ExecutorHandlers, ExecutorOptions } from './options.js';

const agents: FakeAgent[] = [];
const executors: Executor[] = [];

const subscribed = {
  type: 'SUBSCRIBED',
  subscribed: {
    executor_info: { executor_id: { value: 'ex-1' } },
    framework_info: { user: 'u', name: 'fw' },
    agent_info: { hostname: 'h' },
    container_id: { value: 'c-1' },
  },
};

function task(id: string): TaskInfo {
  return { name: id, task_id: { value: id }, agent_id: { value: 'a1' } };
}

async function startAgent(): Promise<FakeAgent> {
  const agent = await FakeAgent.start();
  agents.push(agent);
  return agent;
}

function newExecutor(agent: FakeAgent, options: Partial<ExecutorOptions> = {}): Executor {
  const executor = new Executor({
    env: { MESOS_AGENT_ENDPOINT: agent.endpoint, MESOS_FRAMEWORK_ID: 'fw-1', MESOS_EXECUTOR_ID: 'ex-1' },
    subscriptionBackoffInitialMs: 5,
    subscriptionBackoffMaxMs: 20,
    random: new SeededRandom(3),
    ...options,
  });
  executors.push(executor);
  return executor;
}

/** Starts the executor and plays SUBSCRIBED on stream `index`. */
async function subscribe(agent: FakeAgent, executor: Executor, index = 0): Promise<void> {
  const started = index === 0 ? executor.start() : undefined;
  (await agent.stream(index)).send(subscribed);
  await started;
  await eventually('subscribed', () => executor.isSubscribed);
}

async function eventually(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

function callsOf(agent: FakeAgent, type: ExecutorCallBody['type']): ExecutorCallBody[] {
  return agent.calls.filter((call) => call.type === type);
}

afterEach(async () => {
  await Promise.all(executors.splice(0).map((executor) => executor.stop()));
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

describe('sdk: executor: subscription and updates', () => {
  it('subscribes with both ids and nothing unacknowledged, then hands SUBSCRIBED to onSubscribed', async () => {
    const agent = await startAgent();
    const infos: unknown[] = [];
    const executor = newExecutor(agent, { handlers: { onSubscribed: (info) => void infos.push(info) } });

    await subscribe(agent, executor);

    expect(agent.received[0]?.path).toBe('/api/v1/executor');
    expect(agent.calls[0]).toEqual({
      executor_id: { value: 'ex-1' },
      framework_id: { value: 'fw-1' },
      type: 'SUBSCRIBE',
      subscribe: { unacknowledged_tasks: [], unacknowledged_updates: [] },
    });
    await eventually('onSubscribed ran', () => infos.length === 1);
    expect(infos[0]).toEqual(subscribed.subscribed);
  });

  it('launch, then updates with fresh 16-byte uuids; ACKNOWLEDGED releases the update and the task', async () => {
    const agent = await startAgent();
    const launched: string[] = [];
    const executor = newExecutor(agent, { handlers: { onLaunch: (t) => void launched.push(t.task_id.value) } });
    await subscribe(agent, executor);

    (await agent.stream(0)).send({ type: 'LAUNCH', launch: { task: task('t1') } });
    await eventually('onLaunch ran', () => launched.length === 1);
    const starting = await executor.update({ task_id: 't1', state: 'TASK_STARTING' });
    const running = await executor.update({ task_id: 't1', state: 'TASK_RUNNING', message: 'up' });

    expect(Buffer.from(starting.uuid ?? '', 'base64')).toHaveLength(16);
    expect(starting.uuid).not.toBe(running.uuid);
    expect(callsOf(agent, 'UPDATE').map((call) => call.update?.status)).toEqual([starting, running]);
    expect(running).toMatchObject({ task_id: { value: 't1' }, source: 'SOURCE_EXECUTOR', executor_id: { value: 'ex-1' }, message: 'up' });
    expect(typeof running.timestamp).toBe('number');
    expect(executor.unacknowledgedTasks.map((t) => t.task_id.value)).toEqual(['t1']);

    (await agent.stream(0)).send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: starting.uuid } });
    await eventually('the first update was released', () => executor.unacknowledgedUpdates.length === 1);
    expect(executor.unacknowledgedUpdates).toEqual([running]);
    expect(executor.unacknowledgedTasks).toEqual([]);
    const waited = executor.waitForAcknowledgements(2_000);
    (await agent.stream(0)).send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: running.uuid } });
    expect(await waited).toBe(true);
  });

  it('drops an update the agent refuses and rejects with its answer', async () => {
    const agent = await startAgent();
    const executor = newExecutor(agent);
    await subscribe(agent, executor);
    agent.route = (request, response) => answer(response, 400, `bad ${request.call?.type ?? ''}`);

    const failure = await executor.update({ task_id: 't1', state: 'TASK_RUNNING' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CallError);
    expect(failure).toMatchObject({ status: 400, body: 'bad UPDATE' });
    expect(executor.unacknowledgedUpdates).toEqual([]);
  });
});

describe('sdk: executor: re-subscription', () => {
  it('re-sends unacknowledged updates and tasks in the next SUBSCRIBE, and later ones after SUBSCRIBED', async () => {
    const agent = await startAgent();
    const disconnects: number[] = [];
    const executor = newExecutor(agent, { checkpoint: true, handlers: { onDisconnected: () => void disconnects.push(1) } });
    await subscribe(agent, executor);
    (await agent.stream(0)).send({ type: 'LAUNCH', launch: { task: task('t1') } });
    await eventually('t1 is unacknowledged', () => executor.unacknowledgedTasks.length === 1);
    const running = await executor.update({ task_id: 't1', state: 'TASK_RUNNING' });
    // Hold the next SUBSCRIBE: the agent is "restarting".
    let release: (() => void) | undefined;
    agent.route = (request, response) => {
      if (request.call?.type !== 'SUBSCRIBE') return agent.defaultRoute(request, response);
      release = () => agent.defaultRoute(request, response);
    };

    (await agent.stream(0)).destroy();
    await eventually('the SUBSCRIBE is held', () => release !== undefined);
    const finished = await executor.update({ task_id: 't1', state: 'TASK_FINISHED' });
    release?.();
    await subscribe(agent, executor, 1);

    const resubscribe = callsOf(agent, 'SUBSCRIBE')[1];
    expect(resubscribe?.subscribe?.unacknowledged_tasks).toEqual([task('t1')]);
    expect(resubscribe?.subscribe?.unacknowledged_updates).toEqual([{ status: running }]);
    await eventually('the later update was sent', () => callsOf(agent, 'UPDATE').length === 2);
    expect(callsOf(agent, 'UPDATE')[1]?.update?.status).toEqual(finished);
    expect(disconnects).toEqual([1]);
  });

  it('without checkpointing, ends when the connection breaks and calls onShutdown', async () => {
    const agent = await startAgent();
    let shutdowns = 0;
    const executor = newExecutor(agent, { handlers: { onShutdown: () => void (shutdowns += 1) } });
    await subscribe(agent, executor);

    (await agent.stream(0)).destroy();
    const end = await executor.done;

    expect(end.reason).toBe('disconnected');
    expect(shutdowns).toBe(1);
    expect(callsOf(agent, 'SUBSCRIBE')).toHaveLength(1);
  });

  it('checkpointing, gives up after the recovery timeout', async () => {
    const agent = await startAgent();
    const executor = newExecutor(agent, { checkpoint: true, recoveryTimeoutMs: 100 });
    await subscribe(agent, executor);
    agent.route = (_request, response) => answer(response, 503, 'Agent has not finished recovery');

    (await agent.stream(0)).destroy();
    const end = await executor.done;

    expect(end.reason).toBe('recovery-timeout');
    expect(callsOf(agent, 'SUBSCRIBE').length).toBeGreaterThan(2);
  });

  it('ends as refused when the agent does not know the executor', async () => {
    const agent = await startAgent();
    agent.route = (_request, response) => answer(response, 400, 'Executor cannot be found');
    const executor = newExecutor(agent);

    await expect(executor.start()).rejects.toThrow('Executor cannot be found');
    expect((await executor.done).reason).toBe('refused');
  });
});

describe('sdk: executor: messages, kill and shutdown', () => {
  it('passes messages both ways, as bytes', async () => {
    const agent = await startAgent();
    const received: string[] = [];
    const executor = newExecutor(agent, { handlers: { onMessage: (data) => void received.push(data.toString('utf8')) } });
    await expect(executor.sendMessage('early')).rejects.toBeInstanceOf(NotSubscribedError);
    await subscribe(agent, executor);

    (await agent.stream(0)).send({ type: 'MESSAGE', message: { data: Buffer.from('to executor').toString('base64') } });
    await executor.sendMessage('to scheduler');

    await eventually('onMessage ran', () => received.length === 1);
    expect(received).toEqual(['to executor']);
    expect(callsOf(agent, 'MESSAGE')[0]?.message).toEqual({ data: Buffer.from('to scheduler').toString('base64') });
  });

  it('hands KILL to onKill with its policy', async () => {
    const agent = await startAgent();
    const kills: unknown[] = [];
    const handlers: ExecutorHandlers = { onKill: (taskId, policy) => void kills.push([taskId, policy]) };
    const executor = newExecutor(agent, { handlers });
    await subscribe(agent, executor);

    const policy = { grace_period: { nanoseconds: 1_000_000_000 } };
    (await agent.stream(0)).send({ type: 'KILL', kill: { task_id: { value: 't1' }, kill_policy: policy } });

    await eventually('onKill ran', () => kills.length === 1);
    expect(kills).toEqual([['t1', policy]]);
  });

  it('on SHUTDOWN, runs onShutdown (which may still send updates), then ends', async () => {
    const agent = await startAgent();
    const executor = newExecutor(agent, {
      handlers: {
        onShutdown: async () => {
          await executor.update({ task_id: 't1', state: 'TASK_KILLED' });
        },
      },
    });
    await subscribe(agent, executor);

    (await agent.stream(0)).send({ type: 'SHUTDOWN' });
    const end = await executor.done;

    expect(end.reason).toBe('shutdown');
    expect(callsOf(agent, 'UPDATE').map((call) => call.update?.status.state)).toEqual(['TASK_KILLED']);
    await (await agent.stream(0)).closed;
  });
});
