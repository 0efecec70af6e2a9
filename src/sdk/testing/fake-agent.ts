/**
 * A tiny agent for tests: a node:http server on 127.0.0.1 (port 0) with the
 * endpoints the SDK and `berth execute` talk to, each just deep enough:
 *
 * - POST /api/v1/executor: SUBSCRIBE opens a RecordIO stream (the test sends
 *   the events), other calls are answered 202; every request is recorded;
 * - GET /files/read?path=P&offset=N[&length=L]: `{data, offset}` from `files`,
 *   404 for a path not there (Mesos' answers);
 * - GET /state: `state` as JSON.
 *
 * A test can replace `route` to answer differently (503, 400, ...).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutorCallBody } from '../executor/calls.js';
import { answer, FakeStream } from './fake-master.js';

export interface AgentRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as an executor call, when it is JSON. */
  readonly call: ExecutorCallBody | undefined;
}

export type AgentRoute = (request: AgentRequest, response: ServerResponse) => void;
export type AgentStream = FakeStream<AgentRequest>;

export class FakeAgent {
  readonly received: AgentRequest[] = [];
  readonly streams: AgentStream[] = [];
  /** Sandbox files served by /files/read, by path. Tests append to them as a task would write. */
  readonly files = new Map<string, string>();
  /** Served by GET /state. */
  state: object = { frameworks: [], completed_frameworks: [] };
  route: AgentRoute = (request, response) => this.defaultRoute(request, response);
  private streamWaiters: ((stream: AgentStream) => void)[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeAgent> {
    const server = createServer();
    const agent = new FakeAgent(server);
    server.on('request', (incoming, response) => {
      const pieces: Buffer[] = [];
      incoming.on('data', (piece: Buffer) => pieces.push(piece));
      incoming.on('end', () => {
        const body = Buffer.concat(pieces).toString('utf8');
        const request: AgentRequest = {
          method: incoming.method ?? '',
          path: incoming.url ?? '',
          headers: incoming.headers,
          body,
          call: parseCall(body),
        };
        agent.received.push(request);
        agent.route(request, response);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return agent;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** 'ip:port', as MESOS_AGENT_ENDPOINT carries it. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Executor calls received, SUBSCRIBE included. */
  get calls(): ExecutorCallBody[] {
    return this.received.flatMap((request) => (request.call === undefined ? [] : [request.call]));
  }

  defaultRoute(request: AgentRequest, response: ServerResponse): void {
    const url = new URL(request.path, 'http://agent');
    if (request.method === 'GET' && url.pathname === '/files/read') return this.readFile(url, response);
    if (request.method === 'GET' && url.pathname === '/state') return answer(response, 200, JSON.stringify(this.state), { 'Content-Type': 'application/json' });
    if (url.pathname !== '/api/v1/executor') return answer(response, 404);
    if (request.call?.type === 'SUBSCRIBE') {
      this.openStream(request, response);
      return;
    }
    answer(response, 202);
  }

  /** Answers 200 and returns the stream, without sending events. */
  openStream(request: AgentRequest, response: ServerResponse): AgentStream {
    const stream = new FakeStream(response, '', request);
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.flushHeaders();
    this.streams.push(stream);
    for (const wake of this.streamWaiters.splice(0)) wake(stream);
    return stream;
  }

  /** The stream number `index` (0 for the first), now or once it opens. */
  async stream(index: number): Promise<AgentStream> {
    for (;;) {
      const stream = this.streams[index];
      if (stream !== undefined) return stream;
      await new Promise<AgentStream>((resolve) => this.streamWaiters.push(resolve));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private readFile(url: URL, response: ServerResponse): void {
    const path = url.searchParams.get('path') ?? '';
    const content = this.files.get(path);
    if (content === undefined) return answer(response, 404, `No file found at '${path}'`);
    const bytes = Buffer.from(content, 'utf8');
    const offset = Number(url.searchParams.get('offset') ?? '0');
    if (offset === -1) return answer(response, 200, JSON.stringify({ data: '', offset: bytes.length }), { 'Content-Type': 'application/json' });
    const length = Number(url.searchParams.get('length') ?? String(bytes.length));
    const data = bytes.subarray(offset, offset + length).toString('utf8');
    answer(response, 200, JSON.stringify({ data, offset }), { 'Content-Type': 'application/json' });
  }
}

function parseCall(body: string): ExecutorCallBody | undefined {
  try {
    return JSON.parse(body) as ExecutorCallBody;
  } catch {
    return undefined;
  }
}
