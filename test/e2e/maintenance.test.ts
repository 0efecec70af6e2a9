/**
 * Maintenance with real processes (spec/core.md 6.2, 6.4; Mesos'
 * master_maintenance_tests.cpp EnterMaintenanceMode, InverseOffers): an
 * operator schedules the agent's machine through the legacy endpoint; the
 * framework's offers carry the window and it is sent an inverse offer, which
 * it declines, as GET_MAINTENANCE_STATUS then says. Taking the machine DOWN
 * removes the agent (its task TASK_LOST) and shuts it down; the schedule and
 * the DOWN machine survive a master restart on the same work directory (the
 * SQLite registry), the agent is refused while its machine is DOWN and
 * registers once it is UP. Then DEACTIVATE_AGENT and REACTIVATE_AGENT: no
 * offers of the agent in between.
 *
 * Method: one master on a fixed port (so the agent finds it after the
 * restart) and one agent advertising --hostname=maint-e2e on 127.0.0.1, the
 * machine {"hostname":"maint-e2e","ip":"127.0.0.1"}; one framework over the
 * scheduler API running a `sleep` task.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WireOffer } from '../../src/protocol/outputs.js';
import type { SchedulerEvent } from '../../src/protocol/scheduler.js';
import { fetchJson, freePort, startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { rawRequest, type RawResponse } from '../support/http.js';
import { expectNoEventDuringAllocations, fastMasterFlags, frameworkInfo, nextOfferOf, useSessions, waitForActiveAgents } from './helpers.js';
import { postOperator } from './operator-storage-helpers.js';
import { commandTask, launch, nextOffer, taskAgentFlags, untilState } from './task-helpers.js';

useCluster();

const { open } = useSessions();

const machine = { hostname: 'maint-e2e', ip: '127.0.0.1' };
/** A machine with no agent, so that the schedule is not empty once the agent's machine is up again. */
const spare = { hostname: 'spare-e2e' };
const unavailability = { start: { nanoseconds: 1_900_000_000 * 1e9 }, duration: { nanoseconds: 3600 * 1e9 } };
const schedule = { windows: [{ machine_ids: [machine, spare], unavailability }] };

