/**
 * Agents' checkpointed resources across (re-)registration (spec/storage.md
 * 2.9 item 3, 3.7) through the harness. The simulated agent keeps what each
 * APPLY_OPERATION and CHECKPOINT_RESOURCES gave it and reports that (set and
 * resource version) when it links again; a test makes it report an older
 * state, as after a lost message, by setting those fields before it links.
 * The test reads what the agent is sent after its REGISTERED, the master's
 * model of the agent, and the next offer; a fresh harness plays a new master.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../../testing/harness.js';
import type { SimAgent } from '../../../testing/sim-agent.js';
import type { LinkRequest } from '../../../protocol/internal.js';
import {
  accept,
  create,
  onlyOffer,
  principal,
  reserve,
  reserved,
  reservedDiskIn,
  scalar,
  storageFrameworkCapabilities,
  storageSetup,
  volume,
  volumesIn,
  type StorageSetup,
} from './testing/fixtures.js';

const pv1 = volume(512, 'pv-1');

/** RESERVE disk:1024 and CREATE pv-1 (512), without ids; the agent is sent both and reports on neither. */
function reserveAndCreate(): StorageSetup {
  const setup = storageSetup();
  accept(setup.framework, [onlyOffer(setup.framework).id.value], [reserve([reserved(scalar('disk', 1024))]), create([pv1])]);
  expect(setup.agent.appliedOperations()).toHaveLength(2);
  return setup;
}

/** The agent's link breaks and it links again; returns the types of the records sent on the new link. */
function relink(agent: SimAgent): string[] {
  agent.disconnect();
  const before = agent.received.length;
  expect(agent.link()?.status).toBe(200);
  return agent.received.slice(before).map((r) => r.type).filter((type) => type !== 'PING');
}

/** The dynamic reservation and volume an agent checkpointed before a master fail-over. */
const checkpointedBefore = [reserved(scalar('disk', 512)), pv1] as unknown as LinkRequest['checkpointed_resources'];

describe('master: agent re-registration: checkpointed resources', () => {
  it('keeps its view when the agent re-registers with the master\'s resource version, and sends nothing more', () => {
    const { h, framework, agent } = reserveAndCreate();
    const model = h.state.agents.get(agent.id ?? '');
    const version = model?.resourceVersion;
    expect(agent.resourceVersion).toBe(version);

    expect(relink(agent)).toEqual(['REGISTERED', 'UPDATE_FRAMEWORK']);
    expect(model?.resourceVersion).toBe(version);
    expect(model?.totalResources.persistentVolumes().toList().map((r) => r.disk?.persistence?.id)).toEqual(['pv-1']);
    expect(h.state.operations.size, 'operations without feedback the agent has are done').toBe(0);

    h.advance(1_000);
    expect([...volumesIn(onlyOffer(framework))]).toEqual([['pv-1', 512]]);
  });

  it('sends an agent with an older version the last pending APPLY_OPERATION again, with the whole set in place of its conversions, after REGISTERED', () => {
    const { h, agent } = reserveAndCreate();
    const [first, last] = agent.appliedOperations();
    const [afterFirst, afterLast] = agent.checkpointedAfterOperations();
    // The agent lost the CREATE: it reports what the RESERVE gave it.
    agent.checkpointedResources = afterFirst;
    agent.resourceVersion = first?.resource_version;

    expect(relink(agent)).toEqual(['REGISTERED', 'APPLY_OPERATION', 'UPDATE_FRAMEWORK']);
    const { conversions: _conversions, base_resource_version: _base, ...operation } = last ?? { conversions: [] };
    expect(agent.appliedOperations().at(-1)).toEqual({ ...operation, checkpointed_resources: afterLast });
    expect(agent.resourceVersion).toBe(h.state.agents.get(agent.id ?? '')?.resourceVersion);
  });

  it('sends an agent with an older version CHECKPOINT_RESOURCES with the complete set when no operation is pending', () => {
    const { h, agent } = reserveAndCreate();
    const [first, last] = agent.appliedOperations();
    const [afterFirst, afterLast] = agent.checkpointedAfterOperations();
    if (first === undefined || last === undefined) throw new Error('expected two operations');
    agent.reportOperation(last);
    expect(h.state.operations.size, 'the report settled both operations').toBe(0);
    // The agent came back with an older state (e.g. its disk was restored).
    agent.checkpointedResources = afterFirst;
    agent.resourceVersion = first.resource_version;

    expect(relink(agent)).toEqual(['REGISTERED', 'CHECKPOINT_RESOURCES', 'UPDATE_FRAMEWORK']);
    const sent = agent.received.find((r) => r.type === 'CHECKPOINT_RESOURCES');
    expect(sent).toMatchObject({
      checkpoint_resources: {
        resource_version: h.state.agents.get(agent.id ?? '')?.resourceVersion,
        checkpointed_resources: afterLast,
      },
    });
  });

  it('sends an operation made while the agent was disconnected when it re-registers', () => {
    const { h, agent } = storageSetup();
    agent.disconnect();
    const reply = h.step({
      type: 'operator_call',
      call: { type: 'RESERVE_RESOURCES', reserve_resources: { agent_id: { value: agent.id ?? '' }, resources: [reserved(scalar('disk', 1024))] } } as never,
    });
    expect(reply?.status).toBe(202);
    expect(agent.appliedOperations(), 'the message is lost with the link').toEqual([]);

    expect(relink(agent)).toEqual(['REGISTERED', 'APPLY_OPERATION', 'UPDATE_FRAMEWORK']);
    expect(agent.appliedOperations()[0]).toMatchObject({ operation_type: 'RESERVE' });
    expect(agent.checkpointedAfterOperations()[0]).toEqual([reserved(scalar('disk', 1024))]);
  });

  it('settles an operation the agent reports in its link request, and forwards the update to the framework', () => {
    const setup = storageSetup();
    const { framework, agent } = setup;
    accept(framework, [onlyOffer(framework).id.value], [reserve([reserved(scalar('disk', 1024))], 'op-1')]);
    const [applied] = agent.appliedOperations();
    if (applied === undefined) throw new Error('no APPLY_OPERATION');
    const update = agent.operationStatus(applied);
    agent.operationUpdates = [update];

    expect(relink(agent)).toEqual(['REGISTERED', 'UPDATE_FRAMEWORK']);
    const statuses = framework.eventsOf('UPDATE_OPERATION_STATUS').map((e) => e.update_operation_status.status);
    expect(statuses).toEqual([
      { operation_id: { value: 'op-1' }, state: 'OPERATION_FINISHED', uuid: { value: update.status_uuid }, agent_id: { value: agent.id } },
    ]);
  });
});

