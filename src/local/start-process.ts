/**
 * Starts one berth process and waits until it says it is listening. A process
 * that exits first, or stays silent past the timeout, is a failure that names
 * its log and quotes the log's last lines; a silent one is killed first.
 */
import { describeExit, signalGroup, spawnInGroup, type ExitStatus, type GroupChild } from './process-group.js';
import { err, ok, type Result } from '../lib/result.js';
import { logSizeBytes, logTail, waitForListeningUrl } from './ready-line.js';

export interface StartRequest {
  /** Used in messages: `master`, `agent1`. */
  readonly name: string;
  /** Arguments after `node`. */
  readonly args: readonly string[];
  readonly logPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly readyTimeoutMs: number;
  /** Called as soon as the process exists, before it is ready: its owner can stop it at once. */
  readonly onSpawned?: (child: GroupChild) => void;
}

export interface StartedProcess {
  readonly child: GroupChild;
  readonly url: string;
  /** Where this run's output begins in the log. */
  readonly logOffset: number;
}

export type StartFailure =
  | { readonly reason: 'exited'; readonly status: ExitStatus; readonly tail: readonly string[] }
  | { readonly reason: 'timeout'; readonly tail: readonly string[] };


/** Log lines an error quotes. */
const tailLineCount = 20;

export async function startProcess(request: StartRequest): Promise<Result<StartedProcess, StartFailure>> {
  const logOffset = logSizeBytes(request.logPath);
  const child = spawnInGroup({ args: request.args, logPath: request.logPath, env: request.env });
  if (!('pid' in child)) {
    const status = { code: null, signal: null, spawnError: child.spawnError };
    return err({ reason: 'exited', status, tail: [] });
  }
  request.onSpawned?.(child);

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), request.readyTimeoutMs);
  });
  const ready = await waitForListeningUrl(request.logPath, logOffset, Promise.race([child.exited, timedOut]));
  clearTimeout(timer);
  if (ready.ready) return ok({ child, url: ready.url, logOffset });

  const tail = logTail(request.logPath, logOffset, tailLineCount);
  if (child.hasExited()) return err({ reason: 'exited', status: await child.exited, tail });
  // Silent past the timeout: it is not coming up, and must not linger.
  signalGroup(child.pid, 'SIGKILL');
  await child.exited;
  return err({ reason: 'timeout', tail });
}

/**
 * One line: `agent1 exited with code 1 before it was listening (last log line: "...");
 * see .berth/agent1/agent1.log`.
 */
export function describeStartFailure(request: StartRequest, failure: StartFailure, shownLogPath: string): string {
  if (failure.reason === 'exited' && failure.status.spawnError !== undefined) {
    return `${request.name} ${describeExit(failure.status)}`;
  }
  const what =
    failure.reason === 'exited'
      ? `${request.name} ${describeExit(failure.status)} before it was listening`
      : `${request.name} did not say it was listening within ${request.readyTimeoutMs / 1000}s`;
  const last = failure.tail[failure.tail.length - 1];
  const quoted = last === undefined ? '' : ` (last log line: ${JSON.stringify(truncate(last, 200))})`;
  return `${what}${quoted}; see ${shownLogPath}`;
}

function truncate(text: string, lengthMax: number): string {
  return text.length <= lengthMax ? text : `${text.slice(0, lengthMax)}...`;
}
