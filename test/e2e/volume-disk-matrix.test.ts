/**
 * The starred persistent-volume scenarios of spec/storage.md 7 on each kind
 * of disk (issue 4: "run for ROOT, PATH and MOUNT disks"): 27
 * CreateAndDestroyPersistentVolumes, 28 AccessPersistentVolume, 29
 * VolumeReuseAcrossTasks, 39 GrowVolume (ROOT and PATH only), 44
 * SharedPersistentVolumeMultipleTasks, 31 VolumeCheckpointing, 33
 * VolumeSlaveRecovery and 32 VolumeMasterFailover.
 *
 * One master and one agent per disk kind run the scenarios in that order, as
 * one script: each scenario starts from what the ones before it left. The
 * disks: ROOT is the agent's `disk:` resource (volumes under its work dir);
 * PATH a directory declared as a PATH source; MOUNT two ext4 filesystems on
 * loop devices (test/support/loop-disk.ts), one volume each, as MOUNT disks
 * are never carved. A framework of role `eng` drives the scheduler API over
 * HTTP with operation feedback; the test looks at the offers, the operation
 * and task updates, the agent's and the master's reserved resources, and the
 * volumes on the host.
 *
 * Undo after each test, passed or failed, in reverse order of setup: the
 * frameworks close, the processes stop (useCluster), then each filesystem is
 * unmounted and its loop device detached (loop-disk.ts), then the test's
 * directory under the test root is deleted.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { FrameworkInfo, OfferOperation } from '../../src/protocol/mesos.js';
import type { WireOffer } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { freePort, startAgent, startMaster, useCluster, waitFor, type ProcessHandle } from '../support/cluster.js';
import { isMountPoint, makeLoopDisk, mountPoints } from '../support/loop-disk.js';
import { testRoot } from '../support/test-root.js';
import { fastMasterFlags, metric, storageFrameworkInfo, useSessions, waitForActiveAgents } from './helpers.js';
import { offerWith, operation, operationStates } from './operation-feedback.js';
import { agentReserved, masterReserved } from './operator-storage-helpers.js';
import { agentExecutor, agentTask, commandTask, launchOperation, portRange, scalar, smallResources, untilState, updatesUntil, waitForSandboxText } from './task-helpers.js';

useCluster();

const { open } = useSessions();

const role = 'eng';
const principal = 'db-operator';

type DiskKind = 'ROOT' | 'PATH' | 'MOUNT';

/** The disk a volume lives on: MOUNT has two (one volume each); ROOT and PATH carve both from one. */
type Which = 'first' | 'second';

/** Sizes in MB. ROOT and PATH disks are declared larger than the reservation; a MOUNT volume is its whole disk. */
interface Sizes {
  /** Declared size of the ROOT or PATH disk, or of each MOUNT disk (and its filesystem image). */
  readonly declared: number;
  /** Scenario 27's two volumes, and the reserved disk each is made from. */
  readonly volume: number;
  /** Scenario 28's volume, made from what DESTROY of the first volume left reserved. */
  readonly accessed: number;
  /** Scenario 44's shared volume. */
  readonly shared: number;
}

const carved: Sizes = { declared: 512, volume: 128, accessed: 64, shared: 64 };
const whole: Sizes = { declared: 32, volume: 32, accessed: 32, shared: 32 };

interface DiskSource {
  type: 'PATH' | 'MOUNT';
  path?: { root: string };
  mount?: { root: string };
}

interface OfferedResource {
  name: string;
  scalar?: { value: number };
  reservations?: { type: string; role: string }[];
  disk?: { source?: DiskSource; persistence?: { id: string } };
  shared?: object;
}

/** The disks of one kind, and where their volumes live. */
interface Disks {
  readonly kind: DiskKind;
  readonly sizes: Sizes;
  readonly agentFlags: readonly string[];
  source(which: Which): DiskSource | undefined;
  /** Spec 3.1: ROOT and PATH volumes under `<root>/volumes/roles/<role>/<id>`; a MOUNT volume is the disk's root itself. */
  volumeDirectory(agentWorkDir: string, id: string, which: Which): string;
}

