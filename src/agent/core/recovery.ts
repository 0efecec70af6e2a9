/**
 * Rebuilding the agent's state from its journal after a restart (spec/core.md
 * 5.5): frameworks, executors, tasks and the unacknowledged updates of each
 * task, in the order they happened. Executors of frameworks that do not
 * checkpoint are not recovered: their containers are destroyed (the master
 * already reported their tasks lost). Custom executors get
 * --executor_reregistration_timeout to subscribe again; until then the agent
 * does not link to the master. After a host reboot nothing survived: every
 * task ends TASK_LOST (TASK_GONE), REASON_AGENT_RESTARTED. A drain under way
 * is recovered, to be replayed (drain.ts).
 */
import type { WireTaskStatus } from '../../protocol/outputs.js';
import type { JournalRecord } from '../checkpoint/records.js';
import type { KnownContainer } from '../containerizer/types.js';
import { runMetaDir } from '../paths.js';
import { completionDeadlineMs } from './command-executor.js';
import { containerIsolation } from './container-isolation.js';
import { completeTask, findTask, forgetClosedStream, liveTasks, partitionAware } from './executors.js';
import { infoTaskId, newAgentExecutor, newAgentTask, noteStatus, streamKey, taskIdOf, type AgentExecutor, type AgentFramework, type StatusStream } from './model.js';
import type { AgentState } from './state.js';
import { isTerminal } from './status-updates.js';
import { containerResources, containerVolumes } from './task-volumes.js';

export interface Recovered {
  /** Containers to watch (or learn the end of) through the containerizer. */
  readonly containers: KnownContainer[];
  /** Containers of frameworks that do not checkpoint: to be destroyed. */
  readonly orphans: KnownContainer[];
}

export function recoverState(state: AgentState, records: readonly JournalRecord[], nowMs: number, rebooted: boolean): Recovered {
  for (const record of records) apply(state, record);
  const containers: KnownContainer[] = [];
  const orphans: KnownContainer[] = [];
  let waitForExecutors = false;
  for (const framework of [...state.frameworks.values()]) {
    if (framework.info['checkpoint'] !== true) {
      // Not recovered (spec/core.md 5.5): the master reported its tasks lost when the
      // link broke; its containers are killed and its updates go nowhere.
      for (const executor of framework.executors.values()) if (executor.state !== 'terminated') orphans.push(knownContainer(state, executor));
      for (const [key, stream] of [...state.streams]) if (stream.frameworkId === framework.id) state.streams.delete(key);
      state.frameworks.delete(framework.id);
      continue;
    }
    for (const executor of framework.executors.values()) {
      if (executor.state === 'terminated') continue;
      containers.push(knownContainer(state, executor));
      if (!rebooted && executor.kind === 'command' && executor.state === 'running') {
        // A kill begun before the restart goes on at once; else max_completion_time still counts from the start.
        executor.deadlineMs = executor.killed !== undefined ? nowMs : completionDeadlineMs(executor);
      }
      if (rebooted) {
        // Nothing survived the reboot: the containerizer reports each container ended.
        executor.pendingTermination = {
          state: partitionAware(framework) ? 'TASK_GONE' : 'TASK_LOST',
          reason: 'REASON_AGENT_RESTARTED',
          message: 'The host rebooted',
        };
      } else if (executor.kind === 'custom') {
        waitForExecutors = true;
        executor.deadlineMs = nowMs + state.config.executorReregistrationTimeoutMs;
        executor.pendingTermination = {
          state: partitionAware(framework) ? 'TASK_GONE' : 'TASK_LOST',
          reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT',
          message: 'Executor did not re-register after the agent restarted',
        };
      }
    }
  }
  if (waitForExecutors) state.recoveringUntilMs = nowMs + state.config.executorReregistrationTimeoutMs;
  return { containers, orphans };
}

function knownContainer(state: AgentState, executor: AgentExecutor): KnownContainer {
  return {
    containerId: executor.containerId,
    runDirectory: executor.runDirectory,
    supervisorPid: executor.supervisorPid,
    startTime: executor.startTime,
    directory: executor.directory,
    volumes: containerVolumes(state, containerResources(executor)),
    isolation: containerIsolation(executor),
  };
}

