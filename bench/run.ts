/**
 * `npm run bench`: the allocator benchmark in the shape of Mesos' DeclineOffers
 * at 1k agents x 100 frameworks, 10k x 1k and 20k x 2k, then the launch rate
 * (launch-rate.ts), then the storage benchmarks of issue 4: CREATE latency
 * (create-latency.ts) and the allocation cycle with persistent volumes
 * (allocation-with-volumes.ts). Prints the first and the median allocation
 * cycle beside Mesos' figure and writes them to
 * bench/results/decline-offers.json; prints the median launch rate beside
 * Mesos 1.7's and writes bench/results/launch-rate.json; prints the CREATE
 * latency's p50 and p99 beside one fsync's and writes
 * bench/results/create-latency.json; prints the cycle with and without volumes
 * and their ratio beside the goal of 1.2 and writes
 * bench/results/allocation-with-volumes.json. Then the isolation benchmarks
 * of issue 5: the CPU time of two busy tasks of 1 and 3 cpus on one core
 * (cpu-shares.ts), beside the ratio their cpu.shares ask for, written to
 * bench/results/cpu-shares.json; and the time from a write past a 100,000-file
 * volume's quota to the task's TASK_FAILED (disk-quota-detection.ts), beside
 * one scan of the volume, written to bench/results/disk-quota-detection.json.
 * Then the fail-over benchmarks of issue 6: the time a new leading master
 * takes until 10,000 and 40,000 agents of 10 tasks each have re-registered
 * (failover-reregistration.ts, in the harness, a child process per count),
 * beside Mesos 1.5's 19 s at 40,000, written to
 * bench/results/failover-reregistration.json; and the time from the leading
 * master's SIGKILL to another master leading (leader-election.ts, three real
 * masters and ZooKeeper), beside the session timeout, written to
 * bench/results/leader-election.json; and the registry in ZooKeeper at
 * 10,000 and 40,000 agents (registry-recovery.ts): N admit_agent written
 * pipelined, beside the same N on SQLite, and a new leader's open of the
 * registry, beside the 10 s fail-over goal (with the harness's
 * re-registration time from failover-reregistration.json added), written to
 * bench/results/registry-recovery.json.
 * `10000x1000`, `launch-rate`, `create-latency`, `allocation-with-volumes`,
 * `cpu-shares`, `disk-quota-detection`, `failover-reregistration`,
 * `leader-election` or `registry-recovery` runs one (allocation-with-volumes
 * also takes a shape: `allocation-with-volumes 10000x1000`;
 * failover-reregistration and registry-recovery an agent count:
 * `failover-reregistration 40000`).
 *
 * Mesos' procedure runs 2 x frameworks rounds; the first `frameworks` rounds
 * each make one offer per agent, the rest make none. A full run at 20k x 2k
 * takes hours, so by default the larger shapes run a bounded number of rounds,
 * all of them offer-making rounds; their median is then an upper bound of the
 * full procedure's median (the rounds it leaves out make no offers and are
 * cheaper). `--full` runs every round. Each shape runs in a child process.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeAllocationWithVolumes,
  goalVolumeCycleRatio,
  runAllocationWithVolumes,
  type AllocationWithVolumesResult,
} from './allocation-with-volumes.js';
import { createLatencyRoot, goalCreateP99Ms, runCreateLatency } from './create-latency.js';
import { expectedSharesRatio, goalCpuRatio, runCpuShares } from './cpu-shares.js';
import { runDeclineOffers, type DeclineOffersResult } from './decline-offers.js';
import { diskQuotaDetectionRoot, goalDetectionMs, mesosWatchIntervalSeconds, runDiskQuotaDetection } from './disk-quota-detection.js';
import {
  describeFailoverReregistration,
  failoverAgentCounts,
  goalReregistrationSeconds,
  mesosReregistrationSecondsAt40k,
  runFailoverReregistration,
  type FailoverReregistrationResult,
} from './failover-reregistration.js';
import { leaderElectionRuns, runLeaderElection, sessionTimeoutSeconds, summarizeLeaderElection } from './leader-election.js';
import { goalLaunchesPerSecond, launchRateRoot, mesosLaunchesPerSecond, runLaunchRate, type LaunchRateResult } from './launch-rate.js';
import { describeRegistryRecovery, harnessReregistration, registryOpens, registryRecoveryAgentCounts, registryRecoveryRecord, runRegistryRecovery } from './registry-recovery.js';

/** Mesos' DeclineOffers, 10k agents x 1k frameworks: seconds per allocation cycle (the issue's anchor). */
const mesosCycleSecondsAt10k = 1.06;
const goalCycleSecondsAt10k = 0.25;

