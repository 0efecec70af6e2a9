/**
 * Storage operations in the agent core (spec/storage.md 2.7, 2.9, 3.2): an
 * APPLY_OPERATION's conversions are taken at once and handed to the shell to
 * commit as a change; the report follows the shell's answer (FINISHED once
 * durable, FAILED with what is on disk otherwise); reports the framework
 * asked for are kept until acknowledged and travel in the link request; an
 * operation sent again with the master's whole set replaces the agent's;
 * tasks get their volumes and are dropped when they use reservations the
 * agent does not have.
 * Method: the agent driver (testing.ts) feeds master records and shell events
 * and inspects the effects.
 */
import { describe, expect, it } from 'vitest';
import type { MasterToAgentMessage, OperationStatusMessage } from '../../protocol/internal.js';
import { fromWireList, Resources, type WireResourceInput } from '../../resources/index.js';
import { applyResourceChange, emptyResourceState, type ResourceChange, type ResourceState } from '../volumes/resource-state.js';
import { AgentDriver, commandTask, customTask, executorUuid, FW, messages, ofType, sentUpdates } from './testing.js';

const unreservedDisk: WireResourceInput = { name: 'disk', type: 'SCALAR', scalar: { value: 512 } } as unknown as WireResourceInput;

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

interface Sent {
  readonly type?: string;
  readonly base?: string | undefined;
  readonly operationId?: string;
}

/** An APPLY_OPERATION of one conversion, building on `sent.base` (the agent's version unless given). */
function apply(d: AgentDriver, version: string, consumed: WireResourceInput[], converted: WireResourceInput[], sent: Sent = {}): MasterToAgentMessage {
  return {
    type: 'APPLY_OPERATION',
    apply_operation: {
      operation_uuid: `op-${version}`,
      operation_type: sent.type ?? 'CREATE',
      framework_id: { value: FW },
      ...(sent.operationId !== undefined ? { operation_id: { value: sent.operationId } } : {}),
      resource_version: version,
      ...('base' in sent ? (sent.base !== undefined ? { base_resource_version: sent.base } : {}) : baseOf(d)),
      conversions: [{ consumed: consumed as never, converted: converted as never }],
    },
  };
}

function baseOf(d: AgentDriver): { base_resource_version?: string } {
  const version = d.state.resourceState.version;
  return version === undefined ? {} : { base_resource_version: version };
}

