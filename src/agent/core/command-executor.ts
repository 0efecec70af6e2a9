/**
 * The built-in command executor (spec/core.md 2.5), played by the agent itself:
 * a task with a CommandInfo gets an executor whose id is the task's id and a
 * container running the command. The agent sends the updates a command
 * executor would (SOURCE_EXECUTOR): TASK_STARTING and TASK_RUNNING once the
 * process runs, then FINISHED, FAILED or KILLED by how it ended.
 */
import type { ExitStatus } from '../containerizer/types.js';
import { commandKillGracePeriodMsDefault } from './config.js';
import { containerIsolation } from './container-isolation.js';
import { commandArgv, containerEnvironment, containerUser, fetchUris } from './environment.js';
import { agentUpdate, completeExecutorIfDone, ensureFramework, newExecutor } from './executors.js';
import { idValue, infoTaskId, newAgentTask, taskIdOf, type AgentExecutor, type Json, type KillCause } from './model.js';
import type { AgentStep } from './step.js';
import { containerVolumes, resourcesOf } from './task-volumes.js';

export function launchCommandTask(step: AgentStep, frameworkInfo: Json, task: Json): void {
  const frameworkId = idValue(frameworkInfo['id']);
  const taskId = infoTaskId(task);
  const command = task['command'] as Json;
  const framework = ensureFramework(step, frameworkId, frameworkInfo);
  const executor = newExecutor(step, framework, taskId, 'command', commandExecutorInfo(frameworkId, task, command));
  executor.launchedTasks.set(taskId, newAgentTask(frameworkId, taskId, task));
  step.persist({ v: 1, type: 'task', framework_id: frameworkId, executor_id: taskId, task });
  step.effects.push({
    type: 'launch_container',
    launch: {
      containerId: executor.containerId,
      frameworkId,
      executorId: executor.id,
      directory: executor.directory,
      runDirectory: executor.runDirectory,
      user: containerUser(step.state, command, frameworkInfo),
      argv: commandArgv(command),
      environment: containerEnvironment(step.state, executor, command),
      uris: fetchUris(command),
      volumes: containerVolumes(step.state, resourcesOf(task)),
      isolation: containerIsolation(executor),
    },
  });
}

/** The ExecutorInfo Mesos makes up for a command task. */
function commandExecutorInfo(frameworkId: string, task: Json, command: Json): Json {
  const taskId = infoTaskId(task);
  const value = (command['value'] as string | undefined) ?? '';
  const shown = value.length > 15 ? `${value.slice(0, 12)}...` : value;
  return {
    executor_id: { value: taskId },
    framework_id: { value: frameworkId },
    name: `Command Executor (Task: ${taskId}) (Command: sh -c '${shown}')`,
    source: taskId,
    command,
    ...shutdownGracePeriod(task),
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
  };
}

/** A kill policy's grace period plus time for the executor itself to end (Mesos adds 2 s). */
const commandExecutorShutdownMarginNs = 2e9;

function shutdownGracePeriod(task: Json): Json {
  const grace = ((task['kill_policy'] as Json | undefined)?.['grace_period'] as { nanoseconds?: number } | undefined)?.nanoseconds;
  return grace === undefined ? {} : { shutdown_grace_period: { nanoseconds: grace + commandExecutorShutdownMarginNs } };
}

/**
 * When a command task is killed for running past its max_completion_time,
 * which counts from the start of its container; undefined without one.
 */
export function completionDeadlineMs(executor: AgentExecutor): number | undefined {
  const task = executor.launchedTasks.values().next().value;
  const completion = task?.info['max_completion_time'] as { nanoseconds?: number } | undefined;
  if (completion?.nanoseconds === undefined || executor.startedAtMs === undefined) return undefined;
  return executor.startedAtMs + completion.nanoseconds / 1e6;
}

/**
 * `warnings`: what the container could not give the task as asked (a
 * read-only volume that filesystem/posix cannot make read-only): the task's
 * first status message says so, rather than a log line nobody reads.
 */
