/**
 * Explicit reconciliation of tasks the master does not know (spec/core.md 3.4
 * rules 2, 3 and 6), also the answer to a KILL of such a task (1.5.7), with
 * Mesos' texts. The harness's master has just started, as after a restart:
 * agent and framework ids "earlier-..." are ones an earlier master gave out.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../../testing/harness.js';
import type { SimFramework } from '../../../testing/sim-framework.js';

const reregisterTimeoutMs = 600_000;

function reconcile(framework: SimFramework, tasks: { task: string; agent?: string }[]): void {
  framework.call({
    type: 'RECONCILE',
    reconcile: { tasks: tasks.map(({ task, agent }) => ({ task_id: { value: task }, ...(agent !== undefined ? { agent_id: { value: agent } } : {}) })) },
  });
}

function answers(framework: SimFramework): [string, string, string | undefined, string | undefined][] {
  return framework.eventsOf('UPDATE').map(({ update: { status } }) => [status.task_id.value, status.state, status.message, status.agent_id?.value]);
}

describe('master: reconciling unknown tasks', () => {
  it('says nothing about a task on an agent of an earlier master until agent_reregister_timeout has passed, then TASK_LOST', () => {
    const h = new Harness();
    const framework = h.subscribe({ info: { id: { value: 'earlier-0001' } } });
    reconcile(framework, [{ task: 't1', agent: 'earlier-S3' }, { task: 't2' }]);
    expect(answers(framework)).toEqual([]);
    expect(h.logs).toContain('info: Dropping reconciliation of task t1 for framework earlier-0001 because agent earlier-S3 has not yet reregistered with the master');
    expect(h.logs).toContain('info: Dropping reconciliation of task t2 for framework earlier-0001 because some agents have not yet reregistered with the master');
    h.advance(reregisterTimeoutMs - 1);
    reconcile(framework, [{ task: 't1', agent: 'earlier-S3' }]);
    expect(answers(framework)).toEqual([]);
    h.advance(1);
    reconcile(framework, [{ task: 't1', agent: 'earlier-S3' }, { task: 't2' }]);
    expect(answers(framework)).toEqual([
      ['t1', 'TASK_LOST', 'Reconciliation: Task is unknown', 'earlier-S3'],
      ['t2', 'TASK_LOST', 'Reconciliation: Task is unknown', undefined],
    ]);
  });

  it('answers at once for an agent id this master gave out, and without agent id for a framework of this master', () => {
    const h = new Harness();
    const framework = h.subscribe({ capabilities: ['MULTI_ROLE', 'PARTITION_AWARE'] });
    reconcile(framework, [{ task: 't1', agent: `${h.state.info.id}-S9` }, { task: 't2' }]);
    expect(answers(framework)).toEqual([
      ['t1', 'TASK_UNKNOWN', 'Reconciliation: Task is unknown', `${h.state.info.id}-S9`],
      ['t2', 'TASK_UNKNOWN', 'Reconciliation: Task is unknown', undefined],
    ]);
  });

  it("answers for a registered agent, once the earlier master's agent is back: TASK_GONE (TASK_LOST), 'Task is unknown to the agent'", () => {
    const h = new Harness();
    const pa = h.subscribe({ info: { id: { value: 'earlier-0001' } }, capabilities: ['MULTI_ROLE', 'PARTITION_AWARE'] });
    const plain = h.subscribe({ info: { id: { value: 'earlier-0002' } } });
    const agent = h.addAgent({ agentId: 'earlier-S3' });
    expect(agent.id).toBe('earlier-S3');
    for (const framework of [pa, plain]) reconcile(framework, [{ task: 'gone', agent: 'earlier-S3' }]);
    expect(answers(pa)).toEqual([['gone', 'TASK_GONE', 'Reconciliation: Task is unknown to the agent', 'earlier-S3']]);
    expect(answers(plain)).toEqual([['gone', 'TASK_LOST', 'Reconciliation: Task is unknown to the agent', 'earlier-S3']]);
    expect(plain.eventsOf('UPDATE')[0]?.update.status).toMatchObject({ source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' });
  });

  it('answers for an agent of an earlier master that this master removed since', () => {
    const h = new Harness();
    const framework = h.subscribe({ info: { id: { value: 'earlier-0001' } } });
    const agent = h.addAgent({ agentId: 'earlier-S3' });
    agent.send({ type: 'UNREGISTER' });
    reconcile(framework, [{ task: 't1', agent: 'earlier-S3' }]);
    expect(answers(framework)).toEqual([['t1', 'TASK_LOST', 'Reconciliation: Task is unknown', 'earlier-S3']]);
  });
});

describe('master: KILL of an unknown task', () => {
  it('is a reconciliation of that task: no answer while its agent may still re-register, TASK_LOST after', () => {
    const h = new Harness();
    const framework = h.subscribe({ info: { id: { value: 'earlier-0001' } } });
    const kill = () => framework.call({ type: 'KILL', kill: { task_id: { value: 't1' }, agent_id: { value: 'earlier-S3' } } });
    expect(kill()?.status).toBe(202);
    expect(answers(framework)).toEqual([]);
    expect(h.state.counters.get('master/messages_reconcile_tasks')).toBe(1);
    h.advance(reregisterTimeoutMs);
    kill();
    expect(answers(framework)).toEqual([['t1', 'TASK_LOST', 'Reconciliation: Task is unknown', 'earlier-S3']]);
  });
});
