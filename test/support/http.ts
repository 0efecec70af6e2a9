/**
 * Raw HTTP for end-to-end tests: requests exactly as the test writes them.
 *
 * `rawRequest` uses node:http on a fresh connection (agent: false), so no
 * pooled socket outlives a master the test restarts, and adds no headers of
 * its own beyond Host, Connection: close and Content-Length: a test can send
 * no Content-Type, or a bad one, and see how the server answers.
 *
 * `openStream` speaks HTTP/1.1 itself on a net.Socket and parses the chunked
 * encoding by hand. Why not node:http's `data` events: they follow TCP reads,
 * not HTTP chunks (one chunk can arrive as several events, and several chunks
 * in one read can be merged or split), so they cannot prove that each RecordIO
 * record was written as exactly one chunk. Parsing the framing gives the exact
 * chunk sizes the server sent.
 */
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { RecordIoDecoder } from '../../src/lib/recordio.js';

/** Longest wait, by default, for an answer or a record. */
export const httpTimeoutMsDefault = 10_000;
/** Largest body text kept by `openStream` for `text()`; longer bodies are truncated. */
const streamTextBytesMax = 1024 * 1024;

export type RawHeaders = Record<string, string>;

export interface RawRequestOptions {
  /** Default: POST when there is a body, else GET. */
  readonly method?: string;
  /** Sent exactly as given (plus Host, and Content-Length for a body unless given). */
  readonly headers?: RawHeaders;
  readonly body?: string | Uint8Array;
  readonly timeoutMs?: number;
}

export interface RawResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: RawHeaders;
  readonly text: string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json(): unknown;
}

export async function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  const timeoutMs = options.timeoutMs ?? httpTimeoutMsDefault;
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, agent: false, timeout: timeoutMs }, (response) => {
      const pieces: Buffer[] = [];
      response.on('data', (piece: Buffer) => pieces.push(piece));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(pieces).toString('utf8');
        const headers: RawHeaders = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: response.statusCode ?? 0, headers, text, json: () => JSON.parse(text) as unknown });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    for (const [name, value] of Object.entries(options.headers ?? {})) request.setHeader(name, value);
    if (body !== undefined && !hasHeader(options.headers ?? {}, 'content-length')) request.setHeader('Content-Length', body.length);
    request.end(body);
  });
}

/** Header overrides for `openStream`: a value replaces the default, `undefined` removes it. */
export type StreamHeaders = Record<string, string | undefined>;

export interface RawStream {
  readonly status: number;
  readonly headers: RawHeaders;
  /** Sizes in bytes of the HTTP chunks received so far, in arrival order (empty unless chunked). */
  readonly chunks: readonly number[];
  /** Sizes in bytes of the whole RecordIO frames (length line + data) decoded so far, in order. */
  readonly frames: readonly number[];
  /** The next RecordIO record, parsed as JSON. */
  next(timeoutMs?: number): Promise<unknown>;
  /** The next RecordIO record as text. Rejects on timeout, or when the stream ended with no record left. */
  nextRecord(timeoutMs?: number): Promise<string>;
  /** The whole body as text, once the response has ended (for non-200 answers). */
  text(timeoutMs?: number): Promise<string>;
  /** Resolves when the response ends or the connection closes. */
  readonly ended: Promise<void>;
  /** Destroys the connection (the server sees the client disconnect). */
  close(): void;
}

/**
 * POSTs `body` (an object is sent as JSON) and resolves once the status line
 * and headers are in. Headers default to Content-Type and Accept
 * application/json; `headers` overrides or removes them (see StreamHeaders).
 */
export async function openStream(
  url: string,
  body: string | Uint8Array | object,
  headers: StreamHeaders = {},
  timeoutMs = httpTimeoutMsDefault,
): Promise<RawStream> {
  const target = new URL(url);
  const payload = typeof body === 'string' || body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
  const merged = mergeHeaders({ 'Content-Type': 'application/json', Accept: 'application/json' }, headers);
  const socket = connect({ host: target.hostname, port: Number(target.port || 80) });
  const stream = new StreamReader(socket);
  const head = [`POST ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`];
  for (const [name, value] of Object.entries(merged)) head.push(`${name}: ${value}`);
  if (!hasHeader(merged, 'content-length')) head.push(`Content-Length: ${payload.length}`);
  socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload]));
  await stream.headReceived(timeoutMs);
  return stream;
}

type BodyMode = 'chunked' | 'length' | 'until-close';

/** Parses one HTTP/1.1 response from a socket, keeping chunk sizes and RecordIO records. */
class StreamReader implements RawStream {
  status = 0;
  headers: RawHeaders = {};
  readonly chunks: number[] = [];
  readonly frames: number[] = [];
  readonly ended: Promise<void>;
  private buffer: Buffer = Buffer.alloc(0);
  private state: 'head' | 'size' | 'data' | 'trailers' | 'body' | 'done' = 'head';
  private mode: BodyMode = 'until-close';
  private remaining = 0;
  private readonly decoder = new RecordIoDecoder();
  private readonly records: string[] = [];
  private readonly bodyPieces: Buffer[] = [];
  private bodyBytes = 0;
  private failure: Error | undefined;
  private finished = false;
  private wake: (() => void)[] = [];

