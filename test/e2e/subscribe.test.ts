/**
 * Method: one real master (default heartbeat, 100 ms allocation interval) and
 * one agent on loopback, shared by the file. Each test opens SUBSCRIBE streams
 * either raw (test/support/http.ts openStream, which parses the HTTP chunked
 * framing itself so that chunks and RecordIO records can be compared) or
 * through the SDK, and closes them afterwards, so that the agent's resources
 * return to the pool (failover_timeout 0 removes the framework at once).
 * Checks follow spec/core.md 0.2, 1.1, 1.3, 1.4, 1.6 and 9.1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { createHttpTransport } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, stopAll, waitFor, type ProcessHandle } from '../support/cluster.js';
import { openStream, type RawStream } from '../support/http.js';
import {
  fastAgentFlags,
  fastMasterFlags,
  frameworkInfo,
  isPureAscii,
  legacyFrameworks,
  postCall,
  schedulerPath,
  subscribeFramework,
  waitForActiveAgents,
} from './helpers.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Record_ {
  type: string;
  [key: string]: unknown;
}

interface SubscribedRecord {
  type: 'SUBSCRIBED';
  subscribed: {
    framework_id: { value: string };
    heartbeat_interval_seconds: number;
    master_info: { id: string; port: number; hostname: string; address?: { ip?: string; port?: number; hostname?: string } };
  };
}

let master: ProcessHandle;
let masterId: string;
const transport = createHttpTransport();
const streams: RawStream[] = [];
const sessions: SchedulerSession[] = [];

function subscribeBody(info: object, extra: object = {}): object {
  return { type: 'SUBSCRIBE', subscribe: { framework_info: info }, ...extra };
}

async function openSubscription(body: object | string, headers: Record<string, string | undefined> = {}, path = schedulerPath): Promise<RawStream> {
  const stream = await openStream(`${master.url}${path}`, body, headers);
  streams.push(stream);
  return stream;
}

async function track(session: Promise<SchedulerSession>): Promise<SchedulerSession> {
  const opened = await session;
  sessions.push(opened);
  return opened;
}

beforeAll(async () => {
  master = await startMaster({ flags: fastMasterFlags });
  await startAgent(master.url, { flags: [...fastAgentFlags, '--attributes=city:z\u00fcrich'] });
  await waitForActiveAgents(master.url, 1);
  masterId = (await fetchJson<{ id: string }>(`${master.url}/master/state`)).id;
});

afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  // The next test starts with the agent's resources free again.
  await waitFor(async () => (await legacyFrameworks(master.url)).frameworks.length === 0, {
    message: 'every framework of the test to be removed',
  });
});

afterAll(async () => {
  await transport.close();
  await stopAll();
});

describe('subscription: the stream', () => {
  it('SUBSCRIBE answers 200 with a chunked JSON stream and a Mesos-Stream-Id that is a UUID', async () => {
    const stream = await openSubscription(subscribeBody(frameworkInfo()));

    expect(stream.status).toBe(200);
    expect(stream.headers['transfer-encoding']).toMatch(/chunked/i);
    expect(stream.headers['content-length']).toBeUndefined();
    expect(stream.headers['content-type']).toMatch(/^application\/json/);
    expect(stream.headers['mesos-stream-id']).toMatch(uuidPattern);
  });

  it('the first record is SUBSCRIBED with a new framework id, the heartbeat interval and this master, the second HEARTBEAT', async () => {
    const stream = await openSubscription(subscribeBody(frameworkInfo()));

    const subscribed = (await stream.next()) as SubscribedRecord;
    const second = (await stream.next()) as Record_;

    expect(subscribed.type).toBe('SUBSCRIBED');
    expect(subscribed.subscribed.framework_id.value).toMatch(new RegExp(`^${masterId}-\\d{4,}$`));
    expect(subscribed.subscribed.heartbeat_interval_seconds).toBe(5);
    const masterPort = Number(new URL(master.url).port);
    expect(subscribed.subscribed.master_info.id).toBe(masterId);
    expect(subscribed.subscribed.master_info.port).toBe(masterPort);
    expect(subscribed.subscribed.master_info.address).toMatchObject({ ip: '127.0.0.1', port: masterPort });
    expect(second).toEqual({ type: 'HEARTBEAT' });
  });

  it('each new framework gets its own id and each subscription its own stream id', async () => {
    const first = await openSubscription(subscribeBody(frameworkInfo({ name: 'first' })));
    const second = await openSubscription(subscribeBody(frameworkInfo({ name: 'second' })));

    const firstId = ((await first.next()) as SubscribedRecord).subscribed.framework_id.value;
    const secondId = ((await second.next()) as SubscribedRecord).subscribed.framework_id.value;

    expect(secondId).not.toBe(firstId);
    const counter = (id: string): number => Number(id.slice(masterId.length + 1));
    expect(counter(secondId)).toBe(counter(firstId) + 1);
    expect(second.headers['mesos-stream-id']).not.toBe(first.headers['mesos-stream-id']);
  });

  it('heartbeats come every 5 s by default', async () => {
    const stream = await openSubscription(subscribeBody(frameworkInfo()));
    expect(((await stream.next()) as Record_).type).toBe('SUBSCRIBED');
    expect(await stream.next()).toEqual({ type: 'HEARTBEAT' });
    const firstMs = Date.now();

    // Offers may come in between; skip to the next HEARTBEAT.
    let record = (await stream.next(8_000)) as Record_;
    while (record.type !== 'HEARTBEAT') record = (await stream.next(8_000)) as Record_;
    const gapMs = Date.now() - firstMs;

    expect(gapMs).toBeGreaterThanOrEqual(4_500);
    expect(gapMs).toBeLessThanOrEqual(6_500);
  });

  it('--heartbeat_interval sets the interval SUBSCRIBED announces and the HEARTBEAT period', async () => {
    const quick = await startMaster({ name: 'quick-heartbeat-master', flags: ['--heartbeat_interval=200ms'] });
    try {
      const stream = await openStream(`${quick.url}${schedulerPath}`, subscribeBody(frameworkInfo()));
      streams.push(stream);

      const subscribed = (await stream.next()) as SubscribedRecord;
      expect(subscribed.subscribed.heartbeat_interval_seconds).toBe(0.2);
      expect(await stream.next()).toEqual({ type: 'HEARTBEAT' });
      const arrivalsMs: number[] = [Date.now()];
      for (let count = 0; count < 4; count += 1) {
        expect(await stream.next(2_000)).toEqual({ type: 'HEARTBEAT' });
        arrivalsMs.push(Date.now());
      }

      const gapsMs = arrivalsMs.slice(1).map((arrivalMs, index) => arrivalMs - (arrivalsMs[index] as number));
      for (const gapMs of gapsMs) {
        expect(gapMs, `gaps between heartbeats ${gapsMs.join(', ')} ms`).toBeGreaterThanOrEqual(120);
        expect(gapMs, `gaps between heartbeats ${gapsMs.join(', ')} ms`).toBeLessThanOrEqual(700);
      }
    } finally {
      for (const stream of streams.splice(0)) stream.close();
      await quick.stop();
    }
  });

  it('each RecordIO record is written as exactly one HTTP chunk', async () => {
    const stream = await openSubscription(subscribeBody(frameworkInfo()));

    const types: string[] = [];
    for (;;) {
      const record = (await stream.next()) as Record_;
      types.push(record.type);
      if (record.type === 'OFFERS') break;
    }

    expect(types.slice(0, 2)).toEqual(['SUBSCRIBED', 'HEARTBEAT']);
    expect(stream.frames.length).toBe(types.length);
    expect(stream.chunks).toEqual(stream.frames);
  });

  it('records are JSON escaped to pure ASCII, with a length prefix that counts the bytes', async () => {
    const role = 'w\u00e9b-\u65e5\u672c';
    const stream = await openSubscription(subscribeBody(frameworkInfo({ roles: [role], capabilities: [{ type: 'MULTI_ROLE' }] })));

    let text = await stream.nextRecord();
    let recordsRead = 1;
    while ((JSON.parse(text) as Record_).type !== 'OFFERS') {
      text = await stream.nextRecord();
      recordsRead += 1;
    }

    expect(isPureAscii(text), `OFFERS record is pure ASCII: ${text.slice(0, 300)}`).toBe(true);
    expect(text).toContain('\\u00e9');
    expect(text.toLowerCase()).toContain('\\u65e5');
    const offer = (JSON.parse(text) as { offers: { offers: { allocation_info: { role: string }; attributes: unknown[] }[] } }).offers.offers[0];
    expect(offer?.allocation_info.role).toBe(role);
    expect(offer?.attributes).toContainEqual({ name: 'city', type: 'TEXT', text: { value: 'z\u00fcrich' } });
    expect(stream.frames[recordsRead - 1]).toBe(`${text.length}\n`.length + text.length);
  });

  it('the scheduler endpoint is also served at /master/api/v1/scheduler', async () => {
    const stream = await openSubscription(subscribeBody(frameworkInfo()), {}, '/master/api/v1/scheduler');

    expect(stream.status).toBe(200);
    expect(((await stream.next()) as Record_).type).toBe('SUBSCRIBED');
  });

  it('a subscribed framework is listed connected and active in /master/frameworks', async () => {
    const session = await track(subscribeFramework(master.url, frameworkInfo({ name: 'listed' }), { transport }));

    const { frameworks } = await legacyFrameworks(master.url);

    expect(frameworks).toHaveLength(1);
    expect(frameworks[0]).toMatchObject({ id: session.frameworkId, name: 'listed', connected: true, active: true, user: 'e2e' });
  });
});

describe('subscription: decoding of the SUBSCRIBE body', () => {
  it('null means unset: a SUBSCRIBE full of nulls subscribes a new framework', async () => {
    const info = { ...frameworkInfo(), id: null, role: null, roles: null, hostname: null, capabilities: null, failover_timeout: null, labels: null };
    const stream = await openSubscription({ type: 'SUBSCRIBE', framework_id: null, subscribe: { framework_info: info, suppressed_roles: null } });

    expect(stream.status).toBe(200);
    const subscribed = (await stream.next()) as SubscribedRecord;
    expect(subscribed.type).toBe('SUBSCRIBED');
    const { frameworks } = await legacyFrameworks(master.url);
    expect(frameworks.find((framework) => framework.id === subscribed.subscribed.framework_id.value)).toMatchObject({ role: '*' });
  });

  it('unknown fields are ignored at every level', async () => {
    const info = { ...frameworkInfo(), a_field_from_the_future: { nested: [1, 2] } };
    const stream = await openSubscription({
      type: 'SUBSCRIBE',
      unknown_top_level: 'x',
      subscribe: { framework_info: info, unknown_in_subscribe: true },
    });

    expect(stream.status).toBe(200);
    expect(((await stream.next()) as Record_).type).toBe('SUBSCRIBED');
  });

  it('an unknown enum name in an optional field is dropped, not refused', async () => {
    const info = frameworkInfo({ roles: ['web'], capabilities: [{ type: 'MULTI_ROLE' }] });
    const stream = await openSubscription(
      subscribeBody({ ...info, capabilities: [{ type: 'A_CAPABILITY_FROM_THE_FUTURE' }, { type: 'MULTI_ROLE' }] }),
    );

    const subscribed = (await stream.next()) as SubscribedRecord;

    expect(subscribed.type).toBe('SUBSCRIBED');
    const { frameworks } = await legacyFrameworks(master.url);
    const listed = frameworks.find((framework) => framework.id === subscribed.subscribed.framework_id.value);
    expect(listed?.['capabilities']).toEqual(['MULTI_ROLE']);
    expect(listed?.['roles']).toEqual(['web']);
  });
});

describe('subscription: refusals inside the stream', () => {
  it('an invalid role is refused with 200, then ERROR, then the end of the stream; no framework is added', async () => {
    const stream = await openSubscription(subscribeBody(frameworkInfo({ role: '/x' })));

    expect(stream.status).toBe(200);
    const error = (await stream.next()) as { type: string; error: { message: string } };
    expect(error.type).toBe('ERROR');
    expect(error.error.message).toContain('/x');
    await stream.ended;
    const { frameworks } = await legacyFrameworks(master.url);
    expect(frameworks).toEqual([]);
  });

  it('a failover_timeout that is not a duration (1e17 s) is refused with ERROR', async () => {
    const stream = await openSubscription(subscribeBody(frameworkInfo({ failover_timeout: 1e17 })));

    expect(stream.status).toBe(200);
    const error = (await stream.next()) as { type: string; error: { message: string } };
    expect(error.type).toBe('ERROR');
    expect(error.error.message).toMatch(/failover/i);
    await stream.ended;
    expect((await legacyFrameworks(master.url)).frameworks).toEqual([]);
  });
});

describe('subscription: accept negotiation', () => {
  it('Accept that allows neither JSON nor protobuf is 406', async () => {
    const stream = await openSubscription(subscribeBody(frameworkInfo()), { Accept: 'foo/bar' });

    expect(stream.status).toBe(406);
  });

  it('Accept: application/x-protobuf alone is 406 with a message saying berth answers JSON', async () => {
    const stream = await openSubscription(subscribeBody(frameworkInfo()), { Accept: 'application/x-protobuf' });

    expect(stream.status).toBe(406);
    expect(await stream.text()).toMatch(/json/i);
  });

  it('no Accept header, or */*, gets a JSON stream', async () => {
    const without = await openSubscription(subscribeBody(frameworkInfo({ name: 'no-accept' })), { Accept: undefined });
    const anything = await openSubscription(subscribeBody(frameworkInfo({ name: 'any-accept' })), { Accept: '*/*' });

    for (const stream of [without, anything]) {
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toMatch(/^application\/json/);
      expect(((await stream.next()) as Record_).type).toBe('SUBSCRIBED');
    }
  });
});

