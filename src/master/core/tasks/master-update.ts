/**
 * Status updates the master makes itself (source SOURCE_MASTER, no uuid, not
 * retried): the task's state changes in the master, the framework is told in
 * the state name it understands, and resources return on the first terminal or
 * unreachable state (spec/core.md 2.4 master side, 3.3).
 */
import type { TaskReason, TaskState } from '../../../protocol/mesos.js';
import type { WireTaskStatus } from '../../../protocol/outputs.js';
import type { StepContext } from '../context.js';
import type { Framework, Task } from '../state.js';
import { recoverTaskResources } from './removal.js';
import { isTerminalState, releasesResources, stateForFramework } from './task-state.js';

export interface MasterUpdate {
  readonly state: TaskState;
  readonly reason: TaskReason;
  readonly message: string;
  readonly unreachableTimeMs?: number;
}

export function masterStatus(
  ctx: StepContext,
  framework: Framework,
  taskId: string,
  agentId: string | undefined,
  update: MasterUpdate,
): WireTaskStatus {
  return {
    task_id: { value: taskId },
    state: stateForFramework(framework, update.state),
    source: 'SOURCE_MASTER',
    reason: update.reason,
    message: update.message,
    ...(agentId !== undefined ? { agent_id: { value: agentId } } : {}),
    timestamp: ctx.nowMs / 1000,
    ...(update.unreachableTimeMs !== undefined
      ? { unreachable_time: { nanoseconds: Math.round(update.unreachableTimeMs * 1e6) } }
      : {}),
  };
}

/** Applies a master-generated transition to a task the master knows, and tells the framework. */
export function applyMasterUpdate(ctx: StepContext, framework: Framework, task: Task, update: MasterUpdate): void {
  const status = masterStatus(ctx, framework, task.id, task.agentId, update);
  const released = releasesResources(task.state);
  // A task that already ended keeps how it ended (its terminal update may wait for an acknowledgement).
  if (!isTerminalState(task.state)) task.state = update.state;
  task.statuses.push({ ...status, state: update.state });
  if (!released && releasesResources(update.state)) recoverTaskResources(ctx, task);
  ctx.sendToFramework(framework, { type: 'UPDATE', update: { status } });
  countTaskState(ctx, update.state, 'SOURCE_MASTER', update.reason);
  ctx.sendToOperators({
    type: 'TASK_UPDATED',
    task_updated: { framework_id: { value: framework.id }, status, state: task.state },
  });
}

/** Counters master/tasks_<state> and master/task_<state>/source_<source>/reason_<reason> (v0 names). */
export function countTaskState(ctx: StepContext, state: TaskState, source: string, reason: TaskReason | undefined): void {
  const name = state.replace('TASK_', '').toLowerCase();
  ctx.state.counters.increment(`master/tasks_${name}`);
  if (reason !== undefined) {
    const v0Reason = reason.replace('AGENT', 'SLAVE').toLowerCase();
    ctx.state.counters.increment(`master/task_${name}/${source.replace('AGENT', 'SLAVE').toLowerCase()}/${v0Reason}`);
  }
}
