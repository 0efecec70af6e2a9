/**
 * Persistent volumes on PATH and MOUNT disks (spec/storage.md 1.8, 1.9, 3.1,
 * 3.3, 3.6, 7 scenarios 27-29, 31, 44, 48, 70): an agent whose `--resources`
 * is JSON declaring a PATH disk (a directory the agent makes) and a MOUNT disk
 * (a real ext4 filesystem on a loop device); a framework of role `eng`
 * reserves, creates and launches with operation feedback, as in
 * volumes.test.ts. What the tests look at: the offers, the operation status
 * updates, the tasks' output, and the disks themselves on the host.
 *
 * Method: real master and agent processes (test/support/cluster.ts) and one
 * loop filesystem per test (test/support/loop-disk.ts), all under the test
 * root. Undo runs after each test, passed or failed, in reverse order of
 * setup: the processes stop (useCluster), then the filesystem is unmounted,
 * its device detached, its image and the test's directory deleted.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { FrameworkInfo, OfferOperation } from '../../src/protocol/mesos.js';
import type { WireOffer } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { startAgent, startMaster, useCluster, waitFor, type ProcessHandle } from '../support/cluster.js';
import { isMountPoint, makeLoopDisk, mountPoints, type LoopDisk } from '../support/loop-disk.js';
import { testRoot } from '../support/test-root.js';
import { fastMasterFlags, storageFrameworkInfo, subscribeFramework, useSessions, waitForActiveAgents } from './helpers.js';
import { offerWith, operation, operationStates } from './operation-feedback.js';
import { masterStateTasks, portRange, readSandboxFile, scalar, untilState, updatesUntil, waitForSandboxText } from './task-helpers.js';

useCluster();

const { transport, sessions } = useSessions();

const role = 'eng';
const principal = 'db-operator';
/** The PATH disk as declared; volumes are carved from it. */
const pathDiskMegabytes = 512;
/** The MOUNT disk as declared, and the size of its filesystem's image (ext4 leaves about 55 MB usable). */
const mountDiskMegabytes = 64;

type DiskKind = 'PATH' | 'MOUNT';

interface Disks {
  readonly pathRoot: string;
  readonly mount: LoopDisk;
}

interface OfferedResource {
  name: string;
  scalar?: { value: number };
  reservations?: { type: string; role: string }[];
  disk?: { source?: { type: string; path?: { root?: string }; mount?: { root?: string } }; persistence?: { id: string } };
  shared?: object;
}

/** A directory of the test's own under the test root, deleted after it (never through a mount still there). */
function testDirectory(): string {
  mkdirSync(testRoot(), { recursive: true });
  const directory = mkdtempSync(join(testRoot(), 'disk-sources-'));
  onTestFinished(() => {
    const mounted = mountPoints().find((point) => point === directory || point.startsWith(`${directory}${sep}`));
    if (mounted !== undefined) throw new Error(`${mounted} is still mounted; not removing ${directory}`);
    rmSync(directory, { recursive: true, force: true });
  });
  return directory;
}

/** A PATH root the agent is to make (not made here), and a mounted loop filesystem. */
async function makeDisks(): Promise<Disks> {
  const directory = testDirectory();
  const mount = await makeLoopDisk(join(directory, 'mount-disk'), mountDiskMegabytes);
  return { pathRoot: join(directory, 'path-disk'), mount };
}

function source(kind: DiskKind, disks: Disks): Record<string, unknown> {
  return kind === 'PATH' ? { type: 'PATH', path: { root: disks.pathRoot } } : { type: 'MOUNT', mount: { root: disks.mount.mountPoint } };
}

/** Spec 1.8: JSON `--resources`; with a disk declared, no ROOT disk is detected. */
function resourcesFlag(disks: Disks, mountRoot = disks.mount.mountPoint): string {
  const resources = [
    scalar('cpus', 2),
    scalar('mem', 1024),
    portRange(31000, 31100),
    { ...scalar('disk', pathDiskMegabytes), disk: { source: { type: 'PATH', path: { root: disks.pathRoot } } } },
    { ...scalar('disk', mountDiskMegabytes), disk: { source: { type: 'MOUNT', mount: { root: mountRoot } } } },
  ];
  return `--resources=${JSON.stringify(resources)}`;
}

