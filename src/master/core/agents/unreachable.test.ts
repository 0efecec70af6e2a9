/**
 * Agent loss through the harness (spec/core.md 5.4, 5.6.3, 5.7): an agent
 * that stops answering pings, or that does not link again after its link
 * broke, is marked unreachable; it comes back; an operator marks one gone.
 */
import { describe, expect, it } from 'vitest';
import type { ReportedTask } from '../../../protocol/internal.js';
import { Harness } from '../../../testing/harness.js';
import type { SimAgent } from '../../../testing/sim-agent.js';
import type { SimFramework } from '../../../testing/sim-framework.js';

const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value } });
const pingTimeoutMs = 15_000;
const maxPingTimeouts = 5;

interface Cluster {
  readonly h: Harness;
  readonly aware: SimFramework;
  readonly plain: SimFramework;
  readonly agent: SimAgent;
}

/** A partition-aware and a plain framework, each with one running task on the one agent. */
function cluster(): Cluster {
  const h = new Harness();
  const aware = h.subscribe({ capabilities: ['MULTI_ROLE', 'PARTITION_AWARE'] });
  const plain = h.subscribe({ capabilities: ['MULTI_ROLE'] });
  const agent = h.addAgent({ resources: 'cpus:4;mem:1024' });
  h.settle();
  for (const [framework, taskId] of [
    [aware, 'aware-task'],
    [plain, 'plain-task'],
  ] as const) {
    // One agent: the second framework is offered what the first left, at the next allocation.
    h.advance(1_000);
    const offer = framework.currentOffers().find((o) => o.agent_id.value === agent.id);
    if (offer === undefined) throw new Error('no offer');
    framework.offers.delete(offer.id.value);
    const task = { name: taskId, task_id: { value: taskId }, agent_id: { value: agent.id ?? '' }, resources: [scalar('cpus', 1)], command: { value: 'sleep 100' } };
    framework.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }], filters: { refuse_seconds: 0 } } } as never);
    agent.send({
      type: 'STATUS_UPDATE',
      status_update: {
        framework_id: { value: framework.id ?? '' },
        status: { task_id: { value: taskId }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: Buffer.alloc(16, taskId.length).toString('base64'), agent_id: { value: agent.id ?? '' } },
        latest_state: 'TASK_RUNNING',
      },
    });
  }
  return { h, aware, plain, agent };
}

function lastUpdate(framework: SimFramework, taskId: string) {
  return framework
    .eventsOf('UPDATE')
    .map((event) => event.update.status)
    .filter((status) => status.task_id.value === taskId)
    .at(-1);
}

/** What the agent reports of `framework`'s task when it links again. */
function reported(framework: SimFramework, agent: SimAgent, taskId: string): ReportedTask {
  return {
    framework_id: { value: framework.id ?? '' },
    task: { name: taskId, task_id: { value: taskId }, agent_id: { value: agent.id ?? '' }, resources: [scalar('cpus', 1)], command: { value: 'sleep 100' } },
    state: 'TASK_RUNNING',
  } as ReportedTask;
}

