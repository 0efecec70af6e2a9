/**
 * RECONCILE (spec/core.md 3.4): answers are UPDATE events from the master with
 * REASON_RECONCILIATION and no uuid. Implicit (no tasks listed): one per task
 * the master knows on registered agents. Explicit: the rules 1-6 in order.
 */
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { TaskState } from '../../../protocol/mesos.js';
import type { WireTaskStatus } from '../../../protocol/outputs.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework, Task } from '../state.js';
import { masterStatus } from '../tasks/master-update.js';
import { stateForFramework } from '../tasks/task-state.js';

export function onReconcile(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  ctx.state.counters.increment('master/messages_reconcile_tasks');
  const listed = call.reconcile?.tasks ?? [];
  if (listed.length === 0) {
    for (const task of framework.tasks.values()) {
      if (ctx.state.agents.get(task.agentId) !== undefined) sendStatus(ctx, framework, knownTaskStatus(ctx, framework, task));
    }
    return { status: 202 };
  }
  for (const { task_id, agent_id } of listed) {
    const status = reconcileOne(ctx, framework, task_id.value, agent_id?.value);
    if (status !== undefined) sendStatus(ctx, framework, status);
  }
  return { status: 202 };
}

function sendStatus(ctx: StepContext, framework: Framework, status: WireTaskStatus): void {
  ctx.sendToFramework(framework, { type: 'UPDATE', update: { status } });
}

/** The reconciliation answer for one task, or undefined when the master must stay silent (rule 2). */
export function reconcileOne(ctx: StepContext, framework: Framework, taskId: string, agentId: string | undefined): WireTaskStatus | undefined {
  const task = framework.tasks.get(taskId);
  if (task !== undefined) return knownTaskStatus(ctx, framework, task);
  const unknown = (state: TaskState, unreachableTimeMs?: number): WireTaskStatus =>
    masterStatus(ctx, framework, taskId, agentId, {
      state,
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: Task is unknown',
      ...(unreachableTimeMs !== undefined ? { unreachableTimeMs } : {}),
    });
  if (agentId !== undefined && ctx.state.agents.has(agentId)) return unknown('TASK_GONE');
  return unknown('TASK_UNKNOWN');
}

/** Rule 1: the latest state the framework was sent (status_update_state), else the task's state. */
function knownTaskStatus(ctx: StepContext, framework: Framework, task: Task): WireTaskStatus {
  const state = task.statusUpdateState ?? task.state;
  const last = [...task.statuses].reverse().find((s) => s.state === state);
  return {
    task_id: { value: task.id },
    state: stateForFramework(framework, state),
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    message: 'Reconciliation: Latest task state',
    agent_id: { value: task.agentId },
    ...(task.executorId !== undefined ? { executor_id: { value: task.executorId } } : {}),
    ...(last?.healthy !== undefined ? { healthy: last.healthy } : {}),
    ...(last?.check_status !== undefined ? { check_status: last.check_status } : {}),
    ...(last?.container_status !== undefined ? { container_status: last.container_status } : {}),
    timestamp: ctx.nowMs / 1000,
  };
}
