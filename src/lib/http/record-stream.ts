/**
 * A streaming response of RecordIO records: each record is written with one
 * `write`, so it travels as exactly one HTTP chunk (clients such as the npm
 * package mesos-framework parse one record per chunk), and its JSON is pure
 * ASCII (their length checks count characters). The records of one turn of
 * the event loop go to the socket together (cork/uncork): a thousand status
 * updates are a few system calls, not a thousand.
 */
import type { ServerResponse } from 'node:http';
import { stringifyAscii } from '../json-ascii.js';
import { encodeRecord } from '../recordio.js';

/** A stream whose reader does not keep up is closed rather than buffered without bound. */
export const streamBufferBytesMax = 64 * 1024 * 1024;

export class RecordStream {
  private ended = false;
  private corked = false;

  constructor(
    readonly response: ServerResponse,
    private readonly onOverflow: () => void,
  ) {}

  get open(): boolean {
    return !this.ended && !this.response.destroyed && !this.response.writableEnded;
  }

  send(message: unknown): void {
    if (!this.open) return;
    // Records sent in one turn of the event loop leave in one writev (each still its own chunk).
    if (!this.corked) {
      this.corked = true;
      this.response.cork();
      process.nextTick(() => {
        this.corked = false;
        this.response.uncork();
      });
    }
    this.response.write(encodeRecord(stringifyAscii(message)));
    if (this.response.writableLength > streamBufferBytesMax) {
      this.end();
      this.onOverflow();
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.response.writableEnded) this.response.end();
  }
}

/** Starts a 200 streaming response with the given headers and sends them at once. */
export function startStream(response: ServerResponse, headers: Record<string, string>): void {
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache', ...headers });
  response.flushHeaders();
  response.socket?.setNoDelay(true);
}
