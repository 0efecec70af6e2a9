/**
 * Disk quota detection (issue 5): how long after a task writes past its
 * volume's quota the framework learns it failed, for a volume of 100,000
 * files while 20 other containers are measured; goal under 2 s. Mesos
 * measures one path at a time, every 15 s by default: up to 15 s plus one
 * scan of every container, in series.
 *
 * Method: a real master and a real agent (the built CLI), their work
 * directories under a temporary directory in os.tmpdir(); the agent with
 * `--isolation=filesystem/linux,disk/du --enforce_container_disk_quota
 * --container_disk_watch_interval=1secs --container_disk_scanners=4` and a
 * static reservation of disk for role `bench`. A framework of that role
 * (checkpointing, MULTI_ROLE and RESERVATION_REFINEMENT) accepts its first
 * offer with one CREATE of a persistent volume and one LAUNCH of 21 tasks:
 *
 *   - `fill`, using the volume, makes 100,000 empty files in it (four
 *     directories of 25,000, four shell loops at once) and ends. The files
 *     are written by a task rather than by this process straight into the
 *     volume's directory on the agent: that is how a framework fills a
 *     volume, through the container's mount of it, and the benchmark needs
 *     no knowledge of the agent's layout to set it up (it reads the volume's
 *     directory, `<work_dir>/volumes/roles/bench/<id>`, for the anchor and
 *     between runs only);
 *   - 20 `other-N` tasks, each with 64 MB of unreserved disk, make 2,000
 *     such files in their sandboxes and sleep: 20 more paths the agent's
 *     scanners measure every interval, 40,000 files between them.
 *
 * The files are empty: a scan's cost is one stat per file whatever its size
 * (du adds up st_blocks, it reads no data), while 200,000 files of a few
 * bytes would each take a 4 KiB block, 800 MB to write back, which on the
 * virtual disk this was written on made the set-up and the removal of the
 * work directory take most of a minute (20 s for the removal alone). Making
 * files is this benchmark's slowest part (tens of microseconds of kernel
 * time each, more on a busy machine or just after many were deleted), hence
 * 2,000 per other container rather than more.
 *
 * The volume is 16 MB; its files' directories take about 3 MB of it. Once it
 * is full and the others have made theirs, each run launches one task
 * `measured-K` with the volume that sleeps, records `date +%s.%N` in the
 * volume, writes with dd what the volume lacks to pass its quota plus 1 MB
 * (from the usage du finds there: about 14 MB), records `date +%s.%N` again,
 * then sleeps.
 * The sleep before the write is 1 s plus K steps of (interval + one scan of
 * the volume) / runs, so that the runs' writes fall at phases spread over one
 * scan cycle. Between runs this process deletes what the run wrote.
 *
 * What is measured, per run: from the second timestamp (the write is done,
 * the volume is past its quota) to the arrival of the task's TASK_FAILED
 * (REASON_CONTAINER_LIMITATION_DISK, SOURCE_AGENT) on the framework's event
 * stream, both on this machine's wall clock. That is the rest of a scan
 * of the volume under way at the write (which may have passed the file's
 * directory entry already, and then misses it), the wait until the next scan
 * starts (one interval after the previous scan's result, plus any wait for a
 * free scanner behind the other containers' scans) and that scan: at worst
 * about one interval plus two scans. Then the agent's limitation: the
 * container is destroyed (its processes killed and reaped), TASK_FAILED is
 * journaled and sent through the master to the framework. The split is read from the
 * agent's log (`passed a limit`, ms): write done -> limitation noticed, and
 * limitation noticed -> TASK_FAILED at the framework. Also reported: the
 * interval from the first timestamp (before the write; adds the write's own
 * few milliseconds).
 *
 * The anchors, measured in the same run once everything is written, while
 * the agent keeps scanning: one `du -k -s -x` of the volume (the cost of the
 * scan that must see the write; median of 3), and one scan of each of the 21
 * paths in series (what Mesos adds to its 15 s).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrameworkInfo, OfferOperation } from '../src/protocol/mesos.js';
import type { WireOffer } from '../src/protocol/outputs.js';
import { createHttpTransport, subscribe, type SchedulerSession } from '../src/sdk/index.js';
import { startMasterAndAgent, stopBerthProcesses, type Started } from './launch-rate.js';
import { agentExecutor, median, monitorStatistics, offerWith, scalar, TaskWatch, type Arrival } from './task-watch.js';

/** The goal, ms. */
export const goalDetectionMs = 2_000;
/** Mesos' default --container_disk_watch_interval, seconds. */
export const mesosWatchIntervalSeconds = 15;

