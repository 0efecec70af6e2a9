/**
 * Method: the dynamic-reservation machine is played against the in-memory
 * cluster of testing/fake-cluster.ts (ACCEPTs applied as a master would,
 * anything a master would refuse throws); tests read the outcome and the
 * reservations left on the agents.
 */
import { describe, expect, it } from 'vitest';
import { Resources } from '../../resources/index.js';
import { FakeCluster } from '../testing/fake-cluster.js';
import { DynamicReservationMachine, type DynamicReservationSettings } from './machine.js';

const role = 'eng';
const agentResources = 'cpus:2;mem:1024;disk:1024';

function machine(overrides: Partial<DynamicReservationSettings> = {}): DynamicReservationMachine {
  return new DynamicReservationMachine({
    reserver: { role, principal: 'ops' },
    taskCount: 3,
    command: 'echo hello',
    taskResources: Resources.parse('cpus:1;mem:128'),
    ...overrides,
  });
}

describe('dynamic reservation: a whole run', () => {
  it('reserves on the agent, runs the tasks one after the other on the reservation, then unreserves', () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources } });
    const outcome = cluster.play(machine());

    expect(outcome).toEqual({
      ok: true,
      summary: {
        framework: 'dynamic-reservation',
        role,
        principal: 'ops',
        reservation: 'cpus:1;mem:128',
        agents: [{ agent_id: 'a1', tasks: ['task-0', 'task-1', 'task-2'] }],
        tasks_finished: 3,
      },
    });
    expect(cluster.reservedOn('a1').isEmpty()).toBe(true);
    const reservedCpus = cluster.launched.map((task) => task.resources.reserved(role).scalarValue('cpus'));
    expect(reservedCpus).toEqual([1, 1, 1]);
  });

  it('uses several agents at once, and releases every reservation', () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources, a2: agentResources } });
    const outcome = cluster.play(machine());

    expect(outcome?.ok === true ? outcome.summary.agents.map((agent) => agent.agent_id) : []).toEqual(['a1', 'a2']);
    expect(cluster.reservedOn('a1').isEmpty() && cluster.reservedOn('a2').isEmpty()).toBe(true);
  });

  it('reserves on no more agents than there are tasks', () => {
    const agents = Object.fromEntries(['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => [id, agentResources]));
    const cluster = new FakeCluster({ role, agents });
    const dr = machine({ taskCount: 2 });
    cluster.offerAll(dr);

    const reserved = cluster.agents.filter((agent) => !agent.total.reserved().isEmpty()).map((agent) => agent.id);
    expect(reserved).toEqual(['a1', 'a2']);
    expect(cluster.play(dr)?.ok).toBe(true);
  });

  it('waits, saying for what, when no agent can hold a task', () => {
    const cluster = new FakeCluster({ role, agents: { a1: 'cpus:0.5;mem:1024' } });
    const dr = machine();
    cluster.offerAll(dr);

    expect(dr.outcome()).toBeUndefined();
    expect(dr.waitingFor()).toBe("an offer holding cpus:1;mem:128 unreserved for role 'eng'");
  });
});

describe('dynamic reservation: failures', () => {
  it('ends with one line naming a refused RESERVE', () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources }, refusedOperationIds: ['reserve-1'] });

    expect(cluster.play(machine())).toEqual({
      ok: false,
      error: 'RESERVE reserve-1 on agent a1 was refused: OPERATION_ERROR (refused by the test)',
    });
  });

  it('ends with one line naming a failed task and the reservation it leaves', () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources } });
    const dr = machine();
    cluster.offerAll(dr);
    cluster.deliverOperationStatuses(dr);
    cluster.offerAll(dr);
    cluster.endTask(dr, 'task-0', 'TASK_FAILED', 'Command exited with status 3');

    expect(dr.outcome()).toEqual({
      ok: false,
      error: 'task task-0 on agent a1 ended TASK_FAILED (Command exited with status 3); left in place: the reservation on agent a1',
    });
  });
});
