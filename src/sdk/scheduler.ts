/**
 * `Scheduler`: a long-lived framework client. It keeps the framework
 * subscribed across broken connections, master fail-overs and leader changes,
 * so that a framework written on it needs no code of its own for them.
 *
 *     start() ─▶ attempt: subscribe() at the leader we last had, else masters[i] (round-robin)
 *                  │ fails: transient ──▶ back off (exponential, jittered) ──▶ attempt again
 *                  │        final (ERROR refusal, 4xx) ──▶ done { reason: 'refused' }
 *                  ▼ SUBSCRIBED
 *                serve: implicit RECONCILE ─▶ send the calls that waited ─▶ live
 *                  │ events ──▶ dispatch chain (handlers, one at a time; auto-acknowledge)
 *                  ▼ the stream ends (network, heartbeat, master gone, ERROR)
 *                re-subscribe with framework_info.id, unless stop()/teardown() or a final ERROR
 *
 * Calls while disconnected: ACCEPT and DECLINE (and their inverse-offer
 * twins) reject at once with NotSubscribedError, because offers do not survive
 * a disconnection; every other call waits, in order, in a bounded queue
 * (`pendingCallsMax`, CallQueueFullError beyond) and is sent after the next
 * SUBSCRIBED and its implicit reconciliation. (Calls made between SUBSCRIBED
 * and the end of that reconciliation wait the same way, offer calls included:
 * their offers belong to the subscription they will be sent on.) A call in flight when the
 * connection breaks rejects with its error and is not retried (it may or may
 * not have reached the master); reconciliation is the way to find out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../lib/assert.js';
import type { FrameworkInfo, OfferOperation } from '../protocol/mesos.js';
import type { WireOffer, WireTaskStatus } from '../protocol/outputs.js';
import type { OfferConstraints, SchedulerCall, SchedulerCallType } from '../protocol/scheduler.js';
import { backoffDelayMs } from './backoff.js';
import { PendingCalls } from './call-queue.js';
import { raceStop, stoppedMark } from './race-stop.js';
import * as calls from './calls.js';
import { masterOrigin, schedulerEndpoint } from './connector.js';
import { LeaderDetector } from '../ha/leader-detector.js';
import { isZooKeeperUrl, parseZooKeeperUrl } from '../ha/zk-url.js';
import { CallError, MasterError, NotSubscribedError, StoppedError, SubscribeError } from './errors.js';
import { launchOperation, type LaunchTask } from './operations.js';
import { dispatchSession } from './scheduler-dispatch.js';
import { frameworkRoles, schedulerConfig, type SchedulerConfig, type SchedulerOptions } from './scheduler-options.js';
import type { CallAnswer, SchedulerSession } from './session.js';
import { subscribe } from './subscribe.js';
import { createHttpTransport, type Transport } from './transport.js';
import type { IdLike } from './types.js';

/** How a Scheduler ended. */
export type SchedulerEndReason =
  /** `stop()`: the connection was closed; the framework lives on until its failover_timeout. */
  | 'stopped'
  /** `teardown()`: the master removed the framework. */
  | 'torn-down'
  /** The master refused the framework for good (an ERROR event, or a 4xx answer to SUBSCRIBE); see `error`. */
  | 'refused'
  /** `attemptsMax` subscription attempts in a row failed; `error` is the last failure. */
  | 'gave-up';

export interface SchedulerEnd {
  readonly reason: SchedulerEndReason;
  readonly error?: Error;
}

export interface StartOptions {
  /** Failed attempts before the first SUBSCRIBED after which start() rejects (default: the Scheduler's attemptsMax). */
  readonly attemptsMax?: number;
}

/** Calls about offers: meaningless after the subscription that got the offers has ended. */
const offerCallTypes: ReadonlySet<SchedulerCallType> = new Set(['ACCEPT', 'DECLINE', 'ACCEPT_INVERSE_OFFERS', 'DECLINE_INVERSE_OFFERS']);

function isOfferCall(call: SchedulerCall): boolean {
  return offerCallTypes.has(call.type ?? 'UNKNOWN');
}

