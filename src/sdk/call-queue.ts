/**
 * Calls made while the Scheduler is between subscriptions: kept in order, up
 * to a bound, and sent once the next subscription is up. No I/O here.
 */
import { assert } from '../lib/assert.js';
import type { SchedulerCall } from '../protocol/scheduler.js';
import { CallQueueFullError } from './errors.js';
import type { CallAnswer } from './session.js';

export interface PendingCall {
  readonly call: SchedulerCall;
  readonly resolve: (answer: CallAnswer) => void;
  readonly reject: (error: Error) => void;
}

export class PendingCalls {
  private readonly calls: PendingCall[] = [];

  constructor(readonly max: number) {
    assert(Number.isInteger(max) && max >= 1, `pendingCallsMax must be a positive integer, got ${max}`);
  }

  get size(): number {
    return this.calls.length;
  }

  /** Queues `call`; the promise settles when it is sent (or rejected). Rejects at once when full. */
  push(call: SchedulerCall): Promise<CallAnswer> {
    if (this.calls.length >= this.max) return Promise.reject(new CallQueueFullError(call.type ?? 'UNKNOWN', this.max));
    return new Promise((resolve, reject) => this.calls.push({ call, resolve, reject }));
  }

  /** The oldest waiting call, removed from the queue. */
  shift(): PendingCall | undefined {
    return this.calls.shift();
  }

  rejectAll(error: Error): void {
    for (const pending of this.calls.splice(0)) pending.reject(error);
  }

  /** Rejects (and removes) the waiting calls that match, keeping the others in order. */
  rejectWhere(matches: (call: SchedulerCall) => boolean, error: (call: SchedulerCall) => Error): void {
    const kept = this.calls.filter((pending) => !matches(pending.call));
    for (const pending of this.calls) if (matches(pending.call)) pending.reject(error(pending.call));
    this.calls.splice(0, this.calls.length, ...kept);
  }
}
