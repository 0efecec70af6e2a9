/**
 * What a `Scheduler` is given (SchedulerOptions, its handlers) and the same
 * with every default applied (SchedulerConfig). Defaults are applied here, in
 * one typed step, and checked; the Scheduler reads only the config.
 */
import { assert } from '../lib/assert.js';
import { systemRandom, type Random } from '../lib/random.js';
import type { FrameworkInfo } from '../protocol/mesos.js';
import type { WireOffer, WireTaskStatus } from '../protocol/outputs.js';
import type { OfferConstraints, SchedulerEvent } from '../protocol/scheduler.js';
import type { BackoffPolicy } from './backoff.js';
import type { RetryPolicy } from './connector.js';
import type { HeaderMap, Transport } from './transport.js';
import type { Awaitable, EventOf, SessionEnd } from './types.js';

/** First re-subscription delay (before jitter); it doubles per failed attempt. */
export const resubscribeBackoffInitialMsDefault = 500;
/** Cap on the re-subscription delay (before jitter). */
export const resubscribeBackoffMaxMsDefault = 30_000;
/** Calls kept while disconnected, to be sent after the next SUBSCRIBED. */
export const pendingCallsMaxDefault = 1024;

/** A FAILURE event: an agent was lost, or an executor the master tracks exited (`status`: raw wait status). */
export interface FailureInfo {
  readonly agentId?: string;
  readonly executorId?: string;
  readonly status?: number;
}

/** A MESSAGE event: data an executor sent its scheduler (best effort). */
export interface ExecutorMessage {
  readonly agentId: string;
  readonly executorId: string;
  readonly data: Buffer;
}

/**
 * What the Scheduler calls. Handlers run one at a time, in event order, across
 * subscriptions: the next event waits until a handler's promise resolves. They
 * may call any Scheduler method (and await it) without deadlocking the
 * connection: re-subscription does not wait for handlers. Every handler is
 * optional; `this` is the handlers object.
 */
export interface SchedulerHandlers {
  /**
   * After each SUBSCRIBED. `isResubscription` is true when the SUBSCRIBE
   * carried a framework id: every subscription after the first, and the first
   * when `frameworkInfo.id` was given (the framework failed over).
   */
  onSubscribed?(frameworkId: string, isResubscription: boolean, subscribed: EventOf<'SUBSCRIBED'>['subscribed']): Awaitable;
  onOffers?(offers: readonly WireOffer[]): Awaitable;
  /**
   * An offer is gone: a RESCIND event, or (synthesised) an offer of a
   * subscription that ended before it was accepted, declined or rescinded:
   * offers do not survive a disconnection (spec 1.4).
   */
  onRescind?(offerId: string): Awaitable;
  /** A task status. With `autoAcknowledge`, one with a uuid is acknowledged once this returns (or resolves). */
  onUpdate?(status: WireTaskStatus): Awaitable;
  onFailure?(failure: FailureInfo): Awaitable;
  onMessage?(message: ExecutorMessage): Awaitable;
  /**
   * Something went wrong that the Scheduler handles by itself: a failed
   * subscription attempt, an ERROR event, a failed automatic acknowledgement,
   * a handler that threw (then the UPDATE is not acknowledged). Called at once,
   * not in event order. Without `onError`, a handler's exception is rethrown as
   * an uncaught exception; other errors are only reported through `done`.
   */
  onError?(error: Error): void;
  /** A subscription ended (after its events were handled); the Scheduler re-subscribes unless it is ending. */
  onDisconnected?(end: SessionEnd): Awaitable;
  /** Every event, before its typed handler: for the events without one (UPDATE_OPERATION_STATUS, INVERSE_OFFERS, ...). */
  onEvent?(event: SchedulerEvent): Awaitable;
}