describe('master: agent loss: missed pings', () => {
  it('marks an agent that misses max_agent_ping_timeouts pings unreachable: TASK_UNREACHABLE or TASK_LOST with unreachable_time, FAILURE, nothing killed', () => {
    const { h, aware, plain, agent } = cluster();
    const id = agent.id ?? '';
    const pausedAtMs = h.clock.nowMs();
    agent.paused = true;
    h.advance(pingTimeoutMs * maxPingTimeouts);
    expect(h.state.agents.has(id)).toBe(true);
    h.advance(pingTimeoutMs);
    expect(h.state.agents.has(id)).toBe(false);
    // The sixth ping after the pause finds the fifth unanswered.
    const markedAtMs = h.state.unreachableAgents.get(id)?.unreachableTimeMs ?? 0;
    expect(markedAtMs).toBeGreaterThan(pausedAtMs + pingTimeoutMs * maxPingTimeouts - pingTimeoutMs);
    expect(markedAtMs).toBeLessThanOrEqual(pausedAtMs + pingTimeoutMs * (maxPingTimeouts + 1));
    const awareUpdate = lastUpdate(aware, 'aware-task');
    expect(awareUpdate).toMatchObject({ state: 'TASK_UNREACHABLE', reason: 'REASON_AGENT_REMOVED', source: 'SOURCE_MASTER' });
    expect(awareUpdate?.unreachable_time?.nanoseconds).toBe(markedAtMs * 1e6);
    expect(awareUpdate?.uuid).toBeUndefined();
    expect(lastUpdate(plain, 'plain-task')).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_AGENT_REMOVED' });
    for (const framework of [aware, plain]) expect(framework.eventsOf('FAILURE').map((event) => event.failure.agent_id?.value)).toEqual([id]);
    expect(h.state.frameworks.get(aware.id ?? '')?.unreachableTasks.get('aware-task')?.state).toBe('TASK_UNREACHABLE');
    expect(agent.received.some((record) => record.type === 'KILL_TASK' || record.type === 'SHUTDOWN')).toBe(false);
    expect(h.state.counters.get('master/slave_unreachable_completed')).toBe(1);
  });

  it('answers reconciliation of a task on the unreachable agent by rule 4: TASK_UNREACHABLE or TASK_LOST with unreachable_time', () => {
    const { h, aware, plain, agent } = cluster();
    const id = agent.id ?? '';
    agent.paused = true;
    h.advance(pingTimeoutMs * (maxPingTimeouts + 1));
    const markedAtMs = h.state.unreachableAgents.get(id)?.unreachableTimeMs ?? 0;
    for (const [framework, state] of [
      [aware, 'TASK_UNREACHABLE'],
      [plain, 'TASK_LOST'],
    ] as const) {
      framework.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'other' }, agent_id: { value: id } }] } } as never);
      expect(lastUpdate(framework, 'other')).toMatchObject({ state, reason: 'REASON_RECONCILIATION', unreachable_time: { nanoseconds: markedAtMs * 1e6 } });
    }
  });

  it('answers pings again in time: the misses start over and nothing happens', () => {
    const { h, agent } = cluster();
    agent.paused = true;
    h.advance(pingTimeoutMs * (maxPingTimeouts - 1));
    agent.paused = false;
    h.advance(pingTimeoutMs * maxPingTimeouts);
    expect(h.state.agents.get(agent.id ?? '')?.pingsMissed).toBe(0);
    expect(h.state.unreachableAgents.size).toBe(0);
  });

  it('re-admits the agent when it links again: each task it reports is told with its real state and REASON_AGENT_REREGISTERED', () => {
    const { h, aware, plain, agent } = cluster();
    const id = agent.id ?? '';
    agent.paused = true;
    h.advance(pingTimeoutMs * (maxPingTimeouts + 1));
    // The agent notices the missing pings and links again, reporting its tasks.
    const back = h.addAgent({
      agentId: id,
      resources: 'cpus:4;mem:1024',
      tasks: [reported(aware, agent, 'aware-task'), reported(plain, agent, 'plain-task')],
    });
    expect(back.linked).toBe(true);
    expect(h.state.unreachableAgents.has(id)).toBe(false);
    for (const [framework, taskId] of [
      [aware, 'aware-task'],
      [plain, 'plain-task'],
    ] as const) {
      expect(lastUpdate(framework, taskId)).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_AGENT_REREGISTERED', source: 'SOURCE_MASTER', message: 'Unreachable agent re-reregistered' });
      const master = h.state.frameworks.get(framework.id ?? '');
      expect(master?.tasks.get(taskId)?.state).toBe('TASK_RUNNING');
      expect(master?.unreachableTasks.has(taskId)).toBe(false);
    }
    expect(h.state.counters.get('master/slave_reregistrations_unreachable')).toBe(1);
  });
});

