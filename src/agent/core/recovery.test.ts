/**
 * Agent recovery (spec/core.md 5.5): replaying the journal a core wrote
 * rebuilds frameworks, executors, tasks and unacknowledged updates (the heads
 * go out again after REGISTERED, with their uuids); non-checkpointing
 * frameworks leave orphans; after a reboot every task ends TASK_LOST (TASK_GONE);
 * a compacted snapshot replays to the same state.
 */
import { describe, expect, it } from 'vitest';
import { agentStateJson } from '../views/state.js';
import { snapshotRecords } from './snapshot.js';
import {
  AgentDriver,
  FW,
  customTask,
  executorEvents,
  executorStatus,
  executorUuid,
  frameworkInfo,
  kinds,
  persistedUpdates,
  recovered,
  sentUpdates,
  startCommandTask,
} from './testing.js';

function view(driver: AgentDriver): Record<string, unknown> {
  const json = agentStateJson({ state: driver.state, pid: 'slave(1)@10.0.0.7:5051', flags: {}, nowMs: 0 });
  // Where the agent is linked and when it started are not what recovery rebuilds.
  delete json['master_hostname'];
  delete json['start_time'];
  return json;
}

/** Pending heads by task: [task id, uuid, state]. */
function heads(driver: AgentDriver): [string, string | undefined, string][] {
  return [...driver.state.streams.values()].flatMap((s) => (s.pending[0] === undefined ? [] : [[s.taskId, s.pending[0].uuid, s.pending[0].state] as [string, string | undefined, string]]));
}

/**
 * A command task t1 running (STARTING acknowledged, RUNNING pending), a
 * command task t4 finished and acknowledged, and a custom executor exec-1 with
 * t2 (RUNNING acknowledged) and t3 (RUNNING pending).
 */
function busyAgent(): { d: AgentDriver; t1: ReturnType<typeof startCommandTask> } {
  const d = new AgentDriver();
  d.link();
  const t1 = startCommandTask(d, 't1');
  d.ack('t1', t1.starting);
  d.runTask(customTask('t2'));
  d.runTask(customTask('t3'));
  d.started(d.containerOf('exec-1'));
  d.subscribe('exec-1');
  d.executorUpdate('exec-1', 't2', 'TASK_RUNNING', executorUuid(2));
  d.ack('t2', executorUuid(2));
  d.executorUpdate('exec-1', 't3', 'TASK_RUNNING', executorUuid(3));
  return { d, t1 };
}