/** The master's whole set after an operation, as it sends one again after a re-registration. */
function applyWhole(version: string, checkpointed: WireResourceInput[], operationId?: string): MasterToAgentMessage {
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

function reserve(d: AgentDriver, version: string, sent: Sent = {}): MasterToAgentMessage {
  return apply(d, version, [unreservedDisk], [reservedDisk], { type: 'RESERVE', ...sent });
}

function create(d: AgentDriver, version: string, id: string, sent: Sent = {}, mode: 'RW' | 'RO' = 'RW'): MasterToAgentMessage {
  return apply(d, version, [reservedDisk], [volumeOf(id, mode)], sent);
}

function registered(): AgentDriver {
  const d = new AgentDriver();
  d.link();
  return d;
}

/** An agent whose committed state holds a volume `pv-1` at version v2. */
function withVolume(mode: 'RW' | 'RO' = 'RW'): AgentDriver {
  const d = registered();
  commitAll(d, d.master(reserve(d, 'v1')).effects);
  commitAll(d, d.master(create(d, 'v2', 'pv-1', {}, mode)).effects);
  return d;
}

function operationStatuses(effects: ReturnType<AgentDriver['tick']>): OperationStatusMessage[] {
  return messages(effects).flatMap((m) => (m.type === 'OPERATION_STATUS' ? [m.operation_status] : []));
}

/** What the shell's journal holds: every change the driver's commits were told of, applied. */
const journaled = new WeakMap<AgentDriver, ResourceState>();

function committed(d: AgentDriver, change: ResourceChange, report: OperationStatusMessage | undefined, error?: string, onDisk?: ResourceState) {
  const before = journaled.get(d) ?? emptyResourceState;
  const after = onDisk ?? (error === undefined ? applyResourceChange(before, change) : before);
  journaled.set(d, after);
  return d.step({ type: 'resources_committed', report, attempted: change, onDisk: after, error }).effects;
}

/** The shell commits every change among `effects`. */
function commitAll(d: AgentDriver, effects: ReturnType<AgentDriver['tick']>): ReturnType<AgentDriver['tick']> {
  return ofType(effects, 'commit_resources').flatMap((commit) => committed(d, commit.change, commit.report));
}

describe('agent: storage operations', () => {
  it('takes an operation at once, asks the shell to commit its checkpointed part, and reports OPERATION_FINISHED only once it is durable', () => {
    const d = registered();
    commitAll(d, d.master(reserve(d, 'v1')).effects);

    const effects = d.master(create(d, 'v2', 'pv-1')).effects;

    const [commit] = ofType(effects, 'commit_resources');
    expect(commit?.change).toMatchObject({ kind: 'convert', base: 'v1', version: 'v2' });
    const steps = commit?.change.kind === 'convert' ? commit.change.steps : [];
    expect(steps.map(({ removed, added }) => [removed.equals(resources(reservedDisk)), added.equals(resources(volumeOf('pv-1')))])).toEqual([[true, true]]);
    expect(operationStatuses(effects)).toEqual([]);
    expect(d.state.resourceState.resources.equals(resources(volumeOf('pv-1')))).toBe(true);
    expect(d.state.totalResources.scalarValue('disk')).toBe(10_000);

    const after = committed(d, commit?.change ?? { kind: 'forget', statusUuids: [] }, commit?.report);
    expect(operationStatuses(after)).toMatchObject([{ operation_uuid: 'op-v2', state: 'OPERATION_FINISHED', resource_version: 'v2' }]);
    expect(operationStatuses(after)[0]?.total_resources, 'a finished report does not carry the total').toBeUndefined();
  });

  it('journals only what the checkpoint holds: a RESERVE of unreserved disk removes nothing from it', () => {
    const d = registered();
    const [commit] = ofType(d.master(reserve(d, 'v1')).effects, 'commit_resources');
    const steps = commit?.change.kind === 'convert' ? commit.change.steps : [];
    expect(steps.map(({ removed, added }) => [removed.isEmpty(), added.equals(resources(reservedDisk))])).toEqual([[true, true]]);
    expect(d.state.totalResources.unreserved().scalarValue('disk')).toBe(10_000 - 512);
  });

  it('goes back to what is on disk and reports OPERATION_FAILED with its total when the commit fails', () => {
    const d = registered();
    const [commit] = ofType(d.master(reserve(d, 'v1')).effects, 'commit_resources');

    const after = committed(d, commit?.change ?? { kind: 'forget', statusUuids: [] }, commit?.report, "Failed to create the persistent volume pv-1 at '/x': EACCES");

    const [failed] = operationStatuses(after);
    expect(failed).toMatchObject({ state: 'OPERATION_FAILED', message: expect.stringContaining('EACCES') as unknown });
    expect(failed?.status_uuid).not.toBe(commit?.report?.status_uuid);
    expect(d.state.resourceState.resources.isEmpty()).toBe(true);
    expect(resources(...(failed?.total_resources as WireResourceInput[])).equals(d.state.totalResources)).toBe(true);
    expect(d.state.totalResources.unreserved().scalarValue('disk')).toBe(10_000);
  });

  it('comes back to the disk when an earlier operation fails to commit and the later one built on it is refused too', () => {
    const d = registered();
    const [first] = ofType(d.master(reserve(d, 'v1')).effects, 'commit_resources');
    const [second] = ofType(d.master(create(d, 'v2', 'pv-1')).effects, 'commit_resources');
    const none: ResourceChange = { kind: 'forget', statusUuids: [] };

    const afterFirst = committed(d, first?.change ?? none, first?.report, 'EACCES');
    expect(d.state.resourceState.version, 'the later change stands until the shell answers on it').toBe('v2');
    expect(operationStatuses(afterFirst)).toMatchObject([{ operation_uuid: 'op-v1', state: 'OPERATION_FAILED' }]);

    const afterSecond = committed(d, second?.change ?? none, second?.report, "The operation builds on resource version 'v1', but this agent's is ''");

    expect(d.state.resourceState.resources.isEmpty()).toBe(true);
    expect(d.state.resourceState.version).toBeUndefined();
    expect(operationStatuses(afterSecond)).toMatchObject([{ operation_uuid: 'op-v2', state: 'OPERATION_FAILED' }]);
    expect(resources(...(operationStatuses(afterSecond)[0]?.total_resources as WireResourceInput[])).unreserved().scalarValue('disk')).toBe(10_000);
  });

  it('refuses a conversion its resources do not contain, and one built on another version, committing nothing but the kept report', () => {
    const d = registered();
    const tooBig = { ...(reservedDisk as object), scalar: { value: 20_000 } } as unknown as WireResourceInput;

    const effects = d.master(apply(d, 'v1', [{ ...(unreservedDisk as object), scalar: { value: 20_000 } } as unknown as WireResourceInput], [tooBig], { operationId: 'op-big' })).effects;

    expect(operationStatuses(effects)).toMatchObject([{ state: 'OPERATION_FAILED', operation_id: { value: 'op-big' }, message: expect.stringContaining('do not contain') as unknown }]);
    expect(ofType(effects, 'commit_resources').map((c) => c.change.kind)).toEqual(['keep']);
    expect(d.state.resourceState.operationUpdates).toHaveLength(1);

    const stale = d.master(reserve(d, 'v2', { base: 'v0' })).effects;
    expect(operationStatuses(stale)).toMatchObject([{ state: 'OPERATION_FAILED', message: "The operation builds on resource version 'v0', but this agent's is ''" }]);
    expect(d.state.resourceState.resources.isEmpty()).toBe(true);
  });

  it('keeps a report the framework asked for until it is acknowledged, and sends it in the link request', () => {
    const d = registered();
    const [commit] = ofType(d.master(reserve(d, 'v1', { operationId: 'reserve-1' })).effects, 'commit_resources');
    expect(commit?.change).toMatchObject({ kind: 'convert', kept: { operation_id: { value: 'reserve-1' } } });
    committed(d, commit?.change ?? { kind: 'forget', statusUuids: [] }, commit?.report);

    d.step({ type: 'link_closed', epoch: d.epoch ?? 0 });
    const request = d.openLink().request;
    expect(request.resource_version).toBe('v1');
    expect(request.checkpointed_resources).toHaveLength(1);
    expect(request.operation_updates?.map((u) => u.operation_id?.value)).toEqual(['reserve-1']);
    d.register();

    const statusUuid = commit?.report?.status_uuid ?? '';
    const acked = d.master({ type: 'ACKNOWLEDGE_OPERATION_STATUS', acknowledge_operation_status: { status_uuid: statusUuid } }).effects;
    expect(ofType(acked, 'commit_resources').map((c) => c.change)).toEqual([{ kind: 'forget', statusUuids: [statusUuid] }]);
    expect(d.state.resourceState.operationUpdates).toEqual([]);
  });

  it('answers an operation it has applied already (sent again after a re-registration) without applying it twice', () => {
    const d = registered();
    const [commit] = ofType(d.master(reserve(d, 'v1', { operationId: 'reserve-1' })).effects, 'commit_resources');
    committed(d, commit?.change ?? { kind: 'forget', statusUuids: [] }, commit?.report);

    const again = d.master(applyWhole('v1', [reservedDisk], 'reserve-1')).effects;

    expect(ofType(again, 'commit_resources')).toEqual([]);
    expect(operationStatuses(again).map((s) => s.status_uuid)).toEqual([commit?.report?.status_uuid]);
  });

  it('takes the master\'s whole set when an operation comes again with it, whatever version it had', () => {
    const d = registered();
    commitAll(d, d.master(reserve(d, 'v1')).effects);

    const effects = d.master(applyWhole('v3', [volumeOf('pv-1'), volumeOf('pv-2')], 'create-2')).effects;

    const [commit] = ofType(effects, 'commit_resources');
    expect(commit?.change).toMatchObject({ kind: 'replace', version: 'v3' });
    expect(d.state.resourceState.resources.equals(resources(volumeOf('pv-1'), volumeOf('pv-2')))).toBe(true);
    expect(d.state.totalResources.unreserved().scalarValue('disk')).toBe(10_000 - 1024);
    expect(operationStatuses(committed(d, commit?.change ?? { kind: 'forget', statusUuids: [] }, commit?.report))).toMatchObject([{ state: 'OPERATION_FINISHED', resource_version: 'v3' }]);
  });

  it('forgets the operation updates of a framework that is shut down', () => {
    const d = registered();
    commitAll(d, d.master(reserve(d, 'v1', { operationId: 'reserve-1' })).effects);
    d.runTask(commandTask('t1'));

    const effects = d.master({ type: 'SHUTDOWN_FRAMEWORK', shutdown_framework: { framework_id: { value: FW } } }).effects;

    expect(d.state.resourceState.operationUpdates).toEqual([]);
    expect(ofType(effects, 'commit_resources').map((c) => c.change.kind)).toEqual(['forget']);
  });
});

describe('agent: tasks on volumes', () => {
  it('gives a command task its volumes, where they live on the agent and how the task sees them', () => {
    const d = withVolume('RO');

    const effects = d.runTask(commandTask('t1', { resources: [volumeOf('pv-1', 'RO')] }));

    const [launch] = ofType(effects, 'launch_container');
    expect(launch?.launch.volumes).toEqual([
      { source: '/var/lib/berth/volumes/roles/eng/pv-1', containerPath: 'data', readOnly: true, giveToUser: true },
    ]);
  });

  it('refuses to destroy a volume a running task uses, and deletes nothing (the master should never send one)', () => {
    const d = withVolume();
    d.runTask(commandTask('t1', { resources: [volumeOf('pv-1')] }));

    const effects = d.master(apply(d, 'v3', [volumeOf('pv-1')], [reservedDisk], { type: 'DESTROY', operationId: 'destroy-1' })).effects;

    expect(operationStatuses(effects)).toMatchObject([{ state: 'OPERATION_FAILED', message: expect.stringContaining('is in use by a running task') as unknown }]);
    expect(ofType(effects, 'commit_resources').map((c) => c.change.kind)).toEqual(['keep']);
    expect(d.state.resourceState.version).toBe('v2');
    expect(d.state.resourceState.resources.equals(resources(volumeOf('pv-1')))).toBe(true);
  });

  it('grows a volume a running task uses: its path stays, nothing is deleted', () => {
    const d = withVolume();
    d.runTask(commandTask('t1', { resources: [volumeOf('pv-1')] }));
    const grown = { ...(volumeOf('pv-1') as object), scalar: { value: 1024 } } as unknown as WireResourceInput;

    const effects = d.master(apply(d, 'v3', [volumeOf('pv-1'), unreservedDisk], [grown], { type: 'GROW_VOLUME' })).effects;

    expect(operationStatuses(effects)).toEqual([]);
    expect(ofType(effects, 'commit_resources').map((c) => c.change.kind)).toEqual(['convert']);
    expect(d.state.resourceState.resources.equals(resources(grown))).toBe(true);
  });

  it('hands a custom executor a later task on a volume its container has, and fails one on a volume it lacks', () => {
    const d = withVolume();
    commitAll(d, d.master(reserve(d, 'v3')).effects);
    commitAll(d, d.master(create(d, 'v4', 'pv-2')).effects);
    const onPv1 = (id: string, volumeId: string) => customTask(id, 'exec-1', FW, { resources: [volumeOf(volumeId)] });
    expect(ofType(d.runTask(onPv1('t1', 'pv-1')), 'launch_container').map((effect) => effect.launch.volumes.map((volume) => volume.source))).toEqual([
      ['/var/lib/berth/volumes/roles/eng/pv-1'],
    ]);

    const again = d.runTask(onPv1('t2', 'pv-1'));
    expect(sentUpdates(again), 'the volume of the task that started the executor is in its container').toEqual([]);

    const other = sentUpdates(d.runTask(onPv1('t3', 'pv-2')));
    expect(other.map((status) => [status.task_id.value, status.state, status.reason])).toEqual([['t3', 'TASK_FAILED', 'REASON_CONTAINER_LAUNCH_FAILED']]);
  });

  it('refuses to destroy a volume a running custom executor still holds after the task that used it ended', () => {
    const d = withVolume();
    d.runTask(customTask('t1', 'exec-1', FW, { resources: [volumeOf('pv-1')] }));
    d.subscribe('exec-1');
    d.executorUpdate('exec-1', 't1', 'TASK_FINISHED', executorUuid(1));
    d.ack('t1', executorUuid(1));

    const effects = d.master(apply(d, 'v3', [volumeOf('pv-1')], [reservedDisk], { type: 'DESTROY', operationId: 'destroy-1' })).effects;

    expect(operationStatuses(effects)).toMatchObject([{ state: 'OPERATION_FAILED', message: expect.stringContaining('is in use by a running task') as unknown }]);
    expect(d.state.resourceState.resources.equals(resources(volumeOf('pv-1')))).toBe(true);
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
