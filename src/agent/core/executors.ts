/**
 * Executors on the agent: created for a framework's task, terminated when
 * their container ends, completed (moved to the framework's bounded history,
 * their sandbox handed to garbage collection) once every task's terminal
 * update has been acknowledged.
 */
import type { TaskReason, TaskState } from '../../protocol/mesos.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import type { Limitation } from '../isolators/isolator.js';
import { latestRunVirtualPath, runMetaDir, sandboxPath } from '../paths.js';
import { newAgentExecutor, newAgentTask, streamKey, taskIdOf, type AgentExecutor, type AgentFramework, type AgentTask, type ExecutorKind, type Json } from './model.js';
import type { AgentState } from './state.js';
import type { AgentStep } from './step.js';
import { isTerminal, newUpdateUuid, receiveUpdate } from './status-updates.js';
import { drainingStatus } from './drain-updates.js';

export function findTask(state: AgentState, frameworkId: string, taskId: string): AgentTask | undefined {
  const executor = findExecutorOfTask(state, frameworkId, taskId);
  return executor?.queuedTasks.get(taskId) ?? executor?.launchedTasks.get(taskId) ?? executor?.terminatedTasks.get(taskId);
}

export function findExecutorOfTask(state: AgentState, frameworkId: string, taskId: string): AgentExecutor | undefined {
  const framework = state.frameworks.get(frameworkId);
  if (framework === undefined) return undefined;
  for (const executor of framework.executors.values()) {
    if (executor.queuedTasks.has(taskId) || executor.launchedTasks.has(taskId) || executor.terminatedTasks.has(taskId)) return executor;
  }
  return undefined;
}

/** Creates or updates the framework record; its info is checkpointed when it changes. */
export function ensureFramework(step: AgentStep, frameworkId: string, info: Json): AgentFramework {
  let framework = step.state.frameworks.get(frameworkId);
  if (framework === undefined) {
    framework = { id: frameworkId, info, executors: new Map(), completedExecutors: [], terminating: false };
    step.state.frameworks.set(frameworkId, framework);
    step.persist({ v: 1, type: 'framework', framework_id: frameworkId, info });
  } else if (JSON.stringify(framework.info) !== JSON.stringify(info)) {
    framework.info = info;
    step.persist({ v: 1, type: 'framework', framework_id: frameworkId, info });
  }
  return framework;
}

export function checkpoints(framework: AgentFramework): boolean {
  return framework.info['checkpoint'] === true;
}

/**
 * A new executor, checkpointed. A stray one only carries updates about a task
 * the agent never ran: it never has a container, so its sandbox is not served.
 */
export function newExecutor(
  step: AgentStep,
  framework: AgentFramework,
  executorId: string,
  kind: ExecutorKind,
  info: Json,
  stray = false,
): AgentExecutor {
  const { state } = step;
  const agentId = state.agentId ?? 'unregistered';
  const containerId = state.random.uuid();
  const executor = newAgentExecutor({
    id: executorId,
    frameworkId: framework.id,
    kind,
    info,
    containerId,
    directory: sandboxPath(state.config.workDir, agentId, framework.id, executorId, containerId),
    runDirectory: runMetaDir(state.config.workDir, agentId, framework.id, executorId, containerId),
    checkpoint: checkpoints(framework),
    stray,
  });
  framework.executors.set(executorId, executor);
  step.persist({
    v: 1,
    type: 'executor',
    framework_id: framework.id,
    executor_id: executorId,
    container_id: containerId,
    info,
    kind,
    directory: executor.directory,
  });
  if (!stray) step.effects.push({ type: 'expose_sandbox', directory: executor.directory, virtualPath: latestRunVirtualPath(framework.id, executorId) });
  return executor;
}

export interface UpdateSpec {
  readonly state: TaskState;
  readonly source: 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';
  readonly reason?: TaskReason;
  readonly message?: string;
  readonly healthy?: boolean;
  /** The limit an isolator saw the container pass: TaskStatus.limitation carries its resources. */
  readonly limitation?: Limitation;
}

