/**
 * The agent's state as the shortest journal that rebuilds it (for compaction,
 * and when the agent's id changes): replaying these records through
 * recovery.ts gives back the same frameworks, executors, tasks (with their
 * status history) and unacknowledged updates. Completed executors are
 * history, not state, and are left out. A live task's acknowledged updates
 * are written as the update and its acknowledgement, as they happened: that
 * keeps the task's statuses, and its uuids, so that an executor sending one
 * again is recognised. A drain under way is kept, so that it outlives a
 * compaction.
 */
import type { JournalRecord } from '../checkpoint/records.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import { findTask } from './executors.js';
import { streamKey, taskIdOf, type AgentExecutor, type AgentTask } from './model.js';
import type { AgentState } from './state.js';

export function snapshotRecords(state: AgentState): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const framework of state.frameworks.values()) {
    records.push({ v: 1, type: 'framework', framework_id: framework.id, info: framework.info });
    for (const executor of framework.executors.values()) records.push(...executorRecords(state, executor));
  }
  records.push(...tasklessUpdateRecords(state));
  if (state.drain !== undefined) records.push({ v: 1, type: 'drain', config: state.drain.config });
  return records;
}

/** Pending updates about tasks no executor holds (an executor may report task ids the agent never gave it). */
function tasklessUpdateRecords(state: AgentState): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const stream of state.streams.values()) {
    if (stream.pending.length === 0 || findTask(state, stream.frameworkId, stream.taskId) !== undefined) continue;
    for (const status of stream.pending) {
      records.push({ v: 1, type: 'update', framework_id: stream.frameworkId, task_id: stream.taskId, status: status as unknown as Record<string, unknown> });
    }
  }
  return records;
}

function executorRecords(state: AgentState, executor: AgentExecutor): JournalRecord[] {
  const ids = { framework_id: executor.frameworkId, executor_id: executor.id } as const;
  const records: JournalRecord[] = [
    { v: 1, type: 'executor', ...ids, container_id: executor.containerId, info: executor.info, kind: executor.kind, directory: executor.directory },
  ];
  if (executor.supervisorPid !== undefined && executor.startTime !== undefined) {
    records.push({
      v: 1,
      type: 'container_started',
      ...ids,
      container_id: executor.containerId,
      supervisor_pid: executor.supervisorPid,
      start_time: executor.startTime,
      ...(executor.startedAtMs !== undefined ? { started_at_ms: executor.startedAtMs } : {}),
    });
  }
  if (executor.killed !== undefined) records.push({ v: 1, type: 'executor_killed', ...ids, cause: executor.killed.cause });
  const tasks = [...executor.queuedTasks.values(), ...executor.launchedTasks.values(), ...executor.terminatedTasks.values()];
  for (const task of tasks) records.push({ v: 1, type: 'task', ...ids, task: task.info });
  if (executor.state === 'terminated') {
    records.push({ v: 1, type: 'executor_terminated', ...ids, container_id: executor.containerId, ...(executor.exitStatus !== undefined ? { status: executor.exitStatus } : {}) });
  }
  for (const task of tasks) records.push(...updateRecords(state, executor.frameworkId, task));
  return records;
}

/** Every update of the task in order: acknowledged ones with their ack, pending ones (with their data) alone. */
function updateRecords(state: AgentState, frameworkId: string, task: AgentTask): JournalRecord[] {
  const id = taskIdOf(task);
  const pending = new Map<string | undefined, WireTaskStatus>((state.streams.get(streamKey(frameworkId, id))?.pending ?? []).map((status) => [status.uuid, status]));
  const records: JournalRecord[] = [];
  for (const status of task.statuses) {
    const waiting = pending.get(status.uuid);
    records.push({ v: 1, type: 'update', framework_id: frameworkId, task_id: id, status: (waiting ?? status) as unknown as Record<string, unknown> });
    if (waiting === undefined && status.uuid !== undefined) records.push({ v: 1, type: 'ack', framework_id: frameworkId, task_id: id, uuid: status.uuid });
  }
  return records;
}
