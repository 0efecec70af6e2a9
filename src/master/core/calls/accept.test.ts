/**
 * ACCEPT with invalid offers (spec/core.md 1.5.3) through the harness: launches
 * are lost (dropped for partition-aware frameworks); every other operation
 * with an id gets OPERATION_ERROR, in operation order; one without an id is
 * dropped silently.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../../testing/harness.js';
import type { SimFramework } from '../../../testing/sim-framework.js';

function setup(capabilities: string[] = ['MULTI_ROLE']): { framework: SimFramework; agentId: string; offerId: string } {
  const h = new Harness();
  const framework = h.subscribe({ capabilities });
  const agent = h.addAgent({ resources: 'cpus:2;mem:1024;disk:1024' });
  h.settle();
  const [offer] = framework.currentOffers();
  if (offer === undefined) throw new Error('no offer');
  return { framework, agentId: agent.id ?? '', offerId: offer.id.value };
}

const cpus = [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }];

function task(agentId: string, id: string) {
  return { name: id, task_id: { value: id }, agent_id: { value: agentId }, resources: cpus, command: { value: 'sleep 100' } };
}

function accept(framework: SimFramework, offerIds: string[], operations: object[]) {
  return framework.call({ type: 'ACCEPT', accept: { offer_ids: offerIds.map((value) => ({ value })), operations } } as never);
}

describe('master: ACCEPT with invalid offers', () => {
  it('answers each operation with an id with OPERATION_ERROR, and each task with TASK_LOST, in operation order', () => {
    const { framework, agentId } = setup();
    const operations = [
      { type: 'RESERVE', id: { value: 'op-1' }, reserve: { resources: cpus } },
      { type: 'LAUNCH', launch: { task_infos: [task(agentId, 't1')] } },
      { type: 'CREATE', create: { volumes: [] } },
      { type: 'UNRESERVE', id: { value: 'op-2' }, unreserve: { resources: cpus } },
    ];
    expect(accept(framework, ['no-such-offer'], operations)?.status).toBe(202);
    const answers = framework.events
      .filter((e) => e.type === 'UPDATE' || e.type === 'UPDATE_OPERATION_STATUS')
      .map((e) =>
        e.type === 'UPDATE'
          ? ['task', e.update.status.task_id.value, e.update.status.state, e.update.status.reason, e.update.status.message]
          : e.type === 'UPDATE_OPERATION_STATUS'
            ? ['operation', e.update_operation_status.status.operation_id?.value, e.update_operation_status.status.state, e.update_operation_status.status.message]
            : [],
      );
    expect(answers).toEqual([
      ['operation', 'op-1', 'OPERATION_ERROR', 'Operation attempted with invalid offers: Offer no-such-offer is no longer valid'],
      ['task', 't1', 'TASK_LOST', 'REASON_INVALID_OFFERS', 'Task launched with invalid offers: Offer no-such-offer is no longer valid'],
      ['operation', 'op-2', 'OPERATION_ERROR', 'Operation attempted with invalid offers: Offer no-such-offer is no longer valid'],
    ]);
  });

  it('gives the OPERATION_ERROR only the operation id and the state, no agent (Mesos cannot be sure of it)', () => {
    const { framework, offerId } = setup(['MULTI_ROLE', 'PARTITION_AWARE']);
    accept(framework, [offerId, offerId], [{ type: 'DESTROY', id: { value: 'op-3' }, destroy: { volumes: [] } }]);
    const status = framework.eventsOf('UPDATE_OPERATION_STATUS')[0]?.update_operation_status.status;
    expect(status).toEqual({
      operation_id: { value: 'op-3' },
      state: 'OPERATION_ERROR',
      message: `Operation attempted with invalid offers: Duplicate offer ${offerId} in offer list`,
    });
  });

  it('drops a launch of a partition-aware framework with TASK_DROPPED and sends no operation status for it', () => {
    const { framework, agentId } = setup(['MULTI_ROLE', 'PARTITION_AWARE']);
    accept(framework, [], [{ type: 'LAUNCH', launch: { task_infos: [task(agentId, 't2')] } }]);
    expect(framework.eventsOf('UPDATE').map((e) => [e.update.status.state, e.update.status.message])).toEqual([
      ['TASK_DROPPED', 'Task launched with invalid offers: No offers specified'],
    ]);
    expect(framework.eventsOf('UPDATE_OPERATION_STATUS')).toEqual([]);
  });
});
