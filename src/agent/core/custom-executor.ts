/**
 * Custom executors (spec/core.md 2.1-2.3): a process started from
 * ExecutorInfo.command in the sandbox that speaks the executor API. Tasks wait
 * in a queue until it subscribes; it must subscribe within
 * --executor_registration_timeout; its updates go through the status update
 * streams and are ACKNOWLEDGED once durable.
 */
import type { ExecutorCall } from '../../protocol/executor.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import { markKilled } from './command-executor.js';
import type { ExecutorReply } from './events.js';
import { containerIsolation } from './container-isolation.js';
import { commandArgv, containerEnvironment, containerUser, fetchUris, shutdownGracePeriodMs } from './environment.js';
import { acceptUpdate, agentUpdate, ensureFramework, findExecutorOfTask, liveTasks, newExecutor, partitionAware } from './executors.js';
import { idValue, infoTaskId, newAgentTask, taskIdOf, type AgentExecutor, type Json } from './model.js';
import type { AgentState } from './state.js';
import type { AgentStep } from './step.js';
import { containerResources, containerVolumes, resourcesOf } from './task-volumes.js';
import type { ContainerVolume } from '../containerizer/types.js';

export function launchCustomTask(step: AgentStep, frameworkInfo: Json, task: Json): void {
  const frameworkId = idValue(frameworkInfo['id']);
  const executorInfo = task['executor'] as Json;
  const executorId = idValue(executorInfo['executor_id']);
  const taskId = infoTaskId(task);
  const framework = ensureFramework(step, frameworkId, frameworkInfo);
  let executor = framework.executors.get(executorId);
  if (executor !== undefined && (executor.state === 'terminating' || executor.state === 'terminated')) {
    const lost = partitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST';
    const queued = newAgentTask(frameworkId, executorId, task);
    executor.queuedTasks.set(taskId, queued);
    agentUpdate(step, executor, taskId, { state: lost, source: 'SOURCE_AGENT', reason: 'REASON_EXECUTOR_TERMINATED', message: 'Executor terminating' });
    return;
  }
  if (executor !== undefined && !volumesMounted(step, executor, task)) {
    executor.queuedTasks.set(taskId, newAgentTask(frameworkId, executorId, task));
    agentUpdate(step, executor, taskId, {
      state: 'TASK_FAILED',
      source: 'SOURCE_AGENT',
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
      message:
        'berth gives a custom executor its volumes when it starts: this task uses a persistent volume its running executor ' +
        'does not have (list the volume in ExecutorInfo.resources, or launch the task on a new executor)',
    });
    return;
  }
  const joining = executor !== undefined;
  if (executor === undefined) {
    executor = newExecutor(step, framework, executorId, 'custom', executorInfo);
    executor.deadlineMs = step.nowMs + step.state.config.executorRegistrationTimeoutMs;
    executor.pendingTermination = {
      state: 'TASK_FAILED',
      reason: 'REASON_EXECUTOR_REGISTRATION_TIMEOUT',
      message: 'Executor did not register within the registration timeout',
    };
    startExecutorContainer(step, executor, frameworkInfo, task);
  }
  const agentTask = newAgentTask(frameworkId, executorId, task);
  step.persist({ v: 1, type: 'task', framework_id: frameworkId, executor_id: executorId, task });
  // A task joining an existing container: its isolators follow its resources (Mesos' update).
  if (joining) step.effects.push({ type: 'update_container', containerId: executor.containerId, isolation: containerIsolation(executor, [task]) });
  if (executor.state === 'running' && executor.connectionId !== undefined) {
    executor.launchedTasks.set(taskId, agentTask);
    step.toExecutor(executor.connectionId, { type: 'LAUNCH', launch: { task } });
  } else {
    executor.queuedTasks.set(taskId, agentTask);
  }
}

/**
 * A custom executor's container gets the volumes of its ExecutorInfo and of
 * the task that starts it; a later task can only use those (volumesMounted).
 */
function startExecutorContainer(step: AgentStep, executor: AgentExecutor, frameworkInfo: Json, task: Json): void {
  const command = executor.info['command'] as Json;
  step.effects.push({
    type: 'launch_container',
    launch: {
      containerId: executor.containerId,
      frameworkId: executor.frameworkId,
      executorId: executor.id,
      directory: executor.directory,
      runDirectory: executor.runDirectory,
      user: containerUser(step.state, command, frameworkInfo),
      argv: commandArgv(command),
      environment: containerEnvironment(step.state, executor, command),
      uris: fetchUris(command),
      volumes: containerVolumes(step.state, resourcesOf(executor.info).plus(resourcesOf(task))),
      isolation: containerIsolation(executor, [task]),
    },
  });
}

