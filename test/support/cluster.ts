/**
 * Real master and agent processes for end-to-end tests. Each process runs the
 * built CLI (`node dist/src/cli/main.js`; `npm test` builds first) in a fresh
 * work directory under the test root, in a process group of its own, with its
 * output in `<work dir>/<name>.log`. Every process started here is tracked, and
 * `stopAll()` (registered by `useCluster()`) stops it and whatever it left
 * running, so that one test's processes never leak into the next.
 *
 *   useCluster();
 *   const master = await startMaster();
 *   const agent = await startAgent(master.url, { flags: ['--resources=cpus:2;mem:1024'] });
 *   await waitFor(async () => (await fetchJson<State>(`${master.url}/state`)).slaves.length === 1,
 *     { message: 'the agent to register' });
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';
import { findMarkedProcesses, killProcesses } from '../../src/local/leftovers.js';
import { describeExit, signalGroup, stopGroup, type GroupChild } from '../../src/local/process-group.js';
import { startProcess } from '../../src/local/start-process.js';
import { testRoot } from './test-root.js';

const repositoryRoot = resolve(import.meta.dirname, '..', '..');
const cliEntry = join(repositoryRoot, 'dist', 'src', 'cli', 'main.js');

/** Time a process has to print its `listening on` line. */
const readyTimeoutMs = 20_000;

/** Time between SIGTERM and SIGKILL in stop(). */
const stopGraceMs = 5_000;

/** Log lines a start failure quotes. */
const failureTailLines = 30;

/**
 * Marks every process a test starts, and what those processes start in turn
 * (task supervisors and tasks inherit it), with the process's own work directory.
 */
const workDirMarkerVariable = 'BERTH_TEST_WORK_DIR';

export interface ProcessHandle {
  readonly name: string;
  /** `http://127.0.0.1:<port>` as the process printed it. */
  readonly url: string;
  readonly pid: number;
  readonly workDir: string;
  readonly logPath: string;
  /** The exit code, or null when a signal ended the process. */
  readonly exited: Promise<number | null>;
  /** SIGTERM to the process group, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** Signals the process alone (not its group): e.g. SIGKILL to simulate a crash. */
  kill(signal?: NodeJS.Signals): void;
  /** Stops it if it runs, then starts it again with the same work dir, name and flags. */
  restart(): Promise<ProcessHandle>;
}

export interface StartOptions {
  /** Extra flags; --ip, --port, --work_dir (and an agent's --master) given here replace the defaults. */
  readonly flags?: readonly string[];
  /** Used for the log file and messages; defaults to `master`, or `agent<n>`. */
  readonly name?: string;
}

interface Launch {
  readonly command: 'master' | 'agent';
  readonly name: string;
  readonly workDir: string;
  readonly flags: readonly string[];
}

/** Children that have not exited yet; each leaves the set when it exits. */
const liveChildren = new Set<GroupChild>();
/** Work directories whose leftovers stopAll() sweeps. */
const workDirsUsed = new Set<string>();
let agentsStarted = 0;

// A test worker that exits (or crashes) takes its processes along.
process.on('exit', () => {
  for (const child of liveChildren) signalGroup(child.pid, 'SIGKILL');
});

export async function startMaster(options: StartOptions = {}): Promise<ProcessHandle> {
  const name = options.name ?? 'master';
  return launch({ command: 'master', name, workDir: freshWorkDir(name), flags: options.flags ?? [] });
}

