/**
 * `npm run bench`: the allocator benchmark in the shape of Mesos' DeclineOffers
 * at 1k agents x 100 frameworks, 10k x 1k and 20k x 2k, then the launch rate
 * (launch-rate.ts). Prints the first and the median allocation cycle beside
 * Mesos' figure and writes them to bench/results/decline-offers.json; prints
 * the median launch rate beside Mesos 1.7's and writes
 * bench/results/launch-rate.json. `10000x1000` or `launch-rate` runs one.
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
import { runDeclineOffers, type DeclineOffersResult } from './decline-offers.js';
import { goalLaunchesPerSecond, launchRateRoot, mesosLaunchesPerSecond, runLaunchRate, type LaunchRateResult } from './launch-rate.js';

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

/**
 * Each shape runs in a process of its own (same Node flags), so that one
 * shape's garbage is never collected inside the next shape's timed cycles.
 */
function runInChild(shape: Shape, full: boolean): Record<string, unknown> {
  const script = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, script, `${shape.agents}x${shape.frameworks}`, '--child', ...(full ? ['--full'] : [])];
  const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 24 });
  const lines = (child.stdout ?? '').split('\n');
  for (const line of lines) if (line !== '' && !line.startsWith(recordPrefix)) process.stdout.write(`${line}\n`);
  const record = lines.find((line) => line.startsWith(recordPrefix));
  if (child.status !== 0 || record === undefined) throw new Error(`bench: shape ${shape.agents}x${shape.frameworks} failed (exit ${String(child.status)})`);
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

async function main(): Promise<void> {
  const full = process.argv.includes('--full');
  const only = process.argv.find((arg) => /^\d+x\d+$/.test(arg) || arg === 'launch-rate');
  const selected = shapes.filter((shape) => only === undefined || only === `${shape.agents}x${shape.frameworks}`);
  if (process.argv.includes('--child')) {
    for (const shape of selected) {
      const record = report(runDeclineOffers(shape.agents, shape.frameworks, full ? Number.MAX_SAFE_INTEGER : shape.rounds));
      process.stdout.write(`${recordPrefix}${JSON.stringify(record)}\n`);
    }
    return;
  }
  process.stdout.write(`node ${process.version}, ${new Date().toISOString()}${full ? ', full procedure' : ''}\n`);
  const directory = join(import.meta.dirname, '..', '..', 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  if (selected.length > 0) {
    const results = selected.map((shape) => runInChild(shape, full));
    const file = join(directory, 'decline-offers.json');
    writeFileSync(file, `${JSON.stringify({ benchmark: 'DeclineOffers', date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
  }
  if (only === undefined || only === 'launch-rate') await runLaunchRateBench(directory);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
