/**
 * DEACTIVATE_AGENT, REACTIVATE_AGENT and DRAIN_AGENT through the harness
 * (spec/core.md 6.2; Mesos' master_draining_tests.cpp): a deactivated agent
 * is offered to no one, across re-registration and a master restart; a drain
 * tells the agent to kill what it runs and is DRAINED once every terminal
 * update is acknowledged (or, with mark_gone, the agent is gone); an agent
 * drained while away is told when it comes back. Mesos' texts for refusals.
 *
 * Method: one master core with simulated agents (advertising AGENT_DRAINING
 * unless a test says otherwise) and a simulated framework; the simulated
 * agent does not kill anything by itself, so each test reports the kill the
 * real agent would.
 */
import { describe, expect, it } from 'vitest';
import { DrainConfig, type MasterToAgentRecord, type ReportedTask } from '../../../protocol/internal.js';
import { Harness } from '../../../testing/harness.js';
import { SimAgent, simAgentCapabilities, type SimAgentOptions } from '../../../testing/sim-agent.js';
import type { SimFramework } from '../../../testing/sim-framework.js';
import { acknowledgeTask, launchTask, operatorCall, reportTask, updatesOf } from '../../../testing/sim-tasks.js';

const drainingCapabilities = [...simAgentCapabilities, 'AGENT_DRAINING'];
const pingTimeoutMs = 15_000;
const maxPingTimeouts = 5;

interface V1AgentView {
  agent_info: { id: { value: string } };
  active: boolean;
  deactivated: boolean;
  drain_info?: unknown;
  estimated_drain_start_time?: { nanoseconds: number };
}

function agentView(h: Harness, agentId: string): V1AgentView | undefined {
  const body = operatorCall(h, { type: 'GET_AGENTS' })?.body as { get_agents: { agents: V1AgentView[] } };
  return body.get_agents.agents.find((agent) => agent.agent_info.id.value === agentId);
}

function drain(h: Harness, agentId: string, options: { max_grace_period?: { seconds?: number; nanos?: number }; mark_gone?: boolean } = {}) {
  return operatorCall(h, { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: agentId }, ...options } });
}

function deactivate(h: Harness, agentId: string) {
  return operatorCall(h, { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: agentId } } });
}

function reactivate(h: Harness, agentId: string) {
  return operatorCall(h, { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: agentId } } });
}

function drainMessages(agent: SimAgent): Extract<MasterToAgentRecord, { type: 'DRAIN' }>['drain'][] {
  return agent.received.flatMap((record) => (record.type === 'DRAIN' ? [record.drain] : []));
}

function offersOf(framework: SimFramework, agent: SimAgent) {
  return framework.currentOffers().filter((offer) => offer.agent_id.value === agent.id);
}

function registryTypes(h: Harness): string[] {
  return h.registry.applied.map((operation) => operation.type).filter((type) => type !== 'admit_agent');
}

/** One draining-capable agent and one framework holding its offer. */
function idle(options: SimAgentOptions = {}): { h: Harness; agent: SimAgent; framework: SimFramework } {
  const h = new Harness();
  const framework = h.subscribe({ capabilities: ['MULTI_ROLE', 'PARTITION_AWARE'] });
  const agent = h.addAgent({ capabilities: drainingCapabilities, ...options });
  h.settle();
  expect(offersOf(framework, agent)).toHaveLength(1);
  return { h, agent, framework };
}

/** As idle(), with `task-1` running on the agent. */
function busy(options: SimAgentOptions = {}): { h: Harness; agent: SimAgent; framework: SimFramework } {
  const cluster = idle(options);
  launchTask(cluster.h, cluster.framework, cluster.agent, 'task-1');
  return cluster;
}

/** What the agent reports of `task-1` when it links again. */
function reportedTask(framework: SimFramework, agentId: string): ReportedTask {
  return {
    framework_id: { value: framework.id ?? '' },
    task: { name: 'task-1', task_id: { value: 'task-1' }, agent_id: { value: agentId }, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }], command: { value: 'sleep 100' } },
    state: 'TASK_RUNNING',
  } as ReportedTask;
}