export class Scheduler {
  /** Settles (never rejects) when the Scheduler has ended for good. */
  readonly done: Promise<SchedulerEnd>;

  private readonly config: SchedulerConfig;
  private frameworkInfo: FrameworkInfo;
  private readonly offerConstraints: OfferConstraints | undefined;
  /** Suppressed roles as of now: sent with every re-subscription, kept by suppress()/revive(). */
  private readonly suppressedRoles: Set<string>;
  private readonly transport: Transport;
  private readonly ownsTransport: boolean;
  private readonly pending: PendingCalls;
  /** Offers delivered and not yet accepted, declined or rescinded (ids are unique across subscriptions). */
  private readonly outstandingOffers = new Set<string>();
  /** The subscription being served, from SUBSCRIBED until its stream ends. */
  private current: SchedulerSession | undefined;
  /** True once `current` has reconciled and sent the waiting calls: calls then go straight to it. */
  private live = false;
  /** The master that accepted the last subscription: tried first next time. */
  private leaderUrl: string | undefined;
  private masterIndex = 0;
  private subscriptionCount = 0;
  private started = false;
  private stopReason: 'stopped' | 'torn-down' | undefined;
  private readonly stopController = new AbortController();
  private dispatchChain: Promise<void> = Promise.resolve();
  /** One per zk:// entry of `masters`, following that group's leader. */
  private readonly detectors = new Map<string, LeaderDetector>();
  private settleDone!: (end: SchedulerEnd) => void;
  private firstSubscription: { resolve: (frameworkId: string) => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.config = schedulerConfig(options);
    this.frameworkInfo = options.frameworkInfo;
    this.offerConstraints = options.offerConstraints;
    this.suppressedRoles = new Set(options.suppressedRoles ?? []);
    this.ownsTransport = options.transport === undefined;
    this.transport = options.transport ?? createHttpTransport();
    this.pending = new PendingCalls(this.config.pendingCallsMax);
    this.done = new Promise((resolve) => (this.settleDone = resolve));
  }

  /**
   * Starts subscribing; resolves with the framework id at the first
   * SUBSCRIBED. Rejects if the Scheduler ends first: refused, stopped, or
   * `attemptsMax` failed attempts (then with the last failure). Call once.
   */
  start(options: StartOptions = {}): Promise<string> {
    assert(!this.started, 'Scheduler.start() called twice');
    this.started = true;
    const first = new Promise<string>((resolve, reject) => (this.firstSubscription = { resolve, reject }));
    const attemptsMax = options.attemptsMax ?? this.config.attemptsMax;
    assert(attemptsMax >= 1, `start: attemptsMax must be at least 1, got ${attemptsMax}`);
    this.run(attemptsMax).then(
      (end) => this.finish(end),
      (error: unknown) => this.finish({ reason: 'gave-up', error: asError(error) }),
    );
    return first;
  }

  /** The framework id, once the first SUBSCRIBED has arrived (or as given in frameworkInfo.id). */
  get frameworkId(): string | undefined {
    return this.frameworkInfo.id?.value;
  }

  /** Whether calls go out now (subscribed, reconciled, waiting calls sent). */
  get isSubscribed(): boolean {
    return this.live;
  }

  /** The current subscription, for what the Scheduler does not wrap. Undefined between subscriptions. */
  get session(): SchedulerSession | undefined {
    return this.current;
  }

  /** Sends any call (framework_id filled in); see the file comment for calls made while disconnected. */
  call(call: SchedulerCall): Promise<CallAnswer> {
    const type = call.type ?? 'UNKNOWN';
    if (this.stopReason !== undefined) return Promise.reject(new StoppedError(`${type}: the Scheduler has stopped`));
    if (this.live && this.current !== undefined) return this.post(this.current, call);
    // Between SUBSCRIBED and live (reconciling, sending waiting calls) offers are valid: they wait too.
    if (offerCallTypes.has(type) && this.current === undefined) return Promise.reject(new NotSubscribedError(type));
    return this.pending.push(call);
  }

