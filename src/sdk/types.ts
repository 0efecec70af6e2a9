/** Small types shared by the SDK's files. */
import type { OfferOperation } from '../protocol/mesos.js';
import type { SchedulerEvent, SchedulerEventType } from '../protocol/scheduler.js';

/** The event of one type, narrowed: `EventOf<'OFFERS'>` has `offers`. */
export type EventOf<T extends SchedulerEventType> = Extract<SchedulerEvent, { type: T }>;

/** How a subscription ended. */
export type SessionEndReason =
  /** `close()` was called by this client. */
  | 'closed'
  /** The stream broke: ERROR event from the master, heartbeat timeout, network or decoding error. */
  | 'error'
  /** The master ended the response cleanly (e.g. after TEARDOWN), without an ERROR event. */
  | 'ended';

export interface SessionEnd {
  readonly reason: SessionEndReason;
  /** Why, when `reason` is 'error' (a MasterError carries the ERROR event's message). */
  readonly error?: Error;
  /** The last event received before the end, if any. */
  readonly lastEvent?: SchedulerEvent;
}

/** An id as the caller has it: a bare string or the wire's `{ value }` wrapper. */
export type IdLike = string | { readonly value: string };

/** The wire form of an id (spec 0.2: ids are `{"value": "..."}`). */
export function toId(id: IdLike): { value: string } {
  return typeof id === 'string' ? { value: id } : { value: id.value };
}

/** A TaskInfo as the wire carries it (in LAUNCH operations and the executor's LAUNCH event). */
export type TaskInfo = NonNullable<NonNullable<OfferOperation['launch']>['task_infos']>[number];

/** What a handler may return: the SDK waits for a promise before the next event. */
export type Awaitable = void | Promise<void>;
