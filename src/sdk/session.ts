/**
 * One subscription: one SUBSCRIBE stream, from SUBSCRIBED to its end.
 *
 * The session reads the stream, keeps the events (event-log.ts), watches the
 * heartbeat, and sends calls tagged with its stream id. It never reconnects:
 * when the stream ends, for any reason, `closed` settles and the session is
 * spent. Re-subscribing across master fail-over is a policy above this layer:
 * it opens a new session (with `frameworkInfo.id` set) through a Connector.
 *
 *     connector ──SubscribeStream──▶ session ──events──▶ log ──▶ nextEvent / events() / on()
 *                                       │
 *                      calls ◀──────────┘ (transport.post, Mesos-Stream-Id)
 */
import { assert } from '../lib/assert.js';
import type { FrameworkInfo, OfferOperation } from '../protocol/mesos.js';
import type { WireTaskStatus } from '../protocol/outputs.js';
import type { OfferConstraints, SchedulerCall, SchedulerEvent, SchedulerEventType } from '../protocol/scheduler.js';
import * as calls from './calls.js';
import { jsonHeaders, masterOrigin, type SubscribeStream } from './connector.js';
import { HeartbeatTimeoutError, MasterError, StreamError, SubscribeError } from './errors.js';
import { EventLog, type EventHandler, type EventPredicate } from './event-log.js';
import { readEvents } from './event-stream.js';
import type { HeaderMap, HttpAnswer, Transport } from './transport.js';
import type { EventOf, IdLike, SessionEnd, SessionEndReason } from './types.js';

/** Missed heartbeats after which the stream counts as broken (spec 1.4 "Partitions": about 5). */
export const heartbeatTimeoutFactorDefault = 5;
/** Used when SUBSCRIBED announces no interval (Mesos always announces 15). */
export const heartbeatIntervalSecondsDefault = 15;
/** Longest wait, after the 200 answer, for SUBSCRIBED (or an ERROR refusing the subscription). */
export const subscribedTimeoutMsDefault = 30_000;

export interface SessionOptions {
  /** Sends the calls. */
  readonly transport: Transport;
  /** Extra headers on every call (e.g. Authorization). */
  readonly headers?: HeaderMap;
  readonly heartbeatTimeoutFactor?: number;
  readonly subscribedTimeoutMs?: number;
  readonly eventsRetainedMax?: number;
}

/** The answer to a call: 202 (accepted), 200 (UPDATE_FRAMEWORK) or an error status with its message. */
export type CallAnswer = HttpAnswer;

export interface EventsOptions {
  /**
   * 'start' (default): from the first event of the session (SUBSCRIBED), or
   * the oldest one still retained once more than `eventsRetainedMax` arrived;
   * 'now': only events yet to come.
   */
  readonly from?: 'start' | 'now';
}

type Subscribed = EventOf<'SUBSCRIBED'>['subscribed'];

export class SchedulerSession {
  /** The `Mesos-Stream-Id` of this subscription; every call carries it. */
  readonly streamId: string;
  /** The scheduler endpoint that accepted the subscription (after redirects); calls go there. */
  readonly schedulerUrl: string;
  /** Origin of `schedulerUrl`: 'http://leader:port'. */
  readonly masterUrl: string;
  /** Settles (never rejects) when the stream ends for any reason; see SessionEnd. */
  readonly closed: Promise<SessionEnd>;

  private readonly log: EventLog;
  private readonly transport: Transport;
  private readonly headers: HeaderMap;
  private readonly heartbeatTimeoutFactor: number;
  private subscribedPayload: Subscribed | undefined;
  /** Runs until SUBSCRIBED, then watches the heartbeat; refreshed by each event. */
  private watchTimer: NodeJS.Timeout | undefined;
  private settleClosed!: (end: SessionEnd) => void;
  private readonly untilSubscribed: Promise<void>;
  private settleSubscribed!: (error?: Error) => void;