export function onCommandStarted(step: AgentStep, executor: AgentExecutor, warnings: readonly string[] = []): void {
  executor.deadlineMs = completionDeadlineMs(executor);
  for (const task of executor.launchedTasks.values()) {
    const taskId = taskIdOf(task);
    agentUpdate(step, executor, taskId, {
      state: 'TASK_STARTING',
      source: 'SOURCE_EXECUTOR',
      ...(warnings.length > 0 ? { message: warnings.join('; ') } : {}),
    });
    agentUpdate(step, executor, taskId, { state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
    const healthCheck = task.info['health_check'] as Json | undefined;
    if (healthCheck !== undefined) {
      const command = task.info['command'] as Json;
      const frameworkInfo = step.state.frameworks.get(executor.frameworkId)?.info ?? {};
      step.effects.push({
        type: 'start_health_check',
        target: {
          frameworkId: executor.frameworkId,
          taskId,
          check: healthCheck,
          sandbox: executor.directory,
          user: containerUser(step.state, command, frameworkInfo),
          environment: containerEnvironment(step.state, executor, command),
        },
      });
    }
  }
}

/** The command's process ended: its task's terminal update (spec/core.md 2.5 lifecycle). */
export function onCommandExited(step: AgentStep, executor: AgentExecutor, status: ExitStatus | undefined): void {
  for (const task of [...executor.launchedTasks.values()]) {
    const taskId = taskIdOf(task);
    step.effects.push({ type: 'stop_health_check', frameworkId: executor.frameworkId, taskId });
    const killed = executor.killed;
    const message = status === undefined ? 'Failed to get exit status for Command' : `Command ${describeExit(status)}`;
    if (killed?.cause === 'limitation' && executor.pendingTermination !== undefined) {
      agentUpdate(step, executor, taskId, { ...executor.pendingTermination, source: 'SOURCE_AGENT' });
    } else if (status === undefined && executor.pendingTermination !== undefined) {
      agentUpdate(step, executor, taskId, { ...executor.pendingTermination, source: 'SOURCE_AGENT' });
    } else if (status === undefined || killed?.cause === 'completion_time') {
      agentUpdate(step, executor, taskId, {
        state: 'TASK_FAILED',
        source: 'SOURCE_EXECUTOR',
        message,
        ...(killed?.cause === 'completion_time' ? { reason: 'REASON_MAX_COMPLETION_TIME_REACHED' as const } : {}),
      });
    } else if (killed !== undefined) {
      agentUpdate(step, executor, taskId, { state: 'TASK_KILLED', source: 'SOURCE_EXECUTOR', message, ...(killed.cause === 'health' ? { healthy: false } : {}) });
    } else {
      agentUpdate(step, executor, taskId, { state: 'exited' in status && status.exited === 0 ? 'TASK_FINISHED' : 'TASK_FAILED', source: 'SOURCE_EXECUTOR', message });
    }
  }
  completeExecutorIfDone(step, executor);
}

/** "exited with status 1" or "terminated with signal Killed", as Mesos' WSTRINGIFY. */
export function describeExit(status: ExitStatus): string {
  if ('exited' in status) return `exited with status ${status.exited}`;
  return `terminated with signal ${signalName(status.signaled)}`;
}

const SIGNAL_NAMES: Record<number, string> = {
  1: 'Hangup',
  2: 'Interrupt',
  3: 'Quit',
  6: 'Aborted',
  9: 'Killed',
  11: 'Segmentation fault',
  13: 'Broken pipe',
  14: 'Alarm clock',
  15: 'Terminated',
};

function signalName(signal: number): string {
  return SIGNAL_NAMES[signal] ?? `Signal ${signal}`;
}

/**
 * KILL of a command task: TASK_KILLING first for frameworks that understand it,
 * then the container gets SIGTERM and, after the grace period (the kill's, the
 * task's, else 3 s), SIGKILL.
 */
export function killCommandTask(step: AgentStep, executor: AgentExecutor, taskId: string, killPolicy: Json | undefined, cause: KillCause): void {
  const task = executor.launchedTasks.get(taskId);
  if (task === undefined) return;
  const frameworkInfo = step.state.frameworks.get(executor.frameworkId)?.info ?? {};
  const capabilities = (frameworkInfo['capabilities'] as { type?: string }[] | undefined) ?? [];
  const firstKill = markKilled(step, executor, cause);
  if (firstKill && cause !== 'completion_time' && capabilities.some((c) => c.type === 'TASK_KILLING_STATE')) {
    agentUpdate(step, executor, taskId, { state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' });
  }
  step.effects.push({ type: 'destroy_container', containerId: executor.containerId, gracePeriodMs: killGracePeriodMs(task.info, killPolicy) });
}

/**
 * Records the first kill of a command task's container, durably: after an
 * agent restart its end is still read as killed, and the kill goes on.
 * False if it was killed already.
 */
export function markKilled(step: AgentStep, executor: AgentExecutor, cause: KillCause): boolean {
  if (executor.killed !== undefined) return false;
  executor.killed = { cause };
  step.persist({ v: 1, type: 'executor_killed', framework_id: executor.frameworkId, executor_id: executor.id, cause });
  return true;
}

function killGracePeriodMs(task: Json, killPolicy: Json | undefined): number {
  const fromKill = (killPolicy?.['grace_period'] as { nanoseconds?: number } | undefined)?.nanoseconds;
  const fromTask = ((task['kill_policy'] as Json | undefined)?.['grace_period'] as { nanoseconds?: number } | undefined)?.nanoseconds;
  const nanoseconds = fromKill ?? fromTask;
  return nanoseconds !== undefined ? nanoseconds / 1e6 : commandKillGracePeriodMsDefault;
}
