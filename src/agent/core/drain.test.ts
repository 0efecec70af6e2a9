/**
 * Draining, the agent's side (Mesos' Slave::drain; spec/core.md 2.4 agent
 * side point 1, 5.5): DRAIN journals the config and kills every task with its
 * grace period capped; the kills are reported with REASON_AGENT_DRAINING (and
 * TASK_GONE_BY_OPERATOR with mark_gone for partition-aware frameworks); tasks
 * sent meanwhile are dropped; the drain ends, journaled, once nothing is
 * left; a restarted agent replays it; /state shows it.
 * Method: the agent driver (testing.ts) feeds master records, container and
 * executor events, and inspects effects, the journal and the /state view.
 */
import { describe, expect, it } from 'vitest';
import type { MasterToAgentMessage } from '../../protocol/internal.js';
import { parseJournalRecord } from '../checkpoint/record-schema.js';
import { agentStateJson } from '../views/state.js';
import { snapshotRecords } from './snapshot.js';
import {
  AgentDriver,
  FW,
  commandTask,
  customTask,
  executorEvents,
  executorUuid,
  frameworkInfo,
  kinds,
  messages,
  ofType,
  persisted,
  persistedUpdates,
  recovered,
  sentUpdates,
  startCommandTask,
} from './testing.js';
import type { AgentEffect } from './events.js';
import type { Json } from './model.js';

function drain(maxGracePeriodMs?: number, markGone = false): MasterToAgentMessage {
  const max = maxGracePeriodMs === undefined ? {} : { max_grace_period: { nanoseconds: maxGracePeriodMs * 1e6 } };
  return { type: 'DRAIN', drain: { config: { ...max, mark_gone: markGone } } };
}

function killPolicy(gracePeriodMs: number): Json {
  return { kill_policy: { grace_period: { nanoseconds: gracePeriodMs * 1e6 } } };
}

function logs(effects: readonly AgentEffect[]): string[] {
  return ofType(effects, 'log').map((e) => e.message);
}

function stateView(d: AgentDriver): Record<string, unknown> {
  return agentStateJson({ state: d.state, pid: 'slave(1)@10.0.0.7:5051', flags: {}, nowMs: d.nowMs });
}

function linked(): AgentDriver {
  const d = new AgentDriver();
  d.link();
  return d;
}

/** A custom executor's task, its executor subscribed (conn-1), the task launched to it. */
function subscribedCustomTask(d: AgentDriver, taskId = 't1', extra: Json = {}, framework = frameworkInfo()): void {
  d.runTask(customTask(taskId, 'exec-1', FW, extra), framework);
  d.started(d.containerOf('exec-1'));
  d.subscribe('exec-1');
}

