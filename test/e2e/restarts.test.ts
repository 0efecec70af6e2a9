/**
 * Method: every test starts its own processes and restarts one of them in
 * place (ProcessHandle.restart: same work directory, same flags). An agent is
 * killed (SIGKILL, a crash) or stopped (SIGTERM) and started again; a master is
 * killed and started again on the same fixed port, with no registry to recover
 * from. The tests then watch what a framework and an operator see: the agent id
 * the master lists, offers, SUBSCRIBED, counters. Checks follow spec/core.md
 * 5.3 (steps 4 and 5), 5.5 (step 9), 5.6.1 and 5.6.3.
 */
import { describe, expect, it } from 'vitest';
import { fetchJson, startAgent, startMaster, useCluster, waitFor, freePort } from '../support/cluster.js';
import { fastAgentFlags, fastMasterFlags, frameworkInfo, legacyAgents, legacyFrameworks, metric, useSessions, waitForActiveAgents } from './helpers.js';

useCluster();

const { open } = useSessions();

async function agentIdOf(agentUrl: string): Promise<string | undefined> {
  return (await fetchJson<{ id?: string }>(`${agentUrl}/state`)).id;
}

/** Waits until the agent itself has taken the id the master gave it (it writes the id down as it does). */
async function agentRecorded(agentUrl: string, agentId: string | undefined): Promise<void> {
  await waitFor(async () => (await agentIdOf(agentUrl)) === agentId, { message: `the agent to record its id ${agentId ?? ''}` });
}

describe('restarts: agent', () => {
  it('an agent killed with SIGKILL and started again with the same work directory re-registers with the same id', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, { flags: fastAgentFlags });
    const [first] = await waitForActiveAgents(master.url, 1);
    // The master counts the agent registered when it sends REGISTERED; the agent has its id
    // (durably) only once it has handled it. A kill before that makes it a new agent, as in Mesos.
    await agentRecorded(agent.url, first?.id);
    const session = await open(master.url, frameworkInfo({ name: 'watching' }));
    await session.nextEvent('OFFERS');

    agent.kill('SIGKILL');
    await agent.exited;
    await session.nextEvent('RESCIND', 10_000);
    const restarted = await agent.restart();
    const agents = await waitFor(
      async () => {
        const listed = await legacyAgents(master.url);
        return listed.length === 1 && listed[0]?.active === true ? listed : undefined;
      },
      { message: 'the restarted agent to be active again' },
    );

    expect(agents.map((entry) => entry.id)).toEqual([first?.id]);
    expect(await agentIdOf(restarted.url)).toBe(first?.id);
    expect(await metric(master.url, 'master/slave_registrations')).toBe(1);
    expect(await metric(master.url, 'master/slave_reregistrations')).toBe(1);
    const offers = await session.nextEvent('OFFERS', 10_000);
    expect(offers.offers.offers.map((offer) => offer.agent_id.value)).toEqual([first?.id]);
  });

  it('an agent stopped with SIGTERM and started again re-registers with the same id', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, { flags: fastAgentFlags });
    const [first] = await waitForActiveAgents(master.url, 1);
    await agentRecorded(agent.url, first?.id);

    const restarted = await agent.restart();
    await waitFor(async () => (await agentIdOf(restarted.url)) === first?.id && (await legacyAgents(master.url))[0]?.active === true, {
      message: 'the restarted agent to re-register',
    });

    const agents = await legacyAgents(master.url);
    expect(agents.map((entry) => entry.id)).toEqual([first?.id]);
    expect(await metric(master.url, 'master/slave_registrations')).toBe(1);
  });
});

describe('restarts: master', () => {
  it('a master restarted without a registry takes back the agent with its old id and the framework with its old id', async () => {
    const port = await freePort();
    const master = await startMaster({ flags: [...fastMasterFlags, `--port=${port}`] });
    const agent = await startAgent(master.url, { flags: fastAgentFlags });
    const [first] = await waitForActiveAgents(master.url, 1);
    const info = frameworkInfo({ name: 'survivor', failover_timeout: 3600 });
    const before = await open(master.url, info);
    const oldMasterId = before.subscribedEvent.master_info.id;
    await before.nextEvent('OFFERS');

    master.kill('SIGKILL');
    await master.exited;
    const end = await before.closed;
    const restarted = await master.restart();

    expect(restarted.url).toBe(master.url);
    expect(end.reason).toBe('error');
    await waitFor(async () => (await legacyAgents(restarted.url)).some((entry) => entry.id === first?.id && entry.active), {
      message: 'the agent to re-register with the restarted master',
      timeoutMs: 15_000,
    });
    const after = await open(restarted.url, { ...info, id: { value: before.frameworkId } });
    const offers = await after.nextEvent('OFFERS', 10_000);

    expect(after.frameworkId).toBe(before.frameworkId);
    expect(after.subscribedEvent.master_info.id).not.toBe(oldMasterId);
    expect(offers.offers.offers.map((offer) => offer.agent_id.value)).toEqual([first?.id]);
    expect(await agentIdOf(agent.url)).toBe(first?.id);
    expect((await legacyAgents(restarted.url)).map((entry) => entry.id)).toEqual([first?.id]);
    const listed = (await legacyFrameworks(restarted.url)).frameworks.find((framework) => framework.id === before.frameworkId);
    expect(listed).toMatchObject({ name: 'survivor', connected: true, active: true });
    expect(await metric(restarted.url, 'master/slave_registrations')).toBe(0);
    expect(await metric(restarted.url, 'master/slave_reregistrations')).toBe(1);
    expect(await metric(restarted.url, 'master/messages_register_framework')).toBe(0);
    expect(await metric(restarted.url, 'master/messages_reregister_framework')).toBe(1);
  });
});