/** The agent kills `task-1` as a draining agent does; returns the update's uuid. */
function killForDrain(agent: SimAgent, framework: SimFramework): string {
  return reportTask(agent, framework, 'task-1', 'TASK_KILLED', { reason: 'REASON_AGENT_DRAINING' });
}

describe('operator: DEACTIVATE_AGENT', () => {
  it("answers 400 'Unknown agent' for an agent the master does not know, and names a missing body", () => {
    const h = new Harness();
    expect(deactivate(h, 'no-such-agent')).toEqual({ status: 400, body: 'Unknown agent' });
    expect(operatorCall(h, { type: 'DEACTIVATE_AGENT' })).toEqual({ status: 400, body: "Failed to validate master::Call: Expecting 'deactivate_agent' to be present" });
  });

  it('rescinds its offers and offers it to no one, tasks untouched; recorded in the registry; idempotent', () => {
    const { h, agent, framework } = busy();
    h.advance(h.state.config.allocationIntervalMs);
    const [offer] = offersOf(framework, agent);
    expect(offer).toBeDefined();
    expect(deactivate(h, agent.id ?? '')).toEqual({ status: 200 });
    expect(framework.eventsOf('RESCIND').map((event) => event.rescind.offer_id.value)).toContain(offer?.id.value);
    h.advance(5 * h.state.config.allocationIntervalMs);
    expect(offersOf(framework, agent)).toEqual([]);
    expect(agentView(h, agent.id ?? '')).toMatchObject({ active: false, deactivated: true });
    expect(agent.received.some((record) => record.type === 'KILL_TASK' || record.type === 'DRAIN')).toBe(false);
    expect(updatesOf(framework, 'task-1').at(-1)?.state).toBe('TASK_RUNNING');
    expect(deactivate(h, agent.id ?? '')).toEqual({ status: 200 });
    expect(registryTypes(h)).toEqual(['deactivate_agent', 'deactivate_agent']);
    expect(h.registry.snapshot.deactivated.has(agent.id ?? '')).toBe(true);
  });

  it('stays deactivated when the agent re-registers, and when a master restarted from the registry takes it back', () => {
    const { h, agent, framework } = idle();
    const agentId = agent.id ?? '';
    deactivate(h, agentId);
    agent.disconnect();
    expect(agent.link()).toEqual({ status: 200 });
    h.advance(3 * h.state.config.allocationIntervalMs);
    expect(offersOf(framework, agent)).toEqual([]);
    expect(agentView(h, agentId)).toMatchObject({ active: false, deactivated: true });

    const restarted = new Harness({ registry: h.registry.snapshot });
    const again = restarted.subscribe();
    const back = restarted.addAgent({ agentId, capabilities: drainingCapabilities });
    restarted.advance(3 * restarted.state.config.allocationIntervalMs);
    expect(back.linked).toBe(true);
    expect(offersOf(again, back)).toEqual([]);
    expect(agentView(restarted, agentId)).toMatchObject({ active: false, deactivated: true });
  });

  it('deactivates an unreachable agent, which is offered to no one when it comes back', () => {
    const { h, agent, framework } = idle();
    const agentId = agent.id ?? '';
    agent.paused = true;
    h.advance(pingTimeoutMs * (maxPingTimeouts + 1));
    expect(h.state.unreachableAgents.has(agentId)).toBe(true);
    expect(deactivate(h, agentId)).toEqual({ status: 200 });
    const back = h.addAgent({ agentId, capabilities: drainingCapabilities });
    h.advance(3 * h.state.config.allocationIntervalMs);
    expect(back.linked).toBe(true);
    expect(offersOf(framework, back)).toEqual([]);
    expect(agentView(h, agentId)).toMatchObject({ active: false, deactivated: true });
  });
});