describe('subscription: disconnection', () => {
  it('closing the stream of a framework with failover_timeout 0 removes it at once', async () => {
    const session = await subscribeFramework(master.url, frameworkInfo({ name: 'short-lived' }), { transport });

    await session.close();

    const removed = await waitFor(
      async () => {
        const listed = await legacyFrameworks(master.url);
        return listed.frameworks.length === 0 ? listed : undefined;
      },
      { message: 'the framework to be removed' },
    );
    expect(removed.completed_frameworks.map((framework) => framework.id)).toContain(session.frameworkId);
  });

  it('closing the stream of a framework with a failover timeout leaves it registered, disconnected; its calls get 403', async () => {
    const session = await subscribeFramework(master.url, frameworkInfo({ name: 'patient', failover_timeout: 3600 }), { transport });

    await session.close();
    const listed = await waitFor(
      async () => (await legacyFrameworks(master.url)).frameworks.find((framework) => framework.id === session.frameworkId && !framework.connected),
      { message: 'the framework to be disconnected' },
    );
    const answer = await postCall(
      master.url,
      { type: 'DECLINE', framework_id: { value: session.frameworkId }, decline: { offer_ids: [] } },
      session.streamId,
    );

    expect(listed).toMatchObject({ connected: false, active: false });
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('Framework is not subscribed');
    // Leave the master clean for the next test.
    const teardown = await track(
      subscribeFramework(master.url, frameworkInfo({ name: 'patient', failover_timeout: 3600, id: { value: session.frameworkId } }), { transport }),
    );
    expect((await teardown.teardown()).status).toBe(202);
  });
});