/** Whether every volume the task uses is in its running executor's container (containerResources). */
function volumesMounted(step: AgentStep, executor: AgentExecutor, task: Json): boolean {
  const wanted = containerVolumes(step.state, resourcesOf(task));
  // Most tasks use no volume: the executor's tasks are read only for one that does.
  if (wanted.length === 0) return true;
  const key = (volume: ContainerVolume): string => `${volume.source}\u0000${volume.containerPath}`;
  const mounted = new Set(containerVolumes(step.state, containerResources(executor)).map(key));
  return wanted.every((volume) => mounted.has(key(volume)));
}

/** SUBSCRIBE from an executor (spec/core.md 2.2): replies and events per the spec. */
export function onExecutorSubscribe(step: AgentStep, connectionId: string, call: ExecutorCall): ExecutorReply {
  const found = lookupExecutor(step.state, call);
  if ('status' in found) return found;
  const { executor } = found;
  const framework = step.state.frameworks.get(executor.frameworkId);
  if (framework?.terminating === true || executor.state === 'terminating' || executor.state === 'terminated') {
    step.toExecutor(connectionId, { type: 'SHUTDOWN' });
    step.effects.push({ type: 'executor_close', connectionId });
    return { status: 200 };
  }
  if (executor.connectionId !== undefined && executor.connectionId !== connectionId) {
    step.effects.push({ type: 'executor_close', connectionId: executor.connectionId });
  }
  const firstSubscription = (executor.state === 'launching' || executor.state === 'registering') && step.state.recoveringUntilMs === undefined;
  executor.connectionId = connectionId;
  executor.state = 'running';
  executor.deadlineMs = undefined;
  executor.pendingTermination = undefined;
  step.toExecutor(connectionId, {
    type: 'SUBSCRIBED',
    subscribed: {
      executor_info: executor.info,
      framework_info: framework?.info ?? {},
      agent_info: { ...step.state.config.info, ...(step.state.agentId !== undefined ? { id: { value: step.state.agentId } } : {}) },
      container_id: { value: executor.containerId },
    },
  });
  for (const update of call.subscribe?.unacknowledged_updates ?? []) receiveExecutorUpdate(step, executor, connectionId, update.status as WireTaskStatus);
  dropUndelivered(step, executor, call);
  for (const [taskId, task] of [...executor.queuedTasks]) {
    executor.queuedTasks.delete(taskId);
    executor.launchedTasks.set(taskId, task);
    step.toExecutor(connectionId, { type: 'LAUNCH', launch: { task: task.info } });
  }
  // Every task it was started for was killed before it subscribed: it would wait for work
  // forever (spec/core.md 2.2, Mesos' MESOS-8411 workaround), so it is shut down.
  if (firstSubscription && liveTasks(executor).length === 0) shutdownExecutor(step, executor);
  return { status: 200 };
}

/**
 * After an agent restart, a task the agent had handed over (launched) that is
 * still TASK_STAGING and that the executor does not list never reached it:
 * TASK_LOST (TASK_DROPPED), REASON_AGENT_RESTARTED.
 */
function dropUndelivered(step: AgentStep, executor: AgentExecutor, call: ExecutorCall): void {
  const known = new Set((call.subscribe?.unacknowledged_tasks ?? []).map((t) => t.task_id.value));
  const framework = step.state.frameworks.get(executor.frameworkId);
  for (const task of [...executor.launchedTasks.values()]) {
    const taskId = taskIdOf(task);
    if (task.state !== 'TASK_STAGING' || known.has(taskId)) continue;
    agentUpdate(step, executor, taskId, {
      state: partitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST',
      source: 'SOURCE_AGENT',
      reason: 'REASON_AGENT_RESTARTED',
      message: 'Task was not received by the executor before the agent restarted',
    });
  }
}

/** UPDATE, MESSAGE and HEARTBEAT from a subscribed executor. */
export function onExecutorCall(step: AgentStep, call: ExecutorCall): ExecutorReply {
  const found = lookupExecutor(step.state, call);
  if ('status' in found) return found;
  const { executor } = found;
  // Only one that never subscribed is refused: a subscribed executor whose stream broke may still send updates.
  if (executor.state === 'launching' || executor.state === 'registering') return { status: 403, body: 'Executor is not subscribed' };
  switch (call.type) {
    case 'UPDATE': {
      const status = call.update?.status as WireTaskStatus | undefined;
      if (status === undefined) return { status: 400, body: "Expecting 'update' to be present" };
      const owner = findExecutorOfTask(step.state, executor.frameworkId, status.task_id.value);
      if (owner !== undefined && owner !== executor) {
        return { status: 400, body: `Task ${status.task_id.value} belongs to executor ${owner.id}, not to ${executor.id}` };
      }
      receiveExecutorUpdate(step, executor, executor.connectionId, status);
      return { status: 202 };
    }
    case 'MESSAGE':
      step.sendToMaster({
        type: 'EXECUTOR_TO_FRAMEWORK',
        executor_to_framework: { framework_id: { value: executor.frameworkId }, executor_id: { value: executor.id }, data: call.message?.data ?? '' },
      });
      return { status: 202 };
    default:
      return { status: 202 };
  }
}