describe('operator: REACTIVATE_AGENT', () => {
  it("answers 400 'Agent is not deactivated' for an active agent", () => {
    const { h, agent } = idle();
    expect(reactivate(h, agent.id ?? '')).toEqual({ status: 400, body: 'Agent is not deactivated' });
    expect(reactivate(h, 'no-such-agent')).toEqual({ status: 400, body: 'Agent is not deactivated' });
  });

  it('offers the agent again at once; recorded in the registry', () => {
    const { h, agent, framework } = idle();
    deactivate(h, agent.id ?? '');
    expect(offersOf(framework, agent)).toEqual([]);
    expect(reactivate(h, agent.id ?? '')).toEqual({ status: 200 });
    expect(offersOf(framework, agent)).toHaveLength(1);
    expect(agentView(h, agent.id ?? '')).toMatchObject({ active: true, deactivated: false });
    expect(registryTypes(h)).toEqual(['deactivate_agent', 'reactivate_agent']);
    expect(h.registry.snapshot.deactivated.size).toBe(0);
  });

  it("answers 409 'Agent removed while processing the call' for an agent not registered, yet reactivates it for when it is back", () => {
    const { h, agent, framework } = idle();
    const agentId = agent.id ?? '';
    deactivate(h, agentId);
    agent.paused = true;
    h.advance(pingTimeoutMs * (maxPingTimeouts + 1));
    expect(reactivate(h, agentId)).toEqual({ status: 409, body: 'Agent removed while processing the call' });
    expect(h.registry.snapshot.deactivated.has(agentId)).toBe(false);
    const back = h.addAgent({ agentId, capabilities: drainingCapabilities });
    h.settle();
    expect(offersOf(framework, back)).toHaveLength(1);
  });

  it('reactivates a disconnected agent only when it re-registers: no offers meanwhile (ReactivateDisconnectedAgent)', () => {
    const { h, agent, framework } = idle();
    const agentId = agent.id ?? '';
    expect(drain(h, agentId)).toEqual({ status: 200 });
    agent.disconnect();
    expect(reactivate(h, agentId)).toEqual({ status: 200 });
    h.advance(3 * h.state.config.allocationIntervalMs);
    expect(offersOf(framework, agent)).toEqual([]);
    expect(agentView(h, agentId)).toMatchObject({ active: false, deactivated: false });
    agent.link();
    h.settle();
    expect(offersOf(framework, agent)).toHaveLength(1);
  });
});

