/**
 * DRAIN_AGENT with real processes (spec/core.md 6.2; Mesos'
 * master_draining_tests.cpp MasterDrainingTest.DrainAgent): the agent kills
 * its running task at once (max_grace_period 0) with REASON_AGENT_DRAINING;
 * the master holds it DRAINING until the framework acknowledges the
 * terminal update, then DRAINED, deactivated and offered to no one;
 * REACTIVATE_AGENT brings its offers back.
 *
 * Method: one master and one agent (which advertises AGENT_DRAINING), one
 * framework over the scheduler API running a `sleep` task; the drain state
 * is read from GET_AGENTS.
 */
import { describe, expect, it } from 'vitest';
import { startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { expectNoEventDuringAllocations, fastMasterFlags, frameworkInfo, nextOfferOf, useSessions, waitForActiveAgents } from './helpers.js';
import { postOperator } from './operator-storage-helpers.js';
import { commandTask, launch, nextOffer, taskAgentFlags, terminalUnacknowledged, untilState } from './task-helpers.js';

useCluster();

const { open } = useSessions();

interface AgentView {
  agent_info: { id: { value: string } };
  active: boolean;
  deactivated: boolean;
  drain_info?: { state: string; config: object };
  estimated_drain_start_time?: { nanoseconds: number };
}

async function agentView(masterUrl: string, agentId: string): Promise<AgentView | undefined> {
  const answer = await postOperator(masterUrl, { type: 'GET_AGENTS' });
  const agents = (JSON.parse(answer.text) as { get_agents: { agents: AgentView[] } }).get_agents.agents;
  return agents.find((agent) => agent.agent_info.id.value === agentId);
}

describe('agent drain', () => {
  it('kills the task with REASON_AGENT_DRAINING, is DRAINED once the kill is acknowledged, and offered again after REACTIVATE_AGENT', async () => {
    const master = await startMaster({ flags: [...fastMasterFlags] });
    await startAgent(master.url, { flags: [...taskAgentFlags] });
    const [registered] = await waitForActiveAgents(master.url, 1);
    const agentId = registered?.id ?? '';
    const session = await open(master.url, frameworkInfo({ user: 'root', name: 'drain-e2e' }));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'sleeper', 'exec sleep 1000')], 0);
    await untilState(session, 'sleeper', 'TASK_RUNNING');

    const drained = await postOperator(master.url, { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: agentId }, max_grace_period: { seconds: 0 } } });
    expect(drained.status, drained.text).toBe(200);
    const status = await terminalUnacknowledged(session, 'sleeper');
    expect(status).toMatchObject({ state: 'TASK_KILLED', reason: 'REASON_AGENT_DRAINING' });
    // The terminal update is not acknowledged yet: the master still counts the task.
    expect((await agentView(master.url, agentId))?.drain_info).toEqual({ state: 'DRAINING', config: { max_grace_period: { nanoseconds: 0 }, mark_gone: false } });
    await session.acknowledgeStatus(status);
    const view = await waitFor(
      async () => {
        const current = await agentView(master.url, agentId);
        return current?.drain_info?.state === 'DRAINED' ? current : undefined;
      },
      { message: 'the agent to be DRAINED after the acknowledgement' },
    );
    expect(view).toMatchObject({ active: false, deactivated: true });
    expect(view.estimated_drain_start_time?.nanoseconds).toBeGreaterThan(0);
    await expectNoEventDuringAllocations(session, 'OFFERS', master.url, 5);

    const offered = nextOfferOf(session, agentId);
    const reactivated = await postOperator(master.url, { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: agentId } } });
    expect(reactivated.status, reactivated.text).toBe(200);
    expect((await offered).agent_id.value).toBe(agentId);
    expect(await agentView(master.url, agentId)).toMatchObject({ active: true, deactivated: false });
    expect(await agentView(master.url, agentId)).not.toHaveProperty('drain_info');
  }, 45_000);
});
