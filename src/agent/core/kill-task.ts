/**
 * KILL of one task (spec/core.md 1.5.7, agent side), for the master's
 * KILL_TASK and for a drain: a task not yet handed to its executor is
 * TASK_KILLED during launch; a command task is killed by the agent; a custom
 * executor gets the KILL event and decides.
 */
import { killCommandTask, markKilled } from './command-executor.js';
import { agentUpdate, completeExecutorIfDone, findExecutorOfTask, partitionAware, unknownTaskExecutor } from './executors.js';
import type { Json } from './model.js';
import type { AgentStep } from './step.js';

/** `killPolicy` overrides the task's own (a KILL_TASK's, or a drain's capped grace period). */
export function killTask(step: AgentStep, frameworkId: string, taskId: string, killPolicy: Json | undefined): void {
  const executor = findExecutorOfTask(step.state, frameworkId, taskId);
  const framework = step.state.frameworks.get(frameworkId);
  if (executor === undefined) {
    const placeholder = framework === undefined ? undefined : unknownTaskExecutor(step, frameworkId, taskId);
    if (placeholder !== undefined) {
      agentUpdate(step, placeholder, taskId, {
        state: partitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST',
        source: 'SOURCE_AGENT',
        reason: 'REASON_EXECUTOR_TERMINATED',
        message: 'Cannot find executor',
      });
      completeExecutorIfDone(step, placeholder);
    }
    return;
  }
  if (executor.queuedTasks.has(taskId) || (executor.kind === 'command' && executor.state === 'launching')) {
    agentUpdate(step, executor, taskId, { state: 'TASK_KILLED', source: 'SOURCE_AGENT', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'Killed before delivery to the executor' });
    if (executor.kind === 'command') {
      markKilled(step, executor, 'kill');
      step.effects.push({ type: 'destroy_container', containerId: executor.containerId, gracePeriodMs: 0 });
    }
    return;
  }
  if (executor.kind === 'command') killCommandTask(step, executor, taskId, killPolicy, 'kill');
  else step.toExecutor(executor.connectionId, { type: 'KILL', kill: { task_id: { value: taskId }, ...(killPolicy !== undefined ? { kill_policy: killPolicy } : {}) } });
}
