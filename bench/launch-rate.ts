/**
 * The launch rate (issue 3): one real master and one real agent with
 * `cpus:64;mem:65536`, their work directories on the real disk (under the
 * project's test root); a framework accepts offers with LAUNCH operations of
 * 100 tasks of `true` each and acknowledges every update. The figure is the
 * time from the first ACCEPT to the 1,000th acknowledged TASK_FINISHED, as
 * launches per second, beside Mesos 1.7's 33 per second (goal: 300).
 *
 * Every launch is the whole path: validation and bookkeeping on the master,
 * RUN_TASK to the agent, journal records, a sandbox, a supervisor process, the
 * command, its exit status, three durable status updates through the master
 * to the framework and back as acknowledgements.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WireOffer, WireTaskStatus } from '../src/protocol/outputs.js';
import { findMarkedProcesses, killProcesses } from '../src/local/leftovers.js';
import { stopGroup, type GroupChild } from '../src/local/process-group.js';
import { startProcess } from '../src/local/start-process.js';
import { Scheduler } from '../src/sdk/index.js';

export const mesosLaunchesPerSecond = 33;
export const goalLaunchesPerSecond = 300;

const repositoryRoot = resolve(import.meta.dirname, '..', '..');
const cliEntry = join(repositoryRoot, 'dist', 'src', 'cli', 'main.js');
const markerVariable = 'BERTH_TEST_WORK_DIR';

export interface LaunchRateResult {
  readonly tasks: number;
  readonly tasksPerAccept: number;
  readonly accepts: number;
  readonly seconds: number;
  readonly launchesPerSecond: number;
  /** Seconds from the first ACCEPT to the 100th, 500th and last FINISHED acknowledged. */
  readonly milestones: Readonly<Record<string, number>>;
}

export interface LaunchRateOptions {
  readonly tasks: number;
  readonly tasksPerAccept: number;
  /**
   * Where the run's work directories go. The caller removes it, after every
   * run: deleting thousands of sandboxes just before a run slows the file
   * system's next file creations (ext4 skips recently freed inodes), which
   * would be measured as launch time.
   */
  readonly root: string;
  /** Prints progress lines (a launch run takes seconds). */
  readonly progress: (line: string) => void;
}

export interface Started {
  readonly child: GroupChild;
  readonly url: string;
  readonly workDir: string;
}

/** Starts the built CLI's `master` or `agent` in a fresh work directory under `root`; resolves once it listens. */
export async function startBerthProcess(root: string, command: 'master' | 'agent', flags: readonly string[]): Promise<Started> {
  const workDir = mkdtempSync(join(root, `${command}-`));
  const started = await startProcess({
    name: command,
    args: [...profileFlags(command), cliEntry, command, '--ip=127.0.0.1', '--port=0', `--work_dir=${workDir}`, ...flags],
    logPath: join(workDir, `${command}.log`),
    env: { ...process.env, [markerVariable]: workDir },
    readyTimeoutMs: 20_000,
  });
  if (!started.ok) throw new Error(`berth ${command} did not start: ${started.error.tail.join('\n')}`);
  return { child: started.value.child, url: started.value.url, workDir };
}

/**
 * With BERTH_BENCH_CPU_PROFILE=<dir>, the master and agent write V8 CPU
 * profiles there when they stop (NODE_OPTIONS may not carry --cpu-prof).
 */