/** An update the agent makes (as the command executor, or about an executor's tasks). */
export function agentUpdate(step: AgentStep, executor: AgentExecutor, taskId: string, spec: UpdateSpec): void {
  const status: WireTaskStatus = {
    task_id: { value: taskId },
    state: spec.state,
    source: spec.source,
    ...(spec.reason !== undefined ? { reason: spec.reason } : {}),
    ...(spec.message !== undefined ? { message: spec.message } : {}),
    ...(spec.healthy !== undefined ? { healthy: spec.healthy } : {}),
    ...(spec.limitation !== undefined ? { limitation: { resources: [...spec.limitation.resources] as unknown as NonNullable<WireTaskStatus['limitation']>['resources'] } } : {}),
    agent_id: { value: step.state.agentId ?? '' },
    executor_id: { value: executor.id },
    timestamp: step.nowMs / 1000,
    uuid: newUpdateUuid(step),
  };
  acceptUpdate(step, executor, status);
}

/**
 * Takes an update for one of the executor's tasks, as a draining agent
 * reports it (drain-updates.ts); a terminal one moves the task to terminated.
 */
export function acceptUpdate(step: AgentStep, executor: AgentExecutor, received: WireTaskStatus): ReturnType<typeof receiveUpdate> {
  const status = drainingStatus(step.state.drain, received, partitionAware(step.state.frameworks.get(executor.frameworkId)));
  const outcome = receiveUpdate(step, executor.frameworkId, withContainerStatus(step, executor, status));
  if (outcome !== 'duplicate' && isTerminal(status.state)) {
    const taskId = status.task_id.value;
    const task = executor.launchedTasks.get(taskId) ?? executor.queuedTasks.get(taskId);
    // A TASK_KILLING reported as TASK_GONE_BY_OPERATOR ends the task before its container does:
    // the command executor's exit will not find it to stop its health check, so it stops now.
    if (task !== undefined && !isTerminal(received.state) && executor.kind === 'command') {
      step.effects.push({ type: 'stop_health_check', frameworkId: executor.frameworkId, taskId });
    }
    if (task !== undefined) {
      executor.launchedTasks.delete(taskId);
      executor.queuedTasks.delete(taskId);
      // Dropped (its framework is shutting down): no acknowledgement will come, the task is done now.
      if (outcome === 'accepted') executor.terminatedTasks.set(taskId, task);
      else completeTask(step.state, executor, task);
    }
  }
  return outcome;
}

/**
 * The agent fills `container_status` (spec/core.md 2.4 agent side, point 1):
 * the container's id, and its IP, which is the agent's own (containers share
 * the host's network).
 */
function withContainerStatus(step: AgentStep, executor: AgentExecutor, status: WireTaskStatus): WireTaskStatus {
  if (status.container_status !== undefined) return status;
  return {
    ...status,
    container_status: {
      container_id: { value: executor.containerId },
      network_infos: [{ ip_addresses: [{ ip_address: step.state.config.info.ip }] }],
    },
  };
}

/** A terminal update was acknowledged: the task is completed; the executor may be too. */
export function onTaskTerminalAcknowledged(step: AgentStep, frameworkId: string, taskId: string): void {
  const executor = findExecutorOfTask(step.state, frameworkId, taskId);
  if (executor === undefined) return;
  const task = executor.terminatedTasks.get(taskId);
  if (task !== undefined) {
    executor.terminatedTasks.delete(taskId);
    completeTask(step.state, executor, task);
  }
  completeExecutorIfDone(step, executor);
}

/** Completed tasks kept per executor, as in Mesos (MAX_COMPLETED_TASKS_PER_EXECUTOR). */
export const maxCompletedTasksPerExecutor = 200;

/** Moves an ended task to the executor's bounded history; an evicted task's closed stream goes with it. */
export function completeTask(state: AgentState, executor: AgentExecutor, task: AgentTask): void {
  executor.completedTasks.push(task);
  const evicted = executor.completedTasks.splice(0, Math.max(0, executor.completedTasks.length - maxCompletedTasksPerExecutor));
  for (const old of evicted) forgetClosedStream(state, executor.frameworkId, taskIdOf(old));
}

