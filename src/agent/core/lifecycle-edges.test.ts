/**
 * The edges of a task's and a framework's life on the agent: a framework shut
 * down with tasks at every stage, a task id used again, kills and
 * max_completion_time across an agent restart, updates after a terminal one,
 * updates about tasks no executor holds, executor calls about another
 * executor's task, and a master that removed the agent's id.
 */
import { describe, expect, it } from 'vitest';
import { snapshotRecords } from './snapshot.js';
import {
  AgentDriver,
  FW,
  commandTask,
  customTask,
  executorUuid,
  ofType,
  persisted,
  persistedUpdates,
  recovered,
  sentUpdates,
  startCommandTask,
} from './testing.js';

/** Pending updates by task: [task id, state] of each, in order. */
function pending(driver: AgentDriver): [string, string][] {
  return [...driver.state.streams.values()].flatMap((stream) => stream.pending.map((status) => [stream.taskId, status.state] as [string, string]));
}

/** A linked agent whose custom executor exec-1 has subscribed and got task t2. */
function runningCustomExecutor(): AgentDriver {
  const d = new AgentDriver();
  d.link();
  d.runTask(customTask('t2'));
  d.started(d.containerOf('exec-1'));
  d.subscribe('exec-1');
  return d;
}

function shutdownFramework(driver: AgentDriver, frameworkId = FW) {
  return driver.master({ type: 'SHUTDOWN_FRAMEWORK', shutdown_framework: { framework_id: { value: frameworkId } } }).effects;
}

describe('agent: SHUTDOWN_FRAMEWORK', () => {
  it('kills what runs, completes what ended without waiting for acknowledgements, then removes the framework', () => {
    const d = new AgentDriver();
    d.link();
    const running = startCommandTask(d, 't1');
    const ended = startCommandTask(d, 't2');
    d.exited(ended.containerId, { exited: 0 });

    const effects = shutdownFramework(d);

    expect(ofType(effects, 'destroy_container').map((e) => e.containerId)).toEqual([running.containerId]);
    // t2's executor completed at once: its terminal update will never be acknowledged.
    expect(ofType(effects, 'schedule_gc')).toHaveLength(2);
    expect(d.state.frameworks.get(FW)?.executors.has('t2')).toBe(false);
    expect(pending(d)).toEqual([]);

    const exited = d.exited(running.containerId, { signaled: 15 });
    expect(sentUpdates(exited)).toEqual([]);
    expect(persisted(exited).map((r) => r.type)).toContain('framework_removed');
    expect(d.state.frameworks.has(FW)).toBe(false);
    expect(d.state.completedFrameworks.map((f) => f.id)).toEqual([FW]);
  });

  it('is not undone by a restart: the removed framework and its updates stay gone after replay', () => {
    const d = new AgentDriver();
    d.link();
    const task = startCommandTask(d, 't1');
    shutdownFramework(d);
    d.exited(task.containerId, { signaled: 15 });
    const { driver } = recovered(d.journal);
    expect(driver.state.frameworks.has(FW)).toBe(false);
    expect(pending(driver)).toEqual([]);
  });
});

describe('agent: a task id used again', () => {
  /** exec-1 runs t2, which finished and whose end was acknowledged. */
  function finishedCustomTask(): AgentDriver {
    const d = runningCustomExecutor();
    d.executorUpdate('exec-1', 't2', 'TASK_FINISHED', executorUuid(1));
    d.ack('t2', executorUuid(1));
    return d;
  }

  it('gives the new task a fresh stream: its updates reach the master', () => {
    const d = finishedCustomTask();
    d.runTask(customTask('t2'));
    const result = d.executorUpdate('exec-1', 't2', 'TASK_RUNNING', executorUuid(2));
    expect(result.reply).toEqual({ status: 202 });
    expect(sentUpdates(result.effects).map((s) => [s.task_id.value, s.state])).toEqual([['t2', 'TASK_RUNNING']]);
  });

  it('replays to the same: the new task\'s pending update survives a restart', () => {
    const d = finishedCustomTask();
    d.runTask(customTask('t2'));
    d.executorUpdate('exec-1', 't2', 'TASK_RUNNING', executorUuid(2));
    const { driver } = recovered(d.journal);
    expect(pending(driver)).toEqual([['t2', 'TASK_RUNNING']]);
  });
});

