/**
 * A tiny scheduler endpoint for the SDK's tests: a node:http server on
 * 127.0.0.1 (port 0) that speaks just enough of spec section 1 to exercise the
 * client (SUBSCRIBE → 200 + Mesos-Stream-Id + RecordIO events; other calls →
 * 202 when the stream id matches) and records every request. Each test can
 * replace `route` to answer differently (307, 503, ERROR events, ...).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeRecord } from '../../lib/recordio.js';
import type { SchedulerCall } from '../../protocol/scheduler.js';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as a call, when it is JSON. */
  readonly call: SchedulerCall | undefined;
}

export type Route = (request: ReceivedRequest, response: ServerResponse) => void;

/** One open SUBSCRIBE response (`R`: the request that opened it). */
export class FakeStream<R = ReceivedRequest> {
  /** Resolves when the connection closes (the client closed it, or `end`/`destroy`). */
  readonly closed: Promise<void>;

  constructor(
    readonly response: ServerResponse,
    readonly streamId: string,
    readonly request: R,
  ) {
    this.closed = once(response, 'close').then(() => undefined);
  }

  /** Sends each event as one RecordIO record in its own write (one HTTP chunk each). */
  send(...events: readonly object[]): void {
    for (const event of events) this.response.write(encodeRecord(JSON.stringify(event)));
  }

  /** Writes raw bytes as one chunk: for tests of framing split across, or packed into, chunks. */
  write(bytes: Uint8Array | string): void {
    this.response.write(bytes);
  }

  /** Ends the response cleanly (terminating chunk). */
  end(): void {
    this.response.end();
  }

  /** Breaks the connection without ending the response. */
  destroy(): void {
    this.response.socket?.destroy();
  }
}

export class FakeMaster {
  readonly received: ReceivedRequest[] = [];
  readonly streams: FakeStream[] = [];
  frameworkId = 'fake-framework-1';
  heartbeatIntervalSeconds = 15;
  /** How requests are answered; `defaultRoute` unless a test replaces it. */
  route: Route = (request, response) => this.defaultRoute(request, response);
  private streamWaiters: ((stream: FakeStream) => void)[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeMaster> {
    const server = createServer();
    const master = new FakeMaster(server);
    server.on('request', (incoming, response) => {
      const pieces: Buffer[] = [];
      incoming.on('data', (piece: Buffer) => pieces.push(piece));
      incoming.on('end', () => {
        const body = Buffer.concat(pieces).toString('utf8');
        const request: ReceivedRequest = {
          method: incoming.method ?? '',
          path: incoming.url ?? '',
          headers: incoming.headers,
          body,
          call: parseCall(body),
        };
        master.received.push(request);
        master.route(request, response);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return master;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Calls received other than SUBSCRIBE. */
  get calls(): ReceivedRequest[] {
    return this.received.filter((request) => request.call?.type !== 'SUBSCRIBE');
  }

  /** SUBSCRIBE: open a stream and send SUBSCRIBED + HEARTBEAT; anything else: 202 if the stream id matches. */
  defaultRoute(request: ReceivedRequest, response: ServerResponse): void {
    if (request.call?.type === 'SUBSCRIBE') {
      const stream = this.openStream(request, response);
      stream.send(this.subscribedEvent(), { type: 'HEARTBEAT' });
      return;
    }
    const streamId = request.headers['mesos-stream-id'];
    const known = this.streams.some((stream) => stream.streamId === streamId);
    response.writeHead(known ? 202 : 400, { 'Content-Type': 'text/plain' });
    response.end(known ? '' : 'The stream ID is not valid');
  }

  /** Answers 200 with a fresh Mesos-Stream-Id and returns the stream, without sending events. */
  openStream(request: ReceivedRequest, response: ServerResponse): FakeStream {
    const stream = new FakeStream(response, `stream-${this.streams.length + 1}`, request);
    response.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': stream.streamId });
    response.flushHeaders();
    this.streams.push(stream);
    for (const wake of this.streamWaiters.splice(0)) wake(stream);
    return stream;
  }

  subscribedEvent(): object {
    return {
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: this.frameworkId },
        heartbeat_interval_seconds: this.heartbeatIntervalSeconds,
        master_info: { id: 'fake', ip: 0, port: this.port, hostname: '127.0.0.1', version: '1.11.0' },
      },
    };
  }

  /** The newest stream, or the next one to open. */
  async stream(): Promise<FakeStream> {
    const newest = this.streams[this.streams.length - 1];
    if (newest !== undefined) return newest;
    return new Promise((resolve) => this.streamWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** Answers with a status and a plain-text body. */
export function answer(response: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
  response.end(body);
}

function parseCall(body: string): SchedulerCall | undefined {
  try {
    return JSON.parse(body) as SchedulerCall;
  } catch {
    return undefined;
  }
}