/** A directory of the test's own under the test root, deleted after it, never through a mount still there. */
function testDirectory(): string {
  mkdirSync(testRoot(), { recursive: true });
  const directory = mkdtempSync(join(testRoot(), 'volume-disk-matrix-'));
  onTestFinished(() => {
    const mounted = mountPoints().find((point) => point === directory || point.startsWith(`${directory}${sep}`));
    if (mounted !== undefined) throw new Error(`${mounted} is still mounted; not removing ${directory}`);
    rmSync(directory, { recursive: true, force: true });
  });
  return directory;
}

function agentFlags(disks: readonly Record<string, unknown>[]): string[] {
  const resources = [scalar('cpus', 2), scalar('mem', 1024), portRange(31000, 31100), ...disks];
  return ['--registration_backoff_factor=10ms', '--executor_shutdown_grace_period=1secs', `--resources=${JSON.stringify(resources)}`];
}

/** Makes the disks of `kind` (inside the test: a MOUNT disk is undone when the test finishes). */
async function makeDisks(kind: DiskKind): Promise<Disks> {
  const rootDirectory = (workDir: string, id: string): string => join(workDir, 'volumes', 'roles', role, id);
  if (kind === 'ROOT') {
    return {
      kind,
      sizes: carved,
      agentFlags: agentFlags([scalar('disk', carved.declared)]),
      source: () => undefined,
      volumeDirectory: rootDirectory,
    };
  }
  const directory = testDirectory();
  if (kind === 'PATH') {
    const root = join(directory, 'path-disk');
    const source: DiskSource = { type: 'PATH', path: { root } };
    return {
      kind,
      sizes: carved,
      agentFlags: agentFlags([{ ...scalar('disk', carved.declared), disk: { source } }]),
      source: () => source,
      volumeDirectory: (_workDir, id) => rootDirectory(root, id),
    };
  }
  const first = await makeLoopDisk(join(directory, 'mount-first'), whole.declared);
  const second = await makeLoopDisk(join(directory, 'mount-second'), whole.declared);
  const roots: Record<Which, string> = { first: first.mountPoint, second: second.mountPoint };
  const source = (which: Which): DiskSource => ({ type: 'MOUNT', mount: { root: roots[which] } });
  return {
    kind,
    sizes: whole,
    agentFlags: agentFlags([
      { ...scalar('disk', whole.declared), disk: { source: source('first') } },
      { ...scalar('disk', whole.declared), disk: { source: source('second') } },
    ]),
    source,
    volumeDirectory: (_workDir, _id, which) => roots[which],
  };
}

function storageFramework(): FrameworkInfo {
  return storageFrameworkInfo('volume-disk-matrix-e2e', { role, principal, capabilities: ['SHARED_RESOURCES'], failoverTimeoutSeconds: 3600 });
}

function withSource(source: DiskSource | undefined): Record<string, unknown> {
  return source === undefined ? {} : { source };
}

function reservedDisk(megabytes: number, source: DiskSource | undefined): Record<string, unknown> {
  return { ...scalar('disk', megabytes), reservations: [{ type: 'DYNAMIC', role, principal }], ...(source === undefined ? {} : { disk: { source } }) };
}

interface VolumeOptions {
  readonly mode?: 'RW' | 'RO';
  readonly shared?: boolean;
}

function volume(id: string, megabytes: number, source: DiskSource | undefined, options: VolumeOptions = {}): Record<string, unknown> {
  return {
    ...scalar('disk', megabytes),
    reservations: [{ type: 'DYNAMIC', role, principal }],
    disk: { persistence: { id, principal }, volume: { container_path: 'data', mode: options.mode ?? 'RW' }, ...withSource(source) },
    ...(options.shared === true ? { shared: {} } : {}),
  };
}

/** A command task on `offer` with 0.1 cpus, 32 MB and `volumeResource`. */
function volumeTask(offer: WireOffer, taskId: string, command: string, volumeResource: Record<string, unknown>): Record<string, unknown> {
  return commandTask(offer, taskId, command, { resources: [...smallResources(), volumeResource] });
}

function disksOf(offer: WireOffer): OfferedResource[] {
  return (offer.resources as unknown as OfferedResource[]).filter((resource) => resource.name === 'disk');
}

function offeredVolume(offer: WireOffer, id: string): OfferedResource | undefined {
  return disksOf(offer).find((resource) => resource.disk?.persistence?.id === id);
}