const role = 'bench';
const principal = 'bench-operator';
const volumeId = 'pv-files';
const containerPath = 'volume';
const volumeFiles = 100_000;
/** The fill task's shell loops, each writing volumeFiles / fillLoops files into a directory of its own. */
const fillLoops = 4;
const otherContainers = 20;
const otherFiles = 2_000;
const otherDiskMb = 64;
const intervalSeconds = 1;
const scanners = 4;
const runs = 5;
/** The first run's sleep before its write: the volume's first scan (at the container's start) is done. */
const firstWriteDelayMs = 1_000;
/** The volume's size: its empty files take only their directories' blocks (about 3 MB). */
const volumeMb = 16;
/** Written past the quota. */
const overshootMb = 1;
/** Longest the fill and the others' writes may take. */
const setupTimeoutMs = 120_000;
const mebibyte = 1024 * 1024;

export interface DetectionRun {
  /** Write done -> TASK_FAILED at the framework (the figure). */
  readonly afterWriteMs: number;
  /** Before the write -> TASK_FAILED at the framework. */
  readonly fromWriteStartMs: number;
  /** The write's own time (between the task's two timestamps). */
  readonly writeMs: number;
  /** Write done -> the agent logs the limitation (its log's ms resolution). */
  readonly noticedMs: number;
  /** The agent logs the limitation -> TASK_FAILED at the framework. */
  readonly reportedMs: number;
  readonly writtenMb: number;
  readonly sleepBeforeWriteMs: number;
  readonly message: string;
}

export interface DiskQuotaDetectionResult {
  readonly volumeFiles: number;
  readonly volumeMb: number;
  /** What du found in the volume once filled. */
  readonly volumeUsedBytes: number;
  readonly otherContainers: number;
  readonly otherFiles: number;
  /** Of the other containers, how many /monitor/statistics showed measured. */
  readonly othersMeasured: number;
  readonly intervalSeconds: number;
  readonly scanners: number;
  readonly runs: readonly DetectionRun[];
  /** One du of the volume, ms (median of 3). */
  readonly volumeScanMs: number;
  /** One du of each of the 21 paths, one after another, ms. */
  readonly serialScanMs: number;
  /** Fill and the others' files, from the ACCEPT to all written, s. */
  readonly setupSeconds: number;
}

export interface DiskQuotaDetectionOptions {
  readonly progress: (line: string) => void;
}

function frameworkInfo(): FrameworkInfo {
  return {
    user: 'root',
    name: 'bench-disk-quota-detection',
    roles: [role],
    principal,
    checkpoint: true,
    capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }],
  } as FrameworkInfo;
}

function reservedDisk(megabytes: number): Record<string, unknown> {
  return { ...scalar('disk', megabytes), reservations: [{ type: 'STATIC', role }] };
}

function volume(megabytes: number): Record<string, unknown> {
  return { ...reservedDisk(megabytes), disk: { persistence: { id: volumeId, principal }, volume: { container_path: containerPath, mode: 'RW' } } };
}

function task(agentId: string, taskId: string, command: string, resources: readonly Record<string, unknown>[]): Record<string, unknown> {
  return { name: taskId, task_id: { value: taskId }, agent_id: { value: agentId }, command: { value: command }, resources };
}

/** A dash loop making `count` empty files, f0 .. f<count-1>, in the current directory. */
function writeFiles(count: number): string {
  return `i=0; while [ $i -lt ${count} ]; do : > f$i; i=$((i+1)); done`;
}

function fillCommand(): string {
  const loops = Array.from({ length: fillLoops }, (_, loop) => `(mkdir -p ${containerPath}/files${loop} && cd ${containerPath}/files${loop} && ${writeFiles(volumeFiles / fillLoops)}) &`);
  return `${loops.join(' ')} wait`;
}

function otherCommand(): string {
  return `mkdir files && cd files && ${writeFiles(otherFiles)} && touch ../written && exec sleep 3600`;
}

function measuredCommand(sleepMs: number, megabytes: number): string {
  return (
    `sleep ${(sleepMs / 1000).toFixed(3)}; date +%s.%N > ${containerPath}/before; ` +
    `dd if=/dev/zero of=${containerPath}/over bs=1048576 count=${megabytes} 2>/dev/null; ` +
    `date +%s.%N > ${containerPath}/after; exec sleep 3600`
  );
}

function holdsVolume(offer: WireOffer): boolean {
  return (offer.resources as unknown as { name: string; disk?: { persistence?: { id: string } } }[]).some(
    (resource) => resource.name === 'disk' && resource.disk?.persistence?.id === volumeId,
  );
}

