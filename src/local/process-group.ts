/**
 * A child process in a process group of its own, with stdout and stderr going
 * to a log file. Its own group means a terminal's Ctrl-C reaches only the parent
 * (which then stops the children in order), and signalling the group reaches
 * whatever the child started without detaching, so nothing is left behind.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ExitStatus {
  /** The exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  readonly spawnError?: string;
}

export interface GroupChild {
  /** Also the process group's id. */
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  /** True once `exited` has resolved. */
  hasExited(): boolean;
}

export interface SpawnOptions {
  readonly args: readonly string[];
  readonly logPath: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Runs `node <args>`: process.execPath, so no shell and the same Node as the caller. */
export function spawnInGroup(options: SpawnOptions): GroupChild | { readonly spawnError: string } {
  let log: number;
  try {
    mkdirSync(dirname(options.logPath), { recursive: true });
    // Appending keeps earlier runs' output; the child holds its own copy of the descriptor.
    log = openSync(options.logPath, 'a');
  } catch (error) {
    return { spawnError: `cannot open its log ${options.logPath}: ${(error as Error).message}` };
  }
  let child;
  try {
    child = spawn(process.execPath, options.args, { detached: true, stdio: ['ignore', log, log], env: options.env });
  } finally {
    closeSync(log);
  }
  let exitedYet = false;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error.message }));
  }).then((status) => {
    exitedYet = true;
    return status;
  });
  const pid = child.pid;
  if (pid === undefined) return { spawnError: `could not start ${process.execPath}` };
  return { pid, exited, hasExited: () => exitedYet };
}

/** Signals every process in the group; a group that is already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * SIGTERM to the group, SIGKILL after `graceMs` if the leader is still there,
 * then SIGKILL to whatever is left in the group once the leader is gone.
 */
export async function stopGroup(child: GroupChild, graceMs: number): Promise<ExitStatus> {
  if (!child.hasExited()) signalGroup(child.pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace over'>((resolve) => {
    timer = setTimeout(() => resolve('grace over'), graceMs);
  });
  const first = await Promise.race([child.exited, graceOver]);
  clearTimeout(timer);
  if (first === 'grace over') signalGroup(child.pid, 'SIGKILL');
  const status = await child.exited;
  signalGroup(child.pid, 'SIGKILL');
  return status;
}

/** `exited with code 1`, `was killed by SIGKILL`, or why it never started. */
export function describeExit(status: ExitStatus): string {
  if (status.spawnError !== undefined) return `could not be started: ${status.spawnError}`;
  if (status.signal !== null) return `was killed by ${status.signal}`;
  return `exited with code ${status.code ?? 'unknown'}`;
}