/** The persistent volumes an offer holds, id → size. */
function volumesIn(offer: WireOffer): Record<string, number> {
  const found: Record<string, number> = {};
  for (const resource of disksOf(offer)) if (resource.disk?.persistence !== undefined) found[resource.disk.persistence.id] = resource.scalar?.value ?? 0;
  return found;
}

/** Disk reserved for the role, not (yet) a volume, in an offer. */
function plainReservedDisk(offer: WireOffer): number {
  return disksOf(offer)
    .filter((resource) => (resource.reservations ?? []).length > 0 && resource.disk?.persistence === undefined)
    .reduce((sum, resource) => sum + (resource.scalar?.value ?? 0), 0);
}

async function acceptAll(session: SchedulerSession, offer: WireOffer, operations: readonly OfferOperation[]): Promise<void> {
  const answer = await session.accept([offer.id], operations, { refuse_seconds: 0 });
  expect(answer.status).toBe(202);
}

async function finished(session: SchedulerSession, ...ids: string[]): Promise<void> {
  expect(await operationStates(session, ids.length)).toEqual(ids.map((id) => [id, 'OPERATION_FINISHED', undefined]));
}

/** After DESTROY: a ROOT or PATH volume's directory is gone; a MOUNT disk's root stays, a mount point, emptied (lost+found too). */
function expectDestroyed(disks: Disks, directory: string, scenario: string): void {
  if (disks.kind === 'MOUNT') {
    expect(readdirSync(directory), `${scenario}: the MOUNT root is emptied`).toEqual([]);
    expect(isMountPoint(directory), `${scenario}: the MOUNT root stays mounted`).toBe(true);
  } else {
    expect(existsSync(directory), `${scenario}: the volume directory is removed`).toBe(false);
  }
}

/** The number a looping task last wrote to `beat` in its volume (0 before its first). */
function beat(directory: string): number {
  try {
    return Number(readFileSync(join(directory, 'beat'), 'utf8'));
  } catch {
    return 0;
  }
}

interface World {
  readonly disks: Disks;
  master: ProcessHandle;
  agent: ProcessHandle;
  readonly agentId: string;
  session: SchedulerSession;
  directory(id: string, which: Which): string;
}

async function startWorld(kind: DiskKind): Promise<World> {
  const disks = await makeDisks(kind);
  // A fixed port, so that the agent finds the master again after scenario 32 restarts it.
  const master = await startMaster({ flags: [...fastMasterFlags, `--port=${await freePort()}`] });
  const agent = await startAgent(master.url, { flags: disks.agentFlags });
  const [listed] = await waitForActiveAgents(master.url, 1);
  const session = await open(master.url, storageFramework());
  const world: World = {
    disks,
    master,
    agent,
    agentId: listed?.id ?? '',
    session,
    // The agent's work dir stays the same across restarts; ROOT volumes live in it.
    directory: (id, which) => disks.volumeDirectory(world.agent.workDir, id, which),
  };
  return world;
}

/** 27: two volumes made in one ACCEPT from reserved disk; DESTROY of one deletes its data and leaves the other alone. */
async function createAndDestroy(world: World): Promise<void> {
  const { disks, session } = world;
  const size = disks.sizes.volume;
  const reservation = disks.kind === 'MOUNT' ? [reservedDisk(size, disks.source('first')), reservedDisk(size, disks.source('second'))] : [reservedDisk(2 * size, disks.source('first'))];
  const unreserved = await offerWith(session, () => true);
  await acceptAll(session, unreserved, [operation('RESERVE', { reserve: { resources: reservation } }, 'reserve')]);
  await finished(session, 'reserve');

  const v1 = volume('pv-1', size, disks.source('first'));
  const v2 = volume('pv-2', size, disks.source('second'));
  const reserved = await offerWith(session, (offer) => plainReservedDisk(offer) === 2 * size);
  await acceptAll(session, reserved, [operation('CREATE', { create: { volumes: [v1] } }, 'create-1'), operation('CREATE', { create: { volumes: [v2] } }, 'create-2')]);
  await finished(session, 'create-1', 'create-2');
  const [directory1, directory2] = [world.directory('pv-1', 'first'), world.directory('pv-2', 'second')];
  for (const directory of [directory1, directory2]) {
    expect(statSync(directory).isDirectory(), `27: ${directory} exists`).toBe(true);
    if (disks.kind === 'MOUNT') expect(isMountPoint(directory), `27: ${directory} is still the mounted root`).toBe(true);
  }

  const both = await offerWith(session, (offer) => offeredVolume(offer, 'pv-1') !== undefined);
  expect(volumesIn(both), '27: the next offer holds both volumes').toEqual({ 'pv-1': size, 'pv-2': size });
  expect(plainReservedDisk(both)).toBe(0);
  expect(offeredVolume(both, 'pv-1')?.disk?.source).toEqual(disks.source('first'));
  expect(offeredVolume(both, 'pv-2')?.disk?.source).toEqual(disks.source('second'));
  writeFileSync(join(directory1, 'kept'), 'one\n');
  writeFileSync(join(directory2, 'kept'), 'two\n');

  await acceptAll(session, both, [operation('DESTROY', { destroy: { volumes: [v1] } }, 'destroy-1')]);
  await finished(session, 'destroy-1');
  expectDestroyed(disks, directory1, '27');
  expect(readFileSync(join(directory2, 'kept'), 'utf8'), '27: the other volume is untouched').toBe('two\n');
}

