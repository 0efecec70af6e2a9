/**
 * CPU shares (issue 5): two busy tasks asking for 1 and 3 cpus, confined to
 * one core, and the CPU time each gets; goal about 1:3.
 *
 * Method: a real master and a real agent (the built CLI) with
 * `--isolation=filesystem/linux,cgroups/cpu,cgroups/mem` and
 * `--cgroups_root=berth-bench-<pid>`, their work directories under a
 * temporary directory in os.tmpdir(). A framework launches, in one ACCEPT,
 * two command tasks of `exec taskset -c 0 sh -c 'while :; do :; done'`, one
 * with cpus 1, one with cpus 3 (32 MB each). Each busy loop pins itself to
 * core 0 with taskset (util-linux), rather than the agent being started
 * under `taskset -c 0`: only the two loops are confined, and the agent,
 * master and this process, which sample the figures, do not take their
 * turns on the contended core.
 *
 * Each command task's container also holds its command executor's 0.1 cpus,
 * so the cgroups ask for cpu.shares floor(1.1 x 1024) = 1126 and
 * floor(3.1 x 1024) = 3174: a ratio of 2.82, not 3. Both figures are
 * reported, the shares read from the containers' cgroups.
 *
 * What is measured: once both tasks are RUNNING and a warm-up has passed,
 * two /monitor/statistics samples `windowMs` apart; each executor's CPU time
 * over the window is the difference of its cpus_user_time_secs +
 * cpus_system_time_secs (read by the agent from the container's cpuacct
 * cgroup, in 10 ms ticks), and the figure is their ratio (3-cpu task over
 * 1-cpu task). Their sum beside the window's length says how much of core 0
 * the two loops had between them (anything else this machine runs on core 0
 * takes the rest; the split between the two does not depend on it).
 *
 * The cgroup root, and any container cgroup left under it, is removed at the
 * end, also on failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cgroup, cgroupsUnder } from '../src/agent/isolators/cgroups/cgroup.js';
import { findHierarchy, type CgroupHierarchy } from '../src/agent/isolators/cgroups/hierarchy.js';
import type { FrameworkInfo, OfferOperation } from '../src/protocol/mesos.js';
import { createHttpTransport, subscribe, type SchedulerSession } from '../src/sdk/index.js';
import { startMasterAndAgent, stopBerthProcesses, type Started } from './launch-rate.js';
import { agentExecutor, monitorStatistics, offerWith, scalar, TaskWatch, type StatisticsEntry } from './task-watch.js';

/** The goal: CPU time in the ratio of the cpus asked for. */
export const goalCpuRatio = 3;
/** What the command executor adds to each command task's container. */
const executorCpus = 0.1;
const sharesPerCpu = 1024;
const lightCpus = 1;
const heavyCpus = 3;
/** After both run, before the first sample: the scheduler settles, the executors' start-up work is done. */
const warmUpMs = 1_000;
/** Between the two samples. */
const windowMs = 5_000;
const core = 0;

export interface CpuSharesResult {
  readonly lightCpus: number;
  readonly heavyCpus: number;
  /** CPU seconds over the window, user + system. */
  readonly lightCpuSeconds: number;
  readonly heavyCpuSeconds: number;
  /** heavy / light. */
  readonly measuredRatio: number;
  /** The ratio of the containers' cpu.shares (cpu.weight under cgroup v2), as read from their cgroups. */
  readonly sharesRatio: number;
  readonly lightShares: number;
  readonly heavyShares: number;
  /** The window between the two samples, by their timestamps. */
  readonly windowSeconds: number;
  readonly cgroupVersion: 1 | 2;
}

export interface CpuSharesOptions {
  readonly progress: (line: string) => void;
}

/** Why this host cannot run the benchmark, or undefined. */
function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the agent needs root to make cgroups; run as root';
  if (findHierarchy('cpu') === undefined) return 'no cpu cgroup controller on this host';
  const taskset = spawnSync('taskset', ['--version'], { encoding: 'utf8' });
  if (taskset.error !== undefined) return `taskset (util-linux) is not available (${taskset.error.message}): it confines the busy tasks to one core; install util-linux`;
  return undefined;
}

function frameworkInfo(): FrameworkInfo {
  return { user: 'root', name: 'bench-cpu-shares', checkpoint: true } as FrameworkInfo;
}

function busyTask(agentId: string, taskId: string, cpus: number): Record<string, unknown> {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: { value: agentId },
    resources: [scalar('cpus', cpus), scalar('mem', 32)],
    command: { value: `exec taskset -c ${core} sh -c 'while :; do :; done'` },
  };
}

/** Every hierarchy the agent made cgroups in: cpu, cpuacct (its own or the same), memory. */
function hierarchies(): CgroupHierarchy[] {
  const found: CgroupHierarchy[] = [];
  for (const controller of ['cpu', 'cpuacct', 'memory'] as const) {
    const hierarchy = findHierarchy(controller);
    if (hierarchy !== undefined && !found.some((known) => known.mountPoint === hierarchy.mountPoint)) found.push(hierarchy);
  }
  return found;
}