function receiveExecutorUpdate(step: AgentStep, executor: AgentExecutor, connectionId: string | undefined, status: WireTaskStatus): void {
  const normalized: WireTaskStatus = {
    ...status,
    source: 'SOURCE_EXECUTOR',
    executor_id: { value: executor.id },
    agent_id: { value: step.state.agentId ?? '' },
    timestamp: status.timestamp ?? step.nowMs / 1000,
  };
  const taskId = status.task_id.value;
  const task = executor.queuedTasks.get(taskId) ?? executor.launchedTasks.get(taskId);
  const outcome = acceptUpdate(step, executor, normalized);
  if (task !== undefined && outcome === 'accepted' && !executor.launchedTasks.has(taskId) && executor.queuedTasks.has(taskId)) {
    executor.queuedTasks.delete(taskId);
    executor.launchedTasks.set(taskId, task);
  }
  if (outcome !== 'dropped' && status.uuid !== undefined) {
    step.toExecutor(connectionId, { type: 'ACKNOWLEDGED', acknowledged: { task_id: status.task_id, uuid: status.uuid } });
  }
}

/** The executor a call is from, or the 400 that says which of framework and executor is unknown. */
export function lookupExecutor(state: AgentState, call: ExecutorCall): { executor: AgentExecutor } | ExecutorReply {
  const framework = state.frameworks.get(call.framework_id.value);
  if (framework === undefined) return { status: 400, body: 'Framework cannot be found' };
  const executor = framework.executors.get(call.executor_id.value);
  if (executor === undefined || executor.kind !== 'custom') return { status: 400, body: 'Executor cannot be found' };
  return { executor };
}

export function onExecutorClosed(step: AgentStep, connectionId: string): void {
  for (const framework of step.state.frameworks.values()) {
    for (const executor of framework.executors.values()) {
      if (executor.connectionId === connectionId) executor.connectionId = undefined;
    }
  }
}

/** SHUTDOWN of an executor: the SHUTDOWN event now, the container destroyed after the grace period. */
export function shutdownExecutor(step: AgentStep, executor: AgentExecutor): void {
  if (executor.state === 'terminated' || executor.state === 'terminating') return;
  executor.state = 'terminating';
  // What is left when the container ends fails, as in Mesos (a custom executor is expected to
  // kill its tasks itself on SHUTDOWN; the command executor's tasks end TASK_KILLED by `killed`).
  executor.pendingTermination ??= { state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_TERMINATED', message: 'Executor shut down' };
  if (executor.kind === 'custom' && executor.connectionId !== undefined) {
    step.toExecutor(executor.connectionId, { type: 'SHUTDOWN' });
    executor.deadlineMs = step.nowMs + shutdownGracePeriodMs(step.state, executor);
    return;
  }
  markKilled(step, executor, 'kill');
  step.effects.push({ type: 'destroy_container', containerId: executor.containerId, gracePeriodMs: shutdownGracePeriodMs(step.state, executor) });
}

/** A custom executor's container ended: its remaining tasks end as the termination says; the master hears. */
export function onCustomExited(step: AgentStep, executor: AgentExecutor, waitStatus: number | undefined): void {
  const termination = executor.pendingTermination ?? { state: 'TASK_FAILED' as const, reason: 'REASON_EXECUTOR_TERMINATED' as const, message: 'Executor terminated' };
  for (const task of liveTasks(executor)) {
    agentUpdate(step, executor, taskIdOf(task), { ...termination, source: 'SOURCE_AGENT' });
  }
  if (executor.connectionId !== undefined) {
    step.effects.push({ type: 'executor_close', connectionId: executor.connectionId });
    executor.connectionId = undefined;
  }
  step.sendToMaster({
    type: 'EXITED_EXECUTOR',
    exited_executor: {
      framework_id: { value: executor.frameworkId },
      executor_id: { value: executor.id },
      ...(waitStatus !== undefined ? { status: waitStatus } : {}),
    },
  });
}
