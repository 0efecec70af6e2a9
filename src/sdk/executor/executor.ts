/**
 * `Executor`: the executor side of the v1 executor API (spec 2), for custom
 * executors written in TypeScript.
 *
 *     start() ─▶ SUBSCRIBE (unacknowledged tasks + updates) ──200──▶ RecordIO events
 *                  SUBSCRIBED ─▶ send the updates the SUBSCRIBE did not carry ─▶ onSubscribed
 *                  LAUNCH / LAUNCH_GROUP ─▶ remembered as unacknowledged ─▶ onLaunch
 *                  KILL ─▶ onKill        MESSAGE ─▶ onMessage        SHUTDOWN ─▶ onShutdown, then end
 *                  ACKNOWLEDGED {task, uuid} ─▶ forget that update, and that task
 *     update(status) ─▶ uuid, source, executor_id, timestamp ─▶ kept until ACKNOWLEDGED ─▶ UPDATE
 *     connection breaks ─▶ checkpointing: SUBSCRIBE again with backoff, up to the recovery timeout
 *                          otherwise: end ('disconnected'), as Mesos executors do
 *
 * Reliability (spec 2.3): an update stays in the resend set until the agent
 * says ACKNOWLEDGED (it has checkpointed it), and every SUBSCRIBE carries the
 * whole set, so an update is lost neither to a broken POST nor to an agent
 * restart. Handlers run one at a time in event order; bookkeeping (ACKNOWLEDGED,
 * the unacknowledged tasks) happens as events arrive, so a handler may wait for
 * acknowledgements. When the Executor ends other than by stop() or a SHUTDOWN
 * event, it calls onShutdown itself (as the Mesos library does): the executor
 * should kill its tasks and exit. Exiting the process is the caller's choice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../../lib/assert.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { systemRandom, type Random } from '../../lib/random.js';
import type { ExecutorEvent } from '../../protocol/executor.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import { backoffDelayMs } from '../backoff.js';
import type { KillPolicy } from '../calls.js';
import { jsonHeaders } from '../connector.js';
import { AgentError, CallError, CallQueueFullError, NotSubscribedError, StoppedError, StreamError } from '../errors.js';
import { readEvents } from '../event-stream.js';
import { raceStop, stoppedMark } from '../race-stop.js';
import { createHttpTransport, type HeaderMap, type StreamAnswer, type Transport } from '../transport.js';
import type { TaskInfo } from '../types.js';
import * as calls from './calls.js';
import { ExecutorDispatcher } from './dispatcher.js';
import {
  unacknowledgedUpdatesMaxDefault,
  type ExecutorEnd,
  type ExecutorHandlers,
  type ExecutorOptions,
  type ExecutorSubscribedInfo,
} from './options.js';
import { executorSettings, registrationTimeoutMsDefault, subscriptionBackoffInitialMsDefault, type ExecutorSettings } from './settings.js';

interface PendingUpdate {
  readonly status: WireTaskStatus;
  /** The connection generation that carried it last (in a SUBSCRIBE or an UPDATE). */
  sentOn: number | undefined;
}

interface Connection {
  readonly generation: number;
  readonly stream: StreamAnswer;
  subscribed: boolean;
}

export class Executor {
  readonly settings: ExecutorSettings;
  /** Settles (never rejects) once the Executor has ended and, where it applies, onShutdown has run. */
  readonly done: Promise<ExecutorEnd>;

  private readonly handlers: ExecutorHandlers;
  private readonly transport: Transport;
  private readonly ownsTransport: boolean;
  private readonly random: Random;
  private readonly clock: Clock;
  private readonly headers: HeaderMap;
  private readonly registrationTimeoutMs: number;
  private readonly backoffInitialMs: number;
  private readonly updatesMax: number;
  private readonly dispatcher: ExecutorDispatcher;
  /** By uuid, oldest first: the order the agent must see them in. */
  private readonly updates = new Map<string, PendingUpdate>();
  /** Launched tasks without an acknowledged update yet, by task id. */
  private readonly tasks = new Map<string, TaskInfo>();
  private readonly acknowledgementWaiters = new Set<() => void>();
  private connection: Connection | undefined;
  private generation = 0;
  /** UPDATE posts go out one at a time, in order (the agent's per-task streams depend on it). */
  private sendChain: Promise<void> = Promise.resolve();
  private started = false;
  private settledEnd = false;
  private stopReason: 'stopped' | 'shutdown' | undefined;
  private shutdownHandled: Promise<void> | undefined;
  private readonly stopController = new AbortController();
  private settleDone!: (end: ExecutorEnd) => void;
  private firstSubscription: { resolve: (info: ExecutorSubscribedInfo) => void; reject: (error: Error) => void } | undefined;

