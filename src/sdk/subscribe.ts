/**
 * `subscribe()`: the entry point. Opens a SUBSCRIBE stream through a Connector
 * (by default: HTTP, following 307s and retrying 503s from the given master)
 * and resolves with a session once SUBSCRIBED has arrived.
 */
import type { FrameworkInfo } from '../protocol/mesos.js';
import type { OfferConstraints } from '../protocol/scheduler.js';
import { subscribeCall } from './calls.js';
import { httpConnector, type Connector, type RetryPolicy } from './connector.js';
import { SchedulerSession } from './session.js';
import { createHttpTransport, type HeaderMap, type Transport } from './transport.js';

export interface SubscribeOptions {
  /** Any master of the cluster: 'http://host:port', 'host:port' or the scheduler endpoint URL. */
  readonly master: string;
  /** Set `id` to re-subscribe an existing framework (fail-over of the scheduler). */
  readonly frameworkInfo: FrameworkInfo;
  readonly suppressedRoles?: readonly string[];
  readonly offerConstraints?: OfferConstraints;
  /** Extra headers on the SUBSCRIBE and on every call (e.g. Authorization). */
  readonly headers?: HeaderMap;
  /** Bounds on retrying 503 answers (defaults: connector.ts retryPolicyDefault). */
  readonly retry?: Partial<RetryPolicy>;
  /** Redirects followed before giving up (default connector.ts redirectsMaxDefault). */
  readonly redirectsMax?: number;
  /** Announced heartbeat intervals without any event before the stream counts as broken (default 5). */
  readonly heartbeatTimeoutFactor?: number;
  /** Longest wait for SUBSCRIBED after the 200 answer (default 30 s). */
  readonly subscribedTimeoutMs?: number;
  /** Events kept for nextEvent() and events() (default 4096). */
  readonly eventsRetainedMax?: number;
  /**
   * Sends calls (and opens the stream for the default connector). Default: a
   * new keep-alive HTTP transport. Pass one to share connections between
   * sessions, e.g. across re-subscriptions; its owner closes it.
   */
  readonly transport?: Transport;
  /** Opens the stream. Default: httpConnector over `transport`, starting at `master`. */
  readonly connector?: Connector;
}

/**
 * Subscribes a framework and resolves with the session once SUBSCRIBED has
 * arrived (it is also the session's first event, for nextEvent/events()).
 * Rejects with a SubscribeError if the master answers other than 200 (after
 * redirects and 503 retries), refuses inside the stream (ERROR event), or the
 * stream ends or stalls before SUBSCRIBED; with the network error if no
 * master can be reached.
 */
export async function subscribe(options: SubscribeOptions): Promise<SchedulerSession> {
  const transport = options.transport ?? createHttpTransport();
  const connector =
    options.connector ??
    httpConnector({
      master: options.master,
      transport,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.redirectsMax === undefined ? {} : { redirectsMax: options.redirectsMax }),
    });
  const stream = await connector(subscribeCall(options.frameworkInfo, options.suppressedRoles, options.offerConstraints));
  const session = new SchedulerSession(stream, {
    transport,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.heartbeatTimeoutFactor === undefined ? {} : { heartbeatTimeoutFactor: options.heartbeatTimeoutFactor }),
    ...(options.subscribedTimeoutMs === undefined ? {} : { subscribedTimeoutMs: options.subscribedTimeoutMs }),
    ...(options.eventsRetainedMax === undefined ? {} : { eventsRetainedMax: options.eventsRetainedMax }),
  });
  return session.subscribed();
}
