/**
 * HTTP for the scheduler API, over undici.
 *
 * Two kinds of exchange, on purpose on different connections (spec 1.1):
 * - calls: short POSTs answered with 202/200/4xx, sent through one keep-alive
 *   `Agent` (a pool per master) so that a busy framework does not open a socket
 *   per call;
 * - the SUBSCRIBE stream: a long-lived chunked response, on a dedicated
 *   `Client` so that closing it closes exactly that TCP connection, which is
 *   how the master learns that the framework disconnected.
 *
 * The transport neither follows redirects nor retries: that is policy, and it
 * lives in connector.ts.
 */
import { Agent, Client, type Dispatcher } from 'undici';

/** Longest wait for a call's answer (headers, then each piece of the body). */
export const callTimeoutMsDefault = 30_000;
/** Longest wait for the status line and headers of a SUBSCRIBE answer. */
export const streamHeadersTimeoutMsDefault = 30_000;
/** Longest wait for a TCP connection. */
export const connectTimeoutMsDefault = 10_000;
/** Keep-alive connections per master for calls. */
export const callConnectionsPerMaster = 8;
/** Largest answer body kept from a call or a refused SUBSCRIBE: bodies are error messages. */
export const answerBytesMax = 1024 * 1024;

export type HeaderMap = Readonly<Record<string, string>>;

/** A complete answer to a call. */
export interface HttpAnswer {
  readonly status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  readonly headers: HeaderMap;
  readonly body: string;
}

/** An answer whose body is read as it arrives (the SUBSCRIBE response). */
export interface StreamAnswer {
  /** The URL that answered. */
  readonly url: string;
  readonly status: number;
  readonly headers: HeaderMap;
  /** The body as it arrives, in whatever chunks the network delivers. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Reads the rest of the body as text (at most `answerBytesMax` bytes), then closes. */
  text(): Promise<string>;
  /** Closes the connection at once. Idempotent. */
  close(): void;
}

export interface Transport {
  /** POSTs `body`; resolves with any status, rejects only on network errors and timeouts. */
  post(url: string, body: string, headers: HeaderMap): Promise<HttpAnswer>;
  /** POSTs `body` on a new connection and resolves once the status and headers are in. */
  openStream(url: string, body: string, headers: HeaderMap): Promise<StreamAnswer>;
  /** Closes pooled connections (streams opened earlier stay open). */
  close(): Promise<void>;
}

export interface HttpTransportOptions {
  readonly callTimeoutMs?: number;
  readonly streamHeadersTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

export function createHttpTransport(options: HttpTransportOptions = {}): Transport {
  const callTimeoutMs = options.callTimeoutMs ?? callTimeoutMsDefault;
  const streamHeadersTimeoutMs = options.streamHeadersTimeoutMs ?? streamHeadersTimeoutMsDefault;
  const connectTimeoutMs = options.connectTimeoutMs ?? connectTimeoutMsDefault;
  const agent = new Agent({
    headersTimeout: callTimeoutMs,
    bodyTimeout: callTimeoutMs,
    connect: { timeout: connectTimeoutMs },
    // A burst of calls (a thousand acknowledgements) queues on a few connections
    // instead of opening a socket for each.
    connections: callConnectionsPerMaster,
  });

  return {
    async post(url, body, headers) {
      const target = new URL(url);
      const response = await agent.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: 'POST',
        headers: { ...headers },
        body,
      });
      return { status: response.statusCode, headers: flattenHeaders(response.headers), body: await readText(response.body) };
    },

    async openStream(url, body, headers) {
      const target = new URL(url);
      // bodyTimeout 0: silence on the stream is judged by the session's heartbeat watch, which
      // knows the announced interval; undici's fixed body timeout would not.
      const client = new Client(target.origin, {
        headersTimeout: streamHeadersTimeoutMs,
        bodyTimeout: 0,
        connect: { timeout: connectTimeoutMs },
      });
      let response: Dispatcher.ResponseData;
      try {
        response = await client.request({ path: target.pathname + target.search, method: 'POST', headers: { ...headers }, body });
      } catch (error) {
        void client.destroy();
        throw error;
      }
      const close = (): void => {
        response.body.destroy();
        if (!client.destroyed) void client.destroy();
      };
      return {
        url,
        status: response.statusCode,
        headers: flattenHeaders(response.headers),
        body: response.body,
        async text() {
          try {
            return await readText(response.body);
          } finally {
            close();
          }
        },
        close,
      };
    },

    async close() {
      await agent.close();
    },
  };
}

/** Reads a body as UTF-8, keeping at most `answerBytesMax` bytes (the rest is discarded). */
async function readText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  for await (const chunk of body) {
    if (keptBytes >= answerBytesMax) continue;
    const piece = Buffer.from(chunk).subarray(0, answerBytesMax - keptBytes);
    kept.push(piece);
    keptBytes += piece.length;
  }
  return Buffer.concat(kept).toString('utf8');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