describe('drain: DRAIN from the master', () => {
  it('on an agent with nothing to drain, says draining is complete and journals nothing', () => {
    const d = linked();
    const effects = d.master(drain(10_000)).effects;
    expect(persisted(effects)).toEqual([]);
    expect(logs(effects).some((m) => m.includes('so draining is already complete'))).toBe(true);
    expect(d.state.drain).toBeUndefined();
    expect(stateView(d)).not.toHaveProperty('drain_config');
  });

  it('journals the config before it kills anything, and notes when it began', () => {
    const d = linked();
    const { starting, running } = startCommandTask(d, 't1');
    d.ack('t1', starting);
    d.ack('t1', running);
    d.nowMs += 1_500;
    const effects = d.master(drain(10_000)).effects;
    expect(kinds(effects)).toEqual(['persist:drain', 'persist:executor_killed', 'destroy_container']);
    expect(persisted(effects)[0]).toEqual({ v: 1, type: 'drain', config: { max_grace_period: { nanoseconds: 10e9 }, mark_gone: false } });
    expect(d.state.drain).toEqual({ config: { max_grace_period: { nanoseconds: 10e9 }, mark_gone: false }, startedAtMs: d.nowMs });
    // Nothing is said to the master: it decides DRAINED itself.
    expect(messages(effects)).toEqual([]);
  });

  it.each([
    ['no kill policy: the max', undefined, 10_000, 10_000],
    ['a longer grace period: the max', 30_000, 10_000, 10_000],
    ['a shorter grace period: its own', 5_000, 10_000, 5_000],
    ['no max: its own', 5_000, undefined, 5_000],
    ['no max and no kill policy: the default 3 s', undefined, undefined, 3_000],
    ['a max of 0: at once', 30_000, 0, 0],
  ])('kills a command task whose policy has %s', (_case, ownMs, maxMs, expectedMs) => {
    const d = linked();
    const { containerId } = startCommandTask(d, 't1', ownMs === undefined ? {} : killPolicy(ownMs));
    const effects = d.master(drain(maxMs)).effects;
    expect(ofType(effects, 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: expectedMs }]);
  });

  it('sends a custom executor KILL with the capped policy, or with none when the task\'s own is shorter', () => {
    const d = linked();
    subscribedCustomTask(d, 't1', killPolicy(60_000));
    d.runTask(customTask('t2', 'exec-1', FW, killPolicy(1_000)));
    const kills = executorEvents(d.master(drain(10_000)).effects);
    expect(kills).toEqual([
      { type: 'KILL', kill: { task_id: { value: 't1' }, kill_policy: { grace_period: { nanoseconds: 10e9 } } } },
      { type: 'KILL', kill: { task_id: { value: 't2' } } },
    ]);
  });

  it('kills tasks not yet handed over TASK_KILLED, REASON_AGENT_DRAINING: queued on a custom executor, or a command task still launching', () => {
    const d = linked();
    d.runTask(customTask('queued'));
    d.runTask(commandTask('launching'));
    const launching = d.containerOf('launching');
    const effects = d.master(drain(10_000)).effects;
    expect(persistedUpdates(effects).map((s) => [s.task_id.value, s.state, s.reason, s.source])).toEqual([
      ['queued', 'TASK_KILLED', 'REASON_AGENT_DRAINING', 'SOURCE_AGENT'],
      ['launching', 'TASK_KILLED', 'REASON_AGENT_DRAINING', 'SOURCE_AGENT'],
    ]);
    expect(ofType(effects, 'destroy_container')).toEqual([{ type: 'destroy_container', containerId: launching, gracePeriodMs: 0 }]);
  });

  it('sent again (the agent re-registered), journals the new config, begins anew and kills again, without a second TASK_KILLING', () => {
    const d = linked();
    const framework = frameworkInfo({ capabilities: ['MULTI_ROLE', 'TASK_KILLING_STATE'] });
    const { containerId } = startCommandTask(d, 't1', killPolicy(60_000), framework);
    expect(persistedUpdates(d.master(drain(30_000)).effects).map((s) => s.state)).toEqual(['TASK_KILLING']);
    d.nowMs += 5_000;
    const again = d.master(drain(10_000, true)).effects;
    expect(persisted(again)).toEqual([{ v: 1, type: 'drain', config: { max_grace_period: { nanoseconds: 10e9 }, mark_gone: true } }]);
    expect(ofType(again, 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: 10_000 }]);
    expect(d.state.drain?.startedAtMs).toBe(d.nowMs);
  });

  it('ignores a DRAIN whose config is malformed rather than journal it', () => {
    const d = linked();
    startCommandTask(d, 't1');
    const bad = { type: 'DRAIN', drain: { config: { max_grace_period: { nanoseconds: -1 }, mark_gone: false } } } as MasterToAgentMessage;
    const effects = d.master(bad).effects;
    expect(kinds(effects)).toEqual([]);
    expect(logs(effects)).toEqual(['Ignoring DRAIN with an invalid config: max_grace_period.nanoseconds: expected a non-negative integer']);
    expect(d.state.drain).toBeUndefined();
  });
});

