/**
 * CREATE latency (issue 4): how long a framework waits for a persistent volume
 * to exist, one CREATE per ACCEPT, over 1,000 volumes; p50 and p99 beside one
 * fsync's latency measured in the same run on the same file system (goal:
 * p99 under 5 ms).
 *
 * Method: a real master (`--allocation_interval=10ms`) and a real agent
 * (`cpus:2;mem:1024;disk:4096`), the built CLI, their work directories under
 * a temporary directory in os.tmpdir() that the caller removes. A framework of
 * role `bench` (principal `bench-operator`) reserves 2000 MB of disk once,
 * then, for each volume, takes the next offer, accepts it with one CREATE of a
 * 1 MB volume with an operation id, and acknowledges the operation's status.
 * It declines what it leaves of the offer for a while (refuse_seconds 60) and
 * REVIVEs once it wants the next offer, as a framework does that waits for an
 * operation's outcome: an offer of every volume (hundreds of kilobytes of
 * JSON, built by the master and parsed by the framework) does not land in the
 * middle of the CREATE being measured. The new volume itself comes back at
 * once, unfiltered (spec/storage.md 2.0.6), in an offer of its own.
 *
 * What is measured, per volume, as the issue defines it: from just before the
 * ACCEPT is posted to the moment the agent's journal record of the CREATE is
 * durable, which the agent logs (`durable_at_ms`); and, beside it, to the
 * arrival of its UPDATE_OPERATION_STATUS OPERATION_FINISHED event. That spans
 * the ACCEPT over HTTP, the master's validation and its APPLY_OPERATION on the
 * agent link (the operation's conversions, not the agent's whole set), the
 * agent's commit and its OPERATION_STATUS back, and the event on the
 * framework's stream. The agent reports only once the commit is durable
 * (src/agent/core/operations.ts conversionOf -> commit_resources effect;
 * src/agent/shell/runtime.ts commitResources -> ResourceJournal.commit,
 * src/agent/volumes/resource-journal.ts: the volume's directory made, one
 * record written, the directory's parent fsynced and the record fdatasynced,
 * synchronously; only then does
 * resources_committed reach the core, whose onResourcesCommitted sends the
 * report). The record holds the operation's checkpointed part and the report
 * kept until acknowledged, so its size does not grow with the number of
 * volumes; the journal is rewritten from a snapshot, off the reporting path,
 * once it has doubled.
 *
 * Not measured: the wait for the next offer, and the acknowledgement, whose
 * own commit on the agent (a record forgetting the report) is awaited before
 * the next ACCEPT: a framework that accepted again at once would find the
 * agent still busy with it.
 *
 * Also reported, to split the figure: the agent's part, replayed in this
 * process on the same states (1 MB more of reserved disk becoming one more
 * volume, with the report kept) in a scratch work directory on the same file
 * system: taking the operation's conversion (parsing it, checking the total
 * holds what it consumes, applying it, as conversionOf does), and the
 * journal's commit.
 *
 * The anchors: 200 bytes written to a temporary file, fsynced, and renamed
 * over a file in the agent's work directory, 1,000 times; and the message
 * floor (message-floor.ts), the same path's processes, hops and one
 * fdatasync with no work on it, 1,000 times, in the same directory.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourcesJournalPath } from '../src/agent/paths.js';
import { ResourceJournal } from '../src/agent/volumes/resource-journal.js';
import type { OperationStatusMessage } from '../src/protocol/internal.js';
import type { FrameworkInfo, OfferOperation } from '../src/protocol/mesos.js';
import type { WireOffer, WireOperationStatus } from '../src/protocol/outputs.js';
import { applyCheckpointedResources, fromWireList, needsCheckpointing, Resources, type WireResourceInput } from '../src/resources/index.js';
import { calls, createHttpTransport, subscribe, type SchedulerSession } from '../src/sdk/index.js';
import { startMasterAndAgent, stopBerthProcesses, type Started } from './launch-rate.js';
import { measureMessageFloor } from './message-floor.js';

/** The goal for the p99. */
export const goalCreateP99Ms = 5;

