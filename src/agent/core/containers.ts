/**
 * Events from the containerizer: a container started, failed to start, or
 * ended. The executor's kind decides what that means for its tasks.
 */
import type { ContainerEvent, ExitStatus } from '../containerizer/types.js';
import type { Limitation } from '../isolators/isolator.js';
import { onCommandExited, onCommandStarted } from './command-executor.js';
import { onCustomExited } from './custom-executor.js';
import { agentUpdate, completeExecutorIfDone, liveTasks } from './executors.js';
import { taskIdOf, type AgentExecutor } from './model.js';
import type { AgentStep } from './step.js';

export function findExecutorByContainer(step: AgentStep, containerId: string): AgentExecutor | undefined {
  for (const framework of step.state.frameworks.values()) {
    for (const executor of framework.executors.values()) if (executor.containerId === containerId) return executor;
  }
  return undefined;
}

export function onContainerEvent(step: AgentStep, event: ContainerEvent): void {
  const executor = findExecutorByContainer(step, event.containerId);
  if (executor === undefined) {
    step.log('debug', `Ignoring ${event.type} of unknown container ${event.containerId}`);
    return;
  }
  switch (event.type) {
    case 'container_started':
      executor.supervisorPid = event.supervisorPid;
      executor.startTime = event.startTime;
      executor.startedAtMs = step.nowMs;
      step.persist({
        v: 1,
        type: 'container_started',
        framework_id: executor.frameworkId,
        executor_id: executor.id,
        container_id: executor.containerId,
        supervisor_pid: event.supervisorPid,
        start_time: event.startTime,
        started_at_ms: step.nowMs,
      });
      if (executor.kind === 'command') {
        executor.state = 'running';
        onCommandStarted(step, executor, event.warnings ?? []);
      } else if (executor.state === 'launching') {
        executor.state = 'registering';
      }
      return;
    case 'container_limited':
      recordLimitation(step, executor, event.limitation);
      return;
    case 'container_failed':
      launchFailed(step, executor, event.stage, event.message);
      return;
    case 'container_exited':
      if (event.limitation !== undefined) recordLimitation(step, executor, event.limitation);
      containerExited(step, executor, event.status);
  }
}

/**
 * An isolator saw the container past a limit; the containerizer destroys it.
 * Its tasks end TASK_FAILED, SOURCE_AGENT, with the limitation's reason,
 * message and resources, whoever ran them (Mesos). Recorded durably, so that
 * an agent restarted meanwhile still reports it.
 */
function recordLimitation(step: AgentStep, executor: AgentExecutor, limitation: Limitation): void {
  if (executor.state === 'terminated' || executor.killed?.cause === 'limitation') return;
  step.log('warn', `Container ${executor.containerId} of executor ${executor.id} passed a limit: ${limitation.message}`);
  executor.killed = { cause: 'limitation' };
  executor.pendingTermination = { state: 'TASK_FAILED', reason: limitation.reason, message: limitation.message, limitation };
  step.persist({ v: 1, type: 'executor_killed', framework_id: executor.frameworkId, executor_id: executor.id, cause: 'limitation', limitation });
}

/** Nothing ran: every task of the executor fails with the reason (SOURCE_AGENT). */
function launchFailed(step: AgentStep, executor: AgentExecutor, stage: 'fetch' | 'launch', message: string): void {
  step.log('warn', `Container ${executor.containerId} of executor ${executor.id} failed to ${stage}: ${message}`);
  step.effects.push({ type: 'stop_health_check', frameworkId: executor.frameworkId, taskId: executor.id });
  for (const task of liveTasks(executor)) {
    agentUpdate(step, executor, taskIdOf(task), {
      state: 'TASK_FAILED',
      source: 'SOURCE_AGENT',
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
      message: `Failed to launch container: ${message}`,
    });
  }
  markTerminated(step, executor, undefined);
  if (executor.kind === 'custom') {
    step.sendToMaster({
      type: 'EXITED_EXECUTOR',
      exited_executor: { framework_id: { value: executor.frameworkId }, executor_id: { value: executor.id } },
    });
  }
  completeExecutorIfDone(step, executor);
}

function containerExited(step: AgentStep, executor: AgentExecutor, status: ExitStatus | undefined): void {
  if (executor.state === 'terminated') return;
  executor.exitStatus = status;
  markTerminated(step, executor, status);
  if (executor.kind === 'command') onCommandExited(step, executor, status);
  else onCustomExited(step, executor, waitStatus(status));
  completeExecutorIfDone(step, executor);
}

function markTerminated(step: AgentStep, executor: AgentExecutor, status: ExitStatus | undefined): void {
  executor.state = 'terminated';
  executor.deadlineMs = undefined;
  step.persist({
    v: 1,
    type: 'executor_terminated',
    framework_id: executor.frameworkId,
    executor_id: executor.id,
    container_id: executor.containerId,
    ...(status !== undefined ? { status } : {}),
  });
}

/** A POSIX wait status, as FAILURE.status carries it: exit code << 8, or the signal number. */
export function waitStatus(status: ExitStatus | undefined): number | undefined {
  if (status === undefined) return undefined;
  return 'exited' in status ? (status.exited & 0xff) << 8 : status.signaled & 0x7f;
}
