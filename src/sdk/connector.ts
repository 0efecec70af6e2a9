/**
 * Finding the leading master and opening a SUBSCRIBE stream on it.
 *
 * A `Connector` is the seam between a session (one subscription, one stream)
 * and the policy of reaching a master. The HTTP connector here implements
 * leader discovery by redirect (spec 1.8 a): POST to the given master, follow
 * `307 Location: //leader:port/api/v1/scheduler`, retry `503` (no leader yet,
 * or the leader is still recovering) with bounded exponential backoff. A later
 * re-subscription layer can wrap or replace it (several masters, ZooKeeper)
 * without touching the session.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SchedulerCall } from '../protocol/scheduler.js';
import { SubscribeError } from './errors.js';
import type { HeaderMap, Transport } from './transport.js';

/** An open SUBSCRIBE response (status 200): what a session reads. */
export interface SubscribeStream {
  /** The scheduler endpoint that accepted the subscription, after redirects. */
  readonly schedulerUrl: string;
  /** The `Mesos-Stream-Id` header: later calls must carry it. */
  readonly streamId: string;
  /** RecordIO-framed events, in whatever chunks the network delivers. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Closes the connection: the master then sees the framework disconnect. Idempotent. */
  close(): void;
}

/**
 * Opens a SUBSCRIBE stream for the given SUBSCRIBE call, or rejects (a
 * SubscribeError for answers other than 200, the network error otherwise).
 */
export type Connector = (subscribeCall: SchedulerCall) => Promise<SubscribeStream>;

/** How long to keep retrying `503 Service Unavailable`. Both bounds apply. */
export interface RetryPolicy {
  /** Requests answered 503 before giving up (the first request counts). */
  readonly attemptsMax: number;
  /** Delay before the first retry; it doubles up to `backoffMaxMs`. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** Give up rather than sleep past this much time since the first request. */
  readonly elapsedMsMax: number;
}

export const retryPolicyDefault: RetryPolicy = {
  attemptsMax: 20,
  backoffInitialMs: 100,
  backoffMaxMs: 2_000,
  elapsedMsMax: 30_000,
};

/** Redirects followed before giving up: a leader election in progress can bounce a request between masters. */
export const redirectsMaxDefault = 8;

export const schedulerPath = '/api/v1/scheduler';

export interface HttpConnectorOptions {
  /** Any master: 'http://host:port', 'host:port', or a full scheduler endpoint URL. */
  readonly master: string;
  readonly transport: Transport;
  /** Extra request headers (e.g. Authorization), sent on every hop. */
  readonly headers?: HeaderMap;
  readonly redirectsMax?: number;
  readonly retry?: Partial<RetryPolicy>;
}

export function httpConnector(options: HttpConnectorOptions): Connector {
  const retry: RetryPolicy = { ...retryPolicyDefault, ...options.retry };
  const redirectsMax = options.redirectsMax ?? redirectsMaxDefault;
  const headers = jsonHeaders(options.headers);
  return async (subscribeCall) => {
    const body = JSON.stringify(subscribeCall);
    const startedMs = Date.now();
    let url = schedulerEndpoint(options.master);
    let redirects = 0;
    let unavailable = 0;
    for (;;) {
      const answer = await options.transport.openStream(url, body, headers);
      if (answer.status === 200) {
        const streamId = answer.headers['mesos-stream-id'];
        if (streamId === undefined || streamId === '') {
          answer.close();
          throw new SubscribeError(`SUBSCRIBE to ${url} answered 200 without a Mesos-Stream-Id header`, 200, '');
        }
        return { schedulerUrl: url, streamId, body: answer.body, close: answer.close };
      }
      const text = await answer.text();
      if (answer.status === 307) {
        redirects += 1;
        const location = answer.headers['location'];
        if (location === undefined) throw new SubscribeError(`SUBSCRIBE to ${url} answered 307 without a Location`, 307, text);
        if (redirects > redirectsMax) {
          throw new SubscribeError(`SUBSCRIBE gave up after ${redirectsMax} redirects (last to ${location})`, 307, text);
        }
        url = resolveLocation(location, url);
        continue;
      }
      if (answer.status === 503) {
        unavailable += 1;
        const delayMs = Math.min(retry.backoffMaxMs, retry.backoffInitialMs * 2 ** (unavailable - 1));
        if (unavailable >= retry.attemptsMax || Date.now() - startedMs + delayMs > retry.elapsedMsMax) {
          throw new SubscribeError(`SUBSCRIBE to ${url} still answered 503 after ${unavailable} attempts: ${text}`, 503, text);
        }
        // Retry the same URL: a 503 means "no leader yet" or "leader still recovering", both of
        // which that master resolves by itself (answering 307 or 200 next time).
        await sleep(delayMs);
        continue;
      }
      throw new SubscribeError(`SUBSCRIBE to ${url} answered ${answer.status}: ${text}`, answer.status, text);
    }
  };
}

/** The scheduler endpoint for a master given as 'host:port', 'http://host:port[/prefix]' or the endpoint itself. */
export function schedulerEndpoint(master: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(master)
    ? master
    : master.startsWith('//')
      ? `http:${master}`
      : `http://${master}`;
  return withSchedulerPath(new URL(absolute));
}

/**
 * Where a 307 points. Mesos sends a protocol-relative Location
 * (`//leader:port/api/v1/scheduler`), which takes its scheme from the request;
 * a bare `//leader:port` (as /redirect answers) gets the scheduler path added.
 */
export function resolveLocation(location: string, requestUrl: string): string {
  return withSchedulerPath(new URL(location, requestUrl));
}

/** The origin ('http://host:port') of a scheduler endpoint URL. */
export function masterOrigin(schedulerUrl: string): string {
  return new URL(schedulerUrl).origin;
}

/** Headers for a JSON call with JSON answers, plus the caller's extras (which win). Names in lower case. */
export function jsonHeaders(extra: HeaderMap = {}): HeaderMap {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = value;
  return headers;
}

function withSchedulerPath(url: URL): string {
  if (!url.pathname.endsWith(schedulerPath)) url.pathname = url.pathname.replace(/\/+$/, '') + schedulerPath;
  return url.toString();
}