function holdsReservedDisk(offer: WireOffer): boolean {
  return (offer.resources as unknown as { name: string; reservations?: { role?: string }[] }[]).some(
    (resource) => resource.name === 'disk' && (resource.reservations ?? []).some((reservation) => reservation.role === role),
  );
}

/** One `du -k -s -x` of `path` as the agent's scanner runs it: the KiB it prints and the ms it took. */
function du(path: string): { bytes: number; ms: number } {
  const startMs = performance.now();
  const answer = spawnSync('du', ['-k', '-s', '-x', path], { encoding: 'utf8' });
  const ms = performance.now() - startMs;
  const kibibytes = /^(\d+)\s/.exec(answer.stdout)?.[1];
  if (kibibytes === undefined) throw new Error(`du ${path} failed: ${answer.stderr}`);
  return { bytes: Number(kibibytes) * 1024, ms };
}

/** A `date +%s.%N` a task wrote, as ms since the epoch. */
function taskTimestampMs(path: string): number {
  if (!existsSync(path)) throw new Error(`the task wrote no ${path}: it was stopped before its write was done`);
  const seconds = Number(readFileSync(path, 'utf8').trim());
  if (!Number.isFinite(seconds)) throw new Error(`${path} holds no time`);
  return seconds * 1000;
}

/** When the agent logged that the executor's container passed a limit (pino's `time`, ms). */
function limitLoggedAtMs(agentLog: string, executorId: string): number {
  const marker = `of executor ${executorId} passed a limit`;
  for (const line of readFileSync(agentLog, 'utf8').split('\n')) {
    if (!line.includes(marker)) continue;
    const record = JSON.parse(line) as { time?: number };
    if (record.time !== undefined) return record.time;
  }
  throw new Error(`the agent's log has no time of '${marker}'`);
}

