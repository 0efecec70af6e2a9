/**
 * The master's side of running tasks through the harness: LAUNCH validation
 * and the RUN_TASK it sends, status updates from the agent forwarded with
 * their uuid, resources freed at the terminal state before the acknowledgement,
 * acknowledgements, kills and reconciliation of known tasks.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../testing/harness.js';
import type { SimAgent } from '../../testing/sim-agent.js';
import type { SimFramework } from '../../testing/sim-framework.js';

const uuid = (n: number): string => Buffer.alloc(16, n).toString('base64');

function setup(capabilities: string[] = ['MULTI_ROLE']): { h: Harness; framework: SimFramework; agent: SimAgent; offerId: string } {
  const h = new Harness();
  const framework = h.subscribe({ capabilities });
  const agent = h.addAgent({ resources: 'cpus:2;mem:1024;disk:1024' });
  h.settle();
  const [offer] = framework.currentOffers();
  if (offer === undefined) throw new Error('no offer');
  return { h, framework, agent, offerId: offer.id.value };
}

function task(agentId: string, id = 't1', resources = [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 128 } }]) {
  return { name: id, task_id: { value: id }, agent_id: { value: agentId }, resources, command: { value: 'sleep 100' } };
}

function launch(framework: SimFramework, offerId: string, tasks: object[]) {
  framework.offers.delete(offerId);
  return framework.call({ type: 'ACCEPT', accept: { offer_ids: [{ value: offerId }], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }] } } as never);
}

function statusUpdate(agent: SimAgent, frameworkId: string, taskId: string, state: string, n: number) {
  return agent.send({
    type: 'STATUS_UPDATE',
    status_update: {
      framework_id: { value: frameworkId },
      status: { task_id: { value: taskId }, state: state as never, source: 'SOURCE_EXECUTOR', uuid: uuid(n), agent_id: { value: agent.id ?? '' } },
    },
  });
}

describe('master: LAUNCH', () => {
  it('records the task as TASK_STAGING and sends it to the agent', () => {
    const { h, framework, agent, offerId } = setup();
    expect(launch(framework, offerId, [task(agent.id ?? '')])?.status).toBe(202);
    const run = agent.received.find((r) => r.type === 'RUN_TASK');
    expect(run).toMatchObject({ run_task: { task: { task_id: { value: 't1' } } } });
    expect(h.state.frameworks.get(framework.id ?? '')?.tasks.get('t1')?.state).toBe('TASK_STAGING');
  });

  it('answers TASK_ERROR naming the problem for resources beyond the offer', () => {
    const { framework, agent, offerId } = setup();
    launch(framework, offerId, [task(agent.id ?? '', 't1', [{ name: 'cpus', type: 'SCALAR', scalar: { value: 5 } }])]);
    const status = framework.eventsOf('UPDATE')[0]?.update.status;
    expect(status).toMatchObject({ state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER' });
    expect(status?.message).toContain('is more than available');
    expect(status?.uuid).toBeUndefined();
  });

  it('answers TASK_ERROR for a duplicate task id and still launches the first', () => {
    const { framework, agent, offerId } = setup();
    launch(framework, offerId, [task(agent.id ?? '', 'same'), task(agent.id ?? '', 'same')]);
    expect(framework.eventsOf('UPDATE')[0]?.update.status.message).toBe('Task has duplicate ID: same');
    expect(agent.received.filter((r) => r.type === 'RUN_TASK')).toHaveLength(1);
  });

  it('answers TASK_ERROR saying berth runs no images for a Docker container', () => {
    const { framework, agent, offerId } = setup();
    launch(framework, offerId, [{ ...task(agent.id ?? ''), container: { type: 'DOCKER', docker: { image: 'x' } } }]);
    expect(framework.eventsOf('UPDATE')[0]?.update.status.message).toContain('berth runs no container images');
  });

  it('answers TASK_LOST (TASK_DROPPED when partition aware) with REASON_INVALID_OFFERS for a stale offer', () => {
    for (const [capabilities, state] of [[['MULTI_ROLE'], 'TASK_LOST'], [['MULTI_ROLE', 'PARTITION_AWARE'], 'TASK_DROPPED']] as const) {
      const { framework, agent, offerId } = setup([...capabilities]);
      launch(framework, offerId, []);
      launch(framework, offerId, [task(agent.id ?? '')]);
      const status = framework.eventsOf('UPDATE')[0]?.update.status;
      expect(status).toMatchObject({ state, reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER' });
    }
  });

  it('launches two tasks on one new executor given the same ExecutorInfo, and refuses a different one under its id', () => {
    const { framework, agent, offerId } = setup();
    const executor = (name: string) => ({
      executor_id: { value: 'shared' },
      name,
      command: { value: 'run-executor' },
      resources: [{ name: 'mem', type: 'SCALAR', scalar: { value: 64 } }],
    });
    const small = [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }];
    const withExecutor = (id: string, name: string) => ({ ...task(agent.id ?? '', id, small), command: undefined, executor: executor(name) });
    launch(framework, offerId, [withExecutor('a', 'same'), withExecutor('b', 'same'), withExecutor('c', 'other')]);
    expect(agent.received.filter((r) => r.type === 'RUN_TASK')).toHaveLength(2);
    const updates = framework.eventsOf('UPDATE').map((e) => e.update.status);
    expect(updates.map((u) => [u.task_id.value, u.state, u.message])).toEqual([
      ['c', 'TASK_ERROR', 'ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID'],
    ]);
  });

  it('declines what the tasks did not use with the call\'s filters', () => {
    const { h, framework, agent, offerId } = setup();
    launch(framework, offerId, [task(agent.id ?? '')]);
    h.advance(1_000);
    expect(framework.eventsOf('OFFERS')).toHaveLength(1);
    h.advance(5_000);
    const second = framework.eventsOf('OFFERS')[1]?.offers.offers[0];
    const cpus = second?.resources.find((r) => r['name'] === 'cpus') as { scalar: { value: number } } | undefined;
    expect(cpus?.scalar.value).toBe(1);
  });
});

describe('master: status updates', () => {
  it('forwards an agent update with its uuid and frees resources at the terminal state before the acknowledgement', () => {
    const { h, framework, agent, offerId } = setup();
    launch(framework, offerId, [task(agent.id ?? '')]);
    statusUpdate(agent, framework.id ?? '', 't1', 'TASK_RUNNING', 1);
    const forwarded = framework.eventsOf('UPDATE')[0]?.update.status;
    expect(forwarded).toMatchObject({ state: 'TASK_RUNNING', uuid: uuid(1) });
    statusUpdate(agent, framework.id ?? '', 't1', 'TASK_FINISHED', 2);
    const allocator = h.state.allocator.agent(agent.id ?? '');
    expect(allocator.available.scalarValue('cpus')).toBe(2);
    expect(h.state.frameworks.get(framework.id ?? '')?.tasks.has('t1')).toBe(true);
    framework.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: agent.id ?? '' }, task_id: { value: 't1' }, uuid: uuid(2) } });
    expect(h.state.frameworks.get(framework.id ?? '')?.tasks.has('t1')).toBe(false);
    expect(agent.received.at(-1)).toMatchObject({ type: 'STATUS_UPDATE_ACKNOWLEDGEMENT', status_update_acknowledgement: { uuid: uuid(2) } });
  });

  it('reconciles a known task with the state last forwarded, without a uuid', () => {
    const { framework, agent, offerId } = setup();
    launch(framework, offerId, [task(agent.id ?? '')]);
    statusUpdate(agent, framework.id ?? '', 't1', 'TASK_RUNNING', 1);
    framework.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 't1' } }] } });
    const answer = framework.eventsOf('UPDATE').at(-1)?.update.status;
    expect(answer).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION' });
    expect(answer?.uuid).toBeUndefined();
  });

  it('sends a KILL for a known task to its agent', () => {
    const { framework, agent, offerId } = setup();
    launch(framework, offerId, [task(agent.id ?? '')]);
    expect(framework.call({ type: 'KILL', kill: { task_id: { value: 't1' } } })?.status).toBe(202);
    expect(agent.received.at(-1)).toMatchObject({ type: 'KILL_TASK', kill_task: { task_id: { value: 't1' } } });
  });

  it('loses the tasks of a framework that does not checkpoint when its agent\'s link breaks', () => {
    const { framework, agent, offerId } = setup();
    launch(framework, offerId, [task(agent.id ?? '')]);
    agent.disconnect();
    expect(framework.eventsOf('UPDATE').at(-1)?.update.status).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_AGENT_DISCONNECTED' });
  });

  it('asks a re-registering agent about tasks it did not report', () => {
    const { h, framework, agent, offerId } = setup();
    launch(framework, offerId, [task(agent.id ?? '')]);
    const state = h.state.frameworks.get(framework.id ?? '');
    if (state !== undefined) state.info = { ...state.info, checkpoint: true };
    agent.disconnect();
    h.advance(10);
    agent.link();
    expect(agent.received.find((r) => r.type === 'RECONCILE_TASKS')).toMatchObject({ reconcile_tasks: { tasks: [{ task_id: { value: 't1' } }] } });
  });
});
