/**
 * The events of one subscription, kept so that no consumer misses one.
 *
 * The stream delivers events whenever the network does, usually before the
 * code that wants them is waiting (SUBSCRIBED, the first HEARTBEAT and the
 * first OFFERS can share one chunk). So every event is appended to a bounded
 * log, and three kinds of consumer read it independently:
 *
 * - `next(predicate)`: claims the oldest unclaimed event that matches (see the
 *   method for the exact rule). Made for tests: "wait for the UPDATE of task X".
 * - `read(from)`: an async iterator over the log from a position, in order.
 *   Made for framework loops: `for await (const event of session.events())`.
 * - `on(type, handler)`: live callbacks as events arrive, without replay.
 *
 * No I/O here; timers only for `next` timeouts.
 */
import { assert } from '../lib/assert.js';
import type { SchedulerEvent, SchedulerEventType } from '../protocol/scheduler.js';
import { EventsDroppedError, EventTimeoutError, SessionClosedError } from './errors.js';
import type { EventOf, SessionEnd } from './types.js';

/** Events kept per session. Older ones are discarded: a bound, so a long-lived session cannot grow without limit. */
export const eventsRetainedMaxDefault = 4096;
/** How long `next` waits by default: shorter than the test timeout, so a test fails with our message. */
export const nextEventTimeoutMsDefault = 20_000;
/** Unclaimed event types named in an EventTimeoutError. */
const timeoutReportTypesMax = 12;

export type EventPredicate = (event: SchedulerEvent) => boolean;
export type EventHandler<E extends SchedulerEvent = SchedulerEvent> = (event: E) => void;

interface Entry {
  readonly event: SchedulerEvent;
  /** Returned by a `next` call already; `next` never returns an event twice. */
  claimed: boolean;
}

interface Waiter {
  readonly predicate: EventPredicate;
  readonly resolve: (event: SchedulerEvent) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class EventLog {
  /** Oldest first; `entries[i]` has sequence number `firstSequence + i`. */
  private readonly entries: Entry[] = [];
  private firstSequence = 0;
  /** Pending `next` calls, oldest first: an arriving event goes to the first that matches. */
  private readonly waiters: Waiter[] = [];
  /** Readers waiting for the next append (or the end). Cleared on each wake-up. */
  private wakers: (() => void)[] = [];
  private readonly handlers = new Map<SchedulerEventType | '*', Set<EventHandler>>();
  private endState: SessionEnd | undefined;

  constructor(private readonly retainedMax = eventsRetainedMaxDefault) {
    assert(Number.isInteger(retainedMax) && retainedMax >= 1, `eventsRetainedMax must be a positive integer, got ${retainedMax}`);
  }

  /** Sequence number the next appended event gets (the first event is 0). */
  get nextSequence(): number {
    return this.firstSequence + this.entries.length;
  }

  /** Sequence number of the oldest retained event (0 until the bound is reached). */
  get oldestSequence(): number {
    return this.firstSequence;
  }

  get end(): SessionEnd | undefined {
    return this.endState;
  }

  get last(): SchedulerEvent | undefined {
    return this.entries[this.entries.length - 1]?.event;
  }

  append(event: SchedulerEvent): void {
    assert(this.endState === undefined, 'event appended after the session ended');
    const entry: Entry = { event, claimed: this.offerToWaiters(event) };
    this.entries.push(entry);
    if (this.entries.length > this.retainedMax) {
      this.entries.shift();
      this.firstSequence += 1;
    }
    this.wake();
    this.emit(event);
  }

  /** Marks the log ended: pending and later `next` calls without a buffered match reject; readers finish. */
  finish(end: SessionEnd): void {
    if (this.endState !== undefined) return;
    this.endState = end;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new SessionClosedError(end));
    }
    this.wake();
  }

  /**
   * The oldest event that matches `predicate` and that no earlier `next` call
   * returned. Buffered events (arrived before this call, still retained) are
   * searched first, oldest first; if none matches, the first matching event to
   * arrive is returned. Events that do not match stay available to later
   * calls: waiting for B does not lose an A that arrived meanwhile. When
   * several calls wait, an arriving event goes to the oldest call it matches.
   * Rejects with EventTimeoutError after `timeoutMs`, or SessionClosedError
   * once the session has ended without a buffered match.
   */
  next(predicate: EventPredicate = () => true, timeoutMs = nextEventTimeoutMsDefault): Promise<SchedulerEvent> {
    for (const entry of this.entries) {
      if (entry.claimed) continue;
      let matches: boolean;
      try {
        matches = predicate(entry.event);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      if (matches) {
        entry.claimed = true;
        return Promise.resolve(entry.event);
      }
    }
    if (this.endState !== undefined) return Promise.reject(new SessionClosedError(this.endState));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new EventTimeoutError(timeoutMs, this.unclaimedTypes()));
      }, timeoutMs);
      const waiter: Waiter = { predicate, resolve, reject, timer };
      this.waiters.push(waiter);
    });
  }

  /**
   * Every event from sequence `from` on, in order, ending when the session has
   * ended and the reader has caught up. Throws EventsDroppedError if the reader
   * fell more than the retained bound behind.
   */
  async *read(from: number): AsyncGenerator<SchedulerEvent, void, undefined> {
    let cursor = from;
    for (;;) {
      if (cursor < this.firstSequence) throw new EventsDroppedError(this.firstSequence - cursor);
      const entry = this.entries[cursor - this.firstSequence];
      if (entry !== undefined) {
        cursor += 1;
        yield entry.event;
        continue;
      }
      if (this.endState !== undefined) return;
      await new Promise<void>((resolve) => this.wakers.push(resolve));
    }
  }

  /** Calls `handler` for each event of `type` ('*': every event) as it arrives. Returns a function that stops it. */
  on<T extends SchedulerEventType>(type: T, handler: EventHandler<EventOf<T>>): () => void;
  on(type: '*', handler: EventHandler): () => void;
  on(type: SchedulerEventType | '*', handler: EventHandler<never>): () => void {
    const general = handler as EventHandler;
    let set = this.handlers.get(type);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(type, set);
    }
    set.add(general);
    return () => {
      this.handlers.get(type)?.delete(general);
    };
  }

  private offerToWaiters(event: SchedulerEvent): boolean {
    for (const [index, waiter] of this.waiters.entries()) {
      let matches: boolean;
      try {
        matches = waiter.predicate(event);
      } catch (error) {
        this.waiters.splice(index, 1);
        clearTimeout(waiter.timer);
        waiter.reject(error as Error);
        return this.offerToWaiters(event);
      }
      if (!matches) continue;
      this.waiters.splice(index, 1);
      clearTimeout(waiter.timer);
      waiter.resolve(event);
      return true;
    }
    return false;
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }

  private emit(event: SchedulerEvent): void {
    for (const key of [event.type, '*'] as const) {
      for (const handler of this.handlers.get(key) ?? []) {
        try {
          handler(event);
        } catch (error) {
          // A throwing handler is a bug in the caller's code: surface it as an uncaught
          // exception (as EventEmitter would) instead of breaking the stream reader.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }
  }

  private unclaimedTypes(): string[] {
    const types: string[] = [];
    for (let i = this.entries.length - 1; i >= 0 && types.length < timeoutReportTypesMax; i--) {
      const entry = this.entries[i];
      if (entry !== undefined && !entry.claimed) types.unshift(entry.event.type);
    }
    return types;
  }
}