describe('master: agent re-registration after a master fail-over', () => {
  function newMaster(): { h: Harness; framework: ReturnType<Harness['subscribe']> } {
    const h = new Harness({ seed: 7 });
    const framework = h.subscribe({ roles: ['eng'], capabilities: storageFrameworkCapabilities, info: { principal } });
    return { h, framework };
  }

  it('adopts the checkpointed resources the agent reports, sends it nothing to checkpoint, and offers the volume to the role', () => {
    const { h, framework } = newMaster();
    const agent = h.addAgent({
      agentId: 'old-S0',
      resources: 'cpus:4;mem:4096;disk:4096',
      checkpointedResources: checkpointedBefore,
      resourceVersion: 'v-agent',
    });
    h.settle();
    expect(agent.linked).toBe(true);
    expect(agent.received.map((r) => r.type).filter((t) => t === 'APPLY_OPERATION' || t === 'CHECKPOINT_RESOURCES')).toEqual([]);
    expect(h.state.agents.get('old-S0')?.resourceVersion).toBe('v-agent');

    const offer = onlyOffer(framework);
    expect([...volumesIn(offer)]).toEqual([['pv-1', 512]]);
    expect(reservedDiskIn(offer)).toBe(512);
    const plain = offer.resources.find((r) => r['name'] === 'disk' && r['reservations'] === undefined) as { scalar: { value: number } } | undefined;
    expect(plain?.scalar.value, 'the reservation is carved out of the declared disk').toBe(3072);
  });

  it('forwards the operation updates of the link request to their framework, and passes its acknowledgement to the agent', () => {
    const { h, framework } = newMaster();
    const statusUuid = Buffer.alloc(16, 9).toString('base64');
    const agent = h.addAgent({
      agentId: 'old-S0',
      checkpointedResources: checkpointedBefore,
      resourceVersion: 'v-agent',
      operationUpdates: [
        {
          operation_uuid: 'op-uuid-from-before',
          framework_id: { value: framework.id ?? '' },
          operation_id: { value: 'op-7' },
          state: 'OPERATION_FINISHED',
          status_uuid: statusUuid,
          resource_version: 'v-agent',
          total_resources: [],
        },
      ],
    });
    const statuses = framework.eventsOf('UPDATE_OPERATION_STATUS').map((e) => e.update_operation_status.status);
    expect(statuses).toEqual([
      { operation_id: { value: 'op-7' }, state: 'OPERATION_FINISHED', uuid: { value: statusUuid }, agent_id: { value: 'old-S0' } },
    ]);
    // Recorded until acknowledged: reconciliation knows it, explicitly and implicitly (issue 6, point 5).
    framework.call({ type: 'RECONCILE_OPERATIONS', reconcile_operations: { operations: [{ operation_id: { value: 'op-7' } }] } } as never);
    framework.call({ type: 'RECONCILE_OPERATIONS', reconcile_operations: {} } as never);
    expect(framework.eventsOf('UPDATE_OPERATION_STATUS').slice(1).map((e) => e.update_operation_status.status)).toEqual([statuses[0], statuses[0]]);

    framework.call({
      type: 'ACKNOWLEDGE_OPERATION_STATUS',
      acknowledge_operation_status: { operation_id: { value: 'op-7' }, agent_id: { value: 'old-S0' }, uuid: statusUuid },
    } as never);
    expect(agent.received.filter((r) => r.type === 'ACKNOWLEDGE_OPERATION_STATUS')).toMatchObject([
      { acknowledge_operation_status: { status_uuid: statusUuid } },
    ]);
    framework.call({ type: 'RECONCILE_OPERATIONS', reconcile_operations: { operations: [{ operation_id: { value: 'op-7' } }] } } as never);
    expect(framework.eventsOf('UPDATE_OPERATION_STATUS').at(-1)?.update_operation_status.status).toMatchObject({ state: 'OPERATION_UNKNOWN' });
  });
});
