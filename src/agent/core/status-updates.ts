/**
 * The agent's status update streams (spec/core.md 2.4, agent side): one per
 * task, in order, durable before anything acts on them, only the head sent to
 * the master and retried with backoff (10 s doubling to 10 min, forever) until
 * it is acknowledged. Retries pause while the master link is down; every head
 * goes out again when the link comes back or the framework re-subscribes.
 * A stream whose terminal update was acknowledged stays, closed, until its
 * executor is done, so that a repeated update is recognised.
 */
import { TERMINAL_TASK_STATES, type TaskState } from '../../protocol/mesos.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import { findTask, onTaskTerminalAcknowledged } from './executors.js';
import { noteStatus, streamKey, type StatusStream } from './model.js';
import type { AgentStep } from './step.js';

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.has(state);
}

/** A fresh uuid for an update the agent makes itself (16 random bytes, base64). */
export function newUpdateUuid(step: AgentStep): string {
  return Buffer.from(step.state.random.uuidBytes()).toString('base64');
}

export type UpdateOutcome = 'accepted' | 'duplicate' | 'dropped';

/**
 * Takes an update into its task's stream: the agent's view of the task changes
 * at once; the update is made durable, then acknowledged to the executor (by
 * the caller, after this returns 'accepted' or 'duplicate') and sent to the
 * master if it is the only one waiting.
 */
export function receiveUpdate(step: AgentStep, frameworkId: string, status: WireTaskStatus): UpdateOutcome {
  const { state } = step;
  const framework = state.frameworks.get(frameworkId);
  if (framework === undefined || framework.terminating || status.uuid === undefined) return 'dropped';
  const key = streamKey(frameworkId, status.task_id.value);
  let stream = state.streams.get(key);
  if (stream === undefined) {
    stream = newStream(step, frameworkId, status.task_id.value);
    state.streams.set(key, stream);
  }
  if (stream.seen.has(status.uuid)) return 'duplicate';
  if (stream.terminated) return 'dropped';
  stream.seen.add(status.uuid);
  const task = findTask(state, frameworkId, status.task_id.value);
  if (task !== undefined) noteStatus(task, status);
  step.persist({ v: 1, type: 'update', framework_id: frameworkId, task_id: status.task_id.value, status: status as unknown as Record<string, unknown> });
  stream.pending.push(status);
  if (stream.pending.length === 1) forwardHead(step, stream);
  return 'accepted';
}

export function newStream(step: AgentStep, frameworkId: string, taskId: string): StatusStream {
  return {
    frameworkId,
    taskId,
    pending: [],
    seen: new Set(),
    terminated: false,
    retryAtMs: undefined,
    retryIntervalMs: step.state.config.statusUpdateRetryInitialMs,
  };
}

/** Sends the head of a stream to the master (with the task's latest state) and schedules its retry. */
export function forwardHead(step: AgentStep, stream: StatusStream): void {
  const head = stream.pending[0];
  if (head === undefined) {
    stream.retryAtMs = undefined;
    return;
  }
  const task = findTask(step.state, stream.frameworkId, stream.taskId);
  const sent = step.sendToMaster({
    type: 'STATUS_UPDATE',
    status_update: {
      framework_id: { value: stream.frameworkId },
      status: head as never,
      latest_state: task?.state ?? head.state,
    },
  });
  stream.retryAtMs = sent ? step.nowMs + stream.retryIntervalMs : undefined;
}

/** The master acknowledged an update: the head is released and the next one sent. */
export function onAcknowledgement(step: AgentStep, frameworkId: string, taskId: string, uuid: string): void {
  const stream = step.state.streams.get(streamKey(frameworkId, taskId));
  const head = stream?.pending[0];
  if (stream === undefined || head === undefined || head.uuid !== uuid) {
    step.log('debug', `Ignoring an unexpected acknowledgement for task ${taskId} of framework ${frameworkId}`);
    return;
  }
  step.persist({ v: 1, type: 'ack', framework_id: frameworkId, task_id: taskId, uuid });
  stream.pending.shift();
  stream.retryIntervalMs = step.state.config.statusUpdateRetryInitialMs;
  if (isTerminal(head.state)) {
    // The stream stays, closed, until its executor is done: an executor that sends the
    // terminal update again (it re-subscribed before hearing ACKNOWLEDGED) is re-acked, not forwarded.
    stream.terminated = true;
    stream.pending.length = 0;
    stream.retryAtMs = undefined;
    // About a task no executor holds (an id the executor made up): nothing will complete it, so it goes now.
    if (findTask(step.state, frameworkId, taskId) === undefined) step.state.streams.delete(streamKey(frameworkId, taskId));
    else onTaskTerminalAcknowledged(step, frameworkId, taskId);
    return;
  }
  forwardHead(step, stream);
}

/** After a (re-)registration or a framework's re-subscription: every waiting head goes out now. */
export function resendHeads(step: AgentStep, frameworkId?: string): void {
  for (const stream of step.state.streams.values()) {
    if ((frameworkId !== undefined && stream.frameworkId !== frameworkId) || stream.pending.length === 0) continue;
    stream.retryIntervalMs = step.state.config.statusUpdateRetryInitialMs;
    forwardHead(step, stream);
  }
}

export function onRetryTimers(step: AgentStep): void {
  const config = step.state.config;
  for (const stream of step.state.streams.values()) {
    if (stream.retryAtMs === undefined || stream.retryAtMs > step.nowMs) continue;
    stream.retryIntervalMs = Math.min(config.statusUpdateRetryMaxMs, stream.retryIntervalMs * 2);
    forwardHead(step, stream);
  }
}

export function nextRetryMs(step: { state: AgentStep['state'] }): number | undefined {
  let next: number | undefined;
  for (const stream of step.state.streams.values()) {
    if (stream.retryAtMs !== undefined && (next === undefined || stream.retryAtMs < next)) next = stream.retryAtMs;
  }
  return next;
}
