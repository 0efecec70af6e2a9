/**
 * Method: a real Scheduler against FakeMasters on 127.0.0.1, with backoff cut
 * to milliseconds. Each test drives the masters from the server side (drop a
 * stream, close a master, answer 307 or ERROR) and checks the requests the
 * masters received and the handler calls the Scheduler made.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../lib/random.js';
import type { WireTaskStatus } from '../protocol/outputs.js';
import { CallError, HandlerError, NotSubscribedError, StoppedError } from './errors.js';
import { Scheduler, type SchedulerEnd } from './scheduler.js';
import type { SchedulerHandlers, SchedulerOptions } from './scheduler-options.js';
import { answer, FakeMaster, type ReceivedRequest } from './testing/fake-master.js';

const frameworkInfo = { user: 'tester', name: 'scheduler test', failover_timeout: 60 };
const uuid = Buffer.alloc(16, 7).toString('base64');
const masters: FakeMaster[] = [];
const schedulers: Scheduler[] = [];

async function startMaster(): Promise<FakeMaster> {
  const master = await FakeMaster.start();
  masters.push(master);
  return master;
}

function newScheduler(options: Partial<SchedulerOptions> & Pick<SchedulerOptions, 'masters'>): Scheduler {
  const scheduler = new Scheduler({
    frameworkInfo,
    backoff: { initialMs: 5, maxMs: 20 },
    random: new SeededRandom(1),
    ...options,
  });
  schedulers.push(scheduler);
  return scheduler;
}

/** Polls `condition` until it holds, failing with `what` after `timeoutMs`. */
async function eventually(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

function subscribes(master: FakeMaster): ReceivedRequest[] {
  return master.received.filter((request) => request.call?.type === 'SUBSCRIBE');
}

function callsOf(master: FakeMaster, type: string): ReceivedRequest[] {
  return master.calls.filter((request) => request.call?.type === type);
}

function status(fields: Partial<WireTaskStatus> = {}): WireTaskStatus {
  return { task_id: { value: 't1' }, state: 'TASK_RUNNING', agent_id: { value: 'a1' }, timestamp: 1, ...fields };
}

function offer(id: string): object {
  return { id: { value: id }, agent_id: { value: 'a1' }, framework_id: { value: 'fake-framework-1' }, hostname: 'h', resources: [] };
}

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
  await Promise.all(masters.splice(0).map((master) => master.close()));
});

describe('sdk: scheduler: re-subscription', () => {
  it('re-subscribes with the framework id it got after the stream drops, and reconciles each time', async () => {
    const master = await startMaster();
    const subscribed: [string, boolean][] = [];
    const disconnects: string[] = [];
    const handlers: SchedulerHandlers = {
      onSubscribed: (id, again) => void subscribed.push([id, again]),
      onDisconnected: (end) => void disconnects.push(end.reason),
    };
    const scheduler = newScheduler({ masters: [master.url], handlers });

    expect(await scheduler.start()).toBe('fake-framework-1');
    await eventually('the first RECONCILE arrived', () => callsOf(master, 'RECONCILE').length === 1);
    master.streams[0]?.destroy();
    await eventually('a second RECONCILE arrived', () => callsOf(master, 'RECONCILE').length === 2);

    const [first, second] = subscribes(master);
    expect(first?.call?.subscribe?.framework_info.id).toBeUndefined();
    expect(second?.call?.framework_id).toEqual({ value: 'fake-framework-1' });
    expect(second?.call?.subscribe?.framework_info).toEqual({ ...frameworkInfo, id: { value: 'fake-framework-1' } });
    const reconciles = callsOf(master, 'RECONCILE');
    expect(reconciles.map((request) => request.headers['mesos-stream-id'])).toEqual(['stream-1', 'stream-2']);
    expect(reconciles[1]?.call?.reconcile).toEqual({ tasks: [] });
    await eventually('both subscriptions were handled', () => subscribed.length === 2);
    expect(subscribed).toEqual([
      ['fake-framework-1', false],
      ['fake-framework-1', true],
    ]);
    expect(disconnects).toEqual(['error']);
  });

  it('follows a 307 to the leader and sends its calls there', async () => {
    const follower = await startMaster();
    const leader = await startMaster();
    follower.route = (_request, response) => answer(response, 307, '', { Location: `//127.0.0.1:${leader.port}/api/v1/scheduler` });
    const scheduler = newScheduler({ masters: [follower.url] });

    await scheduler.start();
    await scheduler.kill('t1');

    expect(subscribes(follower)).toHaveLength(1);
    expect(subscribes(leader)).toHaveLength(1);
    expect(callsOf(leader, 'KILL')).toHaveLength(1);
    expect(follower.calls).toEqual([]);
  });

  it('goes round-robin to the next master when the leader cannot be reached', async () => {
    const first = await startMaster();
    const second = await startMaster();
    const errors: Error[] = [];
    const scheduler = newScheduler({ masters: [first.url, second.url], handlers: { onError: (error) => void errors.push(error) } });
    await scheduler.start();
    await eventually('subscribed', () => scheduler.isSubscribed);

    await first.close();
    await eventually('the second master got a SUBSCRIBE', () => subscribes(second).length === 1);

    expect(subscribes(second)[0]?.call?.subscribe?.framework_info.id).toEqual({ value: 'fake-framework-1' });
    // One failed attempt (the old leader), then straight to the next master.
    expect(errors).toHaveLength(1);
    await eventually('the new subscription reconciled', () => callsOf(second, 'RECONCILE').length === 1);
    // Live once the RECONCILE's answer is back, which is after the fake master saw it.
    await eventually('the scheduler to be live again', () => scheduler.isSubscribed);
  });

  it('stops for good when the master refuses the re-subscription', async () => {
    const master = await startMaster();
    const scheduler = newScheduler({ masters: [master.url] });
    await scheduler.start();
    master.route = (request, response) => {
      if (request.call?.type !== 'SUBSCRIBE') return master.defaultRoute(request, response);
      const stream = master.openStream(request, response);
      stream.send({ type: 'ERROR', error: { message: 'Framework has been removed' } });
      stream.end();
    };

    master.streams[0]?.destroy();
    const end: SchedulerEnd = await scheduler.done;

    expect(end.reason).toBe('refused');
    expect(end.error?.message).toContain('Framework has been removed');
    await sleep(100);
    expect(subscribes(master)).toHaveLength(2);
    await expect(scheduler.kill('t1')).rejects.toBeInstanceOf(StoppedError);
  });

  it('gives up on start after attemptsMax failed attempts', async () => {
    const gone = await startMaster();
    const url = gone.url;
    await gone.close();
    masters.splice(masters.indexOf(gone), 1);
    const scheduler = newScheduler({ masters: [url] });

    await expect(scheduler.start({ attemptsMax: 2 })).rejects.toThrow();
    expect((await scheduler.done).reason).toBe('gave-up');
  });
});

