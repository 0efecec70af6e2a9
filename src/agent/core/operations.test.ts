/**
 * Storage operations in the agent core (spec/storage.md 2.7, 2.9, 3.2): an
 * APPLY_OPERATION is taken at once and handed to the shell to commit; the
 * report follows the shell's answer (FINISHED once durable, FAILED with what
 * is on disk otherwise); reports the framework asked for are kept until
 * acknowledged and travel in the link request; tasks get their volumes and
 * are dropped when they use reservations the agent does not have.
 * Method: the agent driver (testing.ts) feeds master records and shell events
 * and inspects the effects.
 */
import { describe, expect, it } from 'vitest';
import type { MasterToAgentMessage, OperationStatusMessage } from '../../protocol/internal.js';
import { fromWireList, Resources, type WireResourceInput } from '../../resources/index.js';
import { emptyResourceState, type ResourceState } from '../volumes/checkpointed-resources.js';
import { AgentDriver, commandTask, FW, messages, ofType, sentUpdates } from './testing.js';

const reservedDisk: WireResourceInput = {
  name: 'disk',
  type: 'SCALAR',
  scalar: { value: 512 },
  reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }],
} as unknown as WireResourceInput;

function volumeOf(id: string, mode: 'RW' | 'RO' = 'RW'): WireResourceInput {
  return {
    ...(reservedDisk as object),
    disk: { persistence: { id, principal: 'ops' }, volume: { container_path: 'data', mode } },
  } as unknown as WireResourceInput;
}

function resources(...wire: WireResourceInput[]): Resources {
  const parsed = fromWireList(wire);
  if (!parsed.ok) throw new Error(parsed.error);
  return Resources.of(parsed.value);
}

function apply(version: string, checkpointed: WireResourceInput[], operationId?: string): MasterToAgentMessage {
  return {
    type: 'APPLY_OPERATION',
    apply_operation: {
      operation_uuid: `op-${version}`,
      operation_type: 'CREATE',
      framework_id: { value: FW },
      ...(operationId !== undefined ? { operation_id: { value: operationId } } : {}),
      resource_version: version,
      checkpointed_resources: checkpointed as never,
    },
  };
}

function registered(): AgentDriver {
  const d = new AgentDriver();
  d.link();
  return d;
}

function operationStatuses(effects: ReturnType<AgentDriver['tick']>): OperationStatusMessage[] {
  return messages(effects).flatMap((m) => (m.type === 'OPERATION_STATUS' ? [m.operation_status] : []));
}

function committed(d: AgentDriver, report: OperationStatusMessage | undefined, onDisk: ResourceState, error?: string, attempted?: ResourceState) {
  return d.step({ type: 'resources_committed', report, attempted: attempted ?? d.state.resourceState, onDisk, error }).effects;
}