const role = 'bench';
const principal = 'bench-operator';
/** Disk reserved once; each volume takes 1 MB of it. */
const reservedDiskMb = 2000;
const volumeMb = 1;
const agentResources = 'cpus:2;mem:1024;disk:4096';
/** Longest wait for any one offer or status update: a stuck run fails instead of hanging. */
const eventTimeoutMs = 20_000;
/** How long what a CREATE leaves of its offer is declined for; the loop REVIVEs for the next offer. */
const declinedRefuseSeconds = 60;
/** CREATEs between progress lines. */
const progressEvery = 250;
/** Events the session keeps: offers list every volume, so keeping thousands of them would cost hundreds of MB. */
const eventsRetained = 256;

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface CreateLatencyResult {
  readonly volumes: number;
  /** ACCEPT posted -> the agent's journal record of the CREATE durable (the measure), ms. */
  readonly durableMs: Percentiles;
  /** ACCEPT posted -> OPERATION_FINISHED received by the framework, ms. */
  readonly createMs: Percentiles;
  /** ACCEPT posted -> its 202 answer, ms: the master's handling of the call, and the HTTP round trip. */
  readonly acceptMs: Percentiles;
  /** Mean of the first and the last 100 CREATEs: growth with the number of volumes. */
  readonly firstHundredMeanMs: number;
  readonly lastHundredMeanMs: number;
  /** The agent's taking of the operation's conversion, replayed in process, ms. */
  readonly agentTakeMs: Percentiles;
  /** The agent's journal commit, replayed in process, ms. */
  readonly agentCommitMs: Percentiles;
  /** 200 bytes + fsync + rename, ms. */
  readonly fsyncMs: Percentiles;
  /** framework -> relay -> end, one fdatasync, no work (message-floor.ts), ms. */
  readonly floorMs: Percentiles;
  /** Size of the agent's resource journal after the last CREATE. */
  readonly checkpointBytes: number;
  /** Wall time of the CREATE loop, offer waits included. */
  readonly loopSeconds: number;
}

export interface CreateLatencyOptions {
  readonly volumes: number;
  /** A directory under os.tmpdir() (createLatencyRoot) that the caller removes. */
  readonly root: string;
  readonly progress: (line: string) => void;
}

/** A fresh directory under os.tmpdir() for one run; the caller removes it, also on failure. */
export function createLatencyRoot(): string {
  return mkdtempSync(join(tmpdir(), 'berth-bench-create-latency-'));
}

/** Nearest-rank percentiles. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

export async function runCreateLatency(options: CreateLatencyOptions): Promise<CreateLatencyResult> {
  const processes: Started[] = [];
  const transport = createHttpTransport();
  let session: SchedulerSession | undefined;
  try {
    const { master, agent } = await startMasterAndAgent(options.root, processes, ['--allocation_interval=10ms'], [
      `--resources=${agentResources}`,
    ]);
    const fsyncMs = percentiles(measureFsync(join(agent.workDir, 'bench-fsync'), 1_000));
    options.progress(`  fsync anchor (200 bytes + fsync + rename, 1000 times): p50 ${fsyncMs.p50.toFixed(2)} ms, p99 ${fsyncMs.p99.toFixed(2)} ms`);
    const floorMs = percentiles(await measureMessageFloor(join(agent.workDir, 'bench-floor'), 1_000));
    options.progress(`  message floor (three processes, two HTTP hops, one fdatasync, no work; 1000 times): p50 ${floorMs.p50.toFixed(2)} ms, p99 ${floorMs.p99.toFixed(2)} ms`);
    session = await subscribe({ master: master.url, frameworkInfo: frameworkInfo(), transport, eventsRetainedMax: eventsRetained });
    const loopStart = performance.now();
    const { latencies: createMs, acceptMs, acceptedAtMs } = await createVolumes(session, agent.workDir, options);
    const loopSeconds = (performance.now() - loopStart) / 1000;
    const checkpointBytes = statSync(resourcesJournalPath(agent.workDir)).size;
    await session.close();
    session = undefined;
    await stopBerthProcesses(processes.splice(0));
    const durableMs = durableLatencies(join(agent.workDir, 'agent.log'), acceptedAtMs);
    options.progress('  replaying the agent\'s part in process');
    const replay = replayAgent(join(options.root, 'agent-replay'), options.volumes);
    const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    return {
      volumes: options.volumes,
      durableMs: percentiles(durableMs),
      createMs: percentiles(createMs),
      acceptMs: percentiles(acceptMs),
      firstHundredMeanMs: mean(createMs.slice(0, 100)),
      lastHundredMeanMs: mean(createMs.slice(-100)),
      agentTakeMs: percentiles(replay.takeMs),
      agentCommitMs: percentiles(replay.commitMs),
      fsyncMs,
      floorMs,
      checkpointBytes,
      loopSeconds,
    };
  } finally {
    if (session !== undefined) await session.close();
    await transport.close();
    await stopBerthProcesses(processes);
  }
}

function frameworkInfo(): FrameworkInfo {
  return {
    user: 'root',
    name: 'bench-create-latency',
    roles: [role],
    principal,
    checkpoint: true,
    capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }],
  } as FrameworkInfo;
}

function reservedDisk(megabytes: number): WireResourceInput {
  return {
    name: 'disk',
    type: 'SCALAR',
    scalar: { value: megabytes },
    reservations: [{ type: 'DYNAMIC', role, principal }],
  } as WireResourceInput;
}

function volume(id: string): WireResourceInput {
  return { ...reservedDisk(volumeMb), disk: { persistence: { id, principal }, volume: { container_path: 'data', mode: 'RW' } } } as WireResourceInput;
}

function volumeId(index: number): string {
  return `pv-${String(index).padStart(5, '0')}`;
}

function operation(type: 'RESERVE' | 'CREATE', id: string, payload: object): OfferOperation {
  return { type, id: { value: id }, ...payload } as unknown as OfferOperation;
}

interface OfferResource {
  readonly name: string;
  readonly scalar?: { readonly value: number };
  readonly reservations?: readonly { readonly role?: string }[];
  readonly disk?: { readonly persistence?: unknown };
}

/** Reserved disk of the role, not yet a volume, in `offer` (MB). */
function freeReservedDiskMb(offer: WireOffer): number {
  let total = 0;
  for (const resource of offer.resources as unknown as readonly OfferResource[]) {
    const reserved = (resource.reservations ?? []).some((reservation) => reservation.role === role);
    if (resource.name === 'disk' && reserved && resource.disk?.persistence === undefined) total += resource.scalar?.value ?? 0;
  }
  return total;
}