  private resolveEnded!: () => void;

  constructor(private readonly socket: Socket) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    socket.on('close', () => this.finish());
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (error) => {
      this.failure ??= error;
      this.notify();
    });
  }

  async headReceived(timeoutMs: number): Promise<void> {
    await this.waitFor(() => this.state !== 'head', timeoutMs, 'the status line and headers');
  }

  async nextRecord(timeoutMs = httpTimeoutMsDefault): Promise<string> {
    await this.waitFor(() => this.records.length > 0, timeoutMs, 'a RecordIO record');
    return this.records.shift() as string;
  }

  async next(timeoutMs = httpTimeoutMsDefault): Promise<unknown> {
    return JSON.parse(await this.nextRecord(timeoutMs)) as unknown;
  }

  async text(timeoutMs = httpTimeoutMsDefault): Promise<string> {
    await this.waitFor(() => this.finished, timeoutMs, 'the end of the body', true);
    return Buffer.concat(this.bodyPieces).toString('utf8');
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    try {
      while (this.step());
    } catch (error) {
      this.failure ??= error as Error;
      this.socket.destroy();
    }
    this.notify();
  }

  /** Parses what it can from the buffer; returns whether to call again. */
  private step(): boolean {
    switch (this.state) {
      case 'head': {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return false;
        this.parseHead(this.buffer.subarray(0, end).toString('latin1'));
        this.buffer = this.buffer.subarray(end + 4);
        return true;
      }
      case 'size': {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return false;
        const sizeText = this.buffer.subarray(0, end).toString('latin1').split(';')[0]?.trim() ?? '';
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size line '${sizeText}'`);
        this.remaining = parseInt(sizeText, 16);
        this.buffer = this.buffer.subarray(end + 2);
        this.state = this.remaining === 0 ? 'trailers' : 'data';
        return true;
      }
      case 'data': {
        if (this.buffer.length < this.remaining + 2) return false;
        this.chunks.push(this.remaining);
        this.onBody(this.buffer.subarray(0, this.remaining));
        this.buffer = this.buffer.subarray(this.remaining + 2);
        this.state = 'size';
        return true;
      }
      case 'trailers': {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return false;
        this.buffer = this.buffer.subarray(end + 2);
        if (end === 0) this.finish();
        return end !== 0;
      }
      case 'body': {
        if (this.buffer.length === 0) return false;
        const piece = this.mode === 'length' ? this.buffer.subarray(0, this.remaining) : this.buffer;
        this.buffer = this.buffer.subarray(piece.length);
        this.onBody(piece);
        if (this.mode === 'length') {
          this.remaining -= piece.length;
          if (this.remaining === 0) this.finish();
        }
        return false;
      }
      case 'done':
        return false;
    }
  }

  private parseHead(head: string): void {
    const [statusLine = '', ...lines] = head.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (match === null) throw new Error(`bad status line '${statusLine}'`);
    this.status = Number(match[1]);
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      this.headers[name] = this.headers[name] === undefined ? value : `${this.headers[name]}, ${value}`;
    }
    if (/chunked/i.test(this.headers['transfer-encoding'] ?? '')) {
      this.mode = 'chunked';
      this.state = 'size';
    } else if (this.headers['content-length'] !== undefined) {
      this.mode = 'length';
      this.remaining = Number(this.headers['content-length']);
      this.state = 'body';
      if (this.remaining === 0) this.finish();
    } else {
      this.state = 'body';
    }
  }

  private onBody(bytes: Buffer): void {
    if (this.bodyBytes < streamTextBytesMax) {
      const kept = bytes.subarray(0, streamTextBytesMax - this.bodyBytes);
      this.bodyPieces.push(Buffer.from(kept));
      this.bodyBytes += kept.length;
    }
    if (this.status !== 200) return;
    for (const record of this.decoder.decode(bytes)) {
      const size = Buffer.byteLength(record, 'utf8');
      this.frames.push(String(size).length + 1 + size);
      this.records.push(record);
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.state = 'done';
    this.resolveEnded();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = [];
    for (const resolve of wake) resolve();
  }

  /** Waits until `ready()`; fails on timeout, on a socket error, or once the response is over (unless `untilEnd`). */
  private async waitFor(ready: () => boolean, timeoutMs: number, what: string, untilEnd = false): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (ready()) return;
      if (this.failure !== undefined) throw new Error(`waiting for ${what}: ${this.failure.message}`);
      if (this.finished && !untilEnd) throw new Error(`waiting for ${what}: the response ended`);
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) throw new Error(`waiting for ${what}: nothing within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, leftMs);
        this.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

function mergeHeaders(defaults: RawHeaders, overrides: StreamHeaders): RawHeaders {
  const out: RawHeaders = {};
  const names = new Map<string, string>();
  for (const [name, value] of [...Object.entries(defaults), ...Object.entries(overrides)]) {
    const key = name.toLowerCase();
    const previous = names.get(key);
    if (previous !== undefined) delete out[previous];
    names.delete(key);
    if (value === undefined) continue;
    out[name] = value;
    names.set(key, name);
  }
  return out;
}

function hasHeader(headers: Readonly<Record<string, string | undefined>>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
