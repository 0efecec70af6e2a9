/**
 * A berth process says it is ready by printing one line on stdout:
 * `berth master <id> listening on http://127.0.0.1:5050` or
 * `berth agent listening on http://127.0.0.1:5051`. Its stdout goes straight to a
 * log file (no pipe through the parent, so it never blocks on a parent that is
 * gone), and the parent polls that file from the byte where this run began.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** How often the log is read while waiting; a process takes about 300 ms to start. */
export const readyPollIntervalMs = 50;

/** The most of a log read at once, and the most kept for a tail. */
const logReadBytesMax = 64 * 1024;

const listeningLine = /^berth \w+\b.*\blistening on (https?:\/\/\S+)\s*$/;

/** The URL in a ready line, or undefined for any other line (pino's JSON lines included). */
export function listeningUrl(line: string): string | undefined {
  return listeningLine.exec(line)?.[1];
}

/** The log's size now: where the next run's output begins. 0 when there is no log yet. */
export function logSizeBytes(logPath: string): number {
  try {
    return statSync(logPath).size;
  } catch {
    return 0;
  }
}

/** Bytes of the log from `start`, at most `logReadBytesMax` of them; empty when there is no log. */
function readLogBytes(logPath: string, start: number): Buffer {
  let descriptor: number;
  try {
    descriptor = openSync(logPath, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buffer = Buffer.alloc(logReadBytesMax);
    const read = readSync(descriptor, buffer, 0, logReadBytesMax, start);
    return buffer.subarray(0, read);
  } finally {
    closeSync(descriptor);
  }
}

/** The last `count` non-empty lines written at or after `offset`: what an error shows. */
export function logTail(logPath: string, offset: number, count: number): string[] {
  const start = Math.max(offset, logSizeBytes(logPath) - logReadBytesMax);
  const lines = readLogBytes(logPath, start)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.slice(-count);
}

export type ReadyWait = { readonly ready: true; readonly url: string } | { readonly ready: false };

/**
 * Polls the log until a ready line appears after `offset`, or `stopped` resolves
 * (the process exited, or the caller's timeout fired). One last read after
 * `stopped` catches a line written just before.
 */
export async function waitForListeningUrl(
  logPath: string,
  offset: number,
  stopped: Promise<unknown>,
): Promise<ReadyWait> {
  let isStopped = false;
  void stopped.then(() => {
    isStopped = true;
  });
  let scanned = offset;
  // Bytes after the last newline: a line still being written. Lines are split as
  // bytes so that a read ending inside a UTF-8 character loses nothing.
  let pending = Buffer.alloc(0);
  for (;;) {
    const stopRequested = isStopped;
    const bytes = readLogBytes(logPath, scanned);
    scanned += bytes.length;
    pending = Buffer.concat([pending, bytes]);
    for (let newline = pending.indexOf(0x0a); newline !== -1; newline = pending.indexOf(0x0a)) {
      const url = listeningUrl(pending.subarray(0, newline).toString('utf8'));
      if (url !== undefined) return { ready: true, url };
      pending = pending.subarray(newline + 1);
    }
    // A line this long is not a ready line; keeping it would only grow.
    if (pending.length > logReadBytesMax) pending = Buffer.alloc(0);
    if (stopRequested && bytes.length === 0) return { ready: false };
    if (bytes.length < logReadBytesMax) await Promise.race([stopped, delay(readyPollIntervalMs)]);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
