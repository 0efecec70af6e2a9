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
 * 1 MB volume with an operation id (refuse_seconds 0), and acknowledges the
 * operation's status.
 *
 * What is measured, per volume: from just before the ACCEPT is posted to the
 * arrival of its UPDATE_OPERATION_STATUS OPERATION_FINISHED event. That spans
 * the ACCEPT over HTTP, the master's validation and its APPLY_OPERATION on the
 * agent link, the agent's commit and its OPERATION_STATUS back, and the event
 * on the framework's stream. The agent reports only once the commit is done
 * (src/agent/core/operations.ts takeResources -> commit_resources effect;
 * src/agent/shell/runtime.ts commitResources runs commitResourceState
 * synchronously and only then, on the next turn, feeds resources_committed to
 * the core, whose onResourcesCommitted sends the report). commitResourceState
 * (src/agent/volumes/checkpointed-resources.ts) writes the whole new state as
 * the target file (write, fsync, rename, fsync of the directory), makes the
 * volume's directory (mkdir, not itself fsynced), then renames the target over
 * the state and fsyncs the directory: one file fsync and two directory fsyncs
 * per CREATE. The state file holds every reservation and volume, and the
 * pending report (which lists the agent's total again), so it grows with the
 * number of volumes.
 *
 * Not measured: the wait for the next offer, and the acknowledgement, whose
 * own commit on the agent (the report removed from the state file) is
 * awaited before the next ACCEPT: a framework that accepted again at once
 * would find the agent still busy with it.
 *
 * Also reported, to split the figure: the agent's part, replayed in this
 * process on the same states (1 MB more of reserved disk becoming one more
 * volume, with the pending report) in a scratch work directory on the same
 * file system: reading the message's checkpointed resources into the
 * resource model (as the agent's checkpointedOf does), and the agent's own
 * commitResourceState.
 *
 * The anchor: 200 bytes written to a temporary file, fsynced, and renamed
 * over a file in the agent's work directory, 1,000 times.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourcesCheckpointPath } from '../src/agent/paths.js';
import { commitResourceState, emptyResourceState, type ResourceState } from '../src/agent/volumes/checkpointed-resources.js';
import type { OperationStatusMessage } from '../src/protocol/internal.js';
import type { FrameworkInfo, OfferOperation } from '../src/protocol/mesos.js';
import type { WireOffer, WireOperationStatus } from '../src/protocol/outputs.js';
import { applyCheckpointedResources, fromWireList, Resources, toCanonicalJson, type WireResourceInput } from '../src/resources/index.js';
import { calls, createHttpTransport, subscribe, type SchedulerSession } from '../src/sdk/index.js';
import { startBerthProcess, stopBerthProcesses, type Started } from './launch-rate.js';

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
  /** ACCEPT posted -> OPERATION_FINISHED received, ms. */
  readonly createMs: Percentiles;
  /** ACCEPT posted -> its 202 answer, ms: the master's handling of the call, and the HTTP round trip. */
  readonly acceptMs: Percentiles;
  /** Mean of the first and the last 100 CREATEs: growth with the number of volumes. */
  readonly firstHundredMeanMs: number;
  readonly lastHundredMeanMs: number;
  /** The agent's reading of the operation's checkpointed resources, replayed in process, ms. */
  readonly agentTakeMs: Percentiles;
  /** The agent's commitResourceState, replayed in process, ms. */
  readonly agentCommitMs: Percentiles;
  /** 200 bytes + fsync + rename, ms. */
  readonly fsyncMs: Percentiles;
  /** Size of the agent's resource checkpoint after the last CREATE. */
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
    const master = await startBerthProcess(options.root, 'master', ['--allocation_interval=10ms']);
    processes.push(master);
    const agent = await startBerthProcess(options.root, 'agent', [
      `--master=${master.url.replace('http://', '')}`,
      `--resources=${agentResources}`,
      '--registration_backoff_factor=10ms',
    ]);
    processes.push(agent);
    const fsyncMs = percentiles(measureFsync(join(agent.workDir, 'bench-fsync'), 1_000));
    options.progress(`  fsync anchor (200 bytes + fsync + rename, 1000 times): p50 ${fsyncMs.p50.toFixed(2)} ms, p99 ${fsyncMs.p99.toFixed(2)} ms`);
    session = await subscribe({ master: master.url, frameworkInfo: frameworkInfo(), transport, eventsRetainedMax: eventsRetained });
    const loopStart = performance.now();
    const { latencies: createMs, acceptMs } = await createVolumes(session, agent.workDir, options);
    const loopSeconds = (performance.now() - loopStart) / 1000;
    const checkpointBytes = statSync(resourcesCheckpointPath(agent.workDir)).size;
    await session.close();
    session = undefined;
    await stopBerthProcesses(processes.splice(0));
    options.progress('  replaying the agent\'s part in process');
    const replay = replayAgent(join(options.root, 'agent-replay'), options.volumes);
    const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    return {
      volumes: options.volumes,
      createMs: percentiles(createMs),
      acceptMs: percentiles(acceptMs),
      firstHundredMeanMs: mean(createMs.slice(0, 100)),
      lastHundredMeanMs: mean(createMs.slice(-100)),
      agentTakeMs: percentiles(replay.takeMs),
      agentCommitMs: percentiles(replay.commitMs),
      fsyncMs,
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
 * Waits until the agent's checkpoint holds no unacknowledged operation
 * status: the acknowledgement's own commit is done (the file is replaced
 * atomically, so each read sees one whole version).
 */
async function untilAcknowledgementCommitted(agentWorkDir: string): Promise<void> {
  const path = resourcesCheckpointPath(agentWorkDir);
  const deadlineMs = performance.now() + eventTimeoutMs;
  while (!existsSync(path) || readFileSync(path, 'utf8').includes('"operation_updates"')) {
    if (performance.now() > deadlineMs) throw new Error(`the agent did not commit an acknowledgement within ${eventTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

interface CreateTimes {
  /** ACCEPT posted -> OPERATION_FINISHED received. */
  readonly latencies: number[];
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
  await untilAcknowledgementCommitted(agentWorkDir);
  const latencies: number[] = [];
  const acceptMs: number[] = [];
  const loopStartMs = performance.now();
  for (let index = 0; index < options.volumes; index++) {
    const offer = await nextOffer(session, (candidate) => freeReservedDiskMb(candidate) >= volumeMb);
    const operationId = `create-${index}`;
    const create = operation('CREATE', operationId, { create: { volumes: [volume(volumeId(index))] } });
    const startMs = performance.now();
    const answer = await session.accept([offer.id], [create], { refuse_seconds: 0 });
    const answeredMs = performance.now();
    if (answer.status !== 202) throw new Error(`ACCEPT answered ${answer.status}: ${answer.body}`);
    const arrival = await statusOf(session, arrivals, operationId);
    latencies.push(arrival.atMs - startMs);
    acceptMs.push(answeredMs - startMs);
    expectFinished(arrival, operationId);
    if (!existsSync(join(agentWorkDir, 'volumes', 'roles', role, volumeId(index)))) throw new Error(`volume ${volumeId(index)} reported FINISHED but has no directory`);
    await acknowledge(session, arrival.status);
    await untilAcknowledgementCommitted(agentWorkDir);
    if ((index + 1) % progressEvery === 0) {
      const block = percentiles(latencies.slice(-progressEvery));
      options.progress(`  ${index + 1} volumes created after ${((performance.now() - loopStartMs) / 1000).toFixed(1)} s; the last ${progressEvery}: p50 ${block.p50.toFixed(1)} ms, p99 ${block.p99.toFixed(1)} ms`);
    }
  }
  return { latencies, acceptMs };
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
  /** Reading the APPLY_OPERATION's checkpointed resources into the agent's model. */
  readonly takeMs: number[];
  /** commitResourceState. */
  readonly commitMs: number[];
}

/**
 * The agent's part of the run's CREATEs, in process: before CREATE k the
 * state holds the reservation's remainder and k volumes (its acknowledged
 * report gone); after it, one more volume and the pending report, whose
 * total lists the agent's whole total. Timed apart: what the agent does with
 * the message's checkpointed resources (parse, collect, apply to its declared
 * resources, as src/agent/core/operations.ts checkpointedOf does), and
 * commitResourceState.
 */
function replayAgent(workDir: string, count: number): AgentReplay {
  mkdirSync(workDir, { recursive: true });
  const declared = resourcesOf([
    { name: 'cpus', type: 'SCALAR', scalar: { value: 2 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 1024 } },
    { name: 'disk', type: 'SCALAR', scalar: { value: 4096 } },
  ] as WireResourceInput[]);
  let current: ResourceState = { ...emptyResourceState, resources: resourcesOf([reservedDisk(reservedDiskMb)]), version: 'v-reserve' };
  const replay: AgentReplay = { takeMs: [], commitMs: [] };
  try {
    commitResourceState(workDir, emptyResourceState, current);
    for (let index = 0; index < count; index++) {
      const wire = current.resources
        .minus(resourcesOf([reservedDisk(volumeMb)]))
        .plus(resourcesOf([volume(volumeId(index))]))
        .toList()
        .map((r) => toCanonicalJson(r)) as WireResourceInput[];
      const takeStartMs = performance.now();
      const resources = resourcesOf(wire).unallocate();
      const total = applyCheckpointedResources(declared, resources);
      replay.takeMs.push(performance.now() - takeStartMs);
      if (!total.ok) throw new Error(total.error);
      const report = {
        operation_uuid: `operation-${index}`,
        framework_id: { value: 'bench-framework' },
        operation_id: { value: `create-${index}` },
        state: 'OPERATION_FINISHED',
        status_uuid: Buffer.from(`status-${String(index).padStart(9, '0')}`).toString('base64'),
        resource_version: `v-${index}`,
        total_resources: total.value.toList().map((r) => toCanonicalJson(r)),
      } as unknown as OperationStatusMessage;
      const next: ResourceState = { resources, version: `v-${index}`, operationUpdates: [report] };
      const commitStartMs = performance.now();
      const committed = commitResourceState(workDir, current, next);
      replay.commitMs.push(performance.now() - commitStartMs);
      if (!committed.ok) throw new Error(committed.error);
      // The acknowledgement's commit, untimed, as in the run.
      current = { ...next, operationUpdates: [] };
      commitResourceState(workDir, next, current);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return replay;
}
