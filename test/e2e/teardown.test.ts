/**
 * Method: a real master (100 ms allocation interval) and one agent, shared by
 * the file. Each test subscribes its frameworks through the SDK, tears one
 * down (scheduler TEARDOWN, or the operator API's TEARDOWN) and observes what
 * a framework and an operator can see: the stream's end, /master/frameworks,
 * metrics, a refused re-subscription, the resources offered to someone else.
 * Checks follow spec/core.md 1.5.2, 1.4 (re-subscribe of a removed id), 1.2
 * step 9 and 9.2 scenario 34.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport, type SchedulerSession } from '../../src/sdk/index.js';
import { startAgent, startMaster, stopAll, waitFor, type ProcessHandle } from '../support/cluster.js';
import { openStream, rawRequest } from '../support/http.js';
import {
  fastAgentFlags,
  fastMasterFlags,
  frameworkInfo,
  legacyFrameworks,
  metric,
  postCall,
  schedulerPath,
  subscribeFramework,
  waitForActiveAgents,
} from './helpers.js';

let master: ProcessHandle;
const transport = createHttpTransport();
const sessions: SchedulerSession[] = [];

async function open(name: string, extra: Parameters<typeof frameworkInfo>[0] = {}): Promise<SchedulerSession> {
  const session = await subscribeFramework(master.url, frameworkInfo({ name, ...extra }), { transport });
  sessions.push(session);
  return session;
}

beforeAll(async () => {
  master = await startMaster({ flags: fastMasterFlags });
  await startAgent(master.url, { flags: fastAgentFlags });
  await waitForActiveAgents(master.url, 1);
});

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await waitFor(async () => (await legacyFrameworks(master.url)).frameworks.length === 0, { message: 'every framework to be removed' });
});

afterAll(async () => {
  await transport.close();
  await stopAll();
});

describe('teardown: scheduler TEARDOWN', () => {
  it('TEARDOWN answers 202 and the master ends the stream without an ERROR event', async () => {
    const session = await open('leaving');

    const answer = await session.teardown();
    const end = await session.closed;

    expect(answer.status).toBe(202);
    expect(end.reason).toBe('ended');
    expect(end.lastEvent?.type).not.toBe('ERROR');
  });

  it('the framework leaves /master/frameworks for completed_frameworks, and the metrics count it', async () => {
    const session = await open('leaving', { failover_timeout: 3600 });
    const unregisterBefore = await metric(master.url, 'master/messages_unregister_framework');

    await session.teardown();
    await session.closed;

    const listed = await legacyFrameworks(master.url);
    expect(listed.frameworks.map((framework) => framework.id)).not.toContain(session.frameworkId);
    expect(listed.completed_frameworks.map((framework) => framework.id)).toContain(session.frameworkId);
    expect(await metric(master.url, 'master/frameworks_active')).toBe(0);
    expect(await metric(master.url, 'master/messages_unregister_framework')).toBe(unregisterBefore + 1);
  });

  it('its offered resources go back and are offered to another framework', async () => {
    const holder = await open('holder');
    const held = await holder.nextEvent('OFFERS');
    const waiting = await open('waiting');

    await holder.teardown();
    const offers = await waiting.nextEvent('OFFERS', 5_000);

    const offer = offers.offers.offers[0];
    expect(offer?.agent_id).toEqual(held.offers.offers[0]?.agent_id);
    const cpus = offer?.resources.find((resource) => resource['name'] === 'cpus');
    expect(cpus?.['scalar']).toEqual({ value: 2 });
  });

  it('a SUBSCRIBE with the removed id is refused inside the stream: ERROR "Framework has been removed", then the end', async () => {
    const session = await open('removed', { failover_timeout: 3600 });
    await session.teardown();
    await session.closed;

    const info = frameworkInfo({ name: 'removed', failover_timeout: 3600, id: { value: session.frameworkId } });
    const stream = await openStream(`${master.url}${schedulerPath}`, {
      type: 'SUBSCRIBE',
      framework_id: { value: session.frameworkId },
      subscribe: { framework_info: info },
    });
    try {
      expect(stream.status).toBe(200);
      const error = (await stream.next()) as { type: string; error?: { message: string } };
      expect(error.type).toBe('ERROR');
      expect(error.error?.message).toContain('Framework has been removed');
      await stream.ended;
    } finally {
      stream.close();
    }
    expect((await legacyFrameworks(master.url)).frameworks).toEqual([]);
  });

  it('calls of the removed framework get 400 "Framework cannot be found"', async () => {
    const session = await open('removed');
    await session.teardown();
    await session.closed;

    const answer = await postCall(master.url, { type: 'REVIVE', framework_id: { value: session.frameworkId } }, session.streamId);

    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Framework cannot be found');
  });

  it('a second TEARDOWN of the same framework is 400: it cannot be found any more', async () => {
    const session = await open('twice');
    expect((await session.teardown()).status).toBe(202);

    expect((await session.teardown()).status).toBe(400);
  });
});

describe('teardown: operator TEARDOWN', () => {
  it('the operator API TEARDOWN answers 200, ends the stream and removes the framework', async () => {
    const session = await open('operated');

    const answer = await rawRequest(`${master.url}/api/v1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ type: 'TEARDOWN', teardown: { framework_id: { value: session.frameworkId } } }),
    });
    const end = await session.closed;

    expect(answer.status).toBe(200);
    expect(end.reason).toBe('ended');
    expect((await legacyFrameworks(master.url)).completed_frameworks.map((framework) => framework.id)).toContain(session.frameworkId);
  });
});
