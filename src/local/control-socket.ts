/**
 * The control socket `<work_dir>/local.sock`: a small HTTP server on a unix socket
 * through which `berth local restart <name>`, run from another terminal, asks the
 * running `berth local` to restart one process. Owning the socket is also what
 * makes a `berth local` the one for its work directory.
 *
 *   GET  /status           200 {"pid": <berth local's pid>, "processes": [...]}
 *   POST /restart/<name>   200, then one JSON object per line:
 *                          {"progress": "..."}* then {"done": "..."} or {"error": "..."}
 */
import { request } from 'node:http';
import { relative } from 'node:path';
import { err, ok, type Result } from '../lib/result.js';

/** Linux's sun_path holds 108 bytes with the terminating NUL. */
const socketPathBytesMax = 107;

/** How long a probe waits for an answer before it takes the owner to be alive but stuck. */
const probeTimeoutMs = 2_000;

export type ControlMessage =
  | { readonly progress: string }
  | { readonly done: string }
  | { readonly error: string };

/**
 * The path to bind or connect to. A deep work directory can exceed the unix
 * socket limit; the path relative to the current directory usually does not,
 * and both ends run in the directory the user works in.
 */
export function socketConnectPath(socketPath: string, cwd: string): Result<string, string> {
  if (Buffer.byteLength(socketPath) <= socketPathBytesMax) return ok(socketPath);
  const fromCwd = relative(cwd, socketPath);
  if (Buffer.byteLength(fromCwd) <= socketPathBytesMax) return ok(fromCwd);
  return err(`the control socket path ${socketPath} is too long for a unix socket; use a shorter --work_dir`);
}

export type ProbeResult =
  | { readonly state: 'running'; readonly pid: number | undefined }
  | { readonly state: 'stale' }
  | { readonly state: 'absent' };

/**
 * Whether a `berth local` answers on the socket. A socket file nobody listens on
 * (left by a `berth local` that was killed) is stale and may be replaced.
 */
export function probeControlSocket(connectPath: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const probe = request({ socketPath: connectPath, path: '/status', method: 'GET', timeout: probeTimeoutMs });
    probe.once('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.once('end', () => resolve({ state: 'running', pid: pidOfStatus(body) }));
    });
    probe.once('timeout', () => {
      probe.destroy();
      resolve({ state: 'running', pid: undefined });
    });
    probe.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ENOENT' ? { state: 'absent' } : { state: 'stale' });
    });
    probe.end();
  });
}

function pidOfStatus(body: string): number | undefined {
  try {
    const status: unknown = JSON.parse(body);
    if (typeof status === 'object' && status !== null && 'pid' in status && typeof status.pid === 'number') {
      return status.pid;
    }
  } catch {
    // Not a berth local answering; still something that owns the socket.
  }
  return undefined;
}

/** Parses one line of a restart stream; a line that is not a message is an error message. */
export function parseControlMessage(line: string): ControlMessage {
  try {
    const message: unknown = JSON.parse(line);
    if (typeof message === 'object' && message !== null) {
      for (const key of ['progress', 'done', 'error'] as const) {
        if (key in message) {
          const value: unknown = (message as Record<string, unknown>)[key];
          if (typeof value === 'string') return { [key]: value } as ControlMessage;
        }
      }
    }
  } catch {
    // Fall through.
  }
  return { error: `unexpected answer from berth local: ${line}` };
}
