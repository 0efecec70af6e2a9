/**
 * What the agent knows about the work it runs: frameworks, their executors
 * (each one container), and the executors' tasks with their status update
 * streams (spec/core.md 2.4, Appendix A for the agent's side).
 *
 *   AgentFramework ──< AgentExecutor (one container) ──< AgentTask ── StatusStream
 *
 * Wire objects (FrameworkInfo, ExecutorInfo, TaskInfo, TaskStatus) are kept as
 * their JSON: the agent passes them on and checkpoints them unchanged.
 */
import type { TaskReason, TaskState } from '../../protocol/mesos.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import type { ExitStatus } from '../containerizer/types.js';
import type { Limitation } from '../isolators/isolator.js';

export type Json = Record<string, unknown>;

export interface AgentFramework {
  readonly id: string;
  info: Json;
  readonly executors: Map<string, AgentExecutor>;
  /** Executors that ended, newest last, bounded (--max_completed_executors_per_framework). */
  completedExecutors: AgentExecutor[];
  /** Shutting down (SHUTDOWN_FRAMEWORK): new tasks are refused, updates dropped. */
  terminating: boolean;
}

/**
 * Why the agent killed a container: a KILL, a failed health check, a command
 * task's max_completion_time, or an isolator's limitation (disk, memory).
 */
export type KillCause = 'kill' | 'health' | 'completion_time' | 'limitation';

/** The built-in command executor is the agent itself; a custom executor is a process speaking the executor API. */
export type ExecutorKind = 'command' | 'custom';

/**
 * launching: container being fetched and started; registering: a custom
 * executor started but not subscribed; running; terminating: being shut down;
 * terminated: its container ended.
 */
export type ExecutorState = 'launching' | 'registering' | 'running' | 'terminating' | 'terminated';

export interface AgentExecutor {
  readonly id: string;
  readonly frameworkId: string;
  readonly kind: ExecutorKind;
  readonly info: Json;
  readonly containerId: string;
  readonly directory: string;
  readonly runDirectory: string;
  /** The framework checkpoints: the executor is recovered after an agent restart. */
  readonly checkpoint: boolean;
  state: ExecutorState;
  /** Tasks not yet handed to the executor (a custom executor that has not subscribed). */
  readonly queuedTasks: Map<string, AgentTask>;
  /** Tasks handed to the executor and not terminal. */
  readonly launchedTasks: Map<string, AgentTask>;
  /** Terminal tasks whose terminal update is not acknowledged yet. */
  readonly terminatedTasks: Map<string, AgentTask>;
  completedTasks: AgentTask[];
  /** The executor API stream of a subscribed custom executor. */
  connectionId: string | undefined;
  supervisorPid: number | undefined;
  startTime: string | undefined;
  exitStatus: ExitStatus | undefined;
  /** Set when a kill or shutdown asked the container to stop: how the command task's end is read. */
  killed: { readonly cause: KillCause } | undefined;
  completedAtMs: number | undefined;
  /** When its container started (a command task's max_completion_time counts from there). */
  startedAtMs: number | undefined;
  /** Holds updates about tasks the agent never ran (answers to the master's reconciliation); not reported. */
  stray: boolean;
  /**
   * A time limit on the executor: registration (a custom executor must
   * subscribe), re-registration after an agent restart, a shutdown's grace
   * period, or a command task's max_completion_time.
   */
  deadlineMs: number | undefined;
  /** How the executor's tasks end if its container ends now (state, reason, message, the limit it passed). */
  pendingTermination: { readonly state: TaskState; readonly reason: TaskReason; readonly message: string; readonly limitation?: Limitation } | undefined;
}

/** What identifies an executor and where it lives; everything else starts empty. */
export type ExecutorIdentity = Pick<
  AgentExecutor,
  'id' | 'frameworkId' | 'kind' | 'info' | 'containerId' | 'directory' | 'runDirectory' | 'checkpoint' | 'stray'
>;

/** A launching executor with no tasks yet (for a new launch, and when recovery replays one). */
export function newAgentExecutor(identity: ExecutorIdentity): AgentExecutor {
  return {
    ...identity,
    state: 'launching',
    queuedTasks: new Map(),
    launchedTasks: new Map(),
    terminatedTasks: new Map(),
    completedTasks: [],
    connectionId: undefined,
    supervisorPid: undefined,
    startTime: undefined,
    exitStatus: undefined,
    killed: undefined,
    completedAtMs: undefined,
    startedAtMs: undefined,
    deadlineMs: undefined,
    pendingTermination: undefined,
  };
}

export interface AgentTask {
  readonly frameworkId: string;
  readonly executorId: string;
  readonly info: Json;
  /** The latest state the agent knows (also for updates not yet forwarded). */
  state: TaskState;
  /** Every update accepted for the task, oldest first, without their `data` (for /state). */
  readonly statuses: WireTaskStatus[];
}

export function newAgentTask(frameworkId: string, executorId: string, info: Json, state: TaskState = 'TASK_STAGING'): AgentTask {
  return { frameworkId, executorId, info, state, statuses: [] };
}

/** Records an accepted update on the task: its latest state and its history. */
export function noteStatus(task: AgentTask, status: WireTaskStatus): void {
  task.state = status.state;
  const { data: _data, ...kept } = status as WireTaskStatus & { data?: string };
  task.statuses.push(kept);
}

/**
 * The status updates of one task (spec/core.md 2.4): kept in order; only the
 * head is forwarded to the master, and retried with backoff until the master
 * acknowledges it; the next one goes out after that.
 */
export interface StatusStream {
  readonly frameworkId: string;
  readonly taskId: string;
  readonly pending: WireTaskStatus[];
  /** Uuids seen (pending or acknowledged): a repeated update is acknowledged to its sender and not queued again. */
  readonly seen: Set<string>;
  /** The terminal update was acknowledged: nothing more is accepted for this task. */
  terminated: boolean;
  /** When the head is sent again if no acknowledgement arrives. */
  retryAtMs: number | undefined;
  retryIntervalMs: number;
}

export function taskIdOf(task: AgentTask): string {
  return infoTaskId(task.info);
}

/** The id in a TaskInfo (validated by the master, so always there). */
export function infoTaskId(info: Json): string {
  return (info['task_id'] as { value?: string } | undefined)?.value ?? '';
}

/** The id in a FrameworkInfo, ExecutorInfo's executor_id, and the like: `{"value": ...}`. */
export function idValue(id: unknown): string {
  return (id as { value?: string } | undefined)?.value ?? '';
}

export function streamKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}\u0000${taskId}`;
}
