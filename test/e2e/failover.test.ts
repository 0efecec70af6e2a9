/**
 * Method: a real master (100 ms allocation interval) and one agent, shared by
 * the file. A framework subscribes on one connection, then subscribes again
 * with its framework id on another connection (scheduler fail-over), with the
 * first stream open or already closed; the tests watch both streams and the
 * master's views. Checks follow spec/core.md 1.4 ("Re-subscribe"), 1.2 step 9
 * and 9.1 scenario 11.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FrameworkInfo } from '../../src/protocol/mesos.js';
import { createHttpTransport, MasterError, type SchedulerSession } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, stopAll, waitFor, type ProcessHandle } from '../support/cluster.js';
import {
  fastAgentFlags,
  fastMasterFlags,
  frameworkInfo,
  legacyFrameworks,
  metric,
  postCall,
  subscribeFramework,
  waitForActiveAgents,
} from './helpers.js';

let master: ProcessHandle;
let masterId: string;
const transport = createHttpTransport();
const sessions: SchedulerSession[] = [];

async function open(info: FrameworkInfo): Promise<SchedulerSession> {
  const session = await subscribeFramework(master.url, info, { transport });
  sessions.push(session);
  return session;
}

/** The same framework again, by id, on a new connection. */
async function reopen(first: SchedulerSession, info: FrameworkInfo): Promise<SchedulerSession> {
  return open({ ...info, id: { value: first.frameworkId } });
}

beforeAll(async () => {
  master = await startMaster({ flags: fastMasterFlags });
  await startAgent(master.url, { flags: fastAgentFlags });
  await waitForActiveAgents(master.url, 1);
  masterId = (await fetchJson<{ id: string }>(`${master.url}/master/state`)).id;
});

afterEach(async () => {
  const open = sessions.splice(0);
  // Remove the frameworks (failover timeouts keep them otherwise) through their newest session.
  for (const session of open.reverse()) {
    if (!session.ended) await session.teardown();
  }
  await Promise.all(open.map((session) => session.close()));
  await waitFor(async () => (await legacyFrameworks(master.url)).frameworks.length === 0, { message: 'every framework to be removed' });
});

afterAll(async () => {
  await transport.close();
  await stopAll();
});

describe('re-subscription: while the first stream is open', () => {
  const info = frameworkInfo({ name: 'failing-over', failover_timeout: 3600 });

  it('the second SUBSCRIBE gets SUBSCRIBED with the same id; the first stream gets ERROR "Framework failed over" and ends', async () => {
    const first = await open(info);

    const second = await reopen(first, info);
    const firstEnd = await first.closed;

    expect(second.frameworkId).toBe(first.frameworkId);
    expect(second.streamId).not.toBe(first.streamId);
    expect(firstEnd.reason).toBe('error');
    expect(firstEnd.error).toBeInstanceOf(MasterError);
    expect(firstEnd.error?.message).toBe('Framework failed over');
    expect(firstEnd.lastEvent).toEqual({ type: 'ERROR', error: { message: 'Framework failed over' } });
  });

  it('calls with the superseded stream id get 400; with the new one 202', async () => {
    const first = await open(info);
    const second = await reopen(first, info);

    const stale = await postCall(master.url, { type: 'REVIVE', framework_id: { value: first.frameworkId } }, first.streamId);
    const current = await second.revive();

    expect(stale.status).toBe(400);
    expect(stale.text).toMatch(/stream id/i);
    expect(current.status).toBe(202);
    const listed = (await legacyFrameworks(master.url)).frameworks.find((framework) => framework.id === first.frameworkId);
    expect(listed).toMatchObject({ connected: true, active: true });
  });

  it('offers made to the first subscription are void: the new one gets a fresh offer for the whole agent', async () => {
    const first = await open(info);
    const oldOffer = (await first.nextEvent('OFFERS')).offers.offers[0];

    const second = await reopen(first, info);
    const fresh = (await second.nextEvent('OFFERS', 5_000)).offers.offers[0];

    expect(fresh?.id.value).not.toBe(oldOffer?.id.value);
    expect(fresh?.agent_id).toEqual(oldOffer?.agent_id);
    expect(fresh?.resources.find((resource) => resource['name'] === 'cpus')?.['scalar']).toEqual({ value: 2 });
    expect(await metric(master.url, 'master/outstanding_offers')).toBe(1);
  });

  it('the master counts one registration and one re-registration', async () => {
    const registerBefore = await metric(master.url, 'master/messages_register_framework');
    const reregisterBefore = await metric(master.url, 'master/messages_reregister_framework');
    const first = await open(info);

    await reopen(first, info);

    expect(await metric(master.url, 'master/messages_register_framework')).toBe(registerBefore + 1);
    expect(await metric(master.url, 'master/messages_reregister_framework')).toBe(reregisterBefore + 1);
  });
});

describe('re-subscription: after the first stream closed', () => {
  const info = frameworkInfo({ name: 'returning', failover_timeout: 3600 });

  it('a framework that re-subscribes within its failover timeout keeps its id and gets offers again', async () => {
    const first = await open(info);
    await first.nextEvent('OFFERS');
    await first.close();
    await waitFor(
      async () => (await legacyFrameworks(master.url)).frameworks.find((framework) => framework.id === first.frameworkId && !framework.connected),
      { message: 'the framework to be disconnected' },
    );

    const second = await reopen(first, info);
    const offers = await second.nextEvent('OFFERS', 5_000);

    expect(second.frameworkId).toBe(first.frameworkId);
    expect(offers.offers.offers[0]?.framework_id.value).toBe(first.frameworkId);
    const listed = (await legacyFrameworks(master.url)).frameworks.find((framework) => framework.id === first.frameworkId);
    expect(listed).toMatchObject({ connected: true, active: true });
  });

  it('a re-subscription cannot change the user: the old one is kept silently', async () => {
    const first = await open(info);
    await first.close();

    const second = await reopen(first, { ...info, user: 'somebody-else', name: 'renamed' });

    const listed = (await legacyFrameworks(master.url)).frameworks.find((framework) => framework.id === second.frameworkId);
    expect(listed).toMatchObject({ user: 'e2e', name: 'renamed', connected: true });
  });
});

describe('re-subscription: an id this master has never seen', () => {
  it('is accepted with that id (frameworks are not persisted, so a master must take unknown ids)', async () => {
    const unknownId = `${masterId}-4242`;

    const session = await open(frameworkInfo({ name: 'stranger', failover_timeout: 3600, id: { value: unknownId } }));

    expect(session.frameworkId).toBe(unknownId);
    const listed = (await legacyFrameworks(master.url)).frameworks.find((framework) => framework.id === unknownId);
    expect(listed).toMatchObject({ name: 'stranger', connected: true, active: true });
    const offers = await session.nextEvent('OFFERS', 5_000);
    expect(offers.offers.offers[0]?.framework_id.value).toBe(unknownId);
  });
});