/** Removes `root` and whatever container cgroups are left under it (their processes are killed first). */
export async function removeCgroupRoot(root: string): Promise<void> {
  for (const hierarchy of hierarchies()) {
    for (const containerId of cgroupsUnder(hierarchy, root)) await Cgroup.of(hierarchy, root, containerId).remove();
    await new Cgroup(hierarchy, join(hierarchy.mountPoint, root)).remove();
  }
}

/** The container's cpu.shares (v1) or cpu.weight (v2). */
function sharesOf(cgroupsRoot: string, containerId: string): number {
  const cpu = findHierarchy('cpu');
  if (cpu === undefined) throw new Error('no cpu cgroup controller');
  const file = cpu.version === 1 ? 'cpu.shares' : 'cpu.weight';
  return Number(readFileSync(join(cpu.mountPoint, cgroupsRoot, containerId, file), 'utf8').trim());
}

function cpuSeconds(entries: readonly StatisticsEntry[], executorId: string): { seconds: number; timestamp: number } {
  const entry = entries.find((candidate) => candidate.executor_id === executorId);
  if (entry === undefined) throw new Error(`/monitor/statistics has no entry for ${executorId}`);
  return { seconds: entry.statistics.cpus_user_time_secs + entry.statistics.cpus_system_time_secs, timestamp: entry.statistics.timestamp };
}

export async function runCpuShares(options: CpuSharesOptions): Promise<CpuSharesResult> {
  const why = unavailable();
  if (why !== undefined) throw new Error(`cpu-shares cannot run here: ${why}`);
  const cgroupsRoot = `berth-bench-${process.pid}`;
  const root = mkdtempSync(join(tmpdir(), 'berth-bench-cpu-shares-'));
  const processes: Started[] = [];
  const transport = createHttpTransport();
  let session: SchedulerSession | undefined;
  try {
    const { master, agent } = await startMasterAndAgent(root, processes, ['--allocation_interval=50ms'], [
      '--resources=cpus:8;mem:1024',
      '--isolation=filesystem/linux,cgroups/cpu,cgroups/mem',
      `--cgroups_root=${cgroupsRoot}`,
      '--executor_shutdown_grace_period=1secs',
    ]);
    session = await subscribe({ master: master.url, frameworkInfo: frameworkInfo(), transport });
    const watch = new TaskWatch(session);
    const offer = await offerWith(session, () => true);
    const light = 'busy-1cpu';
    const heavy = 'busy-3cpus';
    const answer = await session.accept(
      [offer.id],
      [{ type: 'LAUNCH', launch: { task_infos: [busyTask(offer.agent_id.value, light, lightCpus), busyTask(offer.agent_id.value, heavy, heavyCpus)] } }] as unknown as OfferOperation[],
      { refuse_seconds: 3600 },
    );
    if (answer.status !== 202) throw new Error(`ACCEPT answered ${answer.status}: ${answer.body}`);
    await Promise.all([watch.until(light, 'TASK_RUNNING'), watch.until(heavy, 'TASK_RUNNING')]);
    const lightContainer = (await agentExecutor(agent.url, session.frameworkId, light)).container;
    const heavyContainer = (await agentExecutor(agent.url, session.frameworkId, heavy)).container;
    const lightShares = sharesOf(cgroupsRoot, lightContainer);
    const heavyShares = sharesOf(cgroupsRoot, heavyContainer);
    options.progress(`  both tasks running; their containers' ${findHierarchy('cpu')?.version === 2 ? 'cpu.weight' : 'cpu.shares'}: ${lightShares} and ${heavyShares}`);
    await new Promise((resolve) => setTimeout(resolve, warmUpMs));
    const first = await monitorStatistics(agent.url);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const second = await monitorStatistics(agent.url);
    const lightBefore = cpuSeconds(first, light);
    const lightAfter = cpuSeconds(second, light);
    const heavyBefore = cpuSeconds(first, heavy);
    const heavyAfter = cpuSeconds(second, heavy);
    const lightCpuSeconds = lightAfter.seconds - lightBefore.seconds;
    const heavyCpuSeconds = heavyAfter.seconds - heavyBefore.seconds;
    if (lightCpuSeconds <= 0) throw new Error(`the 1-cpu task got no CPU time over the window (${lightCpuSeconds} s)`);
    for (const taskId of [light, heavy]) await session.kill({ value: taskId }, offer.agent_id);
    await Promise.all([watch.until(light, 'TASK_KILLED'), watch.until(heavy, 'TASK_KILLED')]);
    return {
      lightCpus,
      heavyCpus,
      lightCpuSeconds,
      heavyCpuSeconds,
      measuredRatio: heavyCpuSeconds / lightCpuSeconds,
      sharesRatio: heavyShares / lightShares,
      lightShares,
      heavyShares,
      windowSeconds: lightAfter.timestamp - lightBefore.timestamp,
      cgroupVersion: findHierarchy('cpu')?.version ?? 1,
    };
  } finally {
    try {
      if (session !== undefined) await session.close();
      await transport.close();
      await stopBerthProcesses(processes);
    } finally {
      try {
        await removeCgroupRoot(cgroupsRoot);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  }
}

/** The ratio the shares ask for when each container holds its task's cpus and the executor's. */
export function expectedSharesRatio(): number {
  return Math.floor((heavyCpus + executorCpus) * sharesPerCpu) / Math.floor((lightCpus + executorCpus) * sharesPerCpu);
}