/** 28: CREATE and a LAUNCH writing into the volume in one ACCEPT. Returns the volume as created. */
async function accessVolume(world: World): Promise<Record<string, unknown>> {
  const { disks, session } = world;
  const size = disks.sizes.accessed;
  const v3 = volume('pv-3', size, disks.source('first'));
  const offer = await offerWith(session, (candidate) => plainReservedDisk(candidate) >= size);
  expect(volumesIn(offer), '28: DESTROY took pv-1 out of the offers').toEqual({ 'pv-2': disks.sizes.volume });
  await acceptAll(session, offer, [operation('CREATE', { create: { volumes: [v3] } }, 'create-3'), launchOperation([volumeTask(offer, 'writer', 'echo abc > data/file', v3)])]);
  await finished(session, 'create-3');

  const states = (await updatesUntil(session, 'writer')).map((status) => status.state);
  expect(states, '28: the writer').toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  expect(readFileSync(join(world.directory('pv-3', 'first'), 'file'), 'utf8')).toBe('abc\n');
  // The volume was seen at <sandbox>/data inside the task only: on the host nothing is mounted there, and the file is not reachable through it.
  const sandbox = (await agentExecutor(world.agent.url, session.frameworkId, 'writer'))?.directory ?? '';
  expect(sandbox, '28: the writer has a sandbox').not.toBe('');
  expect(existsSync(join(sandbox, 'data', 'file')), '28: the volume is gone from the finished sandbox').toBe(false);
  expect(mountPoints().filter((point) => point.startsWith(`${sandbox}${sep}`))).toEqual([]);
  return v3;
}

/** 29: a second task, read-only, reads what the first wrote; the volume is not offered while it runs, and is once it is killed. */
async function reuseVolume(world: World): Promise<void> {
  const { disks, session } = world;
  const offer = await offerWith(session, (candidate) => offeredVolume(candidate, 'pv-3') !== undefined);
  expect(volumesIn(offer)['pv-3'], '29: the volume is offered again after the writer finished').toBe(disks.sizes.accessed);
  const readOnly = volume('pv-3', disks.sizes.accessed, disks.source('first'), { mode: 'RO' });
  const read = 'cat data/file; if (echo x > data/probe) 2>/dev/null; then echo writable; else echo read-only; fi; exec sleep 600';
  await acceptAll(session, offer, [launchOperation([volumeTask(offer, 'reader', read, readOnly)])]);
  await untilState(session, 'reader', 'TASK_RUNNING');
  const stdout = await waitForSandboxText(world.agent.url, session.frameworkId, 'reader', 'stdout', /(writable|read-only)\n$/);
  expect(stdout, '29: the reader reads the first task\'s data through a read-only volume').toBe('abc\nread-only\n');
  expect(existsSync(join(world.directory('pv-3', 'first'), 'probe'))).toBe(false);

  // Every offer made while the reader runs (one per allocation, declined at once) leaves the volume out.
  for (let seen = 0; seen < 3; seen++) {
    const event = await session.nextEvent('OFFERS', 10_000);
    expect(event.offers.offers.flatMap((held) => Object.keys(volumesIn(held))), '29: offers while the reader runs').not.toContain('pv-3');
    await session.decline(event.offers.offers.map((held) => held.id), { refuse_seconds: 0 });
  }
  expect((await session.kill('reader')).status).toBe(202);
  await untilState(session, 'reader', 'TASK_KILLED');
  const after = await offerWith(session, (candidate) => offeredVolume(candidate, 'pv-3') !== undefined);
  expect(volumesIn(after)['pv-3']).toBe(disks.sizes.accessed);
  await session.decline([after.id], { refuse_seconds: 0 });
}