describe('operator: DRAIN_AGENT', () => {
  it('drains an idle agent at once: DRAINED with its config in GET_AGENTS, deactivated, the start time in whole seconds', () => {
    const { h, agent, framework } = idle();
    const agentId = agent.id ?? '';
    h.advance(1500);
    const drainedMs = h.clock.nowMs();
    expect(drain(h, agentId, { max_grace_period: { seconds: 10 } })).toEqual({ status: 200 });
    expect(drainMessages(agent)).toEqual([{ config: { max_grace_period: { nanoseconds: 10_000_000_000 }, mark_gone: false } }]);
    expect(offersOf(framework, agent)).toEqual([]);
    expect(agentView(h, agentId)).toMatchObject({
      active: false,
      deactivated: true,
      drain_info: { state: 'DRAINED', config: { max_grace_period: { nanoseconds: 10_000_000_000 }, mark_gone: false } },
      estimated_drain_start_time: { nanoseconds: Math.floor(drainedMs / 1000) * 1e9 },
    });
    expect(registryTypes(h)).toEqual(['drain_agent', 'mark_agent_drained']);
    expect(h.registry.snapshot.draining.get(agentId)).toEqual({ state: 'DRAINED', maxGracePeriodMs: 10_000, markGone: false });
  });

  it('writes the config as Mesos does: mark_gone always, max_grace_period only when given', () => {
    const { h, agent } = idle();
    drain(h, agent.id ?? '');
    expect(drainMessages(agent)).toEqual([{ config: { mark_gone: false } }]);
    expect(agentView(h, agent.id ?? '')?.drain_info).toEqual({ state: 'DRAINED', config: { mark_gone: false } });
  });

  it('keeps an agent with a task DRAINING until the terminal update is acknowledged, then DRAINED; REACTIVATE brings offers back', () => {
    const { h, agent, framework } = busy();
    const agentId = agent.id ?? '';
    expect(drain(h, agentId, { max_grace_period: { seconds: 0 } })).toEqual({ status: 200 });
    expect(drainMessages(agent)).toEqual([{ config: { max_grace_period: { nanoseconds: 0 }, mark_gone: false } }]);
    expect(agentView(h, agentId)?.drain_info).toEqual({ state: 'DRAINING', config: { max_grace_period: { nanoseconds: 0 }, mark_gone: false } });
    expect(reactivate(h, agentId)).toEqual({ status: 400, body: 'Agent is still in the DRAINING state' });
    const uuid = killForDrain(agent, framework);
    expect(updatesOf(framework, 'task-1').at(-1)).toMatchObject({ state: 'TASK_KILLED', reason: 'REASON_AGENT_DRAINING' });
    expect(agentView(h, agentId)?.drain_info).toMatchObject({ state: 'DRAINING' });
    expect(acknowledgeTask(framework, agent, 'task-1', uuid)).toEqual({ status: 202 });
    expect(agentView(h, agentId)?.drain_info).toMatchObject({ state: 'DRAINED' });
    h.advance(3 * h.state.config.allocationIntervalMs);
    expect(offersOf(framework, agent)).toEqual([]);
    expect(reactivate(h, agentId)).toEqual({ status: 200 });
    expect(offersOf(framework, agent)).toHaveLength(1);
    expect(agentView(h, agentId)).not.toHaveProperty('drain_info');
    expect(agentView(h, agentId)).not.toHaveProperty('estimated_drain_start_time');
  });

  it('sends a negative max_grace_period as 0 (kill at once), a config the agent takes', () => {
    const { h, agent } = busy();
    expect(drain(h, agent.id ?? '', { max_grace_period: { seconds: -5 } })).toEqual({ status: 200 });
    expect(drainMessages(agent)).toEqual([{ config: { max_grace_period: { nanoseconds: 0 }, mark_gone: false } }]);
    expect(DrainConfig.safeParse(drainMessages(agent)[0]?.config).success).toBe(true);
  });

  it('drains again over a drain: the new config is sent and kept', () => {
    const { h, agent } = busy();
    drain(h, agent.id ?? '', { max_grace_period: { seconds: 60 } });
    expect(drain(h, agent.id ?? '', { max_grace_period: { seconds: 1 } })).toEqual({ status: 200 });
    expect(drainMessages(agent).map((message) => message.config.max_grace_period?.nanoseconds)).toEqual([60e9, 1e9]);
    expect(agentView(h, agent.id ?? '')?.drain_info).toMatchObject({ state: 'DRAINING', config: { max_grace_period: { nanoseconds: 1e9 } } });
  });

  it('marks the agent gone once drained with mark_gone: SHUTDOWN, FAILURE, no longer listed, never admitted again', () => {
    const { h, agent, framework } = busy();
    const agentId = agent.id ?? '';
    drain(h, agentId, { mark_gone: true });
    expect(drainMessages(agent)).toEqual([{ config: { mark_gone: true } }]);
    const uuid = reportTask(agent, framework, 'task-1', 'TASK_GONE_BY_OPERATOR', { reason: 'REASON_AGENT_DRAINING' });
    expect(h.state.agents.has(agentId)).toBe(true);
    acknowledgeTask(framework, agent, 'task-1', uuid);
    expect(agent.received.filter((record) => record.type === 'SHUTDOWN')).toHaveLength(1);
    expect(framework.eventsOf('FAILURE').map((event) => event.failure.agent_id?.value)).toEqual([agentId]);
    expect(agentView(h, agentId)).toBeUndefined();
    expect(registryTypes(h)).toEqual(['drain_agent', 'mark_agent_gone']);
    expect(h.registry.snapshot.gone.has(agentId)).toBe(true);
    expect(h.registry.snapshot.draining.has(agentId)).toBe(false);
    expect(new SimAgent(h, { agentId, capabilities: drainingCapabilities }).link()?.status).toBe(410);
  });

  it('marks an idle agent gone at once with mark_gone: SHUTDOWN (DrainAgentMarkGone)', () => {
    const { h, agent } = idle();
    expect(drain(h, agent.id ?? '', { mark_gone: true })).toEqual({ status: 200 });
    expect(agent.received.filter((record) => record.type === 'SHUTDOWN')).toHaveLength(1);
    expect(h.state.goneAgents.has(agent.id ?? '')).toBe(true);
    expect(registryTypes(h)).toEqual(['drain_agent', 'mark_agent_gone']);
  });

  it('refuses an agent on a scheduled machine and one without the AGENT_DRAINING capability, with Mesos texts', () => {
    const { h, agent } = idle({ hostname: 'maint-host' });
    const agentId = agent.id ?? '';
    const unavailability = { start: { nanoseconds: h.clock.nowMs() * 1e6 } };
    operatorCall(h, { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule: { windows: [{ machine_ids: [{ hostname: 'maint-host', ip: '127.0.0.1' }], unavailability }] } } });
    expect(drain(h, agentId)).toEqual({ status: 400, body: `Agent ${agentId} is part of a maintenance schedule under Machine maint-host (127.0.0.1)` });
    const plain = h.addAgent({ capabilities: simAgentCapabilities });
    expect(drain(h, plain.id ?? '')).toEqual({ status: 400, body: `Agent ${plain.id ?? ''} is not capable of draining` });
    expect(drain(h, 'no-such-agent')).toEqual({ status: 400, body: 'Unknown agent' });
    expect(registryTypes(h)).toEqual(['update_maintenance_schedule']);
  });

  it('tells an agent drained while disconnected when it re-registers; DRAINED and deactivated', () => {
    const { h, agent } = idle();
    const agentId = agent.id ?? '';
    agent.disconnect();
    expect(agentView(h, agentId)).toMatchObject({ active: false, deactivated: false });
    expect(drain(h, agentId)).toEqual({ status: 200 });
    expect(drainMessages(agent)).toEqual([]);
    expect(agent.link()).toEqual({ status: 200 });
    expect(drainMessages(agent)).toEqual([{ config: { mark_gone: false } }]);
    expect(agentView(h, agentId)).toMatchObject({ active: false, deactivated: true, drain_info: { state: 'DRAINED' } });
  });

  it('tells an agent drained while unreachable when it comes back; it kills its task and is DRAINED after the ack (no start time)', () => {
    const { h, agent, framework } = busy();
    const agentId = agent.id ?? '';
    agent.paused = true;
    h.advance(pingTimeoutMs * (maxPingTimeouts + 1));
    expect(updatesOf(framework, 'task-1').at(-1)?.state).toBe('TASK_UNREACHABLE');
    expect(drain(h, agentId, { max_grace_period: { seconds: 0 } })).toEqual({ status: 200 });
    expect(h.registry.snapshot.draining.get(agentId)).toMatchObject({ state: 'DRAINING' });
    const back = h.addAgent({ agentId, capabilities: drainingCapabilities, tasks: [reportedTask(framework, agentId)] });
    expect(back.linked).toBe(true);
    expect(updatesOf(framework, 'task-1').at(-1)?.state).toBe('TASK_RUNNING');
    expect(drainMessages(back)).toEqual([{ config: { max_grace_period: { nanoseconds: 0 }, mark_gone: false } }]);
    expect(agentView(h, agentId)).toMatchObject({ active: false, deactivated: true, drain_info: { state: 'DRAINING' } });
    expect(agentView(h, agentId)).not.toHaveProperty('estimated_drain_start_time');
    acknowledgeTask(framework, back, 'task-1', killForDrain(back, framework));
    expect(agentView(h, agentId)?.drain_info).toMatchObject({ state: 'DRAINED' });
  });

  it('keeps a drain across a master restart: the agent is told again when it re-registers, and stays deactivated', () => {
    const { h, agent, framework } = busy();
    const agentId = agent.id ?? '';
    drain(h, agentId, { max_grace_period: { seconds: 5 } });
    const restarted = new Harness({ registry: h.registry.snapshot });
    // As a real agent does after a master fail-over, it reports its task and the task's framework.
    const back = restarted.addAgent({ agentId, capabilities: drainingCapabilities, tasks: [reportedTask(framework, agentId)], frameworks: [framework.info()] });
    expect(drainMessages(back)).toEqual([{ config: { max_grace_period: { nanoseconds: 5e9 }, mark_gone: false } }]);
    expect(agentView(restarted, agentId)).toMatchObject({ active: false, deactivated: true, drain_info: { state: 'DRAINING' } });
    expect(agentView(restarted, agentId)).not.toHaveProperty('estimated_drain_start_time');
  });
});