describe('recovery: replaying the journal', () => {
  it('rebuilds frameworks, executors, tasks and pending updates; the containers are to be watched', () => {
    const { d, t1 } = busyAgent();
    const { driver, result } = recovered(d.journal, { nowMs: 2_000_000 });
    expect(view(driver)).toEqual(view(d));
    expect(heads(driver)).toEqual(heads(d));
    expect(heads(driver)).toEqual([
      ['t1', t1.running, 'TASK_RUNNING'],
      ['t3', executorUuid(3), 'TASK_RUNNING'],
    ]);
    const executor = (id: string) => d.state.frameworks.get(FW)?.executors.get(id);
    expect(result).toEqual({
      containers: ['t1', 'exec-1'].map((id) =>
        expect.objectContaining({ containerId: executor(id)?.containerId, runDirectory: executor(id)?.runDirectory, supervisorPid: 4242, startTime: '12345', directory: executor(id)?.directory }),
      ),
      orphans: [],
    });
  });

  it('sends the pending heads again after REGISTERED with the same uuids, not the acknowledged ones', () => {
    const { d, t1 } = busyAgent();
    const { driver } = recovered(d.journal, { nowMs: 2_000_000 });
    const open = driver.openLink();
    expect(open.request.agent_id).toEqual({ value: 'agent-1' });
    expect(open.request.tasks).toEqual(
      expect.arrayContaining([expect.objectContaining({ task: expect.objectContaining({ task_id: { value: 't1' } }), state: 'TASK_RUNNING', status_update_state: 'TASK_RUNNING', status_update_uuid: t1.running })]),
    );
    // Subscribing exec-1 lets the agent link; REGISTERED sends every head.
    driver.subscribe('exec-1', 'conn-2', { unacknowledged_tasks: [customTask('t2') as never, customTask('t3') as never] });
    const registered = driver.register();
    expect(sentUpdates(registered).map((s) => [s.task_id.value, s.uuid, s.state])).toEqual([
      ['t1', t1.running, 'TASK_RUNNING'],
      ['t3', executorUuid(3), 'TASK_RUNNING'],
    ]);
    // The acknowledgement of a recovered head releases it; nothing else is pending for t1.
    expect(kinds(driver.ack('t1', t1.running))).toEqual(['persist:ack']);
  });

  it('recovers an executor whose task ended and was acknowledged as completed, with nothing to watch', () => {
    const d = new AgentDriver();
    d.link();
    const t4 = startCommandTask(d, 't4');
    const finished = persistedUpdates(d.exited(t4.containerId, { exited: 0 }))[0]?.uuid ?? '';
    for (const uuid of [t4.starting, t4.running, finished]) d.ack('t4', uuid);
    const { driver, result } = recovered(d.journal);
    expect(result).toEqual({ containers: [], orphans: [] });
    expect(heads(driver)).toEqual([]);
    expect(view(driver)).toEqual(view(d));
  });

  it('makes orphans of the executors of frameworks that do not checkpoint', () => {
    const d = new AgentDriver();
    d.link();
    const kept = startCommandTask(d, 't1');
    const lost = startCommandTask(d, 't9', {}, frameworkInfo({ id: 'fw-nc', checkpoint: false }));
    const runDirectory = d.state.frameworks.get('fw-nc')?.executors.get('t9')?.runDirectory;
    const { driver, result } = recovered(d.journal);
    expect(result.orphans).toEqual([expect.objectContaining({ containerId: lost.containerId, runDirectory, supervisorPid: 4242, startTime: '12345' })]);
    expect(result.containers.map((c) => c.containerId)).toEqual([kept.containerId]);
    expect([...driver.state.frameworks.keys()]).toEqual([FW]);
  });

  // spec/core.md 5.5 step 8: nothing of a non-checkpointing framework is recovered, so
  // none of its updates go to the master again (the master already reported its tasks lost).
  it('recovers no update stream of a framework that does not checkpoint', () => {
    const d = new AgentDriver();
    d.link();
    const kept = startCommandTask(d, 't1');
    startCommandTask(d, 't9', {}, frameworkInfo({ id: 'fw-nc', checkpoint: false }));
    const { driver } = recovered(d.journal);
    driver.openLink();
    expect(sentUpdates(driver.register()).map((s) => [s.task_id.value, s.uuid])).toEqual([['t1', kept.starting]]);
  });
});

describe('recovery: after a host reboot', () => {
  it.each([
    [['MULTI_ROLE'], 'TASK_LOST'],
    [['PARTITION_AWARE'], 'TASK_GONE'],
  ])('ends every task of %j %s, REASON_AGENT_RESTARTED, when the containerizer reports the container gone', (capabilities, state) => {
    const d = new AgentDriver();
    d.link();
    const framework = frameworkInfo({ capabilities });
    const t1 = startCommandTask(d, 't1', {}, framework);
    d.runTask(customTask('t2'), framework);
    d.started(d.containerOf('exec-1'));
    d.subscribe('exec-1');
    const { driver, result } = recovered(d.journal, { rebooted: true });
    expect(result.containers).toHaveLength(2);
    const ends = [...persistedUpdates(driver.exited(t1.containerId, undefined)), ...persistedUpdates(driver.exited(driver.containerOf('exec-1'), undefined))];
    expect(ends.map((s) => [s.task_id.value, s.state, s.reason, s.source])).toEqual([
      ['t1', state, 'REASON_AGENT_RESTARTED', 'SOURCE_AGENT'],
      ['t2', state, 'REASON_AGENT_RESTARTED', 'SOURCE_AGENT'],
    ]);
    // Nothing to wait for: the agent links at once.
    expect(driver.openLink().request.tasks?.map((t) => [t.task.task_id.value, t.state])).toEqual([
      ['t1', state],
      ['t2', state],
    ]);
  });
});