interface Shape {
  readonly agents: number;
  readonly frameworks: number;
  /** Rounds run without --full. */
  readonly rounds: number;
}

const shapes: readonly Shape[] = [
  { agents: 1_000, frameworks: 100, rounds: 200 },
  { agents: 10_000, frameworks: 1_000, rounds: 20 },
  { agents: 20_000, frameworks: 2_000, rounds: 10 },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function report(result: DeclineOffersResult): Record<string, unknown> {
  const firstMs = result.cycleMs[0] ?? 0;
  const medianMs = median(result.cycleMs);
  const anchor =
    result.agents === 10_000 && result.frameworks === 1_000
      ? ` (Mesos: ${mesosCycleSecondsAt10k.toFixed(2)} s per cycle; goal ${goalCycleSecondsAt10k.toFixed(2)} s)`
      : '';
  const partial = result.rounds < result.roundsOfMesos ? `, ${result.rounds} of Mesos' ${result.roundsOfMesos} rounds` : '';
  process.stdout.write(
    `DeclineOffers ${result.agents} agents x ${result.frameworks} frameworks: first cycle ${(firstMs / 1000).toFixed(3)} s, ` +
      `median ${(medianMs / 1000).toFixed(3)} s${anchor}${partial}\n`,
  );
  return {
    agents: result.agents,
    frameworks: result.frameworks,
    rounds: result.rounds,
    rounds_of_mesos: result.roundsOfMesos,
    first_cycle_seconds: firstMs / 1000,
    median_cycle_seconds: medianMs / 1000,
    max_cycle_seconds: Math.max(...result.cycleMs) / 1000,
    setup_seconds: result.setupMs / 1000,
    ...(anchor !== '' ? { anchor_mesos_cycle_seconds: mesosCycleSecondsAt10k, goal_cycle_seconds: goalCycleSecondsAt10k } : {}),
  };
}

/** The marker of the line a child process reports its shape's record on. */
const recordPrefix = 'decline-offers-record ';

function shapeName(shape: Shape): string {
  return `${shape.agents}x${shape.frameworks}`;
}

/**
 * Each shape runs in a process of its own (same Node flags), so that one
 * shape's garbage is never collected inside the next shape's timed cycles.
 * `args` name what the child runs (after `--child`).
 */
function runInChild(args: readonly string[]): Record<string, unknown> {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, script, '--child', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const lines = (child.stdout ?? '').split('\n');
  for (const line of lines) if (line !== '' && !line.startsWith(recordPrefix)) process.stdout.write(`${line}\n`);
  const record = lines.find((line) => line.startsWith(recordPrefix));
  if (child.status !== 0 || record === undefined) throw new Error(`bench: ${args.join(' ')} failed (exit ${String(child.status)})`);
  return JSON.parse(record.slice(recordPrefix.length)) as Record<string, unknown>;
}

/** Runs of the launch rate; the median is the figure (the machine is shared and noisy). */
const launchRateRuns = 3;

/** The launch rate through a real master and agent (launch-rate.ts), beside Mesos 1.7's. */
async function runLaunchRateBench(directory: string): Promise<void> {
  const runs: LaunchRateResult[] = [];
  const root = launchRateRoot();
  try {
    for (let run = 1; run <= launchRateRuns; run++) {
      process.stdout.write(`Launch rate, run ${run} of ${launchRateRuns}: 1000 tasks of \`true\`, 100 per ACCEPT\n`);
      runs.push(await runLaunchRate({ tasks: 1_000, tasksPerAccept: 100, root, progress: (line) => process.stdout.write(`${line}\n`) }));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const rates = runs.map((run) => run.launchesPerSecond);
  const medianRate = median(rates);
  process.stdout.write(
    `Launch rate: median ${medianRate.toFixed(0)} launches/s over ${launchRateRuns} runs (${rates.map((rate) => rate.toFixed(0)).join(', ')}) ` +
      `(Mesos 1.7: ${mesosLaunchesPerSecond}/s; goal ${goalLaunchesPerSecond}/s)\n`,
  );
  const file = join(directory, 'launch-rate.json');
  const record = {
    benchmark: 'launch-rate',
    date: new Date().toISOString(),
    node: process.version,
    median_launches_per_second: medianRate,
    anchor_mesos_launches_per_second: mesosLaunchesPerSecond,
    goal_launches_per_second: goalLaunchesPerSecond,
    runs: runs.map((run) => ({ launches_per_second: run.launchesPerSecond, seconds: run.seconds, accepts: run.accepts, milestones_seconds: run.milestones })),
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}

/** CREATE latency through a real master and agent (create-latency.ts), beside one fsync's. */
async function runCreateLatencyBench(directory: string): Promise<void> {
  const volumes = Number(process.env['BERTH_BENCH_VOLUMES'] ?? 1_000);
  process.stdout.write(`CREATE latency: ${volumes} volumes of 1 MB, one CREATE per ACCEPT\n`);
  const root = createLatencyRoot();
  let result: Awaited<ReturnType<typeof runCreateLatency>>;
  try {
    result = await runCreateLatency({ volumes, root, progress: (line) => process.stdout.write(`${line}\n`) });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  process.stdout.write(
    `CREATE latency, ACCEPT to durable on the agent: p50 ${ms(result.durableMs.p50)}, p99 ${ms(result.durableMs.p99)} (max ${ms(result.durableMs.max)}); ` +
      `to OPERATION_FINISHED at the framework: p50 ${ms(result.createMs.p50)}, p99 ${ms(result.createMs.p99)} (max ${ms(result.createMs.max)}; ` +
      `first 100 mean ${ms(result.firstHundredMeanMs)}, last 100 mean ${ms(result.lastHundredMeanMs)}) ` +
      `(fsync: p50 ${ms(result.fsyncMs.p50)}, p99 ${ms(result.fsyncMs.p99)}; message floor: p50 ${ms(result.floorMs.p50)}, p99 ${ms(result.floorMs.p99)}; goal p99 under ${goalCreateP99Ms} ms)\n` +
      `  ACCEPT answered (202) after p50 ${ms(result.acceptMs.p50)}, p99 ${ms(result.acceptMs.p99)}; ` +
      `the agent's part, replayed in process: taking the operation's conversion p50 ${ms(result.agentTakeMs.p50)}, p99 ${ms(result.agentTakeMs.p99)}; ` +
      `the journal's commit p50 ${ms(result.agentCommitMs.p50)}, p99 ${ms(result.agentCommitMs.p99)}; ` +
      `resource journal after the last CREATE: ${(result.checkpointBytes / 1024).toFixed(0)} KiB\n`,
  );
  const file = join(directory, 'create-latency.json');
  const record = {
    benchmark: 'create-latency',
    date: new Date().toISOString(),
    node: process.version,
    volumes: result.volumes,
    durable_ms: result.durableMs,
    finished_at_framework_ms: result.createMs,
    accept_answered_ms: result.acceptMs,
    first_hundred_mean_ms: result.firstHundredMeanMs,
    last_hundred_mean_ms: result.lastHundredMeanMs,
    anchor_fsync_ms: result.fsyncMs,
    anchor_message_floor_ms: result.floorMs,
    goal_create_p99_ms: goalCreateP99Ms,
    agent_take_replayed_ms: result.agentTakeMs,
    agent_commit_replayed_ms: result.agentCommitMs,
    resource_journal_bytes_after_last: result.checkpointBytes,
    loop_seconds: result.loopSeconds,
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}

/** Shapes allocation-with-volumes runs by default (each variant doubles a shape's set-up). */
const volumeShapes: readonly Shape[] = shapes.filter((shape) => shape.agents <= 10_000);

/** The DeclineOffers cycle with a volume on every agent against the same without (allocation-with-volumes.ts), a child process per shape. */
function runAllocationWithVolumesBench(directory: string, selected: readonly Shape[], full: boolean): void {
  const results = selected.map((shape) => {
    const result = runInChild(['allocation-with-volumes', shapeName(shape), ...(full ? ['--full'] : [])]) as unknown as AllocationWithVolumesResult;
    process.stdout.write(`${describeAllocationWithVolumes(result)}\n`);
    return result;
  });
  const file = join(directory, 'allocation-with-volumes.json');
  const record = { benchmark: 'allocation-with-volumes', date: new Date().toISOString(), node: process.version, goal_ratio_max: goalVolumeCycleRatio, results };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}

/** Two busy tasks of 1 and 3 cpus on one core and the CPU time each gets (cpu-shares.ts), beside the ratio their shares ask for. */
async function runCpuSharesBench(directory: string): Promise<void> {
  process.stdout.write(`CPU shares: two busy tasks of 1 and 3 cpus on one core (cgroups/cpu)\n`);
  const result = await runCpuShares({ progress: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(
    `CPU shares: the 3-cpu task got ${result.heavyCpuSeconds.toFixed(2)} s of CPU, the 1-cpu task ${result.lightCpuSeconds.toFixed(2)} s ` +
      `over ${result.windowSeconds.toFixed(2)} s: ratio ${result.measuredRatio.toFixed(2)} ` +
      `(the shares ask for ${result.sharesRatio.toFixed(2)} = ${result.heavyShares}/${result.lightShares}, the executor's 0.1 cpus in each; goal about ${goalCpuRatio}; ` +
      `the two had ${((100 * (result.heavyCpuSeconds + result.lightCpuSeconds)) / result.windowSeconds).toFixed(0)}% of the core)\n`,
  );
  const file = join(directory, 'cpu-shares.json');
  const record = {
    benchmark: 'cpu-shares',
    date: new Date().toISOString(),
    node: process.version,
    cgroup_version: result.cgroupVersion,
    light_task_cpus: result.lightCpus,
    heavy_task_cpus: result.heavyCpus,
    window_seconds: result.windowSeconds,
    light_cpu_seconds: result.lightCpuSeconds,
    heavy_cpu_seconds: result.heavyCpuSeconds,
    measured_ratio: result.measuredRatio,
    shares_ratio: result.sharesRatio,
    expected_shares_ratio: expectedSharesRatio(),
    light_shares: result.lightShares,
    heavy_shares: result.heavyShares,
    goal_ratio: goalCpuRatio,
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}

/** Time from a write past a volume's quota to TASK_FAILED (disk-quota-detection.ts), beside one scan of the volume. */
async function runDiskQuotaDetectionBench(directory: string): Promise<void> {
  process.stdout.write('Disk quota detection: a volume of 100,000 files written past its quota while 20 other containers are measured (disk/du)\n');
  const root = diskQuotaDetectionRoot();
  let result: Awaited<ReturnType<typeof runDiskQuotaDetection>>;
  try {
    result = await runDiskQuotaDetection(root, { progress: (line) => process.stdout.write(`${line}\n`) });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const afterWrite = result.runs.map((run) => run.afterWriteMs);
  const noticed = result.runs.map((run) => run.noticedMs);
  const reported = result.runs.map((run) => run.reportedMs);
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(
    `Disk quota detection, write done to TASK_FAILED at the framework: median ${seconds(median(afterWrite))}, max ${seconds(Math.max(...afterWrite))} over ${result.runs.length} runs ` +
      `(noticed by the agent after a median ${seconds(median(noticed))}, reported a median ${median(reported).toFixed(0)} ms later) ` +
      `(interval ${result.intervalSeconds} s, ${result.scanners} scanners; one du of the volume: ${seconds(result.volumeScanMs)}; goal under ${seconds(goalDetectionMs)}; ` +
      `Mesos: up to ${mesosWatchIntervalSeconds} s plus one scan per container in series, here ${seconds(result.serialScanMs)})\n`,
  );
  const file = join(directory, 'disk-quota-detection.json');
  const record = {
    benchmark: 'disk-quota-detection',
    date: new Date().toISOString(),
    node: process.version,
    volume_files: result.volumeFiles,
    volume_mb: result.volumeMb,
    volume_used_bytes: result.volumeUsedBytes,
    other_containers: result.otherContainers,
    other_files_each: result.otherFiles,
    others_measured: result.othersMeasured,
    interval_seconds: result.intervalSeconds,
    scanners: result.scanners,
    median_after_write_ms: median(afterWrite),
    max_after_write_ms: Math.max(...afterWrite),
    median_noticed_ms: median(noticed),
    median_reported_ms: median(reported),
    goal_ms: goalDetectionMs,
    anchor_volume_scan_ms: result.volumeScanMs,
    anchor_serial_scans_ms: result.serialScanMs,
    anchor_mesos_interval_seconds: mesosWatchIntervalSeconds,
    setup_seconds: result.setupSeconds,
    runs: result.runs.map((run) => ({
      after_write_ms: run.afterWriteMs,
      from_write_start_ms: run.fromWriteStartMs,
      write_ms: run.writeMs,
      noticed_ms: run.noticedMs,
      reported_ms: run.reportedMs,
      written_mb: run.writtenMb,
      sleep_before_write_ms: run.sleepBeforeWriteMs,
      message: run.message,
    })),
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}

/** A new leading master and N agents of 10 tasks re-registering with it (failover-reregistration.ts), a child process per count. */
function runFailoverReregistrationBench(directory: string, counts: readonly number[]): void {
  const results = counts.map((agents) => {
    process.stdout.write(`Fail-over re-registration: ${agents} agents of 10 running tasks re-registering with a new leader (harness)\n`);
    const result = runInChild(['failover-reregistration', String(agents)]) as unknown as FailoverReregistrationResult;
    process.stdout.write(`${describeFailoverReregistration(result)}\n`);
    return result;
  });
  const file = join(directory, 'failover-reregistration.json');
  const record = {
    benchmark: 'failover-reregistration',
    date: new Date().toISOString(),
    node: process.version,
    anchor_mesos_seconds_at_40000_agents: mesosReregistrationSecondsAt40k,
    goal_seconds: goalReregistrationSeconds,
    results: results.map((result) => ({
      agents: result.agents,
      tasks_per_agent: result.tasksPerAgent,
      frameworks: result.frameworks,
      seconds: result.seconds,
      cpu_seconds: result.cpuSeconds,
      master_step_seconds: result.masterStepSeconds,
      creation_seconds: result.creationSeconds,
      milestones_seconds: result.milestonesSeconds,
      link_decode_seconds_apart: result.decodeSeconds,
      heap_used_mb: result.heapUsedMb,
    })),
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}

/** Three real masters and ZooKeeper; the leader SIGKILLed, the time until another leads (leader-election.ts), beside the session timeout. */
async function runLeaderElectionBench(directory: string): Promise<void> {
  process.stdout.write(`Leader election: three masters with --zk, --zk_session_timeout=${sessionTimeoutSeconds}secs; the leader SIGKILLed, ${leaderElectionRuns} times\n`);
  const result = await runLeaderElection({ progress: (line) => process.stdout.write(`${line}\n`) });
  const summary = summarizeLeaderElection(result);
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(
    `Leader election, SIGKILL of the leader to another master's 200: median ${seconds(summary.medianMs)}, max ${seconds(summary.maxMs)} over ${result.runs.length} runs ` +
      `(the dead leader's session expired after a median ${seconds(summary.medianExpiredMs)}, the new leader answered a median ${summary.medianAfterExpiryMs.toFixed(0)} ms later; ` +
      `anchor: the session timeout, ${result.sessionTimeoutSeconds} s, before which no new leader can come)\n`,
  );
  const file = join(directory, 'leader-election.json');
  const record = {
    benchmark: 'leader-election',
    date: new Date().toISOString(),
    node: process.version,
    masters: 3,
    anchor_session_timeout_seconds: result.sessionTimeoutSeconds,
    median_elected_ms: summary.medianMs,
    max_elected_ms: summary.maxMs,
    median_session_expired_ms: summary.medianExpiredMs,
    median_after_expiry_ms: summary.medianAfterExpiryMs,
    runs: result.runs.map((run) => ({ elected_ms: run.electedMs, session_expired_ms: run.sessionExpiredMs, after_expiry_ms: run.afterExpiryMs })),
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}

/** N admit_agent to ZooKeeper pipelined and to SQLite, and a new leader's open of the registry (registry-recovery.ts), beside the fail-over goal. */
async function runRegistryRecoveryBench(directory: string, counts: readonly number[]): Promise<void> {
  process.stdout.write(`Registry recovery: ${counts.join(' and ')} admit_agent to ZooKeeper pipelined (and to SQLite), then a new leader's open of the registry, ${registryOpens} times\n`);
  const result = await runRegistryRecovery({ counts, progress: (line) => process.stdout.write(`${line}\n`) });
  // Read after the run: in a run of every benchmark, failover-reregistration has just written it.
  const harness = harnessReregistration(directory);
  process.stdout.write(describeRegistryRecovery(result, harness));
  const file = join(directory, 'registry-recovery.json');
  writeFileSync(file, `${JSON.stringify(registryRecoveryRecord(result, harness), null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}

/** Benchmarks run by name; without one, all of them run. */
const benchmarkNames = [
  'launch-rate',
  'create-latency',
  'allocation-with-volumes',
  'cpu-shares',
  'disk-quota-detection',
  'failover-reregistration',
  'leader-election',
  'registry-recovery',
] as const;
type BenchmarkName = (typeof benchmarkNames)[number];

function isBenchmarkName(arg: string): arg is BenchmarkName {
  return (benchmarkNames as readonly string[]).includes(arg);
}

/** In a child process: one shape of DeclineOffers, or of allocation-with-volumes (both clusters), or one agent count of failover-reregistration; prints its record. */
function runChild(shapeArg: string | undefined, benchmark: BenchmarkName | undefined, full: boolean): void {
  if (benchmark === 'failover-reregistration') {
    const agents = Number(agentCountArg());
    if (!Number.isInteger(agents) || agents <= 0) throw new Error('bench: no agent count for failover-reregistration');
    process.stdout.write(`${recordPrefix}${JSON.stringify(runFailoverReregistration(agents))}\n`);
    return;
  }
  const shape = shapes.find((candidate) => shapeName(candidate) === shapeArg);
  if (shape === undefined) throw new Error(`bench: no shape ${String(shapeArg)}`);
  const rounds = full ? Number.MAX_SAFE_INTEGER : shape.rounds;
  const record =
    benchmark === 'allocation-with-volumes'
      ? runAllocationWithVolumes(shape.agents, shape.frameworks, rounds)
      : report(runDeclineOffers(shape.agents, shape.frameworks, rounds));
  process.stdout.write(`${recordPrefix}${JSON.stringify(record)}\n`);
}

/** A plain number among the arguments: failover-reregistration's or registry-recovery's agent count. */
function agentCountArg(): string | undefined {
  return process.argv.slice(2).find((arg) => /^\d+$/.test(arg));
}

async function main(): Promise<void> {
  const full = process.argv.includes('--full');
  const shapeArg = process.argv.find((arg) => /^\d+x\d+$/.test(arg));
  const benchmark = process.argv.find(isBenchmarkName);
  if (process.argv.includes('--child')) {
    runChild(shapeArg, benchmark, full);
    return;
  }
  const selected = shapes.filter((shape) => shapeArg === undefined || shapeArg === shapeName(shape));
  if (selected.length === 0) throw new Error(`bench: no shape ${String(shapeArg)}`);
  process.stdout.write(`node ${process.version}, ${new Date().toISOString()}${full ? ', full procedure' : ''}\n`);
  const directory = join(import.meta.dirname, '..', '..', 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  if (benchmark === undefined) {
    const results = selected.map((shape) => runInChild([shapeName(shape), ...(full ? ['--full'] : [])]));
    const file = join(directory, 'decline-offers.json');
    writeFileSync(file, `${JSON.stringify({ benchmark: 'DeclineOffers', date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
  }
  // A shape alone runs only DeclineOffers at that shape.
  const all = benchmark === undefined && shapeArg === undefined;
  if (all || benchmark === 'launch-rate') await runLaunchRateBench(directory);
  if (all || benchmark === 'create-latency') await runCreateLatencyBench(directory);
  if (all || benchmark === 'allocation-with-volumes') runAllocationWithVolumesBench(directory, shapeArg === undefined ? volumeShapes : selected, full);
  if (all || benchmark === 'cpu-shares') await runCpuSharesBench(directory);
  if (all || benchmark === 'disk-quota-detection') await runDiskQuotaDetectionBench(directory);
  if (all || benchmark === 'failover-reregistration') {
    const count = agentCountArg();
    runFailoverReregistrationBench(directory, count === undefined ? failoverAgentCounts : [Number(count)]);
  }
  if (all || benchmark === 'leader-election') await runLeaderElectionBench(directory);
  if (all || benchmark === 'registry-recovery') {
    const count = agentCountArg();
    await runRegistryRecoveryBench(directory, count === undefined ? registryRecoveryAgentCounts : [Number(count)]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