describe('sdk: scheduler: acknowledgements', () => {
  it('acknowledges an UPDATE with a uuid once the handler has resolved, and not one without', async () => {
    const master = await startMaster();
    const seen: string[] = [];
    const onUpdate = async (update: WireTaskStatus): Promise<void> => {
      await sleep(30);
      seen.push(`handled ${update.state}`);
    };
    const scheduler = newScheduler({ masters: [master.url], handlers: { onUpdate } });
    await scheduler.start();
    const stream = await master.stream();

    stream.send({ type: 'UPDATE', update: { status: status({ state: 'TASK_STAGING' }) } });
    stream.send({ type: 'UPDATE', update: { status: status({ uuid }) } });
    await eventually('an ACKNOWLEDGE arrived', () => callsOf(master, 'ACKNOWLEDGE').length === 1);
    seen.push('acknowledged');

    expect(seen).toEqual(['handled TASK_STAGING', 'handled TASK_RUNNING', 'acknowledged']);
    expect(callsOf(master, 'ACKNOWLEDGE')[0]?.call?.acknowledge).toEqual({ agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid });
  });

  it('leaves an update unacknowledged when its handler throws, and reports why', async () => {
    const master = await startMaster();
    const errors: Error[] = [];
    const handlers: SchedulerHandlers = {
      onUpdate: () => {
        throw new Error('boom');
      },
      onError: (error) => void errors.push(error),
    };
    const scheduler = newScheduler({ masters: [master.url], handlers });
    await scheduler.start();

    (await master.stream()).send({ type: 'UPDATE', update: { status: status({ uuid }) } });
    await eventually('the handler error was reported', () => errors.length === 1);

    expect(errors[0]).toBeInstanceOf(HandlerError);
    expect(callsOf(master, 'ACKNOWLEDGE')).toEqual([]);
  });

  it('with autoAcknowledge off, acknowledges only when asked', async () => {
    const master = await startMaster();
    const updates: WireTaskStatus[] = [];
    const scheduler = newScheduler({ masters: [master.url], autoAcknowledge: false, handlers: { onUpdate: (s) => void updates.push(s) } });
    await scheduler.start();

    (await master.stream()).send({ type: 'UPDATE', update: { status: status({ uuid }) } });
    await eventually('the update was handled', () => updates.length === 1);
    await sleep(30);
    expect(callsOf(master, 'ACKNOWLEDGE')).toEqual([]);

    const [update] = updates;
    if (update === undefined) throw new Error('expected an update');
    expect((await scheduler.acknowledge(update))?.status).toBe(202);
    expect(await scheduler.acknowledge(status())).toBeUndefined();
    expect(callsOf(master, 'ACKNOWLEDGE')).toHaveLength(1);
  });
});