  /** Use `subscribe()`. Starts reading `stream` at once. */
  constructor(
    private readonly stream: SubscribeStream,
    options: SessionOptions,
  ) {
    this.streamId = stream.streamId;
    this.schedulerUrl = stream.schedulerUrl;
    this.masterUrl = masterOrigin(stream.schedulerUrl);
    this.transport = options.transport;
    this.headers = options.headers ?? {};
    this.heartbeatTimeoutFactor = options.heartbeatTimeoutFactor ?? heartbeatTimeoutFactorDefault;
    assert(this.heartbeatTimeoutFactor > 0, `heartbeatTimeoutFactor must be positive, got ${this.heartbeatTimeoutFactor}`);
    this.log = new EventLog(options.eventsRetainedMax);
    this.closed = new Promise((resolve) => (this.settleClosed = resolve));
    this.untilSubscribed = new Promise((resolve, reject) => {
      this.settleSubscribed = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Handled here so that a refused subscription never surfaces as an unhandled rejection.
    this.untilSubscribed.catch(() => undefined);
    const subscribedTimeoutMs = options.subscribedTimeoutMs ?? subscribedTimeoutMsDefault;
    this.watchTimer = setTimeout(() => {
      this.finish('error', new StreamError(`no SUBSCRIBED event within ${subscribedTimeoutMs} ms`));
    }, subscribedTimeoutMs);
    readEvents(stream.body, { event: (event) => this.onEvent(event), stopped: () => this.log.end !== undefined }).then(
      () => this.finish('ended'),
      (error: unknown) => this.finish('error', asStreamError(error)),
    );
  }

  /**
   * Resolves once SUBSCRIBED has arrived. Rejects with a SubscribeError if the
   * master refused (ERROR event) or the stream ended or stalled first; the
   * session is then closed.
   */
  async subscribed(): Promise<this> {
    await this.untilSubscribed;
    return this;
  }

  /** The framework id assigned (or confirmed) by SUBSCRIBED. */
  get frameworkId(): string {
    assert(this.subscribedPayload !== undefined, 'frameworkId read before SUBSCRIBED');
    return this.subscribedPayload.framework_id.value;
  }

  /** The SUBSCRIBED payload: framework id, heartbeat interval, master info. */
  get subscribedEvent(): Subscribed {
    assert(this.subscribedPayload !== undefined, 'SUBSCRIBED read before it arrived');
    return this.subscribedPayload;
  }

  /** Whether the stream has ended (then `closed` has settled). */
  get ended(): boolean {
    return this.log.end !== undefined;
  }

  /**
   * The oldest event matching `predicate` (or of the given type) that no
   * earlier `nextEvent` call returned, waiting up to `timeoutMs` (default
   * 20 s) for one to arrive. Events received before the call count: nothing
   * that arrived while the test was busy elsewhere is missed. Events that do
   * not match stay available to later calls. `events()` and `on()` are
   * independent of this and never consume. Rejects with EventTimeoutError on
   * timeout, SessionClosedError once the stream has ended without a match.
   */
  nextEvent<T extends SchedulerEventType>(type: T, timeoutMs?: number): Promise<EventOf<T>>;
  nextEvent<E extends SchedulerEvent>(predicate: (event: SchedulerEvent) => event is E, timeoutMs?: number): Promise<E>;
  nextEvent(predicate?: EventPredicate, timeoutMs?: number): Promise<SchedulerEvent>;
  nextEvent(selector?: SchedulerEventType | EventPredicate, timeoutMs?: number): Promise<SchedulerEvent> {
    const predicate: EventPredicate | undefined =
      typeof selector === 'string' ? (event) => event.type === selector : selector;
    return this.log.next(predicate, timeoutMs);
  }

  /**
   * Every event in arrival order, ending (without error) when the stream ends;
   * read `closed` for why. Each call returns an independent reader. Throws
   * EventsDroppedError if the reader falls more than the retained bound behind.
   */
  events(options: EventsOptions = {}): AsyncIterable<SchedulerEvent> {
    const from = options.from === 'now' ? this.log.nextSequence : this.log.oldestSequence;
    return { [Symbol.asyncIterator]: () => this.log.read(from) };
  }

  /** Calls `handler` for each arriving event of `type` ('*': all), without replay. Returns an unsubscribe function. */
  on<T extends SchedulerEventType>(type: T, handler: EventHandler<EventOf<T>>): () => void;
  on(type: '*', handler: EventHandler): () => void;
  on(type: SchedulerEventType | '*', handler: EventHandler<never>): () => void {
    if (type === '*') return this.log.on('*', handler as EventHandler);
    return this.log.on(type, handler as EventHandler);
  }

  /**
   * Posts any call to the scheduler endpoint, with `framework_id` filled in
   * (unless the call has one) and the `Mesos-Stream-Id` header (unless
   * `headers` overrides it). Resolves with every HTTP status (4xx/5xx
   * included, and 307: calls do not follow redirects, the stream is bound to
   * this master); rejects only on network errors. Works after the stream has
   * ended too: the master then answers 403 (spec 1.4, Disconnection).
   */
  async call(call: SchedulerCall, options: { readonly headers?: HeaderMap } = {}): Promise<CallAnswer> {
    const body = JSON.stringify(calls.withFrameworkId(call, this.frameworkId));
    const headers = jsonHeaders({ ...this.headers, 'mesos-stream-id': this.streamId, ...options.headers });
    return this.transport.post(this.schedulerUrl, body, headers);
  }

  accept(offerIds: readonly IdLike[], operations: readonly OfferOperation[], filters?: calls.Filters): Promise<CallAnswer> {
    return this.call(calls.acceptCall(offerIds, operations, filters));
  }

  decline(offerIds: readonly IdLike[], filters?: calls.Filters): Promise<CallAnswer> {
    return this.call(calls.declineCall(offerIds, filters));
  }

  revive(roles?: readonly string[]): Promise<CallAnswer> {
    return this.call(calls.reviveCall(roles));
  }

  suppress(roles?: readonly string[]): Promise<CallAnswer> {
    return this.call(calls.suppressCall(roles));
  }

  /** Removes the framework: its tasks are killed and the master closes this stream. */
  teardown(): Promise<CallAnswer> {
    return this.call(calls.teardownCall());
  }

  reconcile(tasks: readonly calls.ReconcileTask[] = []): Promise<CallAnswer> {
    return this.call(calls.reconcileCall(tasks));
  }

  acknowledge(agentId: IdLike, taskId: IdLike, uuid: string): Promise<CallAnswer> {
    return this.call(calls.acknowledgeCall(agentId, taskId, uuid));
  }

  /** Acknowledges a status if it must be (it carries a uuid); resolves undefined for one that must not. */
  async acknowledgeStatus(status: WireTaskStatus): Promise<CallAnswer | undefined> {
    if (status.uuid === undefined || status.agent_id === undefined) return undefined;
    return this.acknowledge(status.agent_id, status.task_id, status.uuid);
  }

  kill(taskId: IdLike, agentId?: IdLike, killPolicy?: calls.KillPolicy): Promise<CallAnswer> {
    return this.call(calls.killCall(taskId, agentId, killPolicy));
  }

  /** Synchronous on the master: 200 once applied, 400/403 with the reason. `framework_info.id` defaults to this framework. */
  updateFramework(
    frameworkInfo: FrameworkInfo,
    suppressedRoles?: readonly string[],
    offerConstraints?: OfferConstraints,
  ): Promise<CallAnswer> {
    const info = frameworkInfo.id === undefined ? { ...frameworkInfo, id: { value: this.frameworkId } } : frameworkInfo;
    return this.call(calls.updateFrameworkCall(info, suppressedRoles, offerConstraints));
  }

  message(agentId: IdLike, executorId: IdLike, data: Uint8Array | string): Promise<CallAnswer> {
    return this.call(calls.messageCall(agentId, executorId, data));
  }

  shutdown(executorId: IdLike, agentId: IdLike): Promise<CallAnswer> {
    return this.call(calls.shutdownCall(executorId, agentId));
  }

  acknowledgeOperationStatus(agentId: IdLike | undefined, operationId: IdLike, uuid: string, resourceProviderId?: IdLike): Promise<CallAnswer> {
    return this.call(calls.acknowledgeOperationStatusCall(agentId, operationId, uuid, resourceProviderId));
  }

  reconcileOperations(operations: readonly calls.ReconcileOperation[] = []): Promise<CallAnswer> {
    return this.call(calls.reconcileOperationsCall(operations));
  }

  /** Closes the stream's connection (the master sees the framework disconnect). Idempotent. */
  close(): Promise<SessionEnd> {
    this.finish('closed');
    return this.closed;
  }

  private onEvent(event: SchedulerEvent): void {
    if (event.type === 'SUBSCRIBED' && this.subscribedPayload === undefined) this.onSubscribed(event.subscribed);
    else if (this.subscribedPayload !== undefined) this.watchTimer?.refresh();
    this.log.append(event);
    if (event.type === 'ERROR') {
      const message = event.error?.message ?? '';
      if (this.subscribedPayload === undefined) {
        this.settleSubscribed(new SubscribeError(`the master refused the subscription: ${message}`, 200, message, event));
      }
      this.finish('error', new MasterError(message));
    }
  }

  private onSubscribed(subscribed: Subscribed): void {
    this.subscribedPayload = subscribed;
    const intervalSeconds =
      Number.isFinite(subscribed.heartbeat_interval_seconds) && subscribed.heartbeat_interval_seconds > 0
        ? subscribed.heartbeat_interval_seconds
        : heartbeatIntervalSecondsDefault;
    const timeoutMs = Math.ceil(intervalSeconds * this.heartbeatTimeoutFactor * 1000);
    clearTimeout(this.watchTimer);
    this.watchTimer = setTimeout(() => this.finish('error', new HeartbeatTimeoutError(timeoutMs)), timeoutMs);
    this.settleSubscribed();
  }

  /** The one place a session ends: stop the watch, close the connection, settle everything once. */
  private finish(reason: SessionEndReason, error?: Error): void {
    if (this.log.end !== undefined) return;
    clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
    const lastEvent = this.log.last;
    const end: SessionEnd = {
      reason,
      ...(error === undefined ? {} : { error }),
      ...(lastEvent === undefined ? {} : { lastEvent }),
    };
    this.log.finish(end);
    this.stream.close();
    if (this.subscribedPayload === undefined) {
      const why = error?.message ?? (reason === 'ended' ? 'the master ended the stream' : 'the session was closed');
      this.settleSubscribed(new SubscribeError(`no subscription: ${why}`, 200, why, undefined, { cause: error }));
    }
    this.settleClosed(end);
  }
}

function asStreamError(error: unknown): Error {
  if (error instanceof StreamError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StreamError(`the subscription stream broke: ${message}`, { cause: error });
}