export interface SchedulerOptions {
  /**
   * Masters to subscribe through ('host:port', 'http://host:port', or
   * 'zk://host:port[,host:port...]/path', whose leader is followed in
   * ZooKeeper). Any master redirects to the leader (307); when one cannot be
   * reached the next one is tried, round-robin. At least one.
   */
  readonly masters: readonly string[];
  /**
   * The framework. Leave `id` unset for a new framework (the Scheduler fills
   * it in from SUBSCRIBED), or set it to take over an existing one.
   * Re-subscription only helps if the master keeps the framework while it is
   * disconnected: set `failover_timeout` (seconds) above 0, or the master
   * removes the framework the moment its connection breaks and refuses the
   * re-subscription ("Framework has been removed"). A master fail-over is
   * ridden out either way, since a new leader does not know removed ids.
   */
  readonly frameworkInfo: FrameworkInfo;
  readonly handlers?: SchedulerHandlers;
  /** Roles suppressed at the first SUBSCRIBE; `suppress`/`revive` keep the set up to date for re-subscriptions. */
  readonly suppressedRoles?: readonly string[];
  readonly offerConstraints?: OfferConstraints;
  /** Acknowledge each UPDATE that carries a uuid once `onUpdate` has returned (default true). */
  readonly autoAcknowledge?: boolean;
  /** Send an implicit RECONCILE after every SUBSCRIBED, before any waiting call (default true; spec 3.4). */
  readonly reconcileOnSubscribe?: boolean;
  /** Delay between subscription attempts (defaults: 500 ms doubling to 30 s, jittered). */
  readonly backoff?: Partial<BackoffPolicy>;
  /** Consecutive failed subscription attempts after which the Scheduler gives up (default: Infinity, never). */
  readonly attemptsMax?: number;
  /** Calls kept while disconnected (default 1024); beyond it a call rejects with CallQueueFullError. */
  readonly pendingCallsMax?: number;
  /**
   * Whether an ERROR from the master ends the Scheduler (true) or is followed
   * by a re-subscription (false). Default: every ERROR is final. The master
   * sends one when it refuses the framework ("Framework has been removed",
   * an invalid or unauthorised FrameworkInfo: the same SUBSCRIBE would be
   * refused again) or when another instance took the framework over
   * ("Framework failed over": re-subscribing would take it back, and the two
   * would fight).
   */
  readonly isRefusalFinal?: (message: string) => boolean;
  /** Extra headers on every request (e.g. Authorization). */
  readonly headers?: HeaderMap;
  /** 503 retries inside one attempt (connector.ts). */
  readonly retry?: Partial<RetryPolicy>;
  readonly redirectsMax?: number;
  readonly heartbeatTimeoutFactor?: number;
  readonly subscribedTimeoutMs?: number;
  readonly eventsRetainedMax?: number;
  /** Shared by every subscription. Default: one the Scheduler creates, and closes when it ends. */
  readonly transport?: Transport;
  /** Drives the backoff jitter (default: system randomness). */
  readonly random?: Random;
}

/** SchedulerOptions with every default applied. */
export interface SchedulerConfig {
  readonly masters: readonly string[];
  readonly handlers: SchedulerHandlers;
  readonly autoAcknowledge: boolean;
  readonly reconcileOnSubscribe: boolean;
  readonly backoff: BackoffPolicy;
  readonly attemptsMax: number;
  readonly pendingCallsMax: number;
  readonly isRefusalFinal: (message: string) => boolean;
  readonly random: Random;
}

export function schedulerConfig(options: SchedulerOptions): SchedulerConfig {
  assert(options.masters.length > 0, 'Scheduler needs at least one master');
  const config: SchedulerConfig = {
    masters: [...options.masters],
    handlers: options.handlers ?? {},
    autoAcknowledge: options.autoAcknowledge ?? true,
    reconcileOnSubscribe: options.reconcileOnSubscribe ?? true,
    backoff: {
      initialMs: options.backoff?.initialMs ?? resubscribeBackoffInitialMsDefault,
      maxMs: options.backoff?.maxMs ?? Math.max(resubscribeBackoffMaxMsDefault, options.backoff?.initialMs ?? 0),
    },
    attemptsMax: options.attemptsMax ?? Infinity,
    pendingCallsMax: options.pendingCallsMax ?? pendingCallsMaxDefault,
    isRefusalFinal: options.isRefusalFinal ?? (() => true),
    random: options.random ?? systemRandom,
  };
  assert(config.attemptsMax >= 1, `attemptsMax must be at least 1, got ${config.attemptsMax}`);
  assert(config.backoff.initialMs >= 0 && config.backoff.maxMs >= config.backoff.initialMs, 'backoff: need 0 <= initialMs <= maxMs');
  return config;
}

/** The roles a FrameworkInfo subscribes to: `roles` with MULTI_ROLE, else `role` (default '*'). */
export function frameworkRoles(info: FrameworkInfo): string[] {
  const multiRole = info.capabilities?.some((capability) => capability.type === 'MULTI_ROLE') ?? false;
  return multiRole ? [...(info.roles ?? [])] : [info.role ?? '*'];
}