/** The next offer that `holds` accepts; others are declined at once. */
async function nextOffer(session: SchedulerSession, holds: (offer: WireOffer) => boolean): Promise<WireOffer> {
  for (;;) {
    const event = await session.nextEvent('OFFERS', eventTimeoutMs);
    const wanted = event.offers.offers.find(holds);
    const others = event.offers.offers.filter((offer) => offer !== wanted).map((offer) => offer.id);
    if (others.length > 0) await session.decline(others, { refuse_seconds: 0 });
    if (wanted !== undefined) return wanted;
  }
}

interface Arrival {
  readonly atMs: number;
  readonly status: WireOperationStatus;
}

/**
 * Records when each operation's status arrives: a `nextEvent` promise would
 * resolve later than the event, if the ACCEPT's answer came after it.
 */
function watchOperationStatuses(session: SchedulerSession): Map<string, Arrival> {
  const arrivals = new Map<string, Arrival>();
  session.on('UPDATE_OPERATION_STATUS', (event) => {
    const status = event.update_operation_status.status;
    const id = status.operation_id?.value;
    if (id !== undefined) arrivals.set(id, { atMs: performance.now(), status });
  });
  return arrivals;
}

async function statusOf(session: SchedulerSession, arrivals: Map<string, Arrival>, operationId: string): Promise<Arrival> {
  const deadlineMs = performance.now() + eventTimeoutMs;
  for (;;) {
    const arrival = arrivals.get(operationId);
    if (arrival !== undefined) {
      arrivals.delete(operationId);
      return arrival;
    }
    const remainingMs = deadlineMs - performance.now();
    if (remainingMs <= 0) throw new Error(`no status update for operation ${operationId} within ${eventTimeoutMs} ms`);
    await session.nextEvent((event) => event.type === 'UPDATE_OPERATION_STATUS' && event.update_operation_status.status.operation_id?.value === operationId, remainingMs);
  }
}

async function acknowledge(session: SchedulerSession, status: WireOperationStatus): Promise<void> {
  if (status.uuid === undefined || status.operation_id === undefined) throw new Error(`operation status without a uuid: ${JSON.stringify(status)}`);
  const answer = await session.call(calls.acknowledgeOperationStatusCall(status.agent_id, status.operation_id, status.uuid.value));
  if (answer.status !== 202) throw new Error(`ACKNOWLEDGE_OPERATION_STATUS answered ${answer.status}: ${answer.body}`);
}

function expectFinished(arrival: Arrival, operationId: string): void {
  if (arrival.status.state !== 'OPERATION_FINISHED') {
    throw new Error(`operation ${operationId} ended ${arrival.status.state}: ${arrival.status.message ?? ''}`);
  }
}