/**
 * Deletes the stream of an ended task, unless a task of that id runs again
 * (task ids may be reused once the old task is done).
 */
export function forgetClosedStream(state: AgentState, frameworkId: string, taskId: string): void {
  if (findExecutorOfTask(state, frameworkId, taskId) !== undefined) return;
  state.streams.delete(streamKey(frameworkId, taskId));
}

/** The container ended and every task's end was acknowledged: history and garbage collection. */
export function completeExecutorIfDone(step: AgentStep, executor: AgentExecutor): void {
  if (executor.state !== 'terminated') return;
  if (executor.queuedTasks.size + executor.launchedTasks.size + executor.terminatedTasks.size > 0) return;
  const framework = step.state.frameworks.get(executor.frameworkId);
  if (framework === undefined || framework.executors.get(executor.id) !== executor) return;
  framework.executors.delete(executor.id);
  // Nothing can send updates for its tasks any more: their closed streams go.
  for (const task of executor.completedTasks) forgetClosedStream(step.state, executor.frameworkId, taskIdOf(task));
  executor.completedAtMs = step.nowMs;
  // A placeholder that only carried updates about a task the agent never ran has no sandbox and no history.
  if (!executor.stray) {
    framework.completedExecutors.push(executor);
    const excess = framework.completedExecutors.length - step.state.config.maxCompletedExecutorsPerFramework;
    if (excess > 0) framework.completedExecutors.splice(0, excess);
    step.effects.push({ type: 'schedule_gc', path: executor.directory, completedAtMs: step.nowMs });
    step.effects.push({ type: 'schedule_gc', path: executor.runDirectory, completedAtMs: step.nowMs });
  }
  removeFrameworkIfDone(step, framework);
}

/** Completed frameworks kept, as in Mesos (MAX_COMPLETED_FRAMEWORKS). */
const maxCompletedFrameworks = 50;

/** A framework being shut down goes once its last executor is done. */
export function removeFrameworkIfDone(step: AgentStep, framework: AgentFramework): void {
  if (!framework.terminating || framework.executors.size > 0) return;
  step.state.frameworks.delete(framework.id);
  step.state.completedFrameworks.push(framework);
  if (step.state.completedFrameworks.length > maxCompletedFrameworks) step.state.completedFrameworks.shift();
  step.persist({ v: 1, type: 'framework_removed', framework_id: framework.id });
}

/**
 * Updates about a task the agent has no executor for still need a stream (and
 * a framework record) to travel reliably; a terminated placeholder executor
 * holds the task until its update is acknowledged.
 */
export function unknownTaskExecutor(step: AgentStep, frameworkId: string, taskId: string): AgentExecutor {
  const framework = step.state.frameworks.get(frameworkId) ?? ensureFramework(step, frameworkId, { id: { value: frameworkId } });
  const executor = newExecutor(step, framework, `${taskId}-unknown`, 'command', { executor_id: { value: `${taskId}-unknown` } }, true);
  executor.state = 'terminated';
  const info = { task_id: { value: taskId } };
  executor.queuedTasks.set(taskId, newAgentTask(frameworkId, executor.id, info));
  step.persist({ v: 1, type: 'task', framework_id: frameworkId, executor_id: executor.id, task: info });
  step.persist({ v: 1, type: 'executor_terminated', framework_id: frameworkId, executor_id: executor.id, container_id: executor.containerId });
  return executor;
}

/** Non-terminal tasks of an executor (queued or launched). */
export function liveTasks(executor: AgentExecutor): AgentTask[] {
  return [...executor.queuedTasks.values(), ...executor.launchedTasks.values()];
}

/** Partition-aware frameworks are told TASK_DROPPED/TASK_GONE where others get TASK_LOST. */
export function partitionAware(framework: AgentFramework | undefined): boolean {
  const capabilities = (framework?.info['capabilities'] as { type?: string }[] | undefined) ?? [];
  return capabilities.some((c) => c.type === 'PARTITION_AWARE');
}