describe('drain: the kills it reports', () => {
  it('marks TASK_KILLING and TASK_KILLED REASON_AGENT_DRAINING, keeping their state without mark_gone', () => {
    const d = linked();
    const framework = frameworkInfo({ capabilities: ['MULTI_ROLE', 'TASK_KILLING_STATE', 'PARTITION_AWARE'] });
    const { containerId, starting, running } = startCommandTask(d, 't1', {}, framework);
    d.ack('t1', starting);
    d.ack('t1', running);
    const killing = sentUpdates(d.master(drain(10_000)).effects);
    expect(killing.map((s) => [s.state, s.reason, s.latest_state])).toEqual([['TASK_KILLING', 'REASON_AGENT_DRAINING', 'TASK_KILLING']]);
    d.ack('t1', killing[0]?.uuid ?? '');
    const killed = sentUpdates(d.exited(containerId, { signaled: 15 }));
    expect(killed.map((s) => [s.state, s.reason, s.source])).toEqual([['TASK_KILLED', 'REASON_AGENT_DRAINING', 'SOURCE_EXECUTOR']]);
  });

  it('with mark_gone, reports TASK_GONE_BY_OPERATOR to a partition-aware framework, for TASK_KILLING too: the task ends at once', () => {
    const d = linked();
    const framework = frameworkInfo({ capabilities: ['MULTI_ROLE', 'TASK_KILLING_STATE', 'PARTITION_AWARE'] });
    const { containerId } = startCommandTask(d, 't1', { health_check: { type: 'COMMAND', command: { value: 'true' } } }, framework);
    const effects = d.master(drain(10_000, true)).effects;
    expect(persistedUpdates(effects).map((s) => [s.state, s.reason])).toEqual([['TASK_GONE_BY_OPERATOR', 'REASON_AGENT_DRAINING']]);
    // Ended before its container: its health check stops now, the container's end reports nothing more.
    expect(ofType(effects, 'stop_health_check')).toEqual([{ type: 'stop_health_check', frameworkId: FW, taskId: 't1' }]);
    const executor = d.state.frameworks.get(FW)?.executors.get('t1');
    expect([...(executor?.terminatedTasks.keys() ?? [])]).toEqual(['t1']);
    expect(persistedUpdates(d.exited(containerId, { signaled: 15 }))).toEqual([]);
  });

  it('with mark_gone, still reports TASK_KILLED to a framework that is not partition-aware', () => {
    const d = linked();
    const { containerId } = startCommandTask(d, 't1');
    d.master(drain(10_000, true));
    expect(persistedUpdates(d.exited(containerId, { signaled: 15 })).map((s) => [s.state, s.reason])).toEqual([['TASK_KILLED', 'REASON_AGENT_DRAINING']]);
  });

  it('overwrites the reason a custom executor gives, and passes its other states unchanged', () => {
    const d = linked();
    subscribedCustomTask(d, 't1');
    d.runTask(customTask('t2'));
    d.master(drain(10_000));
    const killed = d.executorCall({
      executorId: 'exec-1',
      type: 'UPDATE',
      update: { status: { task_id: { value: 't1' }, state: 'TASK_KILLED', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', source: 'SOURCE_EXECUTOR', uuid: executorUuid(1) } as never },
    });
    const finished = d.executorUpdate('exec-1', 't2', 'TASK_FINISHED', executorUuid(2));
    expect([...persistedUpdates(killed.effects), ...persistedUpdates(finished.effects)].map((s) => [s.task_id.value, s.state, s.reason])).toEqual([
      ['t1', 'TASK_KILLED', 'REASON_AGENT_DRAINING'],
      ['t2', 'TASK_FINISHED', undefined],
    ]);
    // The executor's acknowledgement carries its own uuid.
    expect(executorEvents(killed.effects)).toEqual([{ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: executorUuid(1) } }]);
  });
});

describe('drain: tasks sent while draining', () => {
  it.each([
    [['MULTI_ROLE'], 'TASK_LOST'],
    [['PARTITION_AWARE'], 'TASK_DROPPED'],
  ])('answers a task of a %j framework %s, REASON_AGENT_DRAINING, and launches nothing', (capabilities, state) => {
    const d = linked();
    startCommandTask(d, 't1');
    d.master(drain(10_000));
    const effects = d.runTask(commandTask('t2'), frameworkInfo({ capabilities }));
    expect(ofType(effects, 'launch_container')).toEqual([]);
    expect(persistedUpdates(effects).map((s) => [s.task_id.value, s.state, s.reason, s.source, s.message])).toEqual([
      ['t2', state, 'REASON_AGENT_DRAINING', 'SOURCE_AGENT', 'Task was received while agent was already draining'],
    ]);
  });

  it('reports the custom executor a refused task would have started as exited, not one that runs', () => {
    const d = linked();
    subscribedCustomTask(d, 't1');
    d.master(drain(10_000));
    expect(messages(d.runTask(customTask('t2', 'exec-1'))).filter((m) => m.type === 'EXITED_EXECUTOR')).toEqual([]);
    const effects = d.runTask(customTask('t3', 'exec-2'));
    expect(messages(effects).map((m) => m.type)).toEqual(['STATUS_UPDATE', 'EXITED_EXECUTOR']);
    expect(messages(effects)[1]).toEqual({ type: 'EXITED_EXECUTOR', exited_executor: { framework_id: { value: FW }, executor_id: { value: 'exec-2' } } });
    expect(d.state.frameworks.get(FW)?.executors.has('exec-2')).toBe(false);
  });
});

describe('drain: the end', () => {
  it('ends once the last terminal update is acknowledged: journaled, logged, forgotten, and not told to the master', () => {
    const d = linked();
    const { containerId, starting, running } = startCommandTask(d, 't1');
    d.ack('t1', starting);
    d.ack('t1', running);
    d.master(drain(10_000));
    const killed = sentUpdates(d.exited(containerId, { signaled: 15 }));
    expect(d.state.drain).toBeDefined();
    const effects = d.ack('t1', killed[0]?.uuid ?? '');
    expect(persisted(effects).map((r) => r.type)).toEqual(['ack', 'drain_finished']);
    expect(logs(effects)).toContain('Agent finished draining');
    expect(messages(effects)).toEqual([]);
    expect(d.state.drain).toBeUndefined();
    expect(stateView(d)).not.toHaveProperty('drain_config');
    // Tasks launch again.
    expect(ofType(d.runTask(commandTask('t2')), 'launch_container')).toHaveLength(1);
  });

  it('waits for an operation update to be acknowledged, even with no task', () => {
    const d = linked();
    const disk = { name: 'disk', type: 'SCALAR', scalar: { value: 512 } };
    d.master({
      type: 'APPLY_OPERATION',
      apply_operation: {
        operation_uuid: 'op-1',
        operation_type: 'RESERVE',
        framework_id: { value: FW },
        operation_id: { value: 'reserve-1' },
        resource_version: 'v1',
        conversions: [{ consumed: [disk] as never, converted: [{ ...disk, reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }] }] as never }],
      },
    });
    const [update] = d.state.resourceState.operationUpdates;
    expect(persisted(d.master(drain()).effects)).toEqual([{ v: 1, type: 'drain', config: { mark_gone: false } }]);
    const effects = d.master({ type: 'ACKNOWLEDGE_OPERATION_STATUS', acknowledge_operation_status: { status_uuid: update?.status_uuid ?? '' } }).effects;
    expect(persisted(effects)).toEqual([{ v: 1, type: 'drain_finished' }]);
    expect(d.state.drain).toBeUndefined();
  });
});