/**
 * Waits until the agent has journaled the acknowledgement of `statusUuid`:
 * its `forget` record is among the journal's last lines (each line is
 * written whole), or a compaction since left no report in the journal.
 */
async function untilAcknowledgementCommitted(agentWorkDir: string, statusUuid: string): Promise<void> {
  const path = resourcesJournalPath(agentWorkDir);
  const deadlineMs = performance.now() + eventTimeoutMs;
  const forgotten = `"status_uuids":[${JSON.stringify(statusUuid)}]`;
  while (!(journalTail(path).includes(forgotten) || !readFileSync(path, 'utf8').includes(JSON.stringify(statusUuid)))) {
    if (performance.now() > deadlineMs) throw new Error(`the agent did not commit an acknowledgement within ${eventTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The journal's last few kilobytes. */
function journalTail(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 8192);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

interface CreateTimes {
  /** ACCEPT posted -> OPERATION_FINISHED received. */
  readonly latencies: number[];
  /** When each CREATE's ACCEPT was posted, by operation id, on the wall clock (ms, to the microsecond). */
  readonly acceptedAtMs: Map<string, number>;
  /** ACCEPT posted -> its 202 answer (the master handles the call before it answers). */
  readonly acceptMs: number[];
}

/** Reserves the disk, then creates the volumes one ACCEPT each; returns each CREATE's times (ms). */
async function createVolumes(session: SchedulerSession, agentWorkDir: string, options: CreateLatencyOptions): Promise<CreateTimes> {
  const arrivals = watchOperationStatuses(session);
  const first = await nextOffer(session, () => true);
  await session.accept([first.id], [operation('RESERVE', 'reserve', { reserve: { resources: [reservedDisk(reservedDiskMb)] } })], { refuse_seconds: 0 });
  const reserved = await statusOf(session, arrivals, 'reserve');
  expectFinished(reserved, 'reserve');
  await acknowledge(session, reserved.status);
  await untilAcknowledgementCommitted(agentWorkDir, reserved.status.uuid?.value ?? '');
  const latencies: number[] = [];
  const acceptMs: number[] = [];
  const acceptedAtMs = new Map<string, number>();
  const loopStartMs = performance.now();
  for (let index = 0; index < options.volumes; index++) {
    const offer = await nextOffer(session, (candidate) => freeReservedDiskMb(candidate) >= volumeMb);
    const operationId = `create-${index}`;
    const create = operation('CREATE', operationId, { create: { volumes: [volume(volumeId(index))] } });
    const startMs = performance.now();
    acceptedAtMs.set(operationId, performance.timeOrigin + startMs);
    const answer = await session.accept([offer.id], [create], { refuse_seconds: declinedRefuseSeconds });
    const answeredMs = performance.now();
    if (answer.status !== 202) throw new Error(`ACCEPT answered ${answer.status}: ${answer.body}`);
    const arrival = await statusOf(session, arrivals, operationId);
    latencies.push(arrival.atMs - startMs);
    acceptMs.push(answeredMs - startMs);
    expectFinished(arrival, operationId);
    if (!existsSync(join(agentWorkDir, 'volumes', 'roles', role, volumeId(index)))) throw new Error(`volume ${volumeId(index)} reported FINISHED but has no directory`);
    await acknowledge(session, arrival.status);
    await untilAcknowledgementCommitted(agentWorkDir, arrival.status.uuid?.value ?? '');
    await session.revive();
    if ((index + 1) % progressEvery === 0) {
      const block = percentiles(latencies.slice(-progressEvery));
      options.progress(`  ${index + 1} volumes created after ${((performance.now() - loopStartMs) / 1000).toFixed(1)} s; the last ${progressEvery}: p50 ${block.p50.toFixed(1)} ms, p99 ${block.p99.toFixed(1)} ms`);
    }
  }
  return { latencies, acceptMs, acceptedAtMs };
}

/**
 * ACCEPT posted -> durable, per CREATE: the agent logs the moment each
 * operation's journal record is durable (`durable_at_ms`, wall clock to the
 * microsecond, src/agent/shell/runtime.ts commitResources); both processes
 * read the same clock.
 */
function durableLatencies(agentLog: string, acceptedAtMs: ReadonlyMap<string, number>): number[] {
  const latencies: number[] = [];
  for (const line of readFileSync(agentLog, 'utf8').split('\n')) {
    if (!line.includes('"durable_at_ms"')) continue;
    const record = JSON.parse(line) as { operation_id?: string; durable_at_ms?: number };
    const acceptedAt = record.operation_id === undefined ? undefined : acceptedAtMs.get(record.operation_id);
    if (acceptedAt !== undefined && record.durable_at_ms !== undefined) latencies.push(record.durable_at_ms - acceptedAt);
  }
  if (latencies.length !== acceptedAtMs.size) throw new Error(`the agent's log has ${latencies.length} durable CREATEs of ${acceptedAtMs.size}`);
  return latencies;
}

/** 200 bytes to a temporary file, fsync, rename over `<directory>/anchor`; each one's ms. */
export function measureFsync(directory: string, count: number): number[] {
  mkdirSync(directory, { recursive: true });
  const data = Buffer.alloc(200, 'x');
  const temporary = join(directory, '.anchor.tmp');
  const target = join(directory, 'anchor');
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const startMs = performance.now();
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, target);
    times.push(performance.now() - startMs);
  }
  rmSync(directory, { recursive: true, force: true });
  return times;
}

