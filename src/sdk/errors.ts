/**
 * The errors the SDK reports. Each is a named class carrying the context a
 * caller needs to decide what to do next (retry, re-subscribe, give up), so
 * that nobody has to parse a message string.
 */
import type { SchedulerEvent } from '../protocol/scheduler.js';
import type { SessionEnd } from './types.js';

/**
 * SUBSCRIBE did not produce a subscription. Thrown by `subscribe()` when:
 * - the master answered with a status other than 200 (after following 307s
 *   and retrying 503s): `status` and `body` are that answer;
 * - the master answered 200 but then refused inside the stream with an ERROR
 *   event (invalid FrameworkInfo, "Framework has been removed", ...): `status`
 *   is 200, `body` is the error message and `event` the ERROR event;
 * - the stream ended, broke or stayed silent before SUBSCRIBED: `status` is
 *   200, `body` explains and `cause` holds the underlying error if any.
 */
export class SubscribeError extends Error {
  override readonly name = 'SubscribeError';

  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
    readonly event?: SchedulerEvent,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The master sent an ERROR event on an open subscription (e.g. "Framework failed over"). */
export class MasterError extends Error {
  override readonly name = 'MasterError';
}

/** No event (HEARTBEAT included) arrived within `timeoutMs`: the stream is presumed broken. */
export class HeartbeatTimeoutError extends Error {
  override readonly name = 'HeartbeatTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`no event from the master for ${timeoutMs} ms: treating the subscription stream as broken`);
  }
}

/** The subscription stream broke: a network error, or bytes that are not RecordIO-framed JSON events. */
export class StreamError extends Error {
  override readonly name = 'StreamError';
}

/** `nextEvent` waited `timeoutMs` without a matching event. */
export class EventTimeoutError extends Error {
  override readonly name = 'EventTimeoutError';

  constructor(
    readonly timeoutMs: number,
    /** Types of the newest unclaimed events, to show what did arrive instead. */
    readonly unclaimedTypes: readonly string[],
  ) {
    super(
      `no matching event within ${timeoutMs} ms` +
        (unclaimedTypes.length > 0 ? ` (unclaimed events: ${unclaimedTypes.join(', ')})` : ' (no unclaimed events)'),
    );
  }
}

/** The session ended before `nextEvent` found a matching event. `end` says how it ended. */
export class SessionClosedError extends Error {
  override readonly name = 'SessionClosedError';

  constructor(readonly end: SessionEnd) {
    super(`the subscription ended (${end.reason}${end.error === undefined ? '' : `: ${end.error.message}`}) before a matching event arrived`);
  }
}

/** An `events()` reader fell so far behind that the events it had not read were discarded. */
export class EventsDroppedError extends Error {
  override readonly name = 'EventsDroppedError';

  constructor(readonly droppedCount: number) {
    super(`${droppedCount} events were discarded before this reader read them (reader too slow)`);
  }
}

/**
 * A call reached the master (or agent) and was answered with a status other
 * than 200/202. `status` and `body` are that answer; `callType` names the call.
 */
export class CallError extends Error {
  override readonly name = 'CallError';

  constructor(
    readonly callType: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${callType} was answered ${status}${body === '' ? '' : `: ${body}`}`);
  }
}

/**
 * A call that cannot wait for the next subscription was made while
 * disconnected: the Scheduler's ACCEPT or DECLINE (offers do not survive a
 * disconnection, spec 1.4: wait for new ones), the Executor's MESSAGE (best
 * effort by definition).
 */
export class NotSubscribedError extends Error {
  override readonly name = 'NotSubscribedError';

  constructor(
    readonly callType: string,
    why = 'offers do not survive a disconnection; wait for new offers',
  ) {
    super(`${callType} needs a live subscription: ${why}`);
  }
}

/** A call made while disconnected found the queue of waiting calls full (`pendingCallsMax`). */
export class CallQueueFullError extends Error {
  override readonly name = 'CallQueueFullError';

  constructor(
    readonly callType: string,
    readonly pendingCallsMax: number,
  ) {
    super(`${callType} rejected: ${pendingCallsMax} calls already wait for the next subscription`);
  }
}

/** The client was stopped (or gave up) before the call could be sent, or before it subscribed. */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
}

/** A handler threw (or its promise rejected). `cause` is what it threw. */
export class HandlerError extends Error {
  override readonly name = 'HandlerError';

  constructor(
    readonly handler: string,
    cause: unknown,
  ) {
    super(`handler ${handler} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The agent sent an ERROR event on the executor's subscription. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
}

/** The Executor's settings are missing or malformed (MESOS_* environment variables or options). */
export class ExecutorEnvironmentError extends Error {
  override readonly name = 'ExecutorEnvironmentError';
}
