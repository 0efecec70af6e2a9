/**
 * What the containerizer reads from /proc: a process's identity (pid plus
 * start time, so that a recycled pid is never mistaken for ours), the tree of
 * processes under a supervisor, and the supervisors of an agent's work
 * directory. Linux only. Reads are synchronous: each is one small file that
 * the kernel generates from memory.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';

/** A process as a pid and its start time: field 22 of /proc/<pid>/stat, in clock ticks since boot. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: string;
}

/** The fields of /proc/<pid>/stat the containerizer uses. */
export interface ProcessStat {
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly userTicks: number;
  readonly systemTicks: number;
  readonly threads: number;
  readonly startTime: string;
}

/** USER_HZ: the unit of /proc times. The kernel fixes it at 100 for userspace on every architecture Node supports. */
export const clockTicksPerSecond = 100;

/**
 * Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and
 * parentheses, so fields are counted from the last ')'.
 */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // fields[0] is field 3 (state).
  const fields = text.slice(close + 2).split(' ');
  const field = (number: number): string | undefined => fields[number - 3];
  const state = field(3);
  const startTime = field(22);
  if (state === undefined || startTime === undefined || !/^\d+$/.test(startTime)) return undefined;
  return {
    state,
    ppid: Number(field(4)),
    pgid: Number(field(5)),
    userTicks: Number(field(14)),
    systemTicks: Number(field(15)),
    threads: Number(field(20)),
    startTime,
  };
}

export function readProcessStat(pid: number): ProcessStat | undefined {
  try {
    return parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** The start time of a live (or not yet reaped) process, undefined when there is none. */
export function processStartTime(pid: number): string | undefined {
  return readProcessStat(pid)?.startTime;
}

/** True when `identity` names a process that still runs: same start time, not a zombie. */
export function isRunning(identity: ProcessIdentity): boolean {
  const stat = readProcessStat(identity.pid);
  return stat !== undefined && stat.startTime === identity.startTime && stat.state !== 'Z' && stat.state !== 'X';
}

/** Sends `signal` to the process if it is still the one named; false when it is gone or another now. */
export function signalIfRunning(identity: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isRunning(identity)) return false;
  try {
    process.kill(identity.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Parses "<pid> <start time>" (a supervisor.pid or task.pid file). */
export function parseIdentity(text: string): ProcessIdentity | undefined {
  const match = /^(\d+) (\d+)\n?$/.exec(text);
  if (match === null) return undefined;
  return { pid: Number(match[1]), startTime: match[2] ?? '' };
}

export function readIdentityFile(path: string): ProcessIdentity | undefined {
  try {
    return parseIdentity(readFileSync(path, 'latin1'));
  } catch {
    return undefined;
  }
}

/**
 * The processes under `pid` (not `pid` itself), from the kernel's per-thread
 * `children` lists. A process that exits meanwhile is simply missing.
 */
export async function descendantsOf(pid: number): Promise<number[]> {
  const found: number[] = [];
  const pending = [pid];
  for (let parent = pending.pop(); parent !== undefined; parent = pending.pop()) {
    for (const child of await childrenOf(parent)) {
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

async function childrenOf(pid: number): Promise<number[]> {
  let threads: string[];
  try {
    threads = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const lists = await Promise.all(
    threads.map((thread) => readFile(`/proc/${pid}/task/${thread}/children`, 'latin1').catch(() => '')),
  );
  return lists.flatMap((list) => list.split(' ').filter((word) => word !== '').map(Number));
}

/** Resident memory in bytes, from /proc/<pid>/status (VmRSS, in kB); 0 for a zombie or a kernel thread. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(text);
  return match === null ? 0 : Number(match[1]) * 1024;
}

/** A supervisor process found by its command line. */
export interface SupervisorProcess extends ProcessIdentity {
  readonly runDirectory: string;
}

/**
 * Supervisors started for the agent with this work directory: processes whose
 * argv[0] is a berth-supervisor and whose arguments include
 * `--agent-work-dir=<workDir>` (the mark the containerizer gives them).
 */
export function findSupervisors(workDir: string, supervisorName: string): SupervisorProcess[] {
  const mark = `--agent-work-dir=${workDir}`;
  const found: Array<SupervisorProcess & { readonly ppid: number }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const program = argv[0] ?? '';
    // The supervisor's own options end at `--`; what follows is the task's command.
    const end = argv.indexOf('--');
    const options = argv.slice(1, end < 0 ? argv.length : end);
    if (!(program === supervisorName || program.endsWith(`/${supervisorName}`)) || !options.includes(mark)) continue;
    const runDirectory = options.find((option) => option.startsWith('--run-dir='))?.slice('--run-dir='.length);
    const stat = readProcessStat(Number(name));
    if (runDirectory !== undefined && stat !== undefined) found.push({ pid: Number(name), startTime: stat.startTime, runDirectory, ppid: stat.ppid });
  }
  // A supervisor's child between its fork and its exec still shows the supervisor's command line.
  const pids = new Set(found.map((supervisor) => supervisor.pid));
  return found.filter((supervisor) => !pids.has(supervisor.ppid)).map(({ pid, startTime, runDirectory }) => ({ pid, startTime, runDirectory }));
}