describe('recovery: executors that do not come back', () => {
  it('ends the tasks of an executor that misses the re-registration timeout TASK_LOST, REASON_EXECUTOR_REREGISTRATION_TIMEOUT', () => {
    const d = new AgentDriver();
    d.link();
    d.runTask(customTask('t1'));
    d.started(d.containerOf('exec-1'));
    d.subscribe('exec-1');
    const { driver } = recovered(d.journal, { nowMs: 2_000_000 });
    driver.tick(2_002_000);
    const ends = persistedUpdates(driver.exited(driver.containerOf('exec-1'), { signaled: 9 }));
    expect(ends.map((s) => [s.task_id.value, s.state, s.reason, s.source])).toEqual([['t1', 'TASK_LOST', 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT', 'SOURCE_AGENT']]);
  });
});

describe('recovery: snapshots', () => {
  it('replays to the same frameworks, executors, tasks and pending heads as the journal', () => {
    const { d } = busyAgent();
    const fromJournal = recovered(d.journal, { nowMs: 2_000_000 });
    const fromSnapshot = recovered(snapshotRecords(d.state), { nowMs: 2_000_000 });
    const withoutStatuses = (json: unknown) => JSON.parse(JSON.stringify(json, (key, value: unknown) => (key === 'statuses' ? undefined : value))) as unknown;
    expect(withoutStatuses(view(fromSnapshot.driver))).toEqual(withoutStatuses(view(d)));
    expect(heads(fromSnapshot.driver)).toEqual(heads(d));
    expect(fromSnapshot.result).toEqual(fromJournal.result);
    expect(fromSnapshot.driver.state.recoveringUntilMs).toBe(fromJournal.driver.state.recoveringUntilMs);
  });

  // docs/api.md (agent /state: each task with its statuses), spec/core.md 5.5 step 4: the
  // statuses of a live task survive a restart; after compaction only the pending ones do.
  it('keeps the statuses of live tasks whose updates were acknowledged (the /state view)', () => {
    const { d } = busyAgent();
    const fromSnapshot = recovered(snapshotRecords(d.state), { nowMs: 2_000_000 });
    expect(view(fromSnapshot.driver)).toEqual(view(d));
  });

  it('keeps the uuids of acknowledged updates: an executor sending one again is re-acked, not queued', () => {
    const { d } = busyAgent();
    const { driver } = recovered(snapshotRecords(d.state), { nowMs: 2_000_000 });
    const { effects } = driver.subscribe('exec-1', 'conn-2', {
      unacknowledged_tasks: [],
      unacknowledged_updates: [
        { status: executorStatus('t2', 'TASK_RUNNING', executorUuid(2)) as never },
        { status: executorStatus('t3', 'TASK_RUNNING', executorUuid(3)) as never },
      ],
    });
    expect(persistedUpdates(effects)).toEqual([]);
    expect(executorEvents(effects).filter((e) => e.type === 'ACKNOWLEDGED')).toEqual([
      { type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't2' }, uuid: executorUuid(2) } },
      { type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't3' }, uuid: executorUuid(3) } },
    ]);
    expect(heads(driver)).toEqual(heads(d));
  });

  it('is a fixed point: the snapshot of a recovered snapshot is the same', () => {
    const { d } = busyAgent();
    const once = snapshotRecords(d.state);
    expect(snapshotRecords(recovered(once).driver.state)).toEqual(once);
  });
});
