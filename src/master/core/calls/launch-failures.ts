/**
 * Tasks that never start: the master answers each with a status of its own
 * (SOURCE_MASTER, no uuid): TASK_ERROR for invalid tasks, TASK_LOST (TASK_DROPPED
 * for partition-aware frameworks) for invalid offers or a vanished agent.
 */
import type { OfferOperation, TaskInfo, TaskReason, TaskState } from '../../../protocol/mesos.js';
import type { z } from 'zod';
import type { StepContext } from '../context.js';
import type { Framework } from '../state.js';
import { countTaskState, masterStatus } from '../tasks/master-update.js';

type WireTask = z.output<typeof TaskInfo>;

export function tasksOf(operations: readonly OfferOperation[]): WireTask[] {
  const tasks: WireTask[] = [];
  for (const operation of operations) {
    if (operation.type === 'LAUNCH') tasks.push(...(operation.launch?.task_infos ?? []));
    if (operation.type === 'LAUNCH_GROUP') tasks.push(...(operation.launch_group?.task_group.tasks ?? []));
  }
  return tasks;
}

export function failTasks(
  ctx: StepContext,
  framework: Framework,
  tasks: readonly WireTask[],
  agentId: string | undefined,
  failure: { readonly state: TaskState; readonly reason: TaskReason; readonly message: string },
): void {
  // TASK_LOST of a never-launched task is TASK_DROPPED for partition-aware frameworks.
  const state: TaskState =
    failure.state === 'TASK_LOST' && framework.capabilities.has('PARTITION_AWARE') ? 'TASK_DROPPED' : failure.state;
  for (const task of tasks) {
    const status = masterStatus(ctx, framework, task.task_id.value, agentId ?? task.agent_id.value, { ...failure, state });
    ctx.sendToFramework(framework, { type: 'UPDATE', update: { status } });
    countTaskState(ctx, state, 'SOURCE_MASTER', failure.reason);
  }
}