  /** Reads the settings at once: throws ExecutorEnvironmentError when MESOS_* variables are missing. */
  constructor(options: ExecutorOptions = {}) {
    this.settings = executorSettings(options, options.env ?? process.env);
    this.handlers = options.handlers ?? {};
    this.ownsTransport = options.transport === undefined;
    this.transport = options.transport ?? createHttpTransport();
    this.random = options.random ?? systemRandom;
    this.clock = options.clock ?? systemClock;
    const token = this.settings.authenticationToken;
    this.headers = jsonHeaders(token === undefined ? {} : { authorization: `Bearer ${token}` });
    this.registrationTimeoutMs = options.registrationTimeoutMs ?? registrationTimeoutMsDefault;
    this.backoffInitialMs = Math.min(options.subscriptionBackoffInitialMs ?? subscriptionBackoffInitialMsDefault, this.settings.subscriptionBackoffMaxMs);
    this.updatesMax = options.unacknowledgedUpdatesMax ?? unacknowledgedUpdatesMaxDefault;
    assert(this.updatesMax >= 1, `unacknowledgedUpdatesMax must be at least 1, got ${this.updatesMax}`);
    this.dispatcher = new ExecutorDispatcher(this.handlers);
    this.done = new Promise((resolve) => (this.settleDone = resolve));
  }

