/**
 * What an `Executor` is given (options, handlers) and how it ends. Settings
 * read from the environment are in settings.ts.
 */
import type { Clock } from '../../lib/clock.js';
import type { Random } from '../../lib/random.js';
import type { ExecutorEvent } from '../../protocol/executor.js';
import type { KillPolicy } from '../calls.js';
import type { Transport } from '../transport.js';
import type { Awaitable, TaskInfo } from '../types.js';
import type { Environment, ExecutorSettingsInput } from './settings.js';

/** Updates kept for resending at most; update() rejects beyond (a stuck agent, or a runaway executor). */
export const unacknowledgedUpdatesMaxDefault = 1024;

export type ExecutorSubscribedInfo = Extract<ExecutorEvent, { type: 'SUBSCRIBED' }>['subscribed'];

export interface ExecutorHandlers {
  onSubscribed?(info: ExecutorSubscribedInfo): Awaitable;
  onLaunch?(task: TaskInfo): Awaitable;
  /** A task group; without this handler, onLaunch is called for each task. */
  onLaunchGroup?(tasks: readonly TaskInfo[]): Awaitable;
  onKill?(taskId: string, killPolicy: KillPolicy | undefined): Awaitable;
  onMessage?(data: Buffer): Awaitable;
  /** Kill the tasks (send their terminal updates) and return; the Executor then ends. */
  onShutdown?(): Awaitable;
  /** The connection to the agent broke (the Executor re-subscribes if checkpointing). */
  onDisconnected?(): Awaitable;
  /** A failed attempt, an ERROR event, a failed resend, a handler that threw. Without it, handler exceptions are rethrown as uncaught. */
  onError?(error: Error): void;
}

export interface ExecutorOptions extends ExecutorSettingsInput {
  readonly handlers?: ExecutorHandlers;
  /** Where MESOS_* variables are read (default: process.env). */
  readonly env?: Environment;
  /** How long the first SUBSCRIBE is retried (default 60 s). */
  readonly registrationTimeoutMs?: number;
  readonly subscriptionBackoffInitialMs?: number;
  readonly unacknowledgedUpdatesMax?: number;
  readonly transport?: Transport;
  readonly random?: Random;
  readonly clock?: Clock;
}

export type ExecutorEndReason =
  /** The agent sent SHUTDOWN; onShutdown has run. */
  | 'shutdown'
  /** `stop()`. */
  | 'stopped'
  /** The connection broke and the framework does not checkpoint. */
  | 'disconnected'
  /** Checkpointing, but the agent did not take a SUBSCRIBE within the recovery timeout. */
  | 'recovery-timeout'
  /** The first SUBSCRIBE did not succeed within the registration timeout. */
  | 'registration-timeout'
  /** The agent answered SUBSCRIBE with a 4xx (unknown framework or executor, ...). */
  | 'refused';

export interface ExecutorEnd {
  readonly reason: ExecutorEndReason;
  readonly error?: Error;
}