/** `masterUrl` is `http://host:port` (a handle's url) or `host:port`. */
export async function startAgent(masterUrl: string, options: StartOptions = {}): Promise<ProcessHandle> {
  agentsStarted += 1;
  const name = options.name ?? `agent${agentsStarted}`;
  const given = options.flags ?? [];
  // A test that names another master (a zk:// URL, a bad address) passes its own --master.
  const masterAddress = masterUrl.replace(/^https?:\/\//, '');
  const masterFlag = given.some((text) => text.startsWith('--master=')) ? [] : [`--master=${masterAddress}`];
  const flags = [...masterFlag, ...given];
  return launch({ command: 'agent', name, workDir: freshWorkDir(name), flags });
}

/** Stops every process started here and sweeps what they left; safe to call twice. */
export async function stopAll(): Promise<void> {
  const workDirs = [...workDirsUsed];
  workDirsUsed.clear();
  await Promise.all([...liveChildren].map((child) => stopGroup(child, stopGraceMs)));
  const leftovers = workDirs.flatMap((workDir) => findMarkedProcesses(`${workDirMarkerVariable}=${workDir}`));
  await killProcesses(leftovers, stopGraceMs);
}

/** A port nobody listens on right now, so that a process can come back on it after a restart. */
export { freePort } from '../../src/lib/free-port.js';

/** Registers `stopAll` after each test of the calling file. */
export function useCluster(): void {
  afterEach(stopAll);
}

function freshWorkDir(name: string): string {
  mkdirSync(testRoot(), { recursive: true });
  return mkdtempSync(join(testRoot(), `${name}-`));
}

/** Flags the caller did not set: --ip, --port and --work_dir are defaults only. */
function commandFlags(spec: Launch): string[] {
  const given = (flag: string): boolean => spec.flags.some((text) => text === `--${flag}` || text.startsWith(`--${flag}=`));
  const defaults = [
    given('ip') ? [] : ['--ip=127.0.0.1'],
    given('port') ? [] : ['--port=0'],
    given('work_dir') ? [] : [`--work_dir=${spec.workDir}`],
  ].flat();
  return [...defaults, ...spec.flags];
}

async function launch(spec: Launch): Promise<ProcessHandle> {
  const logPath = join(spec.workDir, `${spec.name}.log`);
  const env = {
    ...process.env,
    BERTH_TEST_ROOT: testRoot(),
    [workDirMarkerVariable]: spec.workDir,
  };
  workDirsUsed.add(spec.workDir);
  const started = await startProcess({
    name: spec.name,
    args: [cliEntry, spec.command, ...commandFlags(spec)],
    logPath,
    env,
    readyTimeoutMs,
    onSpawned: (child) => {
      liveChildren.add(child);
      void child.exited.then(() => liveChildren.delete(child));
    },
  });
  if (!started.ok) {
    const failure = started.error;
    const what = failure.reason === 'exited' ? describeExit(failure.status) : `was not listening within ${readyTimeoutMs} ms`;
    const tail = failure.tail.slice(-failureTailLines).map((line) => `  | ${line}`).join('\n');
    throw new Error(`berth ${spec.command} '${spec.name}' ${what}; log ${logPath}:\n${tail}`);
  }
  return handleOf(spec, started.value.child, started.value.url, logPath);
}

function handleOf(spec: Launch, child: GroupChild, url: string, logPath: string): ProcessHandle {
  const stop = async (): Promise<void> => {
    await stopGroup(child, stopGraceMs);
  };
  return {
    name: spec.name,
    url,
    pid: child.pid,
    workDir: spec.workDir,
    logPath,
    exited: child.exited.then((status) => status.code),
    stop,
    kill: (signal = 'SIGKILL') => {
      if (!child.hasExited()) process.kill(child.pid, signal);
    },
    restart: async () => {
      await stop();
      return launch(spec);
    },
  };
}

export interface WaitForOptions {
  /** Default 10 s. */
  readonly timeoutMs?: number;
  /** Default 100 ms. */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout error: 'the agent to register'. */
  readonly message: string;
}

/**
 * Polls `predicate` until it returns a truthy value, and returns that value. A
 * predicate that throws is retried; the timeout error quotes its last error.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions,
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadlineMs = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadlineMs) {
      const cause = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.message}${cause}`);
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, intervalMs));
  }
}

/** GETs (or sends `init`) and parses JSON; a non-2xx answer throws with its status and body. */
export async function fetchJson<T = unknown>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 500)}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${init?.method ?? 'GET'} ${url} answered with something other than JSON: ${text.slice(0, 500)}`);
  }
}
