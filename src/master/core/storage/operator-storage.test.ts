/**
 * The v1 operator storage calls (spec/storage.md 5.1 steps 8-14, 5.2) through
 * `h.step({ type: 'operator_call', call })`: the test reads the reply
 * (status and body), what the agent is sent (an APPLY_OPERATION without a
 * framework), which outstanding offers are rescinded (RESCIND to their
 * framework) and which are kept, and what the role is offered afterwards.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../../testing/harness.js';
import type { OperatorCall } from '../../../protocol/operator.js';
import type { Reply } from '../../core/events.js';
import {
  accept,
  create,
  launch,
  onlyOffer,
  principal,
  reservationRolesIn,
  reserve,
  reserved,
  reservedDiskIn,
  scalar,
  storageFrameworkCapabilities,
  storageSetup,
  task,
  volume,
  volumesIn,
  type WireResource,
} from './testing/fixtures.js';

function operatorCall(h: Harness, call: Record<string, unknown>): Reply | undefined {
  return h.step({ type: 'operator_call', call: call as unknown as OperatorCall });
}

const reserveResources = (agentId: string, resources: WireResource[]) => ({
  type: 'RESERVE_RESOURCES',
  reserve_resources: { agent_id: { value: agentId }, resources },
});
const createVolumes = (agentId: string, volumes: WireResource[]) => ({
  type: 'CREATE_VOLUMES',
  create_volumes: { agent_id: { value: agentId }, volumes },
});
const destroyVolumes = (agentId: string, volumes: WireResource[]) => ({
  type: 'DESTROY_VOLUMES',
  destroy_volumes: { agent_id: { value: agentId }, volumes },
});

/** A harness with one agent (cpus:4;mem:4096;disk:4096) and no framework: nothing is offered. */
function agentOnly(resources = 'cpus:4;mem:4096;disk:4096') {
  const h = new Harness();
  const agent = h.addAgent({ resources });
  h.settle();
  return { h, agent, agentId: agent.id ?? '' };
}

describe('master: operator storage calls', () => {
  it('RESERVE_RESOURCES answers 202 and sends the agent an APPLY_OPERATION without a framework; the role is then offered the reservation', () => {
    const { h, agent, agentId } = agentOnly();
    expect(operatorCall(h, reserveResources(agentId, [reserved(scalar('disk', 1024))]))).toEqual({ status: 202 });
    const [applied] = agent.appliedOperations();
    expect(applied?.operation_type).toBe('RESERVE');
    expect(applied?.framework_id).toBeUndefined();
    expect(applied?.operation_id).toBeUndefined();
    expect(agent.checkpointedAfterOperations()[0]).toEqual([reserved(scalar('disk', 1024))]);

    const framework = h.subscribe({ roles: ['eng'], capabilities: storageFrameworkCapabilities, info: { principal } });
    h.settle();
    expect(reservedDiskIn(onlyOffer(framework))).toBe(1024);
    expect(framework.eventsOf('UPDATE_OPERATION_STATUS'), 'operator operations have no feedback').toEqual([]);
  });

  it('answers 400 for an unknown agent', () => {
    const { h } = agentOnly();
    expect(operatorCall(h, reserveResources('no-such-agent', [reserved(scalar('disk', 1024))]))).toEqual({
      status: 400,
      body: 'No agent found with specified ID',
    });
  });

  it('answers 409 with "does not contain" when the agent\'s available resources are insufficient, and sends the agent nothing', () => {
    const { h, agent, agentId } = agentOnly();
    const reply = operatorCall(h, reserveResources(agentId, [reserved(scalar('disk', 8192))]));
    expect(reply?.status).toBe(409);
    expect(reply?.body).toContain('does not contain');
    expect(agent.appliedOperations()).toEqual([]);
  });

  it('rescinds an outstanding offer holding what is reserved, and keeps one that does not', () => {
    const { h, agent, agentId } = agentOnly('cpus:4;mem:4096;disk:4096;cpus(b):1;mem(b):256');
    const a = h.subscribe({ roles: ['a'], capabilities: storageFrameworkCapabilities });
    h.settle();
    const b = h.subscribe({ roles: ['b'], capabilities: storageFrameworkCapabilities });
    h.settle();
    const heldByA = onlyOffer(a);
    const heldByB = onlyOffer(b);
    expect(reservationRolesIn(heldByB), 'b holds only its static reservation').toEqual(['b']);
    expect(reservationRolesIn(heldByA)).toEqual(['*']);

    expect(operatorCall(h, reserveResources(agentId, [reserved(scalar('cpus', 1), 'a')]))?.status).toBe(202);
    expect(a.eventsOf('RESCIND').map((e) => e.rescind.offer_id.value)).toEqual([heldByA.id.value]);
    expect(b.eventsOf('RESCIND')).toEqual([]);
    expect(h.state.offers.has(heldByB.id.value)).toBe(true);
    expect(agent.appliedOperations().map((op) => op.operation_type)).toEqual(['RESERVE']);
  });

  it('CREATE_VOLUMES answers 202 and the agent is sent the volume in its checkpointed set', () => {
    const { h, agent, agentId } = agentOnly();
    operatorCall(h, reserveResources(agentId, [reserved(scalar('disk', 1024))]));
    expect(operatorCall(h, createVolumes(agentId, [volume(512, 'pv-1')]))).toEqual({ status: 202 });
    const created = agent.appliedOperations()[1];
    expect(created?.operation_type).toBe('CREATE');
    expect(agent.checkpointedAfterOperations()[1]).toEqual([reserved(scalar('disk', 512)), volume(512, 'pv-1')]);

    const framework = h.subscribe({ roles: ['eng'], capabilities: storageFrameworkCapabilities, info: { principal } });
    h.settle();
    expect([...volumesIn(onlyOffer(framework))]).toEqual([['pv-1', 512]]);
  });

  it('DESTROY_VOLUMES of a volume a task uses answers 400 saying it is in use', () => {
    const setup = storageSetup();
    const { h, framework, agent } = setup;
    const pv = volume(512, 'pv-1');
    accept(framework, [onlyOffer(framework).id.value], [
      reserve([reserved(scalar('disk', 1024))]),
      create([pv]),
      launch([task(agent, 't1', [scalar('cpus', 1), pv])]),
    ]);
    expect(agent.received.filter((r) => r.type === 'RUN_TASK')).toHaveLength(1);
    const reply = operatorCall(h, destroyVolumes(agent.id ?? '', [pv]));
    expect(reply?.status).toBe(400);
    expect(reply?.body).toContain('Invalid DESTROY operation');
    expect(reply?.body).toContain('Persistent volumes in use');
    expect(agent.appliedOperations().map((op) => op.operation_type)).toEqual(['RESERVE', 'CREATE']);
  });

  it('GROW_VOLUME without agent_id answers 400', () => {
    const { h } = agentOnly();
    const reply = operatorCall(h, {
      type: 'GROW_VOLUME',
      grow_volume: { volume: volume(512, 'pv-1'), addition: reserved(scalar('disk', 512)) },
    });
    expect(reply?.status).toBe(400);
    expect(reply?.body).toContain("Expecting 'agent_id' to be present");
  });
});