describe('agent: storage operations', () => {
  it('takes an operation at once, asks the shell to commit it, and reports OPERATION_FINISHED only once it is durable', () => {
    const d = registered();

    const effects = d.master(apply('v1', [volumeOf('pv-1')])).effects;

    const [commit] = ofType(effects, 'commit_resources');
    expect(commit?.next.resources.equals(resources(volumeOf('pv-1')))).toBe(true);
    expect(commit?.next.version).toBe('v1');
    expect(operationStatuses(effects)).toEqual([]);
    expect(d.state.resourceState.resources.equals(resources(volumeOf('pv-1')))).toBe(true);
    expect(d.state.totalResources.scalarValue('disk')).toBe(10_000);

    const after = committed(d, commit?.report, commit?.next ?? emptyResourceState);
    expect(operationStatuses(after)).toMatchObject([{ operation_uuid: 'op-v1', state: 'OPERATION_FINISHED', resource_version: 'v1' }]);
  });

  it('goes back to what is on disk and reports OPERATION_FAILED with its total when the commit fails', () => {
    const d = registered();
    const [commit] = ofType(d.master(apply('v1', [volumeOf('pv-1')])).effects, 'commit_resources');

    const after = committed(d, commit?.report, emptyResourceState, "Failed to create the persistent volume pv-1 at '/x': EACCES");

    const [failed] = operationStatuses(after);
    expect(failed).toMatchObject({ state: 'OPERATION_FAILED', message: expect.stringContaining('EACCES') as unknown });
    expect(failed?.status_uuid).not.toBe(commit?.report?.status_uuid);
    expect(d.state.resourceState.resources.isEmpty()).toBe(true);
    expect(resources(...(failed?.total_resources as WireResourceInput[])).equals(d.state.totalResources)).toBe(true);
  });

  it('keeps a later operation it has taken when an earlier one fails to commit, so that nothing it made is undone', () => {
    const d = registered();
    const [first] = ofType(d.master(apply('v1', [volumeOf('pv-1')])).effects, 'commit_resources');
    const [second] = ofType(d.master(apply('v2', [volumeOf('pv-1'), volumeOf('pv-2')])).effects, 'commit_resources');

    const after = committed(d, first?.report, second?.next ?? emptyResourceState, 'EACCES', first?.next);

    expect(ofType(after, 'commit_resources')).toEqual([]);
    expect(d.state.resourceState.version).toBe('v2');
    expect(d.state.resourceState.resources.equals(resources(volumeOf('pv-1'), volumeOf('pv-2')))).toBe(true);
    expect(operationStatuses(after)).toMatchObject([{ operation_uuid: 'op-v1', state: 'OPERATION_FAILED', resource_version: 'v2' }]);
  });

  it('refuses a set that does not fit its declared resources, without committing anything', () => {
    const d = registered();
    const tooBig = { ...(reservedDisk as object), scalar: { value: 20_000 } } as unknown as WireResourceInput;

    const effects = d.master(apply('v1', [tooBig], 'op-big')).effects;

    expect(operationStatuses(effects)).toMatchObject([{ state: 'OPERATION_FAILED', operation_id: { value: 'op-big' } }]);
    expect(ofType(effects, 'commit_resources').map((c) => c.next.resources.isEmpty())).toEqual([true]);
    expect(d.state.resourceState.operationUpdates).toHaveLength(1);
  });

  it('keeps a report the framework asked for until it is acknowledged, and sends it in the link request', () => {
    const d = registered();
    const [commit] = ofType(d.master(apply('v1', [volumeOf('pv-1')], 'create-1')).effects, 'commit_resources');
    expect(commit?.next.operationUpdates.map((u) => u.operation_id?.value)).toEqual(['create-1']);
    committed(d, commit?.report, commit?.next ?? emptyResourceState);

    d.step({ type: 'link_closed', epoch: d.epoch ?? 0 });
    const request = d.openLink().request;
    expect(request.resource_version).toBe('v1');
    expect(request.checkpointed_resources).toHaveLength(1);
    expect(request.operation_updates?.map((u) => u.operation_id?.value)).toEqual(['create-1']);
    d.register();

    const statusUuid = commit?.report?.status_uuid ?? '';
    const acked = d.master({ type: 'ACKNOWLEDGE_OPERATION_STATUS', acknowledge_operation_status: { status_uuid: statusUuid } }).effects;
    expect(ofType(acked, 'commit_resources').map((c) => c.next.operationUpdates)).toEqual([[]]);
    expect(d.state.resourceState.operationUpdates).toEqual([]);
  });

  it('answers an operation it has applied already (sent again after a re-registration) without applying it twice', () => {
    const d = registered();
    const [commit] = ofType(d.master(apply('v1', [volumeOf('pv-1')], 'create-1')).effects, 'commit_resources');
    committed(d, commit?.report, commit?.next ?? emptyResourceState);

    const again = d.master(apply('v1', [volumeOf('pv-1')], 'create-1')).effects;

    expect(ofType(again, 'commit_resources')).toEqual([]);
    expect(operationStatuses(again).map((s) => s.status_uuid)).toEqual([commit?.report?.status_uuid]);
  });

  it('forgets the operation updates of a framework that is shut down', () => {
    const d = registered();
    const [commit] = ofType(d.master(apply('v1', [volumeOf('pv-1')], 'create-1')).effects, 'commit_resources');
    committed(d, commit?.report, commit?.next ?? emptyResourceState);
    d.runTask(commandTask('t1'));

    d.master({ type: 'SHUTDOWN_FRAMEWORK', shutdown_framework: { framework_id: { value: FW } } });

    expect(d.state.resourceState.operationUpdates).toEqual([]);
  });
});

describe('agent: tasks on volumes', () => {
  it('gives a command task its volumes, where they live on the agent and how the task sees them', () => {
    const d = registered();
    d.master(apply('v1', [volumeOf('pv-1', 'RO')]));

    const effects = d.runTask(commandTask('t1', { resources: [volumeOf('pv-1', 'RO')] }));

    const [launch] = ofType(effects, 'launch_container');
    expect(launch?.launch.volumes).toEqual([
      { source: '/var/lib/berth/volumes/roles/eng/pv-1', containerPath: 'data', readOnly: true, giveToUser: true },
    ]);
  });

  it('refuses a set that destroys a volume a running task uses, and deletes nothing (the master should never send one)', () => {
    const d = registered();
    d.master(apply('v1', [volumeOf('pv-1')]));
    d.runTask(commandTask('t1', { resources: [volumeOf('pv-1')] }));

    const effects = d.master(apply('v2', [reservedDisk], 'destroy-1')).effects;

    expect(operationStatuses(effects)).toMatchObject([{ state: 'OPERATION_FAILED', message: expect.stringContaining('is in use by a running task') as unknown }]);
    expect(ofType(effects, 'commit_resources').every((c) => c.next.resources.equals(resources(volumeOf('pv-1'))))).toBe(true);
    expect(d.state.resourceState.version).toBe('v1');
  });

  it('drops a task using a volume the agent does not have (REASON_RESOURCES_UNKNOWN), and launches nothing', () => {
    const d = registered();

    const effects = d.runTask(commandTask('t1', { resources: [volumeOf('pv-9')] }));

    expect(ofType(effects, 'launch_container')).toEqual([]);
    expect(sentUpdates(effects).map((s) => [s.state, s.reason, s.message])).toEqual([
      ['TASK_LOST', 'REASON_RESOURCES_UNKNOWN', 'The checkpointed resources being used by the task or task group are unknown to the agent'],
    ]);
  });
});