function apply(state: AgentState, record: JournalRecord): void {
  switch (record.type) {
    case 'framework': {
      const framework = state.frameworks.get(record.framework_id);
      if (framework !== undefined) framework.info = record.info;
      else state.frameworks.set(record.framework_id, newFramework(record.framework_id, record.info));
      return;
    }
    case 'framework_removed':
      state.frameworks.delete(record.framework_id);
      for (const [key, stream] of [...state.streams]) if (stream.frameworkId === record.framework_id) state.streams.delete(key);
      return;
    case 'executor':
      addExecutor(state, record);
      return;
    case 'container_started': {
      const executor = executorOf(state, record.framework_id, record.executor_id);
      if (executor === undefined) return;
      executor.supervisorPid = record.supervisor_pid;
      executor.startTime = record.start_time;
      executor.startedAtMs = record.started_at_ms;
      executor.state = executor.kind === 'command' ? 'running' : 'registering';
      return;
    }
    case 'executor_terminated': {
      const executor = executorOf(state, record.framework_id, record.executor_id);
      if (executor === undefined) return;
      executor.state = 'terminated';
      executor.exitStatus = record.status;
      return;
    }
    case 'executor_killed': {
      const executor = executorOf(state, record.framework_id, record.executor_id);
      if (executor === undefined) return;
      executor.killed = { cause: record.cause };
      const limitation = record.limitation;
      if (limitation !== undefined) executor.pendingTermination = { state: 'TASK_FAILED', reason: limitation.reason, message: limitation.message, limitation };
      return;
    }
    case 'task': {
      const executor = executorOf(state, record.framework_id, record.executor_id);
      const taskId = infoTaskId(record.task);
      // A task reusing the id of one that ended gets a fresh stream, as when it was launched.
      if (state.streams.get(streamKey(record.framework_id, taskId))?.terminated === true) state.streams.delete(streamKey(record.framework_id, taskId));
      executor?.launchedTasks.set(taskId, newAgentTask(record.framework_id, record.executor_id, record.task));
      return;
    }
    case 'update':
      applyUpdate(state, record.framework_id, record.task_id, record.status as unknown as WireTaskStatus);
      return;
    case 'ack':
      applyAck(state, record.framework_id, record.task_id, record.uuid);
      return;
    case 'drain':
      // Replayed once recovery is over (drain.ts): until then it has no start time.
      state.drain = { config: record.config, startedAtMs: undefined };
      return;
    case 'drain_finished':
      state.drain = undefined;
  }
}

function newFramework(id: string, info: Record<string, unknown>): AgentFramework {
  return { id, info, executors: new Map(), completedExecutors: [], terminating: false };
}

function addExecutor(state: AgentState, record: Extract<JournalRecord, { type: 'executor' }>): void {
  const framework = state.frameworks.get(record.framework_id);
  if (framework === undefined) return;
  const executor = newAgentExecutor({
    id: record.executor_id,
    frameworkId: record.framework_id,
    kind: record.kind,
    info: record.info,
    containerId: record.container_id,
    directory: record.directory,
    runDirectory: runMetaDir(state.config.workDir, state.agentId ?? 'unregistered', record.framework_id, record.executor_id, record.container_id),
    checkpoint: framework.info['checkpoint'] === true,
    // Only a placeholder carrying updates about a task the agent never ran has a command executor without a command.
    stray: record.info['command'] === undefined && record.kind === 'command',
  });
  framework.executors.set(executor.id, executor);
}

function executorOf(state: AgentState, frameworkId: string, executorId: string): AgentExecutor | undefined {
  return state.frameworks.get(frameworkId)?.executors.get(executorId);
}

function streamOf(state: AgentState, frameworkId: string, taskId: string): StatusStream {
  const key = streamKey(frameworkId, taskId);
  let stream = state.streams.get(key);
  if (stream === undefined) {
    stream = { frameworkId, taskId, pending: [], seen: new Set(), terminated: false, retryAtMs: undefined, retryIntervalMs: state.config.statusUpdateRetryInitialMs };
    state.streams.set(key, stream);
  }
  return stream;
}

function applyUpdate(state: AgentState, frameworkId: string, taskId: string, status: WireTaskStatus): void {
  const stream = streamOf(state, frameworkId, taskId);
  if (status.uuid !== undefined) stream.seen.add(status.uuid);
  stream.pending.push(status);
  const framework = state.frameworks.get(frameworkId);
  for (const executor of framework?.executors.values() ?? []) {
    const task = executor.launchedTasks.get(taskId) ?? executor.queuedTasks.get(taskId) ?? executor.terminatedTasks.get(taskId);
    if (task === undefined) continue;
    noteStatus(task, status);
    if (isTerminal(task.state) && !executor.terminatedTasks.has(taskId)) {
      executor.launchedTasks.delete(taskId);
      executor.queuedTasks.delete(taskId);
      executor.terminatedTasks.set(taskId, task);
    }
  }
}

function applyAck(state: AgentState, frameworkId: string, taskId: string, uuid: string): void {
  const key = streamKey(frameworkId, taskId);
  const stream = state.streams.get(key);
  const head = stream?.pending[0];
  if (stream === undefined || head?.uuid !== uuid) return;
  stream.pending.shift();
  if (!isTerminal(head.state)) return;
  // As when it happened (status-updates.ts): the stream closes, later updates go.
  stream.terminated = true;
  stream.pending.length = 0;
  if (findTask(state, frameworkId, taskId) === undefined) state.streams.delete(key);
  const framework = state.frameworks.get(frameworkId);
  for (const executor of [...(framework?.executors.values() ?? [])]) {
    const task = executor.terminatedTasks.get(taskId);
    if (task === undefined) continue;
    executor.terminatedTasks.delete(taskId);
    completeTask(state, executor, task);
    if (executor.state === 'terminated' && liveTasks(executor).length === 0 && executor.terminatedTasks.size === 0) {
      framework?.executors.delete(executor.id);
      if (!executor.stray) framework?.completedExecutors.push(executor);
      for (const completed of executor.completedTasks) forgetClosedStream(state, frameworkId, taskIdOf(completed));
    }
  }
}