async function untilExists(paths: readonly string[], timeoutMs: number): Promise<void> {
  const deadlineMs = performance.now() + timeoutMs;
  while (!paths.every((path) => existsSync(path))) {
    if (performance.now() > deadlineMs) throw new Error(`${paths.filter((path) => !existsSync(path)).length} of ${paths.length} tasks did not write their files within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh directory under os.tmpdir() for one run; the caller removes it, also on failure. */
export function diskQuotaDetectionRoot(): string {
  return mkdtempSync(join(tmpdir(), 'berth-bench-disk-quota-detection-'));
}

export async function runDiskQuotaDetection(root: string, options: DiskQuotaDetectionOptions): Promise<DiskQuotaDetectionResult> {
  const processes: Started[] = [];
  const transport = createHttpTransport();
  let session: SchedulerSession | undefined;
  try {
    const { master, agent } = await startMasterAndAgent(root, processes, ['--allocation_interval=50ms'], [
      `--resources=cpus:16;mem:8192;disk:${otherContainers * otherDiskMb + 256};disk(${role}):${volumeMb}`,
      '--isolation=filesystem/linux,disk/du',
      '--enforce_container_disk_quota',
      `--container_disk_watch_interval=${intervalSeconds}secs`,
      `--container_disk_scanners=${scanners}`,
    ]);
    session = await subscribe({ master: master.url, frameworkInfo: frameworkInfo(), transport });
    const watch = new TaskWatch(session);
    const frameworkId = session.frameworkId;

    // The volume, its 100,000 files, and the 20 other containers.
    const first = await offerWith(session, holdsReservedDisk);
    const agentId = first.agent_id.value;
    const small = [scalar('cpus', 0.1), scalar('mem', 32)];
    const others = Array.from({ length: otherContainers }, (_, index) => `other-${index}`);
    const setupStartMs = performance.now();
    const accepted = await session.accept(
      [first.id],
      [
        { type: 'CREATE', create: { volumes: [volume(volumeMb)] } },
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [
              task(agentId, 'fill', fillCommand(), [...small, volume(volumeMb)]),
              ...others.map((id) => task(agentId, id, otherCommand(), [...small, scalar('disk', otherDiskMb)])),
            ],
          },
        },
      ] as unknown as OfferOperation[],
      { refuse_seconds: 0 },
    );
    if (accepted.status !== 202) throw new Error(`ACCEPT answered ${accepted.status}: ${accepted.body}`);
    options.progress(`  volume of ${volumeMb} MB created; filling it with ${volumeFiles} files while ${otherContainers} other tasks write ${otherFiles} files each`);
    await Promise.all(others.map((id) => watch.until(id, 'TASK_RUNNING')));
    const sandboxes = await Promise.all(others.map(async (id) => (await agentExecutor(agent.url, frameworkId, id)).directory));
    await watch.until('fill', 'TASK_FINISHED', setupTimeoutMs);
    await untilExists(
      sandboxes.map((sandbox) => join(sandbox, 'written')),
      setupTimeoutMs,
    );
    const setupSeconds = (performance.now() - setupStartMs) / 1000;
    const volumeDirectory = join(agent.workDir, 'volumes', 'roles', role, volumeId);
    options.progress(`  written after ${setupSeconds.toFixed(1)} s`);

    // The anchors, and that the others are measured.
    const scans = [du(volumeDirectory), du(volumeDirectory), du(volumeDirectory)];
    const volumeUsedBytes = scans[0]?.bytes ?? 0;
    if (volumeUsedBytes >= volumeMb * mebibyte) throw new Error(`the volume's files take ${volumeUsedBytes} bytes, not less than its ${volumeMb} MB`);
    const volumeScanMs = median(scans.map((scan) => scan.ms));
    const serialStartMs = performance.now();
    for (const path of [volumeDirectory, ...sandboxes]) du(path);
    const serialScanMs = performance.now() - serialStartMs;
    const statistics = await monitorStatistics(agent.url);
    const othersMeasured = statistics.filter((entry) => others.includes(entry.executor_id) && (entry.statistics.disk_used_bytes ?? 0) > 0).length;
    options.progress(
      `  one du of the volume (${(volumeUsedBytes / mebibyte).toFixed(1)} MB in use): ${volumeScanMs.toFixed(0)} ms; ` +
        `all 21 paths in series: ${serialScanMs.toFixed(0)} ms; ${othersMeasured} of ${otherContainers} others measured`,
    );

    // The runs.
    const cycleMs = intervalSeconds * 1000 + volumeScanMs;
    const results: DetectionRun[] = [];
    for (let run = 0; run < runs; run++) {
      for (const name of ['over', 'before', 'after']) rmSync(join(volumeDirectory, name), { force: true });
      const usedBytes = du(volumeDirectory).bytes;
      const writtenMb = Math.ceil((volumeMb * mebibyte - usedBytes) / mebibyte) + overshootMb;
      const sleepBeforeWriteMs = firstWriteDelayMs + (run * cycleMs) / runs;
      const taskId = `measured-${run}`;
      const offer = await offerWith(session, holdsVolume);
      const answer = await session.accept(
        [offer.id],
        [{ type: 'LAUNCH', launch: { task_infos: [task(agentId, taskId, measuredCommand(sleepBeforeWriteMs, writtenMb), [...small, volume(volumeMb)])] } }] as unknown as OfferOperation[],
        { refuse_seconds: 0 },
      );
      if (answer.status !== 202) throw new Error(`ACCEPT answered ${answer.status}: ${answer.body}`);
      const failed: Arrival = await watch.until(taskId, 'TASK_FAILED');
      if (failed.status.reason !== 'REASON_CONTAINER_LIMITATION_DISK' || failed.status.source !== 'SOURCE_AGENT') {
        throw new Error(`${taskId} failed with ${failed.status.source ?? ''} ${failed.status.reason ?? ''}: ${failed.status.message ?? ''}`);
      }
      const beforeMs = taskTimestampMs(join(volumeDirectory, 'before'));
      const afterMs = taskTimestampMs(join(volumeDirectory, 'after'));
      const loggedMs = limitLoggedAtMs(join(agent.workDir, 'agent.log'), taskId);
      const result: DetectionRun = {
        afterWriteMs: failed.atMs - afterMs,
        fromWriteStartMs: failed.atMs - beforeMs,
        writeMs: afterMs - beforeMs,
        noticedMs: loggedMs - afterMs,
        reportedMs: failed.atMs - loggedMs,
        writtenMb,
        sleepBeforeWriteMs,
        message: failed.status.message ?? '',
      };
      results.push(result);
      options.progress(
        `  run ${run + 1} of ${runs}: ${writtenMb} MB written in ${result.writeMs.toFixed(0)} ms; TASK_FAILED ${result.afterWriteMs.toFixed(0)} ms after the write ` +
          `(noticed after ${result.noticedMs.toFixed(0)} ms, reported ${result.reportedMs.toFixed(0)} ms later): ${result.message}`,
      );
    }
    for (const name of ['over', 'before', 'after']) rmSync(join(volumeDirectory, name), { force: true });
    return {
      volumeFiles,
      volumeMb,
      volumeUsedBytes,
      otherContainers,
      otherFiles,
      othersMeasured,
      intervalSeconds,
      scanners,
      runs: results,
      volumeScanMs,
      serialScanMs,
      setupSeconds,
    };
  } finally {
    if (session !== undefined) await session.close();
    await transport.close();
    await stopBerthProcesses(processes);
  }
}
