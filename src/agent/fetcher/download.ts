/**
 * Getting a source's bytes into a new file: HTTP(S) downloads with undici, and
 * copies of local files. Each returns a one-line reason on failure; the caller
 * names the URI.
 */
import { spawn } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { copyFile, open, stat } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { request, type Dispatcher } from 'undici';
import { err, ok, type Result } from '../../lib/result.js';
import type { UserIds } from './users.js';

const fetchedFileMode = 0o600;

/** stderr kept from a helper process, for its error message. */
const helperStderrBytesMax = 4096;

/**
 * Downloads `url` into `destination` (a new file). `dispatcher` follows
 * redirects; `stallTimeoutMs` bounds the wait for the response headers and
 * for each piece of the body (a stall, like Mesos' --fetcher_stall_timeout).
 */
export async function downloadHttp(url: URL, destination: string, dispatcher: Dispatcher, stallTimeoutMs: number): Promise<Result<void>> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, { dispatcher, method: 'GET', headersTimeout: stallTimeoutMs, bodyTimeout: stallTimeoutMs });
  } catch (error) {
    return err(describeNetworkError(error, stallTimeoutMs));
  }
  const { statusCode, headers, body } = response;
  if (statusCode < 200 || statusCode > 299) {
    await body.dump().catch(() => undefined);
    const status = `${statusCode} ${STATUS_CODES[statusCode] ?? ''}`.trim();
    return err(statusCode >= 300 && statusCode < 400 && headers['location'] !== undefined ? `too many redirects (${status})` : status);
  }
  try {
    await pipeline(body, createWriteStream(destination, { flags: 'wx', mode: fetchedFileMode }));
  } catch (error) {
    return err(describeNetworkError(error, stallTimeoutMs));
  }
  return ok(undefined);
}

/**
 * Copies the local file `source` into `destination` (a new file). With an
 * owner the file is read by a `cat` running as that user, so a task can fetch
 * only what its user may read (Mesos runs its fetcher as the task's user).
 */
export async function copyLocalFile(source: string, destination: string, owner: UserIds | undefined): Promise<Result<void>> {
  try {
    const stats = await stat(source);
    if (stats.isDirectory()) return err('is a directory');
    if (!stats.isFile()) return err('is not a regular file');
  } catch (error) {
    return err(describeFileError(error));
  }
  if (owner === undefined || owner.uid === process.getuid?.()) {
    try {
      await copyFile(source, destination, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      return ok(undefined);
    } catch (error) {
      return err(describeFileError(error));
    }
  }
  return copyAsUser(source, destination, owner);
}

async function copyAsUser(source: string, destination: string, owner: UserIds): Promise<Result<void>> {
  const output = await open(destination, 'wx', fetchedFileMode);
  try {
    const child = spawn('cat', ['--', source], { uid: owner.uid, gid: owner.gid, stdio: ['ignore', output.fd, 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      if (stderr.length < helperStderrBytesMax) stderr += text;
    });
    const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, error }));
      child.once('close', (code) => resolve({ code }));
    });
    if (exit.error !== undefined) return err(`cannot run cat as user '${owner.name}': ${exit.error.message}`);
    if (exit.code !== 0) return err(`cannot read it as user '${owner.name}': ${lastClause(stderr) || `cat exited with ${String(exit.code)}`}`);
    return ok(undefined);
  } finally {
    await output.close();
  }
}

export function describeFileError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'a path component is not a directory';
  return (error as Error).message;
}

function describeNetworkError(error: unknown, stallTimeoutMs: number): string {
  const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return `no response within ${stallTimeoutMs} ms`;
  if (code === 'UND_ERR_BODY_TIMEOUT') return `the download stalled for ${stallTimeoutMs} ms`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  const message = (error as Error).message;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/** "cat: /x: Permission denied" -> "Permission denied". */
function lastClause(text: string): string {
  const line = text.trim().split('\n').at(-1) ?? '';
  return line.split(': ').at(-1) ?? line;
}