function profileFlags(command: string): string[] {
  const directory = process.env['BERTH_BENCH_CPU_PROFILE'];
  return directory === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(directory, command)}`];
}

function taskInfo(id: string, agentId: string): object {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.01 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 1 } },
    ],
    command: { value: 'true' },
  };
}

/** Launches from every offer, 100 tasks per ACCEPT, until all are launched; resolves at the last FINISHED acknowledged. */
async function drive(masterUrl: string, options: LaunchRateOptions): Promise<LaunchRateResult> {
  let launched = 0;
  let accepts = 0;
  let finished = 0;
  let firstAcceptMs: number | undefined;
  const milestones: Record<string, number> = {};
  const marks = new Set([100, 500, options.tasks]);
  let done: () => void = () => undefined;
  const allFinished = new Promise<void>((resolveDone) => (done = resolveDone));
  const onFinishedAcknowledged = (): void => {
    finished += 1;
    if (marks.has(finished) && firstAcceptMs !== undefined) {
      const seconds = (performance.now() - firstAcceptMs) / 1000;
      milestones[String(finished)] = seconds;
      options.progress(`  ${finished} tasks finished and acknowledged after ${seconds.toFixed(2)} s`);
    }
    if (finished === options.tasks) done();
  };
  const scheduler: Scheduler = new Scheduler({
    masters: [masterUrl],
    frameworkInfo: { user: 'root', name: 'bench-launch-rate' },
    autoAcknowledge: false,
    reconcileOnSubscribe: false,
    handlers: {
      onUpdate(status: WireTaskStatus) {
        if (status.state !== 'TASK_STARTING' && status.state !== 'TASK_RUNNING' && status.state !== 'TASK_FINISHED') {
          options.progress(`  unexpected ${status.state} for ${status.task_id.value}: ${status.message ?? ''}`);
        }
        // Not awaited: handlers run one at a time, and acknowledgements need not wait for each other.
        void scheduler.acknowledge(status).then(() => {
          if (status.state === 'TASK_FINISHED') onFinishedAcknowledged();
        });
      },
      onOffers(offers: readonly WireOffer[]) {
        for (const offer of offers) {
          if (launched >= options.tasks) {
            void scheduler.decline([offer.id], { refuse_seconds: 3600 });
            continue;
          }
          const count = Math.min(options.tasksPerAccept, options.tasks - launched);
          const tasks = Array.from({ length: count }, (_, i) => taskInfo(`true-${launched + i}`, offer.agent_id.value));
          launched += count;
          accepts += 1;
          firstAcceptMs ??= performance.now();
          // What the tasks leave of the offer comes back at the next allocation run.
          void scheduler.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: tasks } }] as never, { refuse_seconds: 0 });
        }
      },
    },
  });
  await scheduler.start();
  try {
    await allFinished;
  } finally {
    await scheduler.stop();
  }
  const seconds = (performance.now() - (firstAcceptMs ?? 0)) / 1000;
  return { tasks: options.tasks, tasksPerAccept: options.tasksPerAccept, accepts, seconds, launchesPerSecond: options.tasks / seconds, milestones };
}

/** A fresh directory for launch-rate runs under the project's test root (which .ci/run clears). */
export function launchRateRoot(): string {
  const root = resolve(process.env['BERTH_TEST_ROOT'] ?? join(repositoryRoot, '.test-root'));
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, 'bench-launch-rate-'));
}

export async function runLaunchRate(options: LaunchRateOptions): Promise<LaunchRateResult> {
  const benchRoot = mkdtempSync(join(options.root, 'run-'));
  const processes: Started[] = [];
  try {
    const master = await startBerthProcess(benchRoot, 'master', ['--allocation_interval=50ms']);
    processes.push(master);
    const agent = await startBerthProcess(benchRoot, 'agent', [`--master=${master.url.replace('http://', '')}`, '--resources=cpus:64;mem:65536', '--registration_backoff_factor=10ms']);
    processes.push(agent);
    return await drive(master.url, options);
  } finally {
    await stopBerthProcesses(processes);
  }
}

/** Stops each process's group, then kills whatever is left marked with its work directory (task supervisors, tasks). */
/**
 * A master (with `masterFlags`) and one agent linked to it (with
 * `agentFlags`, registering fast), each pushed to `processes` as soon as it
 * runs, for the caller to stop also on failure.
 */
export async function startMasterAndAgent(
  root: string,
  processes: Started[],
  masterFlags: readonly string[],
  agentFlags: readonly string[],
): Promise<{ master: Started; agent: Started }> {
  const master = await startBerthProcess(root, 'master', masterFlags);
  processes.push(master);
  const agent = await startBerthProcess(root, 'agent', [`--master=${master.url.replace('http://', '')}`, '--registration_backoff_factor=10ms', ...agentFlags]);
  processes.push(agent);
  return { master, agent };
}

export async function stopBerthProcesses(processes: readonly Started[]): Promise<void> {
  await Promise.all(processes.map((started) => stopGroup(started.child, 5_000)));
  for (const started of processes) await killProcesses(findMarkedProcesses(`${markerVariable}=${started.workDir}`), 5_000);
}