describe('master: agent loss: --agent_removal_rate_limit', () => {
  it('marks one agent per period; one that answers pings before its turn is left alone', () => {
    const h = new Harness({ config: { agentRemovalIntervalMs: 60_000 } });
    const agents = [h.addAgent(), h.addAgent(), h.addAgent()];
    for (const agent of agents) agent.paused = true;
    h.advance(pingTimeoutMs * (maxPingTimeouts + 1));
    expect(h.state.unreachableAgents.size).toBe(1);
    expect(h.state.counters.get('master/slave_unreachable_scheduled')).toBe(3);
    // The last in line answers again before its turn.
    const [, , healthy] = agents;
    if (healthy !== undefined) healthy.paused = false;
    h.advance(pingTimeoutMs);
    h.advance(60_000);
    expect(h.state.unreachableAgents.size).toBe(2);
    h.advance(60_000);
    expect(h.state.unreachableAgents.size).toBe(2);
    expect(h.state.agents.has(healthy?.id ?? '')).toBe(true);
    expect(h.state.counters.get('master/slave_unreachable_canceled')).toBe(1);
  });
});

describe('master: agent loss: a broken link', () => {
  it('marks an agent unreachable that has not linked again within agent_reregister_timeout, and keeps one that did', () => {
    const { h, agent } = cluster();
    const id = agent.id ?? '';
    const timeoutMs = h.state.config.agentReregisterTimeoutMs;
    agent.disconnect();
    h.advance(timeoutMs - 1);
    expect(h.state.agents.has(id)).toBe(true);
    h.advance(1);
    expect(h.state.unreachableAgents.has(id)).toBe(true);

    const second = cluster();
    second.agent.disconnect();
    second.h.advance(timeoutMs / 2);
    second.agent.link();
    second.h.advance(timeoutMs);
    expect(second.h.state.unreachableAgents.size).toBe(0);
    expect(second.h.state.agents.get(second.agent.id ?? '')?.active).toBe(true);
  });
});

describe('master: MARK_AGENT_GONE', () => {
  it('ends a registered agent\'s tasks TASK_GONE_BY_OPERATOR (or TASK_LOST), shuts it down and never takes it back', () => {
    const { h, aware, plain, agent } = cluster();
    const id = agent.id ?? '';
    expect(h.step({ type: 'operator_call', call: { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: id } } } as never })?.status).toBe(200);
    expect(lastUpdate(aware, 'aware-task')).toMatchObject({ state: 'TASK_GONE_BY_OPERATOR', reason: 'REASON_AGENT_REMOVED_BY_OPERATOR' });
    expect(lastUpdate(plain, 'plain-task')).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_AGENT_REMOVED' });
    expect(agent.received.at(-1)).toMatchObject({ type: 'SHUTDOWN' });
    expect(h.state.agents.has(id)).toBe(false);
    // Idempotent; the agent id is refused from now on.
    expect(h.step({ type: 'operator_call', call: { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: id } } } as never })?.status).toBe(200);
    const again = h.addAgent({ agentId: id, resources: 'cpus:4;mem:1024' });
    expect(again.linked).toBe(false);
  });

  it('ends the kept tasks of an unreachable agent, and answers 404 for an agent it does not know', () => {
    const { h, aware, agent } = cluster();
    const id = agent.id ?? '';
    agent.paused = true;
    h.advance(pingTimeoutMs * (maxPingTimeouts + 1));
    expect(h.step({ type: 'operator_call', call: { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: id } } } as never })?.status).toBe(200);
    expect(lastUpdate(aware, 'aware-task')).toMatchObject({ state: 'TASK_GONE_BY_OPERATOR' });
    expect(h.state.frameworks.get(aware.id ?? '')?.unreachableTasks.size).toBe(0);
    expect(h.state.unreachableAgents.has(id)).toBe(false);
    const unknown = h.step({ type: 'operator_call', call: { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: 'nobody-S9' } } } as never });
    expect(unknown).toEqual({ status: 404, body: 'Agent nobody-S9 is not known to this master' });
  });
});