function storageFramework(capabilities: readonly string[] = []): FrameworkInfo {
  return storageFrameworkInfo('disk-sources-e2e', { role, principal, capabilities, failoverTimeoutSeconds: 3600 });
}

interface DiskCluster {
  readonly master: ProcessHandle;
  readonly agent: ProcessHandle;
  readonly session: SchedulerSession;
}

async function startDiskCluster(disks: Disks, capabilities: readonly string[] = []): Promise<DiskCluster> {
  const master = await startMaster({ flags: fastMasterFlags });
  const agent = await startAgent(master.url, { flags: ['--registration_backoff_factor=10ms', resourcesFlag(disks)] });
  await waitForActiveAgents(master.url, 1);
  const session = await subscribeFramework(master.url, storageFramework(capabilities), { transport });
  sessions.push(session);
  return { master, agent, session };
}

function dynamicReservation(): Record<string, unknown>[] {
  return [{ type: 'DYNAMIC', role, principal }];
}

function reservedDisk(kind: DiskKind, disks: Disks, megabytes: number): Record<string, unknown> {
  return { ...scalar('disk', megabytes), reservations: dynamicReservation(), disk: { source: source(kind, disks) } };
}

function volume(kind: DiskKind, disks: Disks, id: string, megabytes: number, shared = false): Record<string, unknown> {
  return {
    ...scalar('disk', megabytes),
    reservations: dynamicReservation(),
    disk: { persistence: { id, principal }, volume: { container_path: 'data', mode: 'RW' }, source: source(kind, disks) },
    ...(shared ? { shared: {} } : {}),
  };
}

/** Spec 3.1: PATH volumes under `<root>/volumes/roles/<role>/<id>`, a MOUNT volume is the root itself. */
function volumeDirectory(kind: DiskKind, disks: Disks, id: string): string {
  return kind === 'PATH' ? join(disks.pathRoot, 'volumes', 'roles', role, id) : disks.mount.mountPoint;
}

function launch(tasks: readonly Record<string, unknown>[]): OfferOperation {
  return { type: 'LAUNCH', launch: { task_infos: tasks } } as unknown as OfferOperation;
}

function task(offer: WireOffer, taskId: string, command: string, volumeResource: Record<string, unknown>): Record<string, unknown> {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    command: { value: command },
    resources: [scalar('cpus', 0.1), scalar('mem', 32), volumeResource],
  };
}

function disksOf(offer: WireOffer): OfferedResource[] {
  return (offer.resources as unknown as OfferedResource[]).filter((resource) => resource.name === 'disk');
}

function offeredVolume(offer: WireOffer, id: string): OfferedResource | undefined {
  return disksOf(offer).find((resource) => resource.disk?.persistence?.id === id);
}

/**
 * One ACCEPT: RESERVE the disk, CREATE the volume on it, LAUNCH `command`
 * using it; waits for both operations to finish and the task to end, and
 * returns the task's last update.
 */
async function reserveCreateAndRun(
  session: SchedulerSession,
  kind: DiskKind,
  disks: Disks,
  created: { id: string; megabytes: number },
  command: string,
): Promise<Awaited<ReturnType<typeof updatesUntil>>> {
  const offer = await offerWith(session, () => true);
  const theVolume = volume(kind, disks, created.id, created.megabytes);
  const answer = await session.accept(
    [offer.id],
    [
      operation('RESERVE', { reserve: { resources: [reservedDisk(kind, disks, created.megabytes)] } }, 'reserve'),
      operation('CREATE', { create: { volumes: [theVolume] } }, 'create'),
      launch([task(offer, 'writer', command, theVolume)]),
    ],
    { refuse_seconds: 0 },
  );
  expect(answer.status).toBe(202);
  expect(await operationStates(session, 2)).toEqual([
    ['reserve', 'OPERATION_FINISHED', undefined],
    ['create', 'OPERATION_FINISHED', undefined],
  ]);
  return updatesUntil(session, 'writer');
}

/**
 * A task on the volume offered again; returns its stdout. An offer made
 * before an agent restart may still be queued (its RESCIND behind it): a
 * launch on it ends with REASON_INVALID_OFFERS, and the next offer is taken.
 */