/** 39 (ROOT, PATH): GROW_VOLUME by the rest of the reserved disk; one volume of the summed size, its data intact. Returns it. */
async function growVolume(world: World, v3: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { disks, session } = world;
  const rest = 2 * disks.sizes.volume - disks.sizes.volume - disks.sizes.accessed;
  const before = await offerWith(session, (candidate) => offeredVolume(candidate, 'pv-3') !== undefined && plainReservedDisk(candidate) === rest);
  await acceptAll(session, before, [operation('GROW_VOLUME', { grow_volume: { volume: v3, addition: reservedDisk(rest, disks.source('first')) } }, 'grow')]);
  await finished(session, 'grow');

  const grown = volume('pv-3', disks.sizes.accessed + rest, disks.source('first'));
  const after = await offerWith(session, (candidate) => offeredVolume(candidate, 'pv-3') !== undefined);
  expect(volumesIn(after), '39: one volume of the summed size').toEqual({ 'pv-2': disks.sizes.volume, 'pv-3': disks.sizes.accessed + rest });
  expect(plainReservedDisk(after), '39: no plain reserved disk left').toBe(0);
  await acceptAll(session, after, [launchOperation([volumeTask(after, 'grown-reader', 'test "$(cat data/file)" = abc', grown)])]);
  await untilState(session, 'grown-reader', 'TASK_FINISHED');
  return grown;
}

/** 28, its end: DESTROY deletes the file and the directory (MOUNT: empties the root). */
async function destroyAccessed(world: World, v3: Record<string, unknown>): Promise<void> {
  const offer = await offerWith(world.session, (candidate) => offeredVolume(candidate, 'pv-3') !== undefined);
  await acceptAll(world.session, offer, [operation('DESTROY', { destroy: { volumes: [v3] } }, 'destroy-3')]);
  await finished(world.session, 'destroy-3');
  expectDestroyed(world.disks, world.directory('pv-3', 'first'), '28');
}

/** 44: CREATE a shared volume and LAUNCH two tasks on it in one ACCEPT; both run, both files are in the volume. */
async function sharedMultipleTasks(world: World): Promise<void> {
  const { disks, session } = world;
  const v4 = volume('pv-4', disks.sizes.shared, disks.source('first'), { shared: true });
  const offer = await offerWith(session, (candidate) => offeredVolume(candidate, 'pv-3') === undefined && plainReservedDisk(candidate) >= disks.sizes.shared);
  await acceptAll(session, offer, [
    operation('CREATE', { create: { volumes: [v4] } }, 'create-4'),
    launchOperation([volumeTask(offer, 't1', 'echo task1 > data/file1', v4)]),
    launchOperation([volumeTask(offer, 't2', 'echo task2 > data/file2', v4)]),
  ]);
  await finished(session, 'create-4');
  for (const taskId of ['t1', 't2']) {
    expect((await updatesUntil(session, taskId)).map((status) => status.state), `44: ${taskId}`).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  }
  const directory = world.directory('pv-4', 'first');
  expect(readFileSync(join(directory, 'file1'), 'utf8')).toBe('task1\n');
  expect(readFileSync(join(directory, 'file2'), 'utf8')).toBe('task2\n');
}

/**
 * 31 and 33: a task loops on pv-2, writing a counter into it; the agent is
 * killed and started again. It recovers its checkpointed reservations and
 * volumes (read before it could hear from the master) and re-registers with
 * them; the task keeps writing after the recovery, is never TASK_FAILED, and a
 * kill ends it TASK_KILLED. Returns the reserved resources, per role.
 */
