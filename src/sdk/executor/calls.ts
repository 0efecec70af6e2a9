/**
 * Builders for the executor calls (spec 2.2) and the status an executor
 * sends. Pure: the uuid bytes and the time are arguments.
 */
import type { TaskReason, TaskState } from '../../protocol/mesos.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import { toId, type IdLike, type TaskInfo } from '../types.js';

/** A call as posted to /api/v1/executor: both ids on every call (spec 2.2). */
export interface ExecutorCallBody {
  readonly executor_id: { value: string };
  readonly framework_id: { value: string };
  readonly type: 'SUBSCRIBE' | 'UPDATE' | 'MESSAGE' | 'HEARTBEAT';
  readonly subscribe?: {
    readonly unacknowledged_tasks: readonly TaskInfo[];
    readonly unacknowledged_updates: readonly { readonly status: WireTaskStatus }[];
  };
  readonly update?: { readonly status: WireTaskStatus };
  readonly message?: { readonly data: string };
}

export interface ExecutorIds {
  readonly frameworkId: string;
  readonly executorId: string;
}

/**
 * What the executor says about a task. The Executor adds the rest: `uuid`,
 * `source` (SOURCE_EXECUTOR), `executor_id` and `timestamp` (unless given).
 * TASK_STAGING is the master's state; executors never send it (the agent
 * answers 400).
 */
export interface ExecutorStatusInput {
  readonly task_id: IdLike;
  readonly state: Exclude<TaskState, 'TASK_STAGING'>;
  readonly message?: string;
  readonly reason?: TaskReason;
  /** Sent base64-encoded; the scheduler receives it in `status.data`. */
  readonly data?: Uint8Array;
  readonly healthy?: boolean;
  readonly labels?: { readonly labels: readonly { readonly key: string; readonly value?: string }[] };
  readonly check_status?: Record<string, unknown>;
  /** Seconds since the epoch; default: now. */
  readonly timestamp?: number;
}

/** The complete status: `uuidBytes` must be 16 bytes (spec 0.3). */
export function executorStatus(input: ExecutorStatusInput, executorId: string, uuidBytes: Uint8Array, nowMs: number): WireTaskStatus {
  if (uuidBytes.length !== 16) throw new RangeError(`a status uuid is 16 bytes, got ${uuidBytes.length}`);
  if ((input.state as TaskState) === 'TASK_STAGING') throw new RangeError('executors never send TASK_STAGING (spec 3.1)');
  return {
    task_id: toId(input.task_id),
    state: input.state,
    ...(input.message === undefined ? {} : { message: input.message }),
    source: 'SOURCE_EXECUTOR',
    ...(input.reason === undefined ? {} : { reason: input.reason }),
    ...(input.data === undefined ? {} : { data: Buffer.from(input.data).toString('base64') }),
    executor_id: { value: executorId },
    timestamp: input.timestamp ?? nowMs / 1000,
    uuid: Buffer.from(uuidBytes).toString('base64'),
    ...(input.healthy === undefined ? {} : { healthy: input.healthy }),
    ...(input.labels === undefined ? {} : { labels: input.labels }),
    ...(input.check_status === undefined ? {} : { check_status: input.check_status }),
  };
}

export function subscribeCall(ids: ExecutorIds, tasks: readonly TaskInfo[], updates: readonly WireTaskStatus[]): ExecutorCallBody {
  return {
    ...envelope(ids),
    type: 'SUBSCRIBE',
    subscribe: { unacknowledged_tasks: [...tasks], unacknowledged_updates: updates.map((status) => ({ status })) },
  };
}

export function updateCall(ids: ExecutorIds, status: WireTaskStatus): ExecutorCallBody {
  return { ...envelope(ids), type: 'UPDATE', update: { status } };
}

/** `data` as bytes; a string is taken as UTF-8 text. */
export function messageCall(ids: ExecutorIds, data: Uint8Array | string): ExecutorCallBody {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  return { ...envelope(ids), type: 'MESSAGE', message: { data: bytes.toString('base64') } };
}

function envelope(ids: ExecutorIds): Pick<ExecutorCallBody, 'executor_id' | 'framework_id'> {
  return { executor_id: { value: ids.executorId }, framework_id: { value: ids.frameworkId } };
}