function resourcesOf(wire: readonly WireResourceInput[]): Resources {
  const parsed = fromWireList(wire);
  if (!parsed.ok) throw new Error(parsed.error);
  return Resources.of(parsed.value);
}

/** The agent's part of each CREATE, replayed in process (ms per CREATE). */
interface AgentReplay {
  /** Taking the APPLY_OPERATION's conversion into the agent's model. */
  readonly takeMs: number[];
  /** The journal's commit, until durable. */
  readonly commitMs: number[];
}

/**
 * The agent's part of the run's CREATEs, in process: before CREATE k the
 * journal holds the reservation's remainder and k volumes (the acknowledged
 * report forgotten); the CREATE takes 1 MB of the reservation for one more
 * volume and keeps its report. Timed apart: what the agent does with the
 * message's conversion (parse it, check the total holds what it consumes,
 * apply it to the total and to the checkpointed resources, as
 * src/agent/core/operations.ts conversionOf does), and the journal's commit.
 */
function replayAgent(workDir: string, count: number): AgentReplay {
  mkdirSync(workDir, { recursive: true });
  const declared = resourcesOf([
    { name: 'cpus', type: 'SCALAR', scalar: { value: 2 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 1024 } },
    { name: 'disk', type: 'SCALAR', scalar: { value: 4096 } },
  ] as WireResourceInput[]);
  const replay: AgentReplay = { takeMs: [], commitMs: [] };
  const opened = ResourceJournal.open(workDir);
  if (!opened.ok) throw new Error(opened.error);
  const journal = opened.value.journal;
  try {
    const reserved = journal.commit({
      kind: 'replace',
      version: 'v-reserve',
      resources: resourcesOf([reservedDisk(reservedDiskMb)]),
      kept: undefined,
    });
    if (!reserved.ok) throw new Error(reserved.error);
    const initialTotal = applyCheckpointedResources(declared, journal.state.resources);
    if (!initialTotal.ok) throw new Error(initialTotal.error);
    let total = initialTotal.value;
    for (let index = 0; index < count; index++) {
      const consumedWire = [reservedDisk(volumeMb)];
      const convertedWire = [volume(volumeId(index))];
      const takeStartMs = performance.now();
      const consumed = resourcesOf(consumedWire).unallocate();
      const converted = resourcesOf(convertedWire).unallocate();
      if (!total.contains(consumed)) throw new Error(`${total.toString()} does not contain ${consumed.toString()}`);
      total = total.minus(consumed).plus(converted);
      const step = { removed: consumed.filter(needsCheckpointing), added: converted.filter(needsCheckpointing) };
      replay.takeMs.push(performance.now() - takeStartMs);
      const report = {
        operation_uuid: `operation-${index}`,
        framework_id: { value: 'bench-framework' },
        operation_id: { value: `create-${index}` },
        state: 'OPERATION_FINISHED',
        status_uuid: Buffer.from(`status-${String(index).padStart(9, '0')}`).toString('base64'),
        resource_version: `v-${index}`,
      } as OperationStatusMessage;
      const commitStartMs = performance.now();
      const committed = journal.commit({ kind: 'convert', base: journal.state.version, version: `v-${index}`, steps: [step], kept: report });
      replay.commitMs.push(performance.now() - commitStartMs);
      if (!committed.ok) throw new Error(committed.error);
      // The acknowledgement's commit, and any compaction, untimed, as in the run.
      journal.commit({ kind: 'forget', statusUuids: [report.status_uuid] });
      journal.compactIfDue();
    }
  } finally {
    journal.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  return replay;
}