describe('drain: /state', () => {
  it('shows the config and the start in whole seconds while draining', () => {
    const d = linked();
    startCommandTask(d, 't1');
    d.nowMs = 1_001_999;
    d.master(drain(10_000));
    const view = stateView(d);
    expect(view['drain_config']).toEqual({ max_grace_period: { nanoseconds: 10e9 }, mark_gone: false });
    expect(view['estimated_drain_start_time_seconds']).toBe(1001);
    // Where Mesos puts them: after the identity, before the resources.
    const keys = Object.keys(view);
    expect(keys.indexOf('drain_config')).toBe(keys.indexOf('capabilities') + 1);
    expect(keys.indexOf('estimated_drain_start_time_seconds')).toBe(keys.indexOf('resources') - 1);
  });
});

describe('drain: agent restart', () => {
  it('recovers the drain and replays it at the first step: kills what still runs, journals it again, begins anew', () => {
    const d = linked();
    startCommandTask(d, 't1', killPolicy(60_000));
    d.runTask(commandTask('t2'));
    d.master(drain(10_000));
    const { driver } = recovered(d.journal, { nowMs: 2_000_000 });
    expect(driver.state.drain).toEqual({ config: { max_grace_period: { nanoseconds: 10e9 }, mark_gone: false }, startedAtMs: undefined });
    // Before the replay Mesos has no start time to show either.
    expect(stateView(driver)).toHaveProperty('drain_config');
    expect(stateView(driver)).not.toHaveProperty('estimated_drain_start_time_seconds');
    const effects = driver.tick(2_000_100);
    expect(logs(effects)).toContain('Replaying in-process agent draining');
    expect(persisted(effects)).toEqual([{ v: 1, type: 'drain', config: { max_grace_period: { nanoseconds: 10e9 }, mark_gone: false } }]);
    // The kill begun before the restart goes on with the task's own policy; the replay caps it
    // (the containerizer keeps the shorter). t2 ended, killed during its launch: nothing to kill.
    const t1 = driver.containerOf('t1');
    expect(ofType(effects, 'destroy_container').map((e) => [e.containerId, e.gracePeriodMs])).toEqual([
      [t1, 60_000],
      [t1, 10_000],
    ]);
    expect(driver.state.drain?.startedAtMs).toBe(2_000_100);
  });

  it('replays only once custom executors re-subscribed, so that the kills reach them', () => {
    const d = linked();
    subscribedCustomTask(d, 't1');
    d.master(drain(10_000));
    const { driver } = recovered(d.journal, { nowMs: 2_000_000 });
    expect(executorEvents(driver.tick(2_000_500))).toEqual([]);
    expect(driver.state.drain?.startedAtMs).toBeUndefined();
    const { effects } = driver.subscribe('exec-1', 'conn-2', { unacknowledged_tasks: [{ task_id: { value: 't1' } } as never] });
    expect(ofType(effects, 'executor_event').filter((e) => e.event.type === 'KILL')).toEqual([
      { type: 'executor_event', connectionId: 'conn-2', event: { type: 'KILL', kill: { task_id: { value: 't1' }, kill_policy: { grace_period: { nanoseconds: 10e9 } } } } },
    ]);
  });

  it('ends a recovered drain with nothing left at the first step', () => {
    const { driver } = recovered([{ v: 1, type: 'drain', config: { mark_gone: true } }]);
    const effects = driver.tick();
    expect(persisted(effects)).toEqual([{ v: 1, type: 'drain_finished' }]);
    expect(driver.state.drain).toBeUndefined();
  });

  it('recovers no drain that finished', () => {
    const { driver } = recovered([{ v: 1, type: 'drain', config: { mark_gone: false } }, { v: 1, type: 'drain_finished' }]);
    expect(driver.state.drain).toBeUndefined();
  });

  it('keeps a drain under way through a compaction', () => {
    const d = linked();
    startCommandTask(d, 't1');
    d.master(drain(10_000, true));
    const snapshot = snapshotRecords(d.state);
    expect(snapshot.filter((r) => r.type === 'drain')).toEqual([{ v: 1, type: 'drain', config: { max_grace_period: { nanoseconds: 10e9 }, mark_gone: true } }]);
    expect(recovered(snapshot).driver.state.drain?.config).toEqual(d.state.drain?.config);
  });
});

describe('drain: journal records', () => {
  it('reads drain and drain_finished records, and refuses a drain whose config is malformed', () => {
    expect(parseJournalRecord({ v: 1, type: 'drain', config: { max_grace_period: { nanoseconds: 0 }, mark_gone: false } }).ok).toBe(true);
    expect(parseJournalRecord({ v: 1, type: 'drain_finished' }).ok).toBe(true);
    expect(parseJournalRecord({ v: 1, type: 'drain', config: { max_grace_period: { nanoseconds: 5 } } })).toEqual({ ok: false, error: expect.stringContaining('config.mark_gone') as unknown });
  });
});
