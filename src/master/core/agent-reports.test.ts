/**
 * The master keeps tasks, executors and resources consistent with what agents
 * report and with agents coming and going, through the harness: an update
 * names its agent, a task is charged once, a removed agent id stays removed,
 * executors of frameworks that do not checkpoint die with the link.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../testing/harness.js';
import type { SimAgent } from '../../testing/sim-agent.js';
import type { SimFramework } from '../../testing/sim-framework.js';
import type { ReportedTask } from '../../protocol/internal.js';

const uuid = (n: number): string => Buffer.alloc(16, n).toString('base64');
const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value } });

function offerOn(framework: SimFramework, agent: SimAgent): string {
  const offer = framework.currentOffers().find((o) => o.agent_id.value === agent.id);
  if (offer === undefined) throw new Error(`no offer on ${agent.id ?? '?'}`);
  return offer.id.value;
}

function launch(framework: SimFramework, offerId: string, tasks: object[]): void {
  framework.offers.delete(offerId);
  framework.call({ type: 'ACCEPT', accept: { offer_ids: [{ value: offerId }], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }] } } as never);
}

function commandTask(agent: SimAgent, id: string) {
  return { name: id, task_id: { value: id }, agent_id: { value: agent.id ?? '' }, resources: [scalar('cpus', 1)], command: { value: 'sleep 100' } };
}

describe('master: status updates name their agent', () => {
  it('does not apply an update from another agent to a task it knows on its own agent', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const home = h.addAgent({ resources: 'cpus:2;mem:1024' });
    const other = h.addAgent({ resources: 'cpus:2;mem:1024' });
    h.settle();
    launch(framework, offerOn(framework, home), [commandTask(home, 't1')]);
    const invalidBefore = h.state.counters.get('master/invalid_status_updates');
    other.send({
      type: 'STATUS_UPDATE',
      status_update: {
        framework_id: { value: framework.id ?? '' },
        status: { task_id: { value: 't1' }, state: 'TASK_FINISHED', source: 'SOURCE_EXECUTOR', uuid: uuid(1), agent_id: { value: other.id ?? '' } },
        latest_state: 'TASK_FINISHED',
      },
    });
    const task = h.state.frameworks.get(framework.id ?? '')?.tasks.get('t1');
    expect(task).toMatchObject({ agentId: home.id, state: 'TASK_STAGING', statusUpdateState: undefined, statusUpdateUuid: undefined });
    expect(task?.statuses.map((s) => s.state)).not.toContain('TASK_FINISHED');
    // Its cpu stays charged on its own agent.
    expect(h.state.allocator.agent(home.id ?? '').offeredOrAllocated.get(framework.id ?? '')?.scalarValue('cpus')).toBe(1);
    expect(h.state.counters.get('master/invalid_status_updates')).toBe(invalidBefore + 1);
  });
});

describe('master: re-registration reports', () => {
  const frameworkId = 'earlier-0001';
  const reported = (taskId: string): ReportedTask =>
    ({
      framework_id: { value: frameworkId },
      task: { name: taskId, task_id: { value: taskId }, agent_id: { value: 'earlier-S1' }, resources: [scalar('cpus', 1)], command: { value: 'sleep 100' } },
      state: 'TASK_RUNNING',
    }) as ReportedTask;

  it('charges a task reported twice once', () => {
    const h = new Harness();
    h.addAgent({
      agentId: 'earlier-S1',
      resources: 'cpus:4;mem:1024',
      frameworks: [{ id: { value: frameworkId }, user: 'root', name: 'earlier' }] as never,
      tasks: [reported('t1'), reported('t1'), reported('t2')],
    });
    expect([...(h.state.frameworks.get(frameworkId)?.tasks.keys() ?? [])]).toEqual(['t1', 't2']);
    expect(h.state.allocator.agent('earlier-S1').offeredOrAllocated.get(frameworkId)?.scalarValue('cpus')).toBe(2);
    expect(h.state.allocator.agent('earlier-S1').available.scalarValue('cpus')).toBe(2);
  });

  it('charges a task once when the agent reports it again on a later re-registration', () => {
    const h = new Harness();
    const options = {
      agentId: 'earlier-S1',
      resources: 'cpus:4;mem:1024',
      frameworks: [{ id: { value: frameworkId }, user: 'root', name: 'earlier', checkpoint: true }] as never,
      tasks: [reported('t1')],
    };
    const agent = h.addAgent(options);
    agent.disconnect();
    h.advance(10);
    expect(agent.link()?.status).toBe(200);
    expect(h.state.allocator.agent('earlier-S1').offeredOrAllocated.get(frameworkId)?.scalarValue('cpus')).toBe(1);
  });
});

describe('master: removed agents', () => {
  it('refuses with 410 an agent that re-registers with the id of an agent it removed', () => {
    const h = new Harness();
    const agent = h.addAgent();
    const id = agent.id ?? '';
    agent.send({ type: 'UNREGISTER' });
    expect(h.state.agents.has(id)).toBe(false);
    const again = h.addAgent({ agentId: id });
    const reply = again.link();
    expect(reply?.status).toBe(410);
    expect(String(reply?.body)).toContain(`Agent ${id} was removed`);
    expect(h.state.agents.has(id)).toBe(false);
  });

  it('refuses with 410 the old id of a disconnected agent replaced by a new one at its address', () => {
    const h = new Harness();
    const old = h.addAgent({ port: 7001 });
    const id = old.id ?? '';
    old.disconnect();
    const fresh = h.addAgent({ port: 7001 });
    expect(fresh.id).not.toBe(id);
    expect(h.state.counters.get('master/slave_removals/reason_registered')).toBe(1);
    expect(h.addAgent({ agentId: id, port: 7001 }).linked).toBe(false);
    expect(new Harness().addAgent({ agentId: id }).linked).toBe(true);
  });
});

describe('master: an agent disconnects', () => {
  function withExecutor(checkpoint: boolean): { h: Harness; framework: SimFramework; agent: SimAgent } {
    const h = new Harness();
    const framework = h.subscribe({ info: { checkpoint } });
    const agent = h.addAgent({ resources: 'cpus:2;mem:1024' });
    h.settle();
    const executor = { executor_id: { value: 'e1' }, command: { value: 'run-executor' }, resources: [scalar('mem', 64)] };
    launch(framework, offerOn(framework, agent), [{ ...commandTask(agent, 't1'), command: undefined, executor }]);
    expect(h.state.frameworks.get(framework.id ?? '')?.executors.get(agent.id ?? '')?.has('e1')).toBe(true);
    return { h, framework, agent };
  }

  const charged = (h: Harness, framework: SimFramework, agent: SimAgent, name: string): number =>
    h.state.allocator.agent(agent.id ?? '').offeredOrAllocated.get(framework.id ?? '')?.scalarValue(name) ?? 0;

  it("forgets the executors of a framework that does not checkpoint and gives their resources back", () => {
    const { h, framework, agent } = withExecutor(false);
    expect(charged(h, framework, agent, 'mem')).toBe(64);
    agent.disconnect();
    expect(h.state.frameworks.get(framework.id ?? '')?.executors.has(agent.id ?? '')).toBe(false);
    expect(charged(h, framework, agent, 'mem')).toBe(0);
    expect(charged(h, framework, agent, 'cpus')).toBe(0);
  });

  it('keeps the executors of a framework that checkpoints, and their resources', () => {
    const { h, framework, agent } = withExecutor(true);
    agent.disconnect();
    expect(h.state.frameworks.get(framework.id ?? '')?.executors.get(agent.id ?? '')?.has('e1')).toBe(true);
    expect(charged(h, framework, agent, 'mem')).toBe(64);
  });
});