  /** Subscribes; resolves at the first SUBSCRIBED, rejects if the Executor ends first. Call once. */
  start(): Promise<ExecutorSubscribedInfo> {
    assert(!this.started, 'Executor.start() called twice');
    this.started = true;
    const first = new Promise<ExecutorSubscribedInfo>((resolve, reject) => (this.firstSubscription = { resolve, reject }));
    this.run().then(
      (end) => this.finish(end),
      (error: unknown) => this.finish({ reason: 'disconnected', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return first;
  }

  /** Updates sent and not yet ACKNOWLEDGED by the agent, oldest first. */
  get unacknowledgedUpdates(): readonly WireTaskStatus[] {
    return [...this.updates.values()].map((pending) => pending.status);
  }

  /** Tasks launched here for which no update has been ACKNOWLEDGED yet. */
  get unacknowledgedTasks(): readonly TaskInfo[] {
    return [...this.tasks.values()];
  }

  get isSubscribed(): boolean {
    return this.connection?.subscribed ?? false;
  }

  /**
   * Sends a task status, filled in (see ExecutorStatusInput), and keeps it
   * until the agent acknowledges it. Resolves with the status sent once the
   * agent took the POST, or at once when disconnected (the next SUBSCRIBE
   * carries it; a POST broken by the network is likewise left to it). Rejects
   * with a CallError when the agent refuses it (400: it will never take it,
   * so it is dropped), CallQueueFullError when too many wait, StoppedError
   * after the end.
   */
  async update(input: calls.ExecutorStatusInput): Promise<WireTaskStatus> {
    if (this.stopReason === 'stopped' || this.settledEnd) throw new StoppedError('UPDATE: the Executor has ended');
    if (this.updates.size >= this.updatesMax) throw new CallQueueFullError('UPDATE', this.updatesMax);
    const status = calls.executorStatus(input, this.settings.executorId, this.random.uuidBytes(), this.clock.nowMs());
    const pending: PendingUpdate = { status, sentOn: undefined };
    this.updates.set(status.uuid ?? '', pending);
    const connection = this.connection;
    if (connection?.subscribed === true) await this.enqueueSend(connection, pending);
    return status;
  }

  /** Sends data to the scheduler (best effort). Rejects with NotSubscribedError when disconnected. */
  async sendMessage(data: Uint8Array | string): Promise<void> {
    const connection = this.connection;
    if (connection?.subscribed !== true) throw new NotSubscribedError('MESSAGE', 'messages are best effort; none is kept for later');
    await this.post(calls.messageCall(this.settings, data));
  }

  /** Resolves true once every update has been ACKNOWLEDGED, false after `timeoutMs`. */
  async waitForAcknowledgements(timeoutMs: number): Promise<boolean> {
    if (this.updates.size === 0) return true;
    let wake: (() => void) | undefined;
    const acknowledged = new Promise<boolean>((resolve) => {
      wake = () => {
        if (this.updates.size === 0) resolve(true);
      };
      this.acknowledgementWaiters.add(wake);
    });
    const timer = sleep(timeoutMs, false, { ref: false });
    const result = await Promise.race([acknowledged, timer]);
    if (wake !== undefined) this.acknowledgementWaiters.delete(wake);
    return result;
  }

  /** Closes the connection and ends the Executor (onShutdown is not called). Idempotent. */
  stop(): Promise<ExecutorEnd> {
    this.end('stopped');
    if (!this.started) this.finish({ reason: 'stopped' });
    return this.done;
  }

  private end(reason: 'stopped' | 'shutdown'): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.stopController.abort();
    this.connection?.stream.close();
  }

  private finish(end: ExecutorEnd): void {
    if (this.settledEnd) return;
    this.settledEnd = true;
    this.firstSubscription?.reject(end.error ?? new StoppedError(`the Executor ended (${end.reason}) before subscribing`));
    this.firstSubscription = undefined;
    // Ending for any reason but stop() or SHUTDOWN: tell the executor to shut down, as Mesos does.
    const shutdown = end.reason === 'stopped' || end.reason === 'shutdown' ? Promise.resolve() : this.dispatcher.shutdown();
    void shutdown.then(async () => {
      if (this.ownsTransport) await this.transport.close();
      this.settleDone(end);
    });
  }

  /**
   * Subscribe, serve, and on a break re-subscribe (checkpointing only) until
   * a SUBSCRIBED arrives again. A window bounds the retrying: the
   * registration timeout from the start, the recovery timeout from each break
   * of a subscription. A stream that ends before SUBSCRIBED counts as a failed
   * attempt.
   */
  private async run(): Promise<ExecutorEnd> {
    let windowStartMs = this.clock.nowMs();
    let everSubscribed = false;
    let failures = 0;
    for (;;) {
      if (this.stopReason !== undefined) return { reason: this.stopReason };
      let failure: Error;
      try {
        const stream = await raceStop(this.open(), this.stopController.signal, (late) => late.close());
        if (stream === stoppedMark) return { reason: this.stopReason ?? 'stopped' };
        const subscribed = await this.serve(stream);
        if (this.shutdownHandled !== undefined) await this.shutdownHandled;
        if (this.stopReason !== undefined) return { reason: this.stopReason };
        if (subscribed) {
          everSubscribed = true;
          failures = 0;
          windowStartMs = this.clock.nowMs();
          void this.dispatcher.run('onDisconnected', () => this.handlers.onDisconnected?.());
          if (!this.settings.checkpoint) return { reason: 'disconnected' };
          continue;
        }
        failure = new StreamError('the agent ended the executor stream before SUBSCRIBED');
      } catch (caught) {
        failure = caught instanceof Error ? caught : new Error(String(caught));
        this.reportError(failure);
        if (failure instanceof CallError && failure.status >= 400 && failure.status < 500) return { reason: 'refused', error: failure };
      }
      failures += 1;
      const delayMs = backoffDelayMs(failures, { initialMs: this.backoffInitialMs, maxMs: this.settings.subscriptionBackoffMaxMs }, this.random);
      const windowMs = everSubscribed ? this.settings.recoveryTimeoutMs : this.registrationTimeoutMs;
      if (this.clock.nowMs() - windowStartMs + delayMs > windowMs) {
        return { reason: everSubscribed ? 'recovery-timeout' : 'registration-timeout', error: failure };
      }
      await this.pause(delayMs);
    }
  }

  /** POSTs SUBSCRIBE with everything unacknowledged; resolves with the 200 stream or throws. */
  private async open(): Promise<StreamAnswer> {
    this.generation += 1;
    const generation = this.generation;
    const updates = [...this.updates.values()];
    for (const pending of updates) pending.sentOn = generation;
    const call = calls.subscribeCall(this.settings, [...this.tasks.values()], updates.map((pending) => pending.status));
    const stream = await this.transport.openStream(this.settings.executorUrl, JSON.stringify(call), this.headers);
    if (stream.status !== 200) throw new CallError('SUBSCRIBE', stream.status, await stream.text());
    return stream;
  }

  /** Reads one subscription to its end; resolves whether SUBSCRIBED arrived on it. */
  private async serve(stream: StreamAnswer): Promise<boolean> {
    const connection: Connection = { generation: this.generation, stream, subscribed: false };
    this.connection = connection;
    try {
      await readEvents<ExecutorEvent>(stream.body, {
        event: (event) => this.onEvent(connection, event),
        stopped: () => this.stopReason === 'stopped',
      });
    } catch (error) {
      if (this.stopReason === undefined) this.reportError(new StreamError(`the executor stream broke: ${(error as Error).message}`, { cause: error }));
    }
    stream.close();
    this.connection = undefined;
    return connection.subscribed;
  }

  /** Bookkeeping now; the handler in turn. */
  private onEvent(connection: Connection, event: ExecutorEvent): void {
    switch (event.type) {
      case 'SUBSCRIBED': {
        connection.subscribed = true;
        this.firstSubscription?.resolve(event.subscribed);
        this.firstSubscription = undefined;
        for (const pending of this.updates.values()) {
          if (pending.sentOn !== connection.generation) void this.enqueueSend(connection, pending).catch((error: Error) => this.reportError(error));
        }
        this.dispatcher.subscribed(event.subscribed);
        return;
      }
      case 'LAUNCH': {
        const task = event.launch.task as TaskInfo;
        this.tasks.set(task.task_id.value, task);
        this.dispatcher.launch([task], false);
        return;
      }
      case 'LAUNCH_GROUP': {
        const tasks = event.launch_group.task_group.tasks as TaskInfo[];
        for (const task of tasks) this.tasks.set(task.task_id.value, task);
        this.dispatcher.launch(tasks, true);
        return;
      }
      case 'KILL':
        this.dispatcher.kill(event.kill.task_id.value, event.kill.kill_policy as KillPolicy | undefined);
        return;
      case 'ACKNOWLEDGED':
        this.onAcknowledged(event.acknowledged.task_id.value, event.acknowledged.uuid);
        return;
      case 'MESSAGE':
        this.dispatcher.message(Buffer.from(event.message.data, 'base64'));
        return;
      case 'SHUTDOWN':
        this.shutdownHandled ??= this.dispatcher.shutdown().then(() => this.end('shutdown'));
        return;
      case 'ERROR':
        this.reportError(new AgentError(event.error.message));
        return;
      default:
        return;
    }
  }

  private onAcknowledged(taskId: string, uuid: string): void {
    this.updates.delete(uuid);
    // The agent has an update of this task: it knows the task reached us.
    this.tasks.delete(taskId);
    for (const wake of [...this.acknowledgementWaiters]) wake();
  }

  private enqueueSend(connection: Connection, pending: PendingUpdate): Promise<void> {
    const sent = this.sendChain.then(() => this.send(connection, pending));
    this.sendChain = sent.catch(() => undefined);
    return sent;
  }

  private async send(connection: Connection, pending: PendingUpdate): Promise<void> {
    const uuid = pending.status.uuid ?? '';
    // Acknowledged meanwhile, or this connection is gone (the next SUBSCRIBE carries it).
    if (!this.updates.has(uuid) || this.connection !== connection) return;
    pending.sentOn = connection.generation;
    try {
      await this.post(calls.updateCall(this.settings, pending.status));
    } catch (error) {
      // A network error leaves it for the next SUBSCRIBE; a refusal is final (the agent will never take it).
      if (!(error instanceof CallError)) return;
      this.updates.delete(uuid);
      throw error;
    }
  }

  private async post(call: calls.ExecutorCallBody): Promise<void> {
    const answer = await this.transport.post(this.settings.executorUrl, JSON.stringify(call), this.headers);
    if (answer.status !== 200 && answer.status !== 202) throw new CallError(call.type, answer.status, answer.body);
  }

  private async pause(delayMs: number): Promise<void> {
    try {
      await sleep(delayMs, undefined, { signal: this.stopController.signal });
    } catch {
      // Aborted by stop().
    }
  }

  private reportError(error: Error): void {
    this.dispatcher.reportError(error);
  }
}
