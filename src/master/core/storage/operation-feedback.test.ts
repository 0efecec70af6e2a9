/**
 * Feedback on storage operations (spec/storage.md 2.0.3, 2.0.5, 2.0.7; berth
 * gives it on agent default resources, docs/differences.md) through the
 * harness: a framework accepts operations with ids; the simulated agent
 * reports OPERATION_STATUS when the test says so; the test reads the
 * UPDATE_OPERATION_STATUS events the framework gets, the acknowledgements the
 * agent gets, the answers to RECONCILE_OPERATIONS, and, when the agent reports
 * a failure, the offers rescinded and the view the next offer is built on.
 */
import { describe, expect, it } from 'vitest';
import type { SimAgent } from '../../../testing/sim-agent.js';
import type { SimFramework } from '../../../testing/sim-framework.js';
import type { WireOperationStatus } from '../../../protocol/outputs.js';
import {
  accept,
  create,
  onlyOffer,
  reserve,
  reserved,
  reservedDiskIn,
  scalar,
  storageSetup,
  volume,
  type StorageSetup,
} from './testing/fixtures.js';

function statuses(framework: SimFramework): WireOperationStatus[] {
  return framework.eventsOf('UPDATE_OPERATION_STATUS').map((e) => e.update_operation_status.status);
}

function acknowledge(framework: SimFramework, operationId: string, agentId: string, uuid: string) {
  return framework.call({
    type: 'ACKNOWLEDGE_OPERATION_STATUS',
    acknowledge_operation_status: { operation_id: { value: operationId }, agent_id: { value: agentId }, uuid },
  } as never);
}

function reconcile(framework: SimFramework, operationIds: string[]) {
  return framework.call({
    type: 'RECONCILE_OPERATIONS',
    reconcile_operations: { operations: operationIds.map((value) => ({ operation_id: { value } })) },
  } as never);
}

/** The `index`th APPLY_OPERATION the agent received; fails the test when there is none. */
function applied(agent: SimAgent, index = 0): ReturnType<SimAgent['appliedOperations']>[number] {
  const operation = agent.appliedOperations()[index];
  if (operation === undefined) throw new Error(`the agent received no APPLY_OPERATION number ${index}`);
  return operation;
}

/** The framework reserves disk:1024 with id op-1; the agent has not reported yet. */
function reserveWithId(options: Parameters<typeof storageSetup>[0] = {}): StorageSetup {
  const setup = storageSetup(options);
  expect(accept(setup.framework, [onlyOffer(setup.framework).id.value], [reserve([reserved(scalar('disk', 1024))], 'op-1')])?.status).toBe(202);
  return setup;
}