describe('agent: kills and time limits across a restart', () => {
  it('counts max_completion_time from the start of the container, not from the launch', () => {
    const d = new AgentDriver();
    d.link();
    d.runTask(commandTask('t1', { max_completion_time: { nanoseconds: 10e9 } }));
    d.advance(5_000);
    const started = d.started(d.containerOf('t1'));
    expect(persistedUpdates(started).map((s) => s.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    expect(ofType(d.advance(7_000), 'destroy_container')).toEqual([]);
    expect(ofType(d.advance(3_000), 'destroy_container')).toHaveLength(1);
  });

  it('keeps counting max_completion_time after a restart', () => {
    const d = new AgentDriver();
    d.link();
    d.runTask(commandTask('t1', { max_completion_time: { nanoseconds: 10e9 } }));
    d.started(d.containerOf('t1'));
    const { driver } = recovered(d.journal, { nowMs: d.nowMs + 4_000 });
    expect(driver.state.frameworks.get(FW)?.executors.get('t1')?.deadlineMs).toBe(d.nowMs + 10_000);
  });

  it('goes on with a kill begun before a restart, and reads the end as TASK_KILLED', () => {
    const d = new AgentDriver();
    d.link();
    const task = startCommandTask(d, 't1');
    d.kill('t1');
    const { driver } = recovered(d.journal, { nowMs: d.nowMs + 1_000 });
    expect(ofType(driver.tick(), 'destroy_container').map((e) => e.containerId)).toEqual([task.containerId]);
    expect(persistedUpdates(driver.exited(task.containerId, { signaled: 15 })).map((s) => s.state)).toEqual(['TASK_KILLED']);
  });
});

describe('agent: replay and compaction of unusual streams', () => {
  it('drops an update queued behind a terminal one when the terminal one is acknowledged, also on replay', () => {
    const d = runningCustomExecutor();
    d.executorUpdate('exec-1', 't2', 'TASK_FINISHED', executorUuid(1));
    // A confused executor reports the task again after its end; it queues behind the terminal update.
    d.executorUpdate('exec-1', 't2', 'TASK_RUNNING', executorUuid(2));
    d.ack('t2', executorUuid(1));
    expect(pending(d)).toEqual([]);
    expect(pending(recovered(d.journal).driver)).toEqual([]);
  });

  it('keeps pending updates about a task no executor holds through a compaction', () => {
    const d = runningCustomExecutor();
    d.executorUpdate('exec-1', 'made-up', 'TASK_RUNNING', executorUuid(5));
    expect(pending(d)).toEqual([['made-up', 'TASK_RUNNING']]);
    const { driver } = recovered(snapshotRecords(d.state));
    expect(pending(driver)).toEqual([['made-up', 'TASK_RUNNING']]);
  });
});

describe('agent: executor calls', () => {
  it('refuses an UPDATE about a task of another executor', () => {
    const d = new AgentDriver();
    d.link();
    d.runTask(customTask('t2', 'exec-1'));
    d.runTask(customTask('t3', 'exec-2'));
    d.started(d.containerOf('exec-1'));
    d.started(d.containerOf('exec-2'));
    d.subscribe('exec-1', 'conn-1');
    d.subscribe('exec-2', 'conn-2');
    const result = d.executorUpdate('exec-2', 't2', 'TASK_FAILED', executorUuid(1));
    expect(result.reply).toEqual({ status: 400, body: 'Task t2 belongs to executor exec-1, not to exec-2' });
    expect(pending(d)).toEqual([]);
  });

  it('takes an UPDATE from a subscribed executor whose stream broke, and refuses one that never subscribed', () => {
    const d = new AgentDriver();
    d.link();
    d.runTask(customTask('t2', 'exec-1'));
    d.runTask(customTask('t3', 'exec-2'));
    d.started(d.containerOf('exec-1'));
    d.subscribe('exec-1', 'conn-1');
    d.step({ type: 'executor_closed', connectionId: 'conn-1' });
    expect(d.executorUpdate('exec-1', 't2', 'TASK_RUNNING', executorUuid(1)).reply).toEqual({ status: 202 });
    expect(d.executorUpdate('exec-2', 't3', 'TASK_RUNNING', executorUuid(2)).reply).toEqual({ status: 403, body: 'Executor is not subscribed' });
  });
});

describe('agent: the master removed its id (410)', () => {
  it('shuts down every framework first, then registers anew under a new id once nothing runs', () => {
    const d = new AgentDriver();
    d.link();
    const task = startCommandTask(d, 't1');
    const refused = () => d.step({ type: 'link_failed', epoch: d.epoch ?? 0, status: 410, message: 'removed' }).effects;

    d.openLink();
    expect(ofType(refused(), 'destroy_container').map((e) => e.containerId)).toEqual([task.containerId]);
    expect(d.state.agentId).toBe('agent-1');

    d.exited(task.containerId, { signaled: 15 });
    d.openLink();
    refused();
    expect(d.state.agentId).toBeUndefined();
    expect(d.openLink().request.agent_id).toBeUndefined();
  });
});