async function runOnOfferedVolume(session: SchedulerSession, agentUrl: string, kind: DiskKind, disks: Disks, id: string, megabytes: number, command: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const offer = await offerWith(session, (candidate) => offeredVolume(candidate, id) !== undefined);
    const taskId = `reader-${attempt}`;
    await session.accept([offer.id], [launch([task(offer, taskId, command, volume(kind, disks, id, megabytes))])], { refuse_seconds: 0 });
    const [end] = (await updatesUntil(session, taskId)).slice(-1);
    if (end?.reason === 'REASON_INVALID_OFFERS' && attempt < 3) continue;
    expect(end?.state, `${taskId}: ${end?.message ?? ''}`).toBe('TASK_FINISHED');
    return readSandboxFile(agentUrl, session.frameworkId, taskId, 'stdout');
  }
}

describe('disk sources: agent start-up', () => {
  it('offers the PATH disk (its root made by the agent) and the MOUNT disk at its declared size, each with its disk.source, and no detected ROOT disk', async () => {
    const disks = await makeDisks();
    expect(existsSync(disks.pathRoot)).toBe(false);
    const { session } = await startDiskCluster(disks);

    const offer = await offerWith(session, () => true);

    expect(statSync(disks.pathRoot).isDirectory()).toBe(true);
    const offered = disksOf(offer).map((resource) => ({
      value: resource.scalar?.value,
      source: resource.disk?.source,
      reserved: (resource.reservations ?? []).length > 0,
    }));
    expect(offered).toEqual(
      expect.arrayContaining([
        { value: pathDiskMegabytes, source: { type: 'PATH', path: { root: disks.pathRoot } }, reserved: false },
        { value: mountDiskMegabytes, source: { type: 'MOUNT', mount: { root: disks.mount.mountPoint } }, reserved: false },
      ]),
    );
    expect(offered, 'only the two declared disks: none detected').toHaveLength(2);
  });

  const cases: [string, (disks: Disks, directory: string) => string][] = [
    ['a plain directory', (_disks, directory) => mkdirAndReturn(join(directory, 'not-mounted'))],
    ['a directory inside the mounted filesystem', (disks) => mkdirAndReturn(join(disks.mount.mountPoint, 'inside'))],
    ['missing', (_disks, directory) => join(directory, 'missing')],
  ];
  for (const [what, makeRoot] of cases) {
    it(`an agent whose MOUNT root is ${what} (not a mount point) exits 1 with one line naming the root`, async () => {
      const disks = await makeDisks();
      const root = makeRoot(disks, resolve(disks.mount.mountPoint, '..'));

      const run = await runAgentCli([resourcesFlag(disks, root)]);

      expect(run.signal, `exited by itself (stdout: ${run.stdout.slice(0, 200)})`).toBeNull();
      expect(run.status).toBe(1);
      expect(run.stdout).not.toMatch(/listening/);
      const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
      expect(lines, `stderr: ${run.stderr}`).toEqual([`Failed to find mount '${root}' in /proc/mounts`]);
    });
  }

  it('an agent that cannot create a PATH root exits 1 with one line naming the flag and the root', async () => {
    mkdirSync(testRoot(), { recursive: true });
    const directory = mkdtempSync(join(testRoot(), 'disk-sources-file-'));
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    writeFileSync(join(directory, 'a-file'), '');
    const root = join(directory, 'a-file', 'root');
    const resources = [scalar('cpus', 1), scalar('mem', 256), { ...scalar('disk', 64), disk: { source: { type: 'PATH', path: { root } } } }];

    const run = await runAgentCli([`--resources=${JSON.stringify(resources)}`]);

    expect(run.status).toBe(1);
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid value for flag 'resources': cannot create the root '${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' of a PATH disk: ENOTDIR`));
  });
});

function mkdirAndReturn(path: string): string {
  mkdirSync(path);
  return path;
}

interface CliRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built agent, run to its exit (killed after 15 s), with a work directory of its own under the test root. */
async function runAgentCli(flags: readonly string[]): Promise<CliRun> {
  const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
  const workDir = mkdtempSync(join(testRoot(), 'disk-sources-agent-'));
  onTestFinished(() => rmSync(workDir, { recursive: true, force: true }));
  const args = [cliEntry, 'agent', '--ip=127.0.0.1', '--port=0', `--work_dir=${workDir}`, '--master=127.0.0.1:1', ...flags];
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      args,
      { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL', env: { ...process.env, BERTH_TEST_ROOT: testRoot() } },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
        const status = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null;
        resolveRun({ status, signal: failure?.signal ?? null, stdout, stderr });
      },
    );
  });
}

describe('disk sources: a volume keeps its data across an agent restart', () => {
  const kinds: [DiskKind, number, string][] = [
    ['PATH', 128, '<root>/volumes/roles/eng/<id>'],
    ['MOUNT', mountDiskMegabytes, 'the MOUNT root itself (the whole disk)'],
  ];
  for (const [kind, megabytes, where] of kinds) {
    it(`${kind}: a file a task writes lies at ${where}, and a task after the agent is killed and restarted reads it`, async () => {
      const disks = await makeDisks();
      const { agent, session } = await startDiskCluster(disks);
      const id = `pv-${kind.toLowerCase()}`;

      const [end] = (await reserveCreateAndRun(session, kind, disks, { id, megabytes }, 'echo "kept on the disk" > data/table.db')).slice(-1);

      expect(end?.state, end?.message).toBe('TASK_FINISHED');
      const directory = volumeDirectory(kind, disks, id);
      expect(readFileSync(join(directory, 'table.db'), 'utf8')).toBe('kept on the disk\n');
      if (kind === 'MOUNT') expect(isMountPoint(directory)).toBe(true);

      agent.kill('SIGKILL');
      await agent.exited;
      const restarted = await agent.restart();

      const stdout = await runOnOfferedVolume(session, restarted.url, kind, disks, id, megabytes, 'cat data/table.db');
      expect(stdout).toContain('kept on the disk');
      expect(readFileSync(join(directory, 'table.db'), 'utf8')).toBe('kept on the disk\n');
    });
  }
});

describe('disk sources: MOUNT disk', () => {
  it('a task writing more than the filesystem holds gets ENOSPC, is not killed, and the data written before stays', async () => {
    const disks = await makeDisks();
    const { agent, session } = await startDiskCluster(disks);
    const before = 'written before the disk filled\n';
    const fill = [
      `printf '${before.trimEnd()}\\n' > data/before && sync`,
      // 128 MB into a 64 MB filesystem: dd must stop at ENOSPC.
      'if dd if=/dev/zero of=data/filler bs=1M count=128 conv=fsync; then echo outcome=fit; else echo outcome=full; fi',
    ].join(' && ');

    const [end] = (await reserveCreateAndRun(session, 'MOUNT', disks, { id: 'pv-full', megabytes: mountDiskMegabytes }, fill)).slice(-1);

    expect(end?.state, end?.message).toBe('TASK_FINISHED');
    expect(await readSandboxFile(agent.url, session.frameworkId, 'writer', 'stdout')).toContain('outcome=full');
    expect(await readSandboxFile(agent.url, session.frameworkId, 'writer', 'stderr')).toContain('No space left on device');
    const root = disks.mount.mountPoint;
    expect(readFileSync(join(root, 'before'), 'utf8')).toBe(before);
    expect(statSync(join(root, 'filler')).size).toBeGreaterThan(0);
    expect(statSync(join(root, 'filler')).size).toBeLessThan(mountDiskMegabytes * 1024 * 1024);
  });

  it('DESTROY empties the filesystem, lost+found included (Mesos rmdir without the root), keeps the root a mount point, and leaves the disk reserved', async () => {
    const disks = await makeDisks();
    const { session } = await startDiskCluster(disks);
    const root = disks.mount.mountPoint;
    const write = 'mkdir data/dir && echo a > data/file && echo b > data/dir/nested';
    const [end] = (await reserveCreateAndRun(session, 'MOUNT', disks, { id: 'pv-gone', megabytes: mountDiskMegabytes }, write)).slice(-1);
    expect(end?.state, end?.message).toBe('TASK_FINISHED');
    expect(readdirSync(root).sort()).toEqual(['dir', 'file', 'lost+found']);

    const offer = await offerWith(session, (candidate) => offeredVolume(candidate, 'pv-gone') !== undefined);
    await session.accept([offer.id], [operation('DESTROY', { destroy: { volumes: [volume('MOUNT', disks, 'pv-gone', mountDiskMegabytes)] } }, 'destroy')], {
      refuse_seconds: 0,
    });

    expect(await operationStates(session, 1)).toEqual([['destroy', 'OPERATION_FINISHED', undefined]]);
    expect(readdirSync(root)).toEqual([]);
    expect(isMountPoint(root)).toBe(true);
    const after = await offerWith(session, (candidate) =>
      disksOf(candidate).some((resource) => resource.disk?.source?.type === 'MOUNT' && (resource.reservations ?? []).length > 0),
    );
    const mountDisk = disksOf(after).find((resource) => resource.disk?.source?.type === 'MOUNT');
    expect(mountDisk?.disk?.persistence).toBeUndefined();
    expect(mountDisk?.scalar?.value).toBe(mountDiskMegabytes);
    expect(mountDisk?.reservations?.map((reservation) => [reservation.type, reservation.role])).toEqual([['DYNAMIC', role]]);
  });
});

describe('disk sources: shared volume', () => {
  it('two tasks of one ACCEPT use a shared PATH volume at once and see each other\'s files; DESTROY is refused while they run, and works once they are gone', async () => {
    const disks = await makeDisks();
    const { master, agent, session } = await startDiskCluster(disks, ['SHARED_RESOURCES']);
    const shared = volume('PATH', disks, 'pv-shared', 128, true);
    const exchange = (self: string, other: string): string =>
      `echo ${self} > data/.${self} && mv data/.${self} data/from-${self} && ` +
      `until [ -f data/from-${other} ]; do sleep 0.1; done && echo "${self} read: $(cat data/from-${other})" && exec sleep 600`;
    const offer = await offerWith(session, () => true);

    await session.accept(
      [offer.id],
      [
        operation('RESERVE', { reserve: { resources: [reservedDisk('PATH', disks, 128)] } }, 'reserve'),
        operation('CREATE', { create: { volumes: [shared] } }, 'create'),
        launch([task(offer, 'one', exchange('one', 'two'), shared), task(offer, 'two', exchange('two', 'one'), shared)]),
      ],
      { refuse_seconds: 0 },
    );

    expect(await operationStates(session, 2)).toEqual([
      ['reserve', 'OPERATION_FINISHED', undefined],
      ['create', 'OPERATION_FINISHED', undefined],
    ]);
    await untilState(session, 'one', 'TASK_RUNNING');
    await untilState(session, 'two', 'TASK_RUNNING');
    await waitForSandboxText(agent.url, session.frameworkId, 'one', 'stdout', /one read: two/);
    await waitForSandboxText(agent.url, session.frameworkId, 'two', 'stdout', /two read: one/);
    const directory = volumeDirectory('PATH', disks, 'pv-shared');
    expect(readdirSync(directory).sort()).toEqual(['from-one', 'from-two']);

    const inUse = await offerWith(session, (candidate) => offeredVolume(candidate, 'pv-shared') !== undefined);
    expect(offeredVolume(inUse, 'pv-shared')?.shared).toEqual({});
    await session.accept([inUse.id], [operation('DESTROY', { destroy: { volumes: [shared] } }, 'destroy-in-use')], { refuse_seconds: 0 });
    const [refused] = await operationStates(session, 1);
    expect(refused?.[0]).toBe('destroy-in-use');
    expect(refused?.[1]).toBe('OPERATION_ERROR');
    // Spec 2.4, DESTROY rule 3, with the "; on agent <id>" suffix of 2.0.5.
    expect(refused?.[2]).toMatch(/^Persistent volumes in use; on agent /);
    expect(readdirSync(directory).sort()).toEqual(['from-one', 'from-two']);
    expect((await masterStateTasks(master.url, session.frameworkId)).tasks.map((entry) => [entry.id, entry.state]).sort()).toEqual([
      ['one', 'TASK_RUNNING'],
      ['two', 'TASK_RUNNING'],
    ]);

    await session.kill('one');
    await session.kill('two');
    await untilState(session, 'one', 'TASK_KILLED');
    await untilState(session, 'two', 'TASK_KILLED');
    await waitFor(async () => (await masterStateTasks(master.url, session.frameworkId)).tasks.length === 0, { message: 'the master to count both tasks as gone' });
    const free = await offerWith(session, (candidate) => offeredVolume(candidate, 'pv-shared') !== undefined);
    await session.accept([free.id], [operation('DESTROY', { destroy: { volumes: [shared] } }, 'destroy-free')], { refuse_seconds: 0 });
    expect(await operationStates(session, 1)).toEqual([['destroy-free', 'OPERATION_FINISHED', undefined]]);
    expect(existsSync(directory)).toBe(false);
  });
});
