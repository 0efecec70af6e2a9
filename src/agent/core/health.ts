/**
 * Health check results of command tasks (spec/core.md 2.5): a change of health
 * is a TASK_RUNNING update with `healthy` and REASON_TASK_HEALTH_CHECK_STATUS_UPDATED;
 * too many failures in a row kill the task, whose end then says healthy=false.
 */
import type { HealthEvent } from '../health/types.js';
import { killCommandTask } from './command-executor.js';
import { agentUpdate, findExecutorOfTask } from './executors.js';
import type { AgentStep } from './step.js';

export function onHealthEvent(step: AgentStep, event: HealthEvent): void {
  const executor = findExecutorOfTask(step.state, event.frameworkId, event.taskId);
  if (executor === undefined || executor.kind !== 'command') return;
  const task = executor.launchedTasks.get(event.taskId);
  // A check that was still running when the task was killed or ended has nothing to say.
  if (task === undefined || executor.killed !== undefined) return;
  if (event.type === 'health_changed') {
    agentUpdate(step, executor, event.taskId, {
      state: 'TASK_RUNNING',
      source: 'SOURCE_EXECUTOR',
      reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
      healthy: event.healthy,
    });
  } else {
    step.log('info', `Task ${event.taskId} of framework ${event.frameworkId} failed its health check too many times; killing it`);
    killCommandTask(step, executor, event.taskId, undefined, 'health');
  }
}
