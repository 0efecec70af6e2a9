/**
 * The storage commands' one conversation with a master: a v1 operator call
 * (POST /api/v1, JSON) and its answer. A refusal (4xx, 5xx) is the master's
 * own text on one line, which is what the user is shown; an unreachable or
 * silent master is a sentence saying which master and why.
 */
import { oneLine } from '../../lib/one-line.js';
import type { Terminal } from '../../lib/terminal.js';
import { STATUS_CODES } from 'node:http';
import { err, ok, type Result } from '../../lib/result.js';
import { findLeader } from '../../ha/find-leader.js';
import { isZooKeeperUrl, parseZooKeeperUrl } from '../../ha/zk-url.js';

/** Longest wait for a master's answer; operator calls are answered at once. */
export const operatorCallTimeoutMs = 15_000;

/** Where the commands print: stdout for results, stderr for the one-line error. */
/** What the storage commands write to (they are not interrupted mid-way). */
export type CommandIo = Pick<Terminal, 'out' | 'err'>;

/** `host:port` or a URL, as the master's base URL. */
export function masterBaseUrl(master: string): string {
  const trimmed = master.trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/**
 * The master's base URL; for `zk://...`, the group's leader found in
 * ZooKeeper (any other master would redirect there too: fetch follows 307).
 */
async function resolveMaster(master: string): Promise<Result<string, string>> {
  if (!isZooKeeperUrl(master)) return ok(masterBaseUrl(master));
  const url = parseZooKeeperUrl(master, 'master');
  if (!url.ok) return url;
  return findLeader(url.value, operatorCallTimeoutMs);
}

/**
 * POSTs `call` and returns the parsed JSON answer (undefined for an empty one,
 * as 202 is), or the one-line error.
 */
export async function operatorCall(master: string, call: object): Promise<Result<unknown, string>> {
  const base = await resolveMaster(master);
  if (!base.ok) return base;
  const url = `${base.value}/api/v1`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(call),
      signal: AbortSignal.timeout(operatorCallTimeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return err(unreachable(master, error));
  }
  if (!response.ok) {
    const body = oneLine(text);
    return err(body !== '' ? body : `The master answered ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trimEnd());
  }
  if (text.trim() === '') return ok(undefined);
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return err(`The master at ${master} answered with something other than JSON: ${oneLine(text).slice(0, 200)}`);
  }
}

function unreachable(master: string, error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `The master at ${master} did not answer within ${operatorCallTimeoutMs / 1000} s`;
  }
  // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is its cause.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return `Failed to reach the master at ${master}: ${oneLine(reason)}`;
}
