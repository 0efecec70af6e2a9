/**
 * Method: a real `subscribe()` against a FakeMaster on 127.0.0.1. The test
 * drives the stream from the server side (events, raw bytes, end, silence)
 * and checks what the session reports and what the server received.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecord } from '../lib/recordio.js';
import type { SchedulerEvent } from '../protocol/scheduler.js';
import { HeartbeatTimeoutError, MasterError, SessionClosedError, StreamError, SubscribeError } from './errors.js';
import type { SchedulerSession } from './session.js';
import { subscribe, type SubscribeOptions } from './subscribe.js';
import { FakeMaster } from './testing/fake-master.js';

const frameworkInfo = { user: 'tester', name: 'sdk test' };
const offers = { type: 'OFFERS', offers: { offers: [{ id: { value: 'o1' } }] } };
let master: FakeMaster | undefined;
const sessions: SchedulerSession[] = [];

async function open(options: Partial<SubscribeOptions> = {}): Promise<{ master: FakeMaster; session: SchedulerSession }> {
  master = await FakeMaster.start();
  const session = await subscribe({ master: master.url, frameworkInfo, ...options });
  sessions.push(session);
  return { master, session };
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await master?.close();
  master = undefined;
});

describe('sdk: session: calls', () => {
  it('sends each call with the Mesos-Stream-Id header and framework_id filled in', async () => {
    const { master, session } = await open();

    const reply = await session.decline(['o1'], { refuse_seconds: 0 });

    expect(reply.status).toBe(202);
    const request = master.calls[0];
    expect(request?.headers['mesos-stream-id']).toBe(session.streamId);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.call).toEqual({
      type: 'DECLINE',
      framework_id: { value: 'fake-framework-1' },
      decline: { offer_ids: [{ value: 'o1' }], filters: { refuse_seconds: 0 } },
    });
  });

  it('keeps an explicit framework_id and resolves 4xx answers instead of throwing', async () => {
    const { master, session } = await open();

    const reply = await session.call({ type: 'REVIVE', framework_id: { value: 'other' } }, { headers: { 'Mesos-Stream-Id': 'wrong' } });

    expect(reply).toMatchObject({ status: 400, body: 'The stream ID is not valid' });
    expect(master.calls[0]?.call?.framework_id).toEqual({ value: 'other' });
  });

  it('rejects a call only on a network error', async () => {
    const { master, session } = await open();
    await master.close();

    await expect(session.revive()).rejects.toThrow();
  });

  it('fills framework_info.id into UPDATE_FRAMEWORK', async () => {
    const { master, session } = await open();

    await session.updateFramework({ ...frameworkInfo, roles: ['a'] }, ['a']);

    expect(master.calls[0]?.call?.update_framework).toEqual({
      framework_info: { ...frameworkInfo, roles: ['a'], id: { value: 'fake-framework-1' } },
      suppressed_roles: ['a'],
    });
  });
});

describe('sdk: session: events', () => {
  it('buffers events that arrived before nextEvent was called', async () => {
    master = await FakeMaster.start();
    const fake = master;
    fake.route = (request, response) => {
      const stream = fake.openStream(request, response);
      // One chunk: SUBSCRIBED, HEARTBEAT and OFFERS arrive before subscribe() resolves.
      stream.write(Buffer.concat([fake.subscribedEvent(), { type: 'HEARTBEAT' }, offers].map((e) => encodeRecord(JSON.stringify(e)))));
    };
    const session = await subscribe({ master: fake.url, frameworkInfo });
    sessions.push(session);
    await sleep(20);

    await expect(session.nextEvent('OFFERS')).resolves.toEqual(offers);
    await expect(session.nextEvent('SUBSCRIBED')).resolves.toMatchObject({ subscribed: { framework_id: { value: 'fake-framework-1' } } });
  });

  it('decodes records split across HTTP chunks and several records in one chunk', async () => {
    const { master, session } = await open();
    const stream = await master.stream();
    const first = encodeRecord(JSON.stringify(offers));
    const packed = Buffer.concat([encodeRecord('{"type":"HEARTBEAT"}'), encodeRecord(JSON.stringify({ ...offers, x: 1 }))]);

    stream.write(first.subarray(0, 3));
    await sleep(10);
    stream.write(first.subarray(3, 20));
    await sleep(10);
    stream.write(first.subarray(20));
    stream.write(packed);

    await expect(session.nextEvent('OFFERS')).resolves.toEqual(offers);
    await expect(session.nextEvent('OFFERS')).resolves.toEqual({ ...offers, x: 1 });
  });

  it('yields every event from SUBSCRIBED on to events() and finishes when the master ends the stream', async () => {
    const { master, session } = await open();
    const stream = await master.stream();
    stream.send(offers);
    stream.end();

    const types: string[] = [];
    for await (const event of session.events()) types.push(event.type);

    expect(types).toEqual(['SUBSCRIBED', 'HEARTBEAT', 'OFFERS']);
    await expect(session.closed).resolves.toMatchObject({ reason: 'ended', lastEvent: offers });
  });

  it("starts an events({ from: 'now' }) reader after the events already received", async () => {
    const { master, session } = await open();
    const reader = session.events({ from: 'now' })[Symbol.asyncIterator]();

    (await master.stream()).send(offers);

    await expect(reader.next()).resolves.toEqual({ done: false, value: offers });
  });

  it('calls on() handlers for arriving events', async () => {
    const { master, session } = await open();
    const seen: SchedulerEvent[] = [];
    session.on('OFFERS', (event) => seen.push(event));

    (await master.stream()).send(offers);
    await session.nextEvent('OFFERS');

    expect(seen).toEqual([offers]);
  });
});

describe('sdk: session: end of the stream', () => {
  it('settles closed with the message of an ERROR event and closes the connection', async () => {
    const { master, session } = await open();
    const stream = await master.stream();
    const error = { type: 'ERROR', error: { message: 'Framework failed over' } };

    stream.send(error);
    const end = await session.closed;

    expect(end.reason).toBe('error');
    expect(end.error).toBeInstanceOf(MasterError);
    expect(end.error?.message).toBe('Framework failed over');
    expect(end.lastEvent).toEqual(error);
    await expect(session.nextEvent('ERROR')).resolves.toEqual(error);
    await stream.closed;
  });

  it('rejects subscribe when the master refuses inside the stream', async () => {
    master = await FakeMaster.start();
    const fake = master;
    fake.route = (request, response) =>
      fake.openStream(request, response).send({ type: 'ERROR', error: { message: 'Framework has been removed' } });

    const failure = await subscribe({ master: fake.url, frameworkInfo }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SubscribeError);
    expect(failure).toMatchObject({ status: 200, body: 'Framework has been removed' });
    await fake.streams[0]?.closed;
  });

  it('treats the stream as broken after heartbeatTimeoutFactor silent heartbeat intervals', async () => {
    master = await FakeMaster.start();
    master.heartbeatIntervalSeconds = 0.05;
    const session = await subscribe({ master: master.url, frameworkInfo, heartbeatTimeoutFactor: 2 });
    sessions.push(session);
    const started = Date.now();

    const end = await session.closed;

    expect(end.reason).toBe('error');
    expect(end.error).toBeInstanceOf(HeartbeatTimeoutError);
    expect((end.error as HeartbeatTimeoutError).timeoutMs).toBe(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await master.streams[0]?.closed;
    await expect(session.nextEvent('OFFERS')).rejects.toBeInstanceOf(SessionClosedError);
  });

  it('stays open while heartbeats keep arriving', async () => {
    master = await FakeMaster.start();
    // A 1 s timeout, heartbeats every 0.1 s for longer than that: a loaded machine's timer jitter
    // (tens of ms) cannot pass for a missing heartbeat, and a session that ignored them would end.
    master.heartbeatIntervalSeconds = 0.5;
    const session = await subscribe({ master: master.url, frameworkInfo, heartbeatTimeoutFactor: 2 });
    sessions.push(session);
    const stream = await master.stream();

    for (let i = 0; i < 15; i++) {
      await sleep(100);
      stream.send({ type: 'HEARTBEAT' });
    }

    expect(session.ended).toBe(false);
  });

  it('close() ends the connection, which the master sees, and settles closed', async () => {
    const { master, session } = await open();
    const stream = await master.stream();

    const end = await session.close();

    expect(end).toMatchObject({ reason: 'closed', lastEvent: { type: 'HEARTBEAT' } });
    await stream.closed;
  });

  it('reports a broken connection as an error', async () => {
    const { master, session } = await open();
    (await master.stream()).destroy();

    const end = await session.closed;

    expect(end.reason).toBe('error');
    expect(end.error).toBeInstanceOf(StreamError);
  });
});