async function agentRestart(world: World): Promise<Record<string, string[]>> {
  const { disks, session } = world;
  const v2 = volume('pv-2', disks.sizes.volume, disks.source('second'));
  const directory = world.directory('pv-2', 'second');
  const offer = await offerWith(session, (candidate) => offeredVolume(candidate, 'pv-2') !== undefined);
  const loop = 'i=0; while test -d data && echo $i > data/.beat && mv data/.beat data/beat; do i=$((i+1)); sleep 0.1; done; exit 1';
  await acceptAll(session, offer, [launchOperation([volumeTask(offer, 'looper', loop, v2)])]);
  await untilState(session, 'looper', 'TASK_RUNNING');
  await waitFor(() => beat(directory) >= 1, { message: 'the looping task to write into pv-2' });
  const reserved = await masterReserved(world.master.url, world.agentId);
  expect(reserved[role], '31: the master holds pv-2').toContain(`disk:${disks.sizes.volume} volume pv-2 by ${principal}`);
  await waitFor(async () => JSON.stringify(await agentReserved(world.agent.url)) === JSON.stringify(reserved), { message: 'the agent to hold what the master holds' });

  const reregistrations = await metric(world.master.url, 'master/slave_reregistrations');
  world.agent.kill('SIGKILL');
  await world.agent.exited;
  world.agent = await world.agent.restart();
  expect(await agentReserved(world.agent.url), '31: the agent recovered its checkpointed resources').toEqual(reserved);
  await waitFor(async () => (await metric(world.master.url, 'master/slave_reregistrations')) > reregistrations, { message: 'the agent to re-register' });
  expect(await masterReserved(world.master.url, world.agentId), '31: the master after the re-registration').toEqual(reserved);

  await waitFor(async () => (await agentTask(world.agent.url, session.frameworkId, 'looper'))?.task.state === 'TASK_RUNNING', {
    message: 'the restarted agent to list the looping task running',
  });
  const recovered = beat(directory);
  await waitFor(() => beat(directory) >= recovered + 3, { message: '33: the looping task to keep writing into pv-2 after the recovery' });
  expect((await session.kill('looper')).status).toBe(202);
  // A TASK_RUNNING whose acknowledgement the killed agent missed may come again first.
  const states = (await updatesUntil(session, 'looper')).map((status) => status.state);
  expect(states.filter((state) => state !== 'TASK_RUNNING'), '33: the looping task after the recovery').toEqual(['TASK_KILLED']);
  return reserved;
}

/** 32: the master is killed and started again; it learns the volumes from the agent's re-registration alone, and offers pv-2. */
async function masterFailover(world: World, reserved: Record<string, string[]>): Promise<void> {
  const { disks } = world;
  const frameworkId = world.session.frameworkId;
  world.master.kill('SIGKILL');
  await world.master.exited;
  world.master = await world.master.restart();
  await waitForActiveAgents(world.master.url, 1, 15_000);
  expect(await masterReserved(world.master.url, world.agentId), '31/32: the new master has the re-registration\'s checkpointed resources').toEqual(reserved);

  world.session = await open(world.master.url, { ...storageFramework(), id: { value: frameworkId } });
  const offer = await offerWith(world.session, (candidate) => offeredVolume(candidate, 'pv-2') !== undefined);
  expect(offeredVolume(offer, 'pv-2'), '32: the new master offers pv-2').toMatchObject({
    scalar: { value: disks.sizes.volume },
    reservations: [{ type: 'DYNAMIC', role }],
    disk: { persistence: { id: 'pv-2' }, ...withSource(disks.source('second')) },
  });
  expect(readFileSync(join(world.directory('pv-2', 'second'), 'kept'), 'utf8')).toBe('two\n');
}

const scenarios: Record<DiskKind, string> = {
  ROOT: '27, 28, 29, 39, 44, 31, 33, 32',
  PATH: '27, 28, 29, 39, 44, 31, 33, 32',
  MOUNT: '27, 28, 29, 44, 31, 33, 32 (39 GrowVolume is for ROOT and PATH only)',
};

describe.each(['ROOT', 'PATH', 'MOUNT'] as const)('persistent volumes on a %s disk', (kind) => {
  it(`${kind}: scenarios ${scenarios[kind]} of spec/storage.md 7, in order, on one master and one agent`, async () => {
    const world = await startWorld(kind);
    await createAndDestroy(world);
    let v3 = await accessVolume(world);
    await reuseVolume(world);
    if (kind !== 'MOUNT') v3 = await growVolume(world, v3);
    await destroyAccessed(world, v3);
    await sharedMultipleTasks(world);
    const reserved = await agentRestart(world);
    await masterFailover(world, reserved);
  }, 90_000);
});
