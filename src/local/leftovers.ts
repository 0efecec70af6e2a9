/**
 * Processes that outlive the master and agents: task supervisors and tasks are
 * started in sessions of their own precisely so that they survive an agent
 * restart, which also puts them out of reach of the agent's process group. They
 * inherit the agent's environment (as Mesos executors do), so `berth local`
 * marks its children's environment with its work directory and, once everything
 * has stopped, finds the rest by that mark. Linux only (/proc); elsewhere none are found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Set on every child of `berth local`; the value is the absolute work directory. */
export const localMarkerVariable = 'BERTH_LOCAL_WORK_DIR';

/** The `NAME=value` entry that marks a process as one of this work directory's. */
export function markerEntry(workDir: string): string {
  return `${localMarkerVariable}=${workDir}`;
}

/** True when a NUL-separated environ block holds exactly `entry`. */
export function environHasEntry(environ: string, entry: string): boolean {
  return environ.split('\0').includes(entry);
}

/** Pids of processes (other than this one) whose environment holds `entry` (`NAME=value`). */
export function findMarkedProcesses(entry: string, procRoot = '/proc'): number[] {
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        return environHasEntry(readFileSync(join(procRoot, name, 'environ'), 'latin1'), entry);
      } catch {
        // Gone meanwhile, or another user's: not ours either way.
        return false;
      }
    })
    .map(Number);
}

/** SIGTERM, then SIGKILL to those still there after `graceMs`. */
export async function killProcesses(pids: readonly number[], graceMs: number): Promise<void> {
  for (const pid of pids) signalProcess(pid, 'SIGTERM');
  const deadlineMs = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadlineMs) await delay(100);
  for (const pid of pids.filter(isAlive)) signalProcess(pid, 'SIGKILL');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

/** A zombie (exited, not yet reaped by its parent) answers signal 0 but is gone. */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
