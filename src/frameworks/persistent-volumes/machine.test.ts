/**
 * Method: the persistent-volumes machine is played against the in-memory
 * cluster of testing/fake-cluster.ts, which applies each ACCEPT as a master
 * would (operations in order, each contained in what is left of the offer)
 * and throws on anything a master would refuse. Tests read the outcome and
 * what the cluster holds afterwards.
 */
import { describe, expect, it } from 'vitest';
import { FakeCluster } from '../testing/fake-cluster.js';
import { PersistentVolumeMachine, type PersistentVolumeSettings } from './machine.js';

const role = 'eng';
const agentResources = 'cpus:2;mem:1024;disk:1024';

function machine(overrides: Partial<PersistentVolumeSettings> = {}): PersistentVolumeMachine {
  return new PersistentVolumeMachine({
    reserver: { role, principal: 'ops' },
    shardCount: 3,
    sharedShardCount: 1,
    tasksPerShard: 2,
    runId: 'pv-run',
    ...overrides,
  });
}

describe('persistent volumes: a whole run', () => {
  it('finishes every task, then destroys every volume and releases every reservation', () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources } });
    const outcome = cluster.play(machine());

    expect(outcome).toEqual({
      ok: true,
      summary: {
        framework: 'persistent-volumes',
        role,
        principal: 'ops',
        shards: [
          { name: 'shard-0', shared: false, agent_id: 'a1', volume_id: 'pv-run-shard-0', tasks: ['shard-0-task-0', 'shard-0-task-1'] },
          { name: 'shard-1', shared: false, agent_id: 'a1', volume_id: 'pv-run-shard-1', tasks: ['shard-1-task-0', 'shard-1-task-1'] },
          {
            name: 'shared-shard-2',
            shared: true,
            agent_id: 'a1',
            volume_id: 'pv-run-shared-shard-2',
            tasks: ['shared-shard-2-task-0', 'shared-shard-2-task-1'],
          },
        ],
        tasks_finished: 6,
      },
    });
    expect(cluster.reservedOn('a1').isEmpty()).toBe(true);
    expect(cluster.volumesOn('a1').isEmpty()).toBe(true);
  });

  it("runs a regular shard's tasks one at a time and a shared shard's later tasks all at once", () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources } });
    const outcome = cluster.play(machine({ shardCount: 2, sharedShardCount: 1, tasksPerShard: 4 }));

    expect(outcome?.ok).toBe(true);
    expect(Object.fromEntries(cluster.volumeConcurrencyMax)).toEqual({ 'pv-run-shard-0': 1, 'pv-run-shared-shard-1': 3 });
    expect(cluster.launched.map((task) => task.taskId).filter((id) => id.startsWith('shard-0'))).toEqual([
      'shard-0-task-0',
      'shard-0-task-1',
      'shard-0-task-2',
      'shard-0-task-3',
    ]);
  });

  it("gives each task a command that checks its predecessors' files before writing its own", () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources } });
    cluster.play(machine({ shardCount: 1, sharedShardCount: 0, tasksPerShard: 3 }));

    const commands = cluster.launched.map((task) => task.command);
    expect(commands[0]).toBe("echo 'shard-0-task-0' > 'volume'/task-0");
    expect(commands[2]).toContain('for f in task-0 task-1;');
    expect(commands[2]).toContain("> 'volume'/task-2");
  });

  it('spreads shards over agents when one agent cannot hold them all', () => {
    const small = 'cpus:0.1;mem:32;disk:8';
    const cluster = new FakeCluster({ role, agents: { a1: small, a2: small, a3: small } });
    const outcome = cluster.play(machine({ sharedShardCount: 0 }));

    expect(outcome?.ok).toBe(true);
    const agents = outcome?.ok === true ? outcome.summary.shards.map((shard) => shard.agent_id) : [];
    expect(new Set(agents)).toEqual(new Set(['a1', 'a2', 'a3']));
    for (const agent of ['a1', 'a2', 'a3']) expect(cluster.reservedOn(agent).isEmpty()).toBe(true);
  });

  it('waits, saying for what, when no offer can hold a shard', () => {
    const cluster = new FakeCluster({ role, agents: { a1: 'cpus:1;mem:1024;disk:4' } });
    const pv = machine({ shardCount: 1, sharedShardCount: 0 });
    cluster.offerAll(pv);

    expect(pv.outcome()).toBeUndefined();
    expect(pv.waitingFor()).toBe("shard-0: an offer holding cpus:0.1;mem:32;disk:8 unreserved for role 'eng'");
  });
});

describe('persistent volumes: failures', () => {
  it('ends with one line naming a refused CREATE and the reservation it leaves', () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources }, refusedOperationIds: ['shard-0-create'] });
    const outcome = cluster.play(machine({ shardCount: 1, sharedShardCount: 0 }));

    expect(outcome).toEqual({
      ok: false,
      error:
        'CREATE shard-0-create of shard-0 was refused: OPERATION_ERROR (refused by the test); ' +
        "left in place: the reservation of shard-0 (role 'eng') on agent a1",
    });
  });

  it('ends with one line naming a failed task, its state and what is left on the agent', () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources } });
    const pv = machine({ shardCount: 1, sharedShardCount: 0 });
    cluster.offerAll(pv);
    cluster.deliverOperationStatuses(pv);
    cluster.endTask(pv, 'shard-0-task-0', 'TASK_FAILED', 'Command exited with status 1');

    expect(pv.outcome()).toEqual({
      ok: false,
      error:
        'task shard-0-task-0 of shard-0 ended TASK_FAILED (Command exited with status 1); ' +
        "left in place: volume pv-run-shard-0 and the reservation of shard-0 (role 'eng') on agent a1",
    });
  });

  it('names, per agent, the volumes and reservations a run has made and not undone', () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources } });
    const pv = machine({ shardCount: 2, sharedShardCount: 0 });
    cluster.offerAll(pv);
    cluster.deliverOperationStatuses(pv);

    expect(pv.leftovers()).toBe("volumes pv-run-shard-0, pv-run-shard-1 and the reservations of shard-0, shard-1 (role 'eng') on agent a1");
    expect(cluster.play(pv)?.ok).toBe(true);
    expect(pv.leftovers()).toBe('');
  });

  it('counts a repeated terminal status once', () => {
    const cluster = new FakeCluster({ role, agents: { a1: agentResources } });
    const pv = machine({ shardCount: 1, sharedShardCount: 0, tasksPerShard: 2 });
    cluster.offerAll(pv);
    cluster.deliverOperationStatuses(pv);
    cluster.endTask(pv, 'shard-0-task-0');
    pv.step({
      type: 'task-status',
      status: { task_id: { value: 'shard-0-task-0' }, agent_id: { value: 'a1' }, state: 'TASK_FINISHED', timestamp: 0 },
    });
    const outcome = cluster.play(pv);

    expect(outcome?.ok === true ? outcome.summary.tasks_finished : undefined).toBe(2);
    expect(cluster.launched).toHaveLength(2);
  });
});
