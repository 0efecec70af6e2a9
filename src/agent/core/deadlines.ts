/**
 * Time limits on executors, checked on every step: a custom executor that did
 * not subscribe in time, one that did not re-subscribe after an agent restart,
 * a shutdown whose grace period ran out, a command task past its
 * max_completion_time (or killed before an agent restart). Each destroys the container; how its tasks end was set
 * in `pendingTermination` (or `killed`) when the limit was set.
 */
import { killCommandTask } from './command-executor.js';
import type { AgentStep } from './step.js';

export function onExecutorDeadlines(step: AgentStep): void {
  for (const framework of step.state.frameworks.values()) {
    for (const executor of framework.executors.values()) {
      if (executor.deadlineMs === undefined || executor.deadlineMs > step.nowMs) continue;
      executor.deadlineMs = undefined;
      if (executor.kind === 'command' && executor.state === 'running') {
        // Its max_completion_time ran out, or a kill begun before an agent restart goes on.
        const cause = executor.killed?.cause ?? 'completion_time';
        for (const taskId of executor.launchedTasks.keys()) killCommandTask(step, executor, taskId, undefined, cause);
        continue;
      }
      step.log('warn', `Executor ${executor.id} of framework ${framework.id} ran out of time (${executor.pendingTermination?.message ?? executor.state}); destroying its container`);
      step.effects.push({ type: 'destroy_container', containerId: executor.containerId, gracePeriodMs: 0 });
    }
  }
}

export function nextExecutorDeadlineMs(step: { state: AgentStep['state'] }): number | undefined {
  let next: number | undefined;
  for (const framework of step.state.frameworks.values()) {
    for (const executor of framework.executors.values()) {
      const deadline = executor.deadlineMs;
      if (deadline !== undefined && (next === undefined || deadline < next)) next = deadline;
    }
  }
  return next;
}