describe('master: storage operation feedback', () => {
  it('sends nothing for an operation with an id until the agent reports; the agent is told the id', () => {
    const { framework, agent } = reserveWithId();
    expect(statuses(framework)).toEqual([]);
    expect(agent.appliedOperations().map((op) => op.operation_id?.value)).toEqual(['op-1']);
  });

  it('forwards the agent\'s OPERATION_FINISHED as UPDATE_OPERATION_STATUS with the operation id, state, agent id and uuid', () => {
    const { framework, agent } = reserveWithId();
    const report = agent.reportOperation(applied(agent));
    expect(statuses(framework)).toEqual([
      { operation_id: { value: 'op-1' }, state: 'OPERATION_FINISHED', uuid: { value: report.status_uuid }, agent_id: { value: agent.id } },
    ]);
  });

  it('passes the framework\'s ACKNOWLEDGE_OPERATION_STATUS to the agent with the status uuid', () => {
    const { framework, agent } = reserveWithId();
    const report = agent.reportOperation(applied(agent));
    expect(acknowledge(framework, 'op-1', agent.id ?? '', report.status_uuid)?.status).toBe(202);
    const acks = agent.received.filter((r) => r.type === 'ACKNOWLEDGE_OPERATION_STATUS');
    expect(acks).toMatchObject([{ acknowledge_operation_status: { status_uuid: report.status_uuid } }]);
  });

  it('answers RECONCILE_OPERATIONS with the latest state until the update is acknowledged, and OPERATION_UNKNOWN after', () => {
    const { h, framework, agent } = reserveWithId();
    reconcile(framework, ['op-1']);
    expect(statuses(framework).at(-1)).toMatchObject({ operation_id: { value: 'op-1' }, state: 'OPERATION_PENDING', agent_id: { value: agent.id } });

    const report = agent.reportOperation(applied(agent));
    reconcile(framework, ['op-1']);
    expect(statuses(framework).at(-1)).toEqual({
      operation_id: { value: 'op-1' },
      state: 'OPERATION_FINISHED',
      uuid: { value: report.status_uuid },
      agent_id: { value: agent.id },
    });

    acknowledge(framework, 'op-1', agent.id ?? '', report.status_uuid);
    expect(h.state.operations.size, 'the master forgets an acknowledged operation').toBe(0);
    reconcile(framework, ['op-1']);
    expect(statuses(framework).at(-1)).toMatchObject({ operation_id: { value: 'op-1' }, state: 'OPERATION_UNKNOWN' });
  });

  it('answers 400 to an acknowledgement whose uuid is not 16 bytes, and tells the agent nothing', () => {
    const { framework, agent } = reserveWithId();
    agent.reportOperation(applied(agent));
    const reply = acknowledge(framework, 'op-1', agent.id ?? '', Buffer.from('short').toString('base64'));
    expect(reply?.status).toBe(400);
    expect(agent.received.filter((r) => r.type === 'ACKNOWLEDGE_OPERATION_STATUS')).toEqual([]);
  });

  it('drops an operation asking for feedback on an agent without AGENT_OPERATION_FEEDBACK, with OPERATION_ERROR saying so', () => {
    const { framework, agent } = reserveWithId({ agent: { capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'] } });
    expect(agent.appliedOperations()).toEqual([]);
    const [status] = statuses(framework);
    expect(status).toMatchObject({ operation_id: { value: 'op-1' }, state: 'OPERATION_ERROR' });
    expect(status?.agent_id, 'a dropped operation names no agent').toBeUndefined();
    expect(status?.message).toContain(
      `Operation on agent default resources requested feedback, but agent ${agent.id ?? ''} does not have the required AGENT_OPERATION_FEEDBACK`,
    );
  });

  it('sends no UPDATE_OPERATION_STATUS for an operation without an id, and forgets it once the agent reports', () => {
    const { h, framework, agent } = storageSetup();
    accept(framework, [onlyOffer(framework).id.value], [reserve([reserved(scalar('disk', 1024))])]);
    expect(applied(agent).operation_id).toBeUndefined();
    expect(h.state.operations.size, 'tracked until the agent reports').toBe(1);
    agent.reportOperation(applied(agent));
    expect(statuses(framework)).toEqual([]);
    expect(h.state.operations.size).toBe(0);
  });

  it('adopts the total the agent reports with OPERATION_FAILED: offers are rescinded and the next offer is built on the agent\'s view', () => {
    const { h, framework, agent } = reserveWithId();
    h.advance(1_000);
    const held = onlyOffer(framework);
    expect(reservedDiskIn(held), 'the master offers its own view first').toBe(1024);

    const report = agent.reportOperation(applied(agent), {
      state: 'OPERATION_FAILED',
      message: 'disk full',
      resourceVersion: 'agent-view',
    });
    expect(framework.eventsOf('RESCIND').map((e) => e.rescind.offer_id.value)).toEqual([held.id.value]);
    expect(statuses(framework)).toEqual([
      { operation_id: { value: 'op-1' }, state: 'OPERATION_FAILED', message: 'disk full', uuid: { value: report.status_uuid }, agent_id: { value: agent.id } },
    ]);
    const model = h.state.agents.get(agent.id ?? '');
    expect(model?.resourceVersion).toBe('agent-view');
    expect(model?.totalResources.toString()).toBe('cpus:4; mem:4096; disk:4096');

    h.advance(5_000);
    const next = onlyOffer(framework);
    expect(reservedDiskIn(next)).toBe(0);
    const disk = next.resources.find((r) => r['name'] === 'disk') as { scalar: { value: number } } | undefined;
    expect(disk?.scalar.value).toBe(4096);
  });

  it('does not take the total of a failed operation when a later one is on its way, nor of a failure reported again', () => {
    const { h, framework, agent } = storageSetup();
    accept(framework, [onlyOffer(framework).id.value], [reserve([reserved(scalar('disk', 1024))], 'op-1'), create([volume(512, 'pv-1')], 'op-2')]);
    const model = h.state.agents.get(agent.id ?? '');
    const version = model?.resourceVersion;

    const failed = agent.reportOperation(applied(agent, 0), { state: 'OPERATION_FAILED', message: 'disk full', resourceVersion: 'old' });
    expect(model?.resourceVersion, 'op-2 carries op-1: its report will say').toBe(version);
    agent.reportOperation(applied(agent, 1));
    expect(model?.resourceVersion).toBe(version);

    agent.send({ type: 'OPERATION_STATUS', operation_status: failed });
    expect(model?.resourceVersion, 'a failure reported again is old news').toBe(version);
    expect(model?.totalResources.persistentVolumes().size).toBe(1);
  });

  it('settles earlier pending operations when the agent finishes a later one (each carried the whole set)', () => {
    const { framework, agent } = storageSetup();
    accept(framework, [onlyOffer(framework).id.value], [reserve([reserved(scalar('disk', 1024))], 'op-1'), create([volume(512, 'pv-1')], 'op-2')]);
    const report = agent.reportOperation(applied(agent, 1));
    const seen = statuses(framework);
    expect(seen.map((s) => [s.operation_id?.value, s.state, s.agent_id?.value])).toEqual([
      ['op-1', 'OPERATION_FINISHED', agent.id],
      ['op-2', 'OPERATION_FINISHED', agent.id],
    ]);
    expect(seen[1]?.uuid).toEqual({ value: report.status_uuid });
    expect(Buffer.from(seen[0]?.uuid?.value ?? '', 'base64')).toHaveLength(16);

    reconcile(framework, ['op-1', 'op-2']);
    expect(statuses(framework).slice(2).map((s) => [s.operation_id?.value, s.state])).toEqual([
      ['op-1', 'OPERATION_FINISHED'],
      ['op-2', 'OPERATION_FINISHED'],
    ]);
  });

  it('drops an operation its agent never reported on when the agent is removed: OPERATION_DROPPED, and reconciliation no longer knows it', () => {
    const { framework, agent } = reserveWithId();

    agent.send({ type: 'UNREGISTER' });

    expect(statuses(framework)).toEqual([
      { operation_id: { value: 'op-1' }, state: 'OPERATION_DROPPED', message: 'Agent removed', agent_id: { value: agent.id } },
    ]);
    reconcile(framework, ['op-1']);
    expect(statuses(framework).at(-1)?.state).toBe('OPERATION_UNKNOWN');
  });
});