  accept(offerIds: readonly IdLike[], operations: readonly OfferOperation[], filters?: calls.Filters): Promise<CallAnswer> {
    this.forgetOffers(offerIds);
    return this.call(calls.acceptCall(offerIds, operations, filters));
  }

  /** Accepts `offer` with one LAUNCH of `tasks` (their `agent_id` defaults to the offer's agent). */
  launch(offer: WireOffer, tasks: readonly LaunchTask[], filters?: calls.Filters): Promise<CallAnswer> {
    return this.accept([offer.id], [launchOperation(offer.agent_id, tasks)], filters);
  }

  decline(offerIds: readonly IdLike[], filters?: calls.Filters): Promise<CallAnswer> {
    this.forgetOffers(offerIds);
    return this.call(calls.declineCall(offerIds, filters));
  }

  kill(taskId: IdLike, agentId?: IdLike, killPolicy?: calls.KillPolicy): Promise<CallAnswer> {
    return this.call(calls.killCall(taskId, agentId, killPolicy));
  }

  /** Acknowledges a status that carries a uuid; resolves undefined (sending nothing) for one that does not. */
  async acknowledge(status: WireTaskStatus): Promise<CallAnswer | undefined> {
    if (status.uuid === undefined || status.agent_id === undefined) return undefined;
    return this.call(calls.acknowledgeCall(status.agent_id, status.task_id, status.uuid));
  }

  /** Explicit reconciliation of `tasks`; an empty list asks about every task (implicit). */
  reconcile(tasks: readonly calls.ReconcileTask[] = []): Promise<CallAnswer> {
    return this.call(calls.reconcileCall(tasks));
  }

  /** Un-suppresses `roles` (default: all) and clears their filters; re-subscriptions carry the new set. */
  revive(roles?: readonly string[]): Promise<CallAnswer> {
    if (roles === undefined || roles.length === 0) this.suppressedRoles.clear();
    else for (const role of roles) this.suppressedRoles.delete(role);
    return this.call(calls.reviveCall(roles));
  }

  /** Stops offers for `roles` (default: all the framework's roles); re-subscriptions carry the new set. */
  suppress(roles?: readonly string[]): Promise<CallAnswer> {
    const suppressed = roles === undefined || roles.length === 0 ? frameworkRoles(this.frameworkInfo) : roles;
    for (const role of suppressed) this.suppressedRoles.add(role);
    return this.call(calls.suppressCall(roles));
  }

  message(agentId: IdLike, executorId: IdLike, data: Uint8Array | string): Promise<CallAnswer> {
    return this.call(calls.messageCall(agentId, executorId, data));
  }

  shutdown(executorId: IdLike, agentId: IdLike): Promise<CallAnswer> {
    return this.call(calls.shutdownCall(executorId, agentId));
  }

  /**
   * Removes the framework (its tasks are killed) and ends the Scheduler.
   * Waits for a subscription if disconnected. If the master does not accept
   * the TEARDOWN, rejects and the Scheduler keeps running.
   */
  async teardown(): Promise<SchedulerEnd> {
    await this.call(calls.teardownCall());
    this.end('torn-down');
    return this.done;
  }

  /**
   * teardown() for a program that is about to exit: true once the master took
   * it, false when it refused or did not answer within `timeoutMs` (the
   * framework then goes when its failover timeout expires).
   */
  teardownWithin(timeoutMs: number): Promise<boolean> {
    const tornDown = this.teardown().then(
      () => true,
      () => false,
    );
    const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return Promise.race([tornDown, timedOut]);
  }

  /** Closes the connection without removing the framework, and ends the Scheduler. Idempotent. */
  stop(): Promise<SchedulerEnd> {
    this.end('stopped');
    return this.done;
  }

