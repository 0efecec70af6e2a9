/**
 * Tasks leaving the master's active set: completed (bounded per framework) and
 * their resources returned when they had not been returned already.
 */
import type { StepContext } from '../context.js';
import { taskKey, type Framework, type Task } from '../state.js';
import { releasesResources } from './task-state.js';

/** Gives the task's resources back to the allocator (once: on the first terminal or unreachable state). */
export function recoverTaskResources(ctx: StepContext, task: Task): void {
  ctx.state.allocator.recoverResources(task.frameworkId, task.agentId, task.resources, undefined, ctx.nowMs);
}

/** Moves a task to the framework's bounded list of completed tasks. */
export function completeTask(ctx: StepContext, framework: Framework, task: Task): void {
  framework.tasks.delete(task.id);
  framework.unreachableTasks.delete(task.id);
  const agent = ctx.state.agents.get(task.agentId);
  agent?.tasks.delete(taskKey(framework.id, task.id));
  // A later task may take the id again: the kill was for this one.
  agent?.killedTasks.delete(taskKey(framework.id, task.id));
  framework.completedTasks.push(task);
  const excess = framework.completedTasks.length - ctx.state.config.maxCompletedTasksPerFramework;
  if (excess > 0) framework.completedTasks.splice(0, excess);
}

/** Framework removal: the task is recorded as TASK_KILLED (REASON_FRAMEWORK_REMOVED); nothing is sent. */
export function killTaskForRemoval(ctx: StepContext, framework: Framework, task: Task): void {
  const wasActive = framework.tasks.has(task.id);
  if (wasActive && !releasesResources(task.state)) recoverTaskResources(ctx, task);
  task.state = 'TASK_KILLED';
  task.statuses.push({
    task_id: { value: task.id },
    state: 'TASK_KILLED',
    source: 'SOURCE_MASTER',
    reason: 'REASON_FRAMEWORK_REMOVED',
    message: 'Framework removed',
    agent_id: { value: task.agentId },
    timestamp: ctx.nowMs / 1000,
  });
  completeTask(ctx, framework, task);
  ctx.sendToOperators({
    type: 'TASK_UPDATED',
    task_updated: { framework_id: { value: framework.id }, status: task.statuses[task.statuses.length - 1] ?? {}, state: task.state },
  });
}