describe('sdk: scheduler: calls across disconnections', () => {
  it('queues calls while disconnected and sends them after the implicit reconciliation', async () => {
    const master = await startMaster();
    const scheduler = newScheduler({ masters: [master.url] });
    await scheduler.start();
    // Hold the next SUBSCRIBE until the test has made its calls.
    let release: (() => void) | undefined;
    master.route = (request, response) => {
      if (request.call?.type !== 'SUBSCRIBE') return master.defaultRoute(request, response);
      release = () => master.defaultRoute(request, response);
    };
    master.streams[0]?.destroy();
    await eventually('the re-subscription is held', () => release !== undefined);

    const killed = scheduler.kill('t1');
    const suppressed = scheduler.suppress();
    await expect(scheduler.decline(['o1'])).rejects.toBeInstanceOf(NotSubscribedError);
    release?.();

    expect((await killed).status).toBe(202);
    expect((await suppressed).status).toBe(202);
    const order = master.calls.map((request) => `${request.call?.type} ${String(request.headers['mesos-stream-id'])}`);
    expect(order).toEqual(['RECONCILE stream-1', 'RECONCILE stream-2', 'KILL stream-2', 'SUPPRESS stream-2']);
  });

  it('lets a handler decline an offer that came with SUBSCRIBED, before the reconciliation is answered', async () => {
    const master = await startMaster();
    master.route = (request, response) => {
      if (request.call?.type === 'SUBSCRIBE') {
        master.openStream(request, response).send(master.subscribedEvent(), { type: 'OFFERS', offers: { offers: [offer('o1')] } });
        return;
      }
      // A slow answer to RECONCILE keeps the Scheduler between SUBSCRIBED and live.
      if (request.call?.type === 'RECONCILE') return void setTimeout(() => master.defaultRoute(request, response), 50);
      master.defaultRoute(request, response);
    };
    const declines: number[] = [];
    const scheduler: Scheduler = newScheduler({
      masters: [master.url],
      handlers: { onOffers: async (offers) => void declines.push((await scheduler.decline(offers.map((o) => o.id))).status) },
    });

    await scheduler.start();
    await eventually('the decline was answered', () => declines.length === 1);

    expect(declines).toEqual([202]);
    expect(master.calls.map((request) => request.call?.type)).toEqual(['RECONCILE', 'DECLINE']);
  });

  it('carries the suppressed roles into the next SUBSCRIBE', async () => {
    const master = await startMaster();
    const scheduler = newScheduler({ masters: [master.url] });
    await scheduler.start();
    await eventually('subscribed', () => scheduler.isSubscribed);

    await scheduler.suppress();
    master.streams[0]?.destroy();
    await eventually('re-subscribed', () => subscribes(master).length === 2);

    expect(subscribes(master)[1]?.call?.subscribe?.suppressed_roles).toEqual(['*']);
  });

  it('reports offers of a dropped subscription as rescinded, except those declined', async () => {
    const master = await startMaster();
    const rescinded: string[] = [];
    let offersSeen = 0;
    const handlers: SchedulerHandlers = { onOffers: () => void (offersSeen += 1), onRescind: (id) => void rescinded.push(id) };
    const scheduler = newScheduler({ masters: [master.url], handlers });
    await scheduler.start();
    await eventually('subscribed', () => scheduler.isSubscribed);

    const stream = await master.stream();
    stream.send({ type: 'OFFERS', offers: { offers: [offer('o1'), offer('o2'), offer('o3')] } });
    await eventually('the offers were handled', () => offersSeen === 1);
    await scheduler.decline(['o2']);
    stream.send({ type: 'RESCIND', rescind: { offer_id: { value: 'o3' } } });
    await eventually('o3 was rescinded', () => rescinded.length === 1);
    stream.destroy();
    await eventually('o1 was reported gone', () => rescinded.length === 2);

    expect(rescinded).toEqual(['o3', 'o1']);
  });

  it('rejects a call the master answers with an error status', async () => {
    const master = await startMaster();
    const scheduler = newScheduler({ masters: [master.url] });
    await scheduler.start();
    await eventually('subscribed', () => scheduler.isSubscribed);
    master.route = (request, response: ServerResponse) => answer(response, 400, `bad ${request.call?.type ?? ''}`);

    const failure = await scheduler.revive().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CallError);
    expect(failure).toMatchObject({ status: 400, body: 'bad REVIVE', callType: 'REVIVE' });
  });

  it('teardown sends TEARDOWN and ends the Scheduler without re-subscribing', async () => {
    const master = await startMaster();
    const scheduler = newScheduler({ masters: [master.url] });
    await scheduler.start();

    const end = await scheduler.teardown();

    expect(end).toEqual({ reason: 'torn-down' });
    expect(callsOf(master, 'TEARDOWN')).toHaveLength(1);
    await sleep(50);
    expect(subscribes(master)).toHaveLength(1);
  });
});