  private end(reason: 'stopped' | 'torn-down'): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.live = false;
    this.stopController.abort();
    this.pending.rejectAll(new StoppedError(`the Scheduler was ${reason === 'stopped' ? 'stopped' : 'torn down'}`));
    void this.current?.close();
    if (!this.started) this.finish({ reason });
  }

  private finish(end: SchedulerEnd): void {
    this.stopReason ??= 'stopped';
    this.live = false;
    this.pending.rejectAll(new StoppedError(`the Scheduler has ended (${end.reason})`));
    this.firstSubscription?.reject(end.error ?? new StoppedError(`the Scheduler ended (${end.reason}) before subscribing`));
    this.firstSubscription = undefined;
    if (this.ownsTransport) void this.transport.close();
    for (const detector of this.detectors.values()) detector.close();
    this.settleDone(end);
  }

  /** The connection loop: attempt, serve, back off, until an end. */
  private async run(firstAttemptsMax: number): Promise<SchedulerEnd> {
    let failures = 0;
    for (;;) {
      if (this.stopReason !== undefined) return { reason: this.stopReason };
      const entry = this.leaderUrl ?? this.config.masters[this.masterIndex % this.config.masters.length] ?? '';
      let session: SchedulerSession | typeof stoppedMark;
      const target = this.resolveMaster(entry);
      try {
        session = await this.attempt(target);
      } catch (caught) {
        const error = asError(caught);
        this.reportError(error);
        if (this.isFinalSubscribeFailure(error)) return { reason: 'refused', error };
        this.moveOn(target);
        failures += 1;
        if (failures >= (this.subscriptionCount === 0 ? firstAttemptsMax : this.config.attemptsMax)) {
          return { reason: 'gave-up', error };
        }
        await this.pause(failures);
        continue;
      }
      if (session === stoppedMark) return { reason: this.stopReason ?? 'stopped' };
      failures = 0;
      const end = await this.serve(session);
      if (this.stopReason !== undefined) return { reason: this.stopReason };
      if (end.error instanceof MasterError && this.config.isRefusalFinal(end.error.message)) {
        return { reason: 'refused', error: end.error };
      }
      await this.pause(1);
    }
  }

  /** One SUBSCRIBE (following 307s, retrying 503s); a stop() meanwhile wins, and closes the late session. */
  private attempt(target: string): Promise<SchedulerSession | typeof stoppedMark> {
    const options = this.options;
    const subscribing = subscribe({
      master: target,
      frameworkInfo: this.frameworkInfo,
      transport: this.transport,
      ...(this.suppressedRoles.size === 0 ? {} : { suppressedRoles: [...this.suppressedRoles] }),
      ...(this.offerConstraints === undefined ? {} : { offerConstraints: this.offerConstraints }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.redirectsMax === undefined ? {} : { redirectsMax: options.redirectsMax }),
      ...(options.heartbeatTimeoutFactor === undefined ? {} : { heartbeatTimeoutFactor: options.heartbeatTimeoutFactor }),
      ...(options.subscribedTimeoutMs === undefined ? {} : { subscribedTimeoutMs: options.subscribedTimeoutMs }),
      ...(options.eventsRetainedMax === undefined ? {} : { eventsRetainedMax: options.eventsRetainedMax }),
    });
    return raceStop(subscribing, this.stopController.signal, (session) => void session.close());
  }

  /** From SUBSCRIBED to the end of the stream. */
  private async serve(session: SchedulerSession): Promise<Awaited<SchedulerSession['closed']>> {
    const isResubscription = this.frameworkInfo.id !== undefined;
    this.frameworkInfo = { ...this.frameworkInfo, id: { value: session.frameworkId } };
    this.current = session;
    this.leaderUrl = session.masterUrl;
    this.subscriptionCount += 1;
    this.firstSubscription?.resolve(session.frameworkId);
    this.firstSubscription = undefined;
    this.dispatchChain = this.dispatchChain.then(() =>
      dispatchSession(session, isResubscription, {
        config: this.config,
        outstandingOffers: this.outstandingOffers,
        acknowledge: (status) => this.autoAcknowledge(session, status),
        reportError: (error) => this.reportError(error),
      }),
    );
    if (this.config.reconcileOnSubscribe) await this.post(session, calls.reconcileCall([])).catch((error: unknown) => this.reportError(asError(error)));
    // Calls made while disconnected (and while this loop runs) go out in order, before new ones.
    while (!session.ended && this.stopReason === undefined) {
      const waiting = this.pending.shift();
      if (waiting === undefined) break;
      await this.post(session, waiting.call).then(waiting.resolve, waiting.reject);
    }
    if (!session.ended && this.stopReason === undefined) this.live = true;
    const end = await session.closed;
    this.live = false;
    this.current = undefined;
    // Offers died with the subscription: calls about them that still wait are void.
    this.pending.rejectWhere(isOfferCall, (call) => new NotSubscribedError(call.type ?? 'UNKNOWN'));
    return end;
  }

  /** Sends on `session`; anything but 200/202 rejects with a CallError. */
  private async post(session: SchedulerSession, call: SchedulerCall): Promise<CallAnswer> {
    const answer = await session.call(call);
    if (answer.status === 200 || answer.status === 202) return answer;
    throw new CallError(call.type ?? 'UNKNOWN', answer.status, answer.body);
  }

  /**
   * After `onUpdate` handled an UPDATE of `session`. Skipped once that
   * subscription has ended: the agent re-sends unacknowledged updates after
   * the next subscription, and that copy is acknowledged instead.
   */
  private async autoAcknowledge(session: SchedulerSession, status: WireTaskStatus): Promise<void> {
    if (status.uuid === undefined || status.agent_id === undefined || session.ended) return;
    await this.post(session, calls.acknowledgeCall(status.agent_id, status.task_id, status.uuid));
  }

  /**
   * The master to try for a `masters` entry: itself, or for a zk:// entry the
   * leader its detector last saw (src/ha/leader-detector.ts; '' while none
   * is known, which fails the attempt and backs off like any other).
   */
  private resolveMaster(entry: string): string {
    if (!isZooKeeperUrl(entry)) return entry;
    let detector = this.detectors.get(entry);
    if (detector === undefined) {
      const url = parseZooKeeperUrl(entry, 'masters');
      if (!url.ok) return '';
      detector = new LeaderDetector(url.value, { info: () => undefined, warn: () => undefined });
      this.detectors.set(entry, detector);
    }
    return detector.current() ?? '';
  }

  /** After `target` failed: drop it as the leader, and let the next attempt go to the next master. */
  private moveOn(target: string): void {
    const masters = this.config.masters;
    if (target === this.leaderUrl) this.leaderUrl = undefined;
    const next = masters[this.masterIndex % masters.length];
    // A zk:// entry stands for whoever leads: the next attempt asks its detector again.
    if (next === undefined || target === '' || isZooKeeperUrl(next)) return;
    if (sameMaster(next, target)) this.masterIndex += 1;
  }

  private forgetOffers(offerIds: readonly IdLike[]): void {
    for (const id of offerIds) this.outstandingOffers.delete(typeof id === 'string' ? id : id.value);
  }

  private isFinalSubscribeFailure(error: Error): boolean {
    if (!(error instanceof SubscribeError)) return false;
    if (error.event !== undefined) return this.config.isRefusalFinal(error.body);
    // 4xx: the same SUBSCRIBE would get the same answer (408 and 429 are about timing).
    return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
  }

  private async pause(attempt: number): Promise<void> {
    const delayMs = backoffDelayMs(attempt, this.config.backoff, this.config.random);
    try {
      await sleep(delayMs, undefined, { signal: this.stopController.signal });
    } catch {
      // Aborted by stop(): the loop notices on its next check.
    }
  }

  private reportError(error: Error): void {
    const onError = this.config.handlers.onError;
    if (onError === undefined) return;
    try {
      onError.call(this.config.handlers, error);
    } catch (thrown) {
      queueMicrotask(() => {
        throw thrown;
      });
    }
  }
}

function sameMaster(left: string, right: string): boolean {
  return masterOrigin(schedulerEndpoint(left)) === masterOrigin(schedulerEndpoint(right));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
