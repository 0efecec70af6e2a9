/**
 * Method: every test starts its own master (100 ms allocation interval) and
 * agents, because each one takes an agent away: SIGKILL (a crash: the link
 * breaks) or SIGTERM (a clean stop). A framework subscribed through the SDK
 * holds the offers; the tests wait for the RESCIND event itself and then check,
 * over a counted number of allocation runs, that nothing more arrives for the
 * agent that left. Checks follow spec/core.md 4.9, 5.4 and 1.6 (RESCIND).
 */
import { describe, expect, it } from 'vitest';
import type { WireOffer } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { startAgent, startMaster, useCluster, waitFor, type ProcessHandle } from '../support/cluster.js';
import {
  expectNoEventDuringAllocations,
  fastAgentFlags,
  fastMasterFlags,
  frameworkInfo,
  legacyAgents,
  metric,
  metrics,
  subscribeFramework,
  useSessions,
  waitForActiveAgents,
} from './helpers.js';

useCluster();

const { transport, sessions } = useSessions();

async function open(masterUrl: string, name = 'holder'): Promise<SchedulerSession> {
  const session = await subscribeFramework(masterUrl, frameworkInfo({ name }), { transport });
  sessions.push(session);
  return session;
}

/** Collects offers until every agent in `agentIds` has one; returns them by agent id. */
async function offersFor(session: SchedulerSession, agentIds: readonly string[]): Promise<Map<string, WireOffer>> {
  const byAgent = new Map<string, WireOffer>();
  while (agentIds.some((agentId) => !byAgent.has(agentId))) {
    const event = await session.nextEvent('OFFERS', 10_000);
    for (const offer of event.offers.offers) byAgent.set(offer.agent_id.value, offer);
  }
  return byAgent;
}

async function clusterWithAgents(count: number, masterFlags: readonly string[] = fastMasterFlags): Promise<{ master: ProcessHandle; agents: ProcessHandle[]; agentIds: string[] }> {
  const master = await startMaster({ flags: masterFlags });
  const agents: ProcessHandle[] = [];
  for (let index = 0; index < count; index += 1) agents.push(await startAgent(master.url, { flags: fastAgentFlags }));
  const listed = await waitForActiveAgents(master.url, count);
  // Map each process to its agent id through the agent's own /state.
  const agentIds: string[] = [];
  for (const agent of agents) {
    const state = (await (await fetch(`${agent.url}/state`)).json()) as { id?: string };
    expect(listed.map((entry) => entry.id)).toContain(state.id);
    agentIds.push(state.id ?? '');
  }
  return { master, agents, agentIds };
}

describe('rescind: an agent leaves', () => {
  it('an agent killed with SIGKILL: its outstanding offer is rescinded by id, and nothing more is offered from it', async () => {
    const { master, agents, agentIds } = await clusterWithAgents(1);
    const session = await open(master.url);
    const offer = (await offersFor(session, agentIds)).get(agentIds[0] ?? '') as WireOffer;

    agents[0]?.kill('SIGKILL');
    const rescind = await session.nextEvent('RESCIND', 10_000);

    expect(rescind.rescind.offer_id).toEqual(offer.id);
    expect(await metric(master.url, `master/frameworks/holder/${session.frameworkId}/offers/rescinded`)).toBe(1);
    expect(await metric(master.url, 'master/outstanding_offers')).toBe(0);
    await expectNoEventDuringAllocations(session, 'OFFERS', master.url, 10);
    const listed = await legacyAgents(master.url);
    expect(listed.find((agent) => agent.id === agentIds[0])?.active).toBe(false);
  });

  it('an agent stopped with SIGTERM: its outstanding offer is rescinded by id', async () => {
    const { master, agents, agentIds } = await clusterWithAgents(1);
    const session = await open(master.url);
    const offer = (await offersFor(session, agentIds)).get(agentIds[0] ?? '') as WireOffer;

    await agents[0]?.stop();
    const rescind = await session.nextEvent('RESCIND', 10_000);

    expect(rescind.rescind.offer_id).toEqual(offer.id);
    await expectNoEventDuringAllocations(session, 'OFFERS', master.url, 10);
  });

  it('with two agents, only the offer of the agent that left is rescinded; the other stays valid', async () => {
    const { master, agents, agentIds } = await clusterWithAgents(2);
    const session = await open(master.url);
    const offers = await offersFor(session, agentIds);
    const leaving = offers.get(agentIds[0] ?? '') as WireOffer;
    const staying = offers.get(agentIds[1] ?? '') as WireOffer;

    agents[0]?.kill('SIGKILL');
    const rescind = await session.nextEvent('RESCIND', 10_000);
    await expectNoEventDuringAllocations(session, 'RESCIND', master.url, 5);

    expect(rescind.rescind.offer_id).toEqual(leaving.id);
    expect(await metric(master.url, 'master/outstanding_offers')).toBe(1);
    expect((await session.decline([staying.id], { refuse_seconds: 0 })).status).toBe(202);
    expect(await metric(master.url, `master/frameworks/holder/${session.frameworkId}/offers/declined`)).toBe(1);
    const again = await session.nextEvent('OFFERS', 5_000);
    expect(again.offers.offers.map((offer) => offer.agent_id.value)).toEqual([agentIds[1]]);
  });

  it('the agent that left is shown inactive, and the master counts it disconnected', async () => {
    const { master, agents, agentIds } = await clusterWithAgents(1);

    agents[0]?.kill('SIGKILL');
    await waitFor(async () => (await legacyAgents(master.url)).find((agent) => agent.id === agentIds[0])?.active === false, {
      message: 'the agent to be inactive',
    });

    expect(await metric(master.url, 'master/slaves_active')).toBe(0);
    expect(await metric(master.url, 'master/slaves_disconnected')).toBe(1);
  });
});

describe('rescind: --offer_timeout', () => {
  it('an offer left unanswered is rescinded after the offer timeout and its resources are offered again', async () => {
    const { master, agentIds } = await clusterWithAgents(1, [...fastMasterFlags, '--offer_timeout=500ms']);
    const session = await open(master.url);
    const offer = (await offersFor(session, agentIds)).get(agentIds[0] ?? '') as WireOffer;
    const offeredMs = Date.now();

    const rescind = await session.nextEvent('RESCIND', 5_000);
    const rescindedMs = Date.now();
    const again = await session.nextEvent('OFFERS', 5_000);
    // Read at once: the new offer times out too, 500 ms later.
    const snapshot = await metrics(master.url);

    expect(rescind.rescind.offer_id).toEqual(offer.id);
    expect(rescindedMs - offeredMs).toBeGreaterThanOrEqual(350);
    expect(again.offers.offers[0]?.id.value).not.toBe(offer.id.value);
    const prefix = `master/frameworks/holder/${session.frameworkId}/`;
    expect(snapshot[`${prefix}offers/rescinded`]).toBe(1);
    expect(snapshot[`${prefix}offers/sent`]).toBe(2);
  });
});