function postJson(url: string, body: unknown): Promise<RawResponse> {
  return rawRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

interface MaintenanceStatus {
  draining_machines?: { id: object; statuses?: { status: string; framework_id: { value: string } }[] }[];
  down_machines?: object[];
}

async function maintenanceStatus(masterUrl: string): Promise<MaintenanceStatus> {
  const answer = await postOperator(masterUrl, { type: 'GET_MAINTENANCE_STATUS' });
  expect(answer.status, answer.text).toBe(200);
  return (JSON.parse(answer.text) as { get_maintenance_status: { status: MaintenanceStatus } }).get_maintenance_status.status;
}

async function agentIds(masterUrl: string): Promise<string[]> {
  const answer = await postOperator(masterUrl, { type: 'GET_AGENTS' });
  return (JSON.parse(answer.text) as { get_agents: { agents: { agent_info: { id: { value: string } } }[] } }).get_agents.agents.map((agent) => agent.agent_info.id.value);
}

function offersWith(predicate: (offer: WireOffer) => boolean) {
  return (event: SchedulerEvent): event is Extract<SchedulerEvent, { type: 'OFFERS' }> => event.type === 'OFFERS' && event.offers.offers.some(predicate);
}

describe('maintenance: a machine scheduled, taken down and brought up', () => {
  it('offers with unavailability, an inverse offer declined, TASK_LOST at DOWN; schedule and DOWN kept across a restart; the agent back after UP', async () => {
    const master = await startMaster({ flags: [...fastMasterFlags, `--port=${await freePort()}`] });
    const agent = await startAgent(master.url, { flags: [...taskAgentFlags, `--hostname=${machine.hostname}`] });
    await waitForActiveAgents(master.url, 1);
    const session = await open(master.url, frameworkInfo({ user: 'root', name: 'maintenance-e2e' }));
    const offer = await nextOffer(session);
    expect(offer.unavailability).toBeUndefined();
    await launch(session, offer, [commandTask(offer, 'sleeper', 'exec sleep 1000')], 0);
    await untilState(session, 'sleeper', 'TASK_RUNNING');

    const posted = await postJson(`${master.url}/master/maintenance/schedule`, schedule);
    expect(posted.status, posted.text).toBe(200);
    const scheduled = await session.nextEvent(offersWith((candidate) => candidate.unavailability !== undefined));
    expect(scheduled.offers.offers.map((candidate) => candidate.unavailability)).toEqual([unavailability]);
    const inverse = await session.nextEvent('INVERSE_OFFERS');
    expect(inverse.inverse_offers.inverse_offers).toHaveLength(1);
    expect(inverse.inverse_offers.inverse_offers[0]).toMatchObject({ agent_id: offer.agent_id, framework_id: { value: session.frameworkId }, unavailability });
    const declined = await session.call({
      type: 'DECLINE_INVERSE_OFFERS',
      decline_inverse_offers: { inverse_offer_ids: [inverse.inverse_offers.inverse_offers[0]?.id], filters: { refuse_seconds: 3600 } },
    } as never);
    expect(declined.status).toBe(202);
    const status = await maintenanceStatus(master.url);
    expect(status.draining_machines?.find((entry) => JSON.stringify(entry.id) === JSON.stringify(machine))?.statuses).toMatchObject([
      { status: 'DECLINE', framework_id: { value: session.frameworkId } },
    ]);

    const down = await postJson(`${master.url}/master/machine/down`, [machine]);
    expect(down.status, down.text).toBe(200);
    const lost = await session.nextEvent((event) => event.type === 'UPDATE' && event.update.status.task_id.value === 'sleeper' && event.update.status.state === 'TASK_LOST');
    expect(lost.type === 'UPDATE' && lost.update.status).toMatchObject({
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_REMOVED',
      message: `Agent ${machine.hostname} removed: Operator initiated 'Machine DOWN'`,
    });
    await session.nextEvent('FAILURE', 5_000);
    // The master told the agent to shut down.
    await agent.exited;
    expect(await agentIds(master.url)).toEqual([]);
    expect(await maintenanceStatus(master.url)).toMatchObject({ down_machines: [machine] });

    const restarted = await master.restart();
    expect(await fetchJson(`${restarted.url}/master/maintenance/schedule`)).toEqual(schedule);
    expect(await fetchJson(`${restarted.url}/master/maintenance/status`)).toEqual({ draining_machines: [{ id: spare }], down_machines: [machine] });
    await agent.restart();
    await waitFor(() => /Refusing the agent at .*DOWN for maintenance/.test(readFileSync(restarted.logPath, 'utf8')), {
      message: 'the restarted master to refuse the agent of the DOWN machine',
      timeoutMs: 15_000,
    });
    expect(await agentIds(restarted.url)).toEqual([]);

    const up = await postJson(`${restarted.url}/master/machine/up`, [machine]);
    expect(up.status, up.text).toBe(200);
    await waitForActiveAgents(restarted.url, 1, 20_000);
    expect(await fetchJson(`${restarted.url}/master/maintenance/schedule`)).toEqual({ windows: [{ machine_ids: [spare], unavailability }] });
  }, 60_000);
});

describe('maintenance: DEACTIVATE_AGENT and REACTIVATE_AGENT', () => {
  it('rescinds the offer and offers nothing of a deactivated agent; after REACTIVATE_AGENT its offers come back', async () => {
    const master = await startMaster({ flags: [...fastMasterFlags] });
    await startAgent(master.url, { flags: [...taskAgentFlags] });
    const [registered] = await waitForActiveAgents(master.url, 1);
    const agentId = registered?.id ?? '';
    const session = await open(master.url, frameworkInfo({ name: 'deactivate-e2e' }));
    const offer = await nextOffer(session);
    const deactivated = await postOperator(master.url, { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: agentId } } });
    expect(deactivated.status, deactivated.text).toBe(200);
    const rescind = await session.nextEvent('RESCIND', 5_000);
    expect(rescind.rescind.offer_id).toEqual(offer.id);
    await expectNoEventDuringAllocations(session, 'OFFERS', master.url, 5);
    const offered = nextOfferOf(session, agentId);
    const reactivated = await postOperator(master.url, { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: agentId } } });
    expect(reactivated.status, reactivated.text).toBe(200);
    expect((await offered).agent_id.value).toBe(agentId);
  }, 30_000);
});

describe('maintenance: the legacy endpoints', () => {
  it("answer {} when nothing is scheduled, 405 with Allow, and Mesos' bare errors", async () => {
    const master = await startMaster();
    expect(await fetchJson(`${master.url}/maintenance/schedule`)).toEqual({});
    expect((await rawRequest(`${master.url}/master/maintenance/status?jsonp=cb`)).text).toBe('cb({});');
    const put = await rawRequest(`${master.url}/master/maintenance/schedule`, { method: 'PUT', body: '{}' });
    expect([put.status, put.headers['allow'], put.text]).toEqual([405, 'GET, POST', "405 Method Not Allowed. Expecting one of { 'GET', 'POST' }, but received 'PUT'."]);
    const get = await rawRequest(`${master.url}/master/machine/up`);
    expect([get.status, get.headers['allow']]).toEqual([405, 'POST']);
    const noWindow = await postJson(`${master.url}/master/maintenance/schedule`, { windows: [{ machine_ids: [spare] }] });
    expect([noWindow.status, noWindow.text]).toEqual([400, 'Missing required fields: windows.0.unavailability']);
    const wrongType = await postJson(`${master.url}/master/machine/down`, [{ hostname: 1 }]);
    // A field of the wrong type is said to be so, not to be missing.
    expect(wrongType.status).toBe(400);
    expect(wrongType.text).toMatch(/^field '0\.hostname': expected string/);
    const empty = await postJson(`${master.url}/master/machine/down`, []);
    expect([empty.status, empty.text]).toEqual([400, 'List of machines is empty']);
    const unknown = await postJson(`${master.url}/master/machine/up`, [spare]);
    expect([unknown.status, unknown.text]).toEqual([400, `Machine '{"hostname":"spare-e2e"}' is not part of a maintenance schedule`]);
  }, 30_000);
});
