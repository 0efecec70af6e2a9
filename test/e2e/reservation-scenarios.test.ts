/**
 * Starred scenarios of spec/storage.md section 7 that the other end-to-end
 * files leave out: ReserveThenUnreserve (1), ReserveAndLaunchThenUnreserve (3),
 * IncompatibleCheckpointedResources (13), EndpointReserveUnreserve (20) and
 * SharedPersistentVolumeMultipleFrameworks (46) on a PATH disk
 * (volume-scenarios.test.ts has it on ROOT).
 *
 * Method: real master and agent processes (test/support/cluster.ts);
 * frameworks drive the scheduler API over HTTP and an operator posts forms,
 * as Mesos' docs do with curl. Each state is waited for where it shows (an
 * offer, a task update, the agent's /state, a file), never by sleeping; then
 * the test compares it exactly. Offers come in the format spec 1.2 gives each
 * framework: canonical `reservations` with RESERVATION_REFINEMENT, the legacy
 * `role` and `reservation` without it (scenario 1 runs once for each).
 * A reboot is simulated as agent-restart.test.ts does, by rewriting the boot
 * id the agent recorded. Everything lives under the test root: after each
 * test, passed or failed, its processes are stopped (useCluster) and its own
 * directories removed; the processes' work dirs and logs stay, as cluster.ts
 * keeps them for the next run's clean-up.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { FrameworkInfo, OfferOperation } from '../../src/protocol/mesos.js';
import type { WireJsonResource, WireOffer } from '../../src/protocol/outputs.js';
import { startAgent, startMaster, useCluster, waitFor, type ProcessHandle } from '../support/cluster.js';
import { testRoot } from '../support/test-root.js';
import { fastMasterFlags, metric, storageFrameworkInfo, useSessions, waitForActiveAgents } from './helpers.js';
import { offerWith, operation, operationStates } from './operation-feedback.js';
import { agentReserved, legacyReserved, postForm } from './operator-storage-helpers.js';
import { launchOperation, masterStateTasks, nextOffer, scalar, untilState, updatesUntil } from './task-helpers.js';

useCluster();

const { open } = useSessions();

const role = 'eng';
const principal = 'eng-operator';
/** The operator of scenario 20, who authenticates with HTTP Basic. */
const operator = { principal: 'ops', secret: 'secret' };

/** Canonical (RESERVATION_REFINEMENT) or legacy (role + reservation) resources, spec 1.2. */
type Format = 'canonical' | 'legacy';

function framework(name: string, format: Format = 'canonical', capabilities: readonly string[] = []): FrameworkInfo {
  return storageFrameworkInfo(name, { role, principal, capabilities, legacy: format === 'legacy' });
}

async function cluster(agentFlags: readonly string[], masterFlags: readonly string[] = []): Promise<{ master: ProcessHandle; agent: ProcessHandle; agentId: string }> {
  const master = await startMaster({ flags: [...fastMasterFlags, ...masterFlags] });
  const agent = await startAgent(master.url, { flags: ['--registration_backoff_factor=10ms', ...agentFlags] });
  const [listed] = await waitForActiveAgents(master.url, 1);
  return { master, agent, agentId: listed?.id ?? '' };
}

/** A directory of the test's own under the test root, removed after it (once its processes are stopped). */
function testDirectory(prefix: string): string {
  mkdirSync(testRoot(), { recursive: true });
  const directory = mkdtempSync(join(testRoot(), prefix));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** A scalar dynamically reserved for `role` by `by`, in the format given. */
function reserved(name: string, value: number, format: Format = 'canonical', by = principal): WireJsonResource {
  if (format === 'legacy') return legacyReserved(name, value, role, by);
  return { ...scalar(name, value), reservations: [{ type: 'DYNAMIC', role, principal: by }] };
}

/** A resource as a MULTI_ROLE framework of `role` is offered it: the wire form plus allocation_info. */
function asOffered(resource: WireJsonResource): WireJsonResource {
  return { ...resource, allocation_info: { role } };
}

/** Unreserved, as offered: canonical has no reservation fields at all, legacy says `role: "*"`. */
function unreservedOffered(name: string, value: number, format: Format): WireJsonResource {
  return asOffered({ ...scalar(name, value), ...(format === 'legacy' ? { role: '*' } : {}) });
}

function isReserved(resource: WireJsonResource): boolean {
  const stack = resource['reservations'] as unknown[] | undefined;
  const legacyRole = resource['role'] as string | undefined;
  return (stack !== undefined && stack.length > 0) || (legacyRole !== undefined && legacyRole !== '*');
}

/** The offer's entries of `names`, in that order, for exact comparison. */
function entriesOf(offer: WireOffer, names: readonly string[]): WireJsonResource[] {
  return names.flatMap((name) => offer.resources.filter((resource) => resource['name'] === name));
}

/** Whether the offer holds `names` and every entry of them is reserved (or every one unreserved). */
function holds(names: readonly string[], state: 'reserved' | 'unreserved'): (offer: WireOffer) => boolean {
  return (offer) =>
    names.every((name) => {
      const entries = entriesOf(offer, [name]);
      return entries.length > 0 && entries.every((resource) => isReserved(resource) === (state === 'reserved'));
    });
}

const cpusAndMem = ['cpus', 'mem'] as const;

function task(offer: WireOffer, taskId: string, command: string, resources: readonly WireJsonResource[]): Record<string, unknown> {
  return { name: taskId, task_id: { value: taskId }, agent_id: offer.agent_id, command: { value: command }, resources };
}

function launch(offer: WireOffer, taskId: string, command: string, resources: readonly WireJsonResource[]): OfferOperation {
  return launchOperation([task(offer, taskId, command, resources)]);
}

interface AgentRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** The built agent in `workDir`, run to its exit (SIGKILL after 15 s), marked so that the cluster's sweep finds what it leaves. */
async function runAgentToExit(workDir: string, masterUrl: string, resources: string): Promise<AgentRun> {
  const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
  const flags = ['--ip=127.0.0.1', '--port=0', `--work_dir=${workDir}`, `--master=${masterUrl.replace('http://', '')}`, `--resources=${resources}`];
  const env = { ...process.env, BERTH_TEST_ROOT: testRoot(), BERTH_TEST_WORK_DIR: workDir };
  return new Promise((done) => {
    execFile(process.execPath, [cliEntry, 'agent', ...flags], { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL', env }, (error, _stdout, stderr) => {
      const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
      done({ status: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null, signal: failure?.signal ?? null, stderr });
    });
  });
}

describe('reservations: scenarios of spec/storage.md 7', () => {
  for (const format of ['canonical', 'legacy'] as const) {
    it(`1 ReserveThenUnreserve (${format} offers): all of cpus:1;mem:512 is offered reserved for R by P, then unreserved`, async () => {
      const { master } = await cluster(['--resources=cpus:1;mem:512']);
      const session = await open(master.url, framework(`reserve-unreserve-${format}`, format));
      const all = [reserved('cpus', 1, format), reserved('mem', 512, format)];

      const first = await nextOffer(session);
      expect(entriesOf(first, cpusAndMem)).toEqual([unreservedOffered('cpus', 1, format), unreservedOffered('mem', 512, format)]);
      expect((await session.accept([first.id], [operation('RESERVE', { reserve: { resources: all } })], { refuse_seconds: 0 })).status).toBe(202);

      // The accepted offer held the whole agent, so the next offer is the first one made after the RESERVE.
      const reservedOffer = await nextOffer(session);
      expect(entriesOf(reservedOffer, cpusAndMem)).toEqual(all.map(asOffered));
      await session.accept([reservedOffer.id], [operation('UNRESERVE', { unreserve: { resources: all } })], { refuse_seconds: 0 });

      const back = await nextOffer(session);
      expect(entriesOf(back, cpusAndMem)).toEqual([unreservedOffered('cpus', 1, format), unreservedOffered('mem', 512, format)]);
    });
  }

  it('3 ReserveAndLaunchThenUnreserve: a task runs on what the same ACCEPT reserved; then it is offered reserved, and after UNRESERVE unreserved', async () => {
    const { master } = await cluster(['--resources=cpus:1;mem:512']);
    const session = await open(master.url, framework('reserve-and-launch'));
    const x = [reserved('cpus', 1), reserved('mem', 512)];
    const offer = await offerWith(session, holds(cpusAndMem, 'unreserved'));

    await session.accept([offer.id], [operation('RESERVE', { reserve: { resources: x } }, 'reserve'), launch(offer, 'on-reserved', 'echo ran', x)], { refuse_seconds: 0 });

    expect(await operationStates(session, 1)).toEqual([['reserve', 'OPERATION_FINISHED', undefined]]);
    const seen = await updatesUntil(session, 'on-reserved');
    expect(seen.map((status) => status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    const again = await offerWith(session, holds(cpusAndMem, 'reserved'));
    expect(entriesOf(again, cpusAndMem)).toEqual(x.map(asOffered));

    await session.accept([again.id], [operation('UNRESERVE', { unreserve: { resources: x } }, 'unreserve')], { refuse_seconds: 0 });
    expect(await operationStates(session, 1)).toEqual([['unreserve', 'OPERATION_FINISHED', undefined]]);
    const back = await offerWith(session, holds(cpusAndMem, 'unreserved'));
    expect(entriesOf(back, cpusAndMem)).toEqual([unreservedOffered('cpus', 1, 'canonical'), unreservedOffered('mem', 512, 'canonical')]);
  });

  it('13 IncompatibleCheckpointedResources: after a reboot an agent with fewer cpus than it reserved exits with one line naming both, its journal untouched', async () => {
    const { master, agent } = await cluster(['--resources=cpus:8;mem:4096']);
    const session = await open(master.url, framework('incompatible'));
    const offer = await offerWith(session, holds(cpusAndMem, 'unreserved'));
    await session.accept([offer.id], [operation('RESERVE', { reserve: { resources: [reserved('cpus', 8), reserved('mem', 2048)] } })], { refuse_seconds: 0 });
    const expected = { [role]: [`cpus:8 by ${principal}`, `mem:2048 by ${principal}`] };
    await waitFor(async () => JSON.stringify(await agentReserved(agent.url)) === JSON.stringify(expected), { message: 'the reservation to reach the agent' });
    await agent.stop();
    const journalPath = join(agent.workDir, 'meta', 'resources', 'resources.journal');
    const journal = readFileSync(journalPath, 'utf8');
    expect(journal).toContain('"DYNAMIC"');
    writeFileSync(join(agent.workDir, 'meta', 'boot_id'), 'a-boot-id-of-an-earlier-boot\n');

    const run = await runAgentToExit(agent.workDir, master.url, 'cpus:4;mem:2048');

    expect(run.signal, 'the agent exits by itself').toBeNull();
    expect(run.status).not.toBe(0);
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines, `stderr: ${run.stderr}`).toHaveLength(1);
    expect(lines[0]).toContain('are incompatible with agent resources');
    const [checkpointed = '', declared = ''] = (lines[0] ?? '').split('are incompatible with agent resources');
    expect(checkpointed).toMatch(new RegExp(`cpus\\(reservations: \\[.*${role}.*\\]\\):8`));
    expect(checkpointed).toMatch(new RegExp(`mem\\(reservations: \\[.*${role}.*\\]\\):2048`));
    expect(declared).toMatch(/cpus:4/);
    expect(declared).toMatch(/mem:2048/);
    expect(readFileSync(journalPath, 'utf8')).toBe(journal);
  });

  it("20 EndpointReserveUnreserve: /master/reserve then /master/unreserve by the reservation's principal answer 202, and a framework's offers follow", async () => {
    const credentials = join(testDirectory('reservation-endpoints-'), 'credentials.json');
    writeFileSync(credentials, JSON.stringify({ credentials: [operator] }));
    const { master, agentId } = await cluster(['--resources=cpus:8;mem:4096'], [`--credentials=${credentials}`, '--authenticate_http_readwrite']);
    const resources = [reserved('cpus', 8, 'canonical', operator.principal), reserved('mem', 4096, 'canonical', operator.principal)];
    const form = [`slaveId=${agentId}`, `resources=${JSON.stringify(resources)}`];
    const user = `${operator.principal}:${operator.secret}`;

    const reserve = await postForm(`${master.url}/master/reserve`, form, user);
    expect(reserve.status, reserve.text).toBe(202);
    // Subscribed after the reserve, and declining for long before the unreserve, as upstream does: no
    // offer is outstanding when an operation comes, so none is rescinded (and filtered for 5 s, spec 5.1 step 12).
    const session = await open(master.url, framework('endpoint-watcher'));
    const reservedOffer = await offerWith(session, holds(cpusAndMem, 'reserved'));
    expect(entriesOf(reservedOffer, cpusAndMem)).toEqual(resources.map(asOffered));
    await session.decline([reservedOffer.id], { refuse_seconds: 1000 });

    const unreserve = await postForm(`${master.url}/master/unreserve`, form, user);
    expect(unreserve.status, unreserve.text).toBe(202);
    const back = await offerWith(session, holds(cpusAndMem, 'unreserved'));
    expect(entriesOf(back, cpusAndMem)).toEqual([unreservedOffered('cpus', 8, 'canonical'), unreservedOffered('mem', 4096, 'canonical')]);
  });

  it('46 SharedPersistentVolumeMultipleFrameworks (PATH disk): a second framework of the role is offered the shared volume in use and runs on it too; disk counted once', async () => {
    const pathRoot = join(testDirectory('reservation-path-disk-'), 'path-disk');
    const source = { type: 'PATH', path: { root: pathRoot } };
    const agentResources = [scalar('cpus', 2), scalar('mem', 1024), { ...scalar('disk', 512), disk: { source } }];
    const { master } = await cluster([`--resources=${JSON.stringify(agentResources)}`]);
    const disk = { ...reserved('disk', 256), disk: { source } };
    const volume = {
      ...reserved('disk', 256),
      disk: { persistence: { id: 'pv-shared', principal }, volume: { container_path: 'data', mode: 'RW' }, source },
      shared: {},
    };
    const uses = (offer: WireOffer): boolean => offer.resources.some((r) => (r['disk'] as { persistence?: { id: string } } | undefined)?.persistence?.id === 'pv-shared');
    const first = await open(master.url, framework('shared-1', 'canonical', ['SHARED_RESOURCES']));
    const offer = await offerWith(first, () => true);
    // The agent's one offer is held: suppressed, the first framework leaves what it does not use to the second.
    await first.suppress();

    await first.accept(
      [offer.id],
      [
        operation('RESERVE', { reserve: { resources: [disk] } }, 'reserve'),
        operation('CREATE', { create: { volumes: [volume] } }, 'create'),
        launch(offer, 't1', 'echo task1 > data/file1 && exec sleep 1000', [scalar('cpus', 0.5), scalar('mem', 64), volume]),
      ],
      { refuse_seconds: 0 },
    );
    expect(await operationStates(first, 2)).toEqual([
      ['reserve', 'OPERATION_FINISHED', undefined],
      ['create', 'OPERATION_FINISHED', undefined],
    ]);
    await untilState(first, 't1', 'TASK_RUNNING');

    const second = await open(master.url, framework('shared-2', 'canonical', ['SHARED_RESOURCES']));
    const shared = await offerWith(second, uses);
    expect((await masterStateTasks(master.url, first.frameworkId)).tasks.map((t) => [t.id, t.state])).toEqual([['t1', 'TASK_RUNNING']]);
    expect(shared.resources.find((r) => (r['disk'] as { persistence?: unknown } | undefined)?.persistence !== undefined)).toEqual(asOffered(volume));
    await second.accept([shared.id], [launch(shared, 't2', 'echo task2 > data/file2 && exec sleep 1000', [scalar('cpus', 0.5), scalar('mem', 64), volume])], {
      refuse_seconds: 0,
    });
    await untilState(second, 't2', 'TASK_RUNNING');

    const directory = join(pathRoot, 'volumes', 'roles', role, 'pv-shared');
    const written = (name: string, text: string): boolean => existsSync(join(directory, name)) && readFileSync(join(directory, name), 'utf8') === text;
    await waitFor(() => written('file1', 'task1\n') && written('file2', 'task2\n'), { message: 'both tasks to write into the volume on the PATH disk' });
    for (const session of [first, second]) {
      expect((await masterStateTasks(master.url, session.frameworkId)).tasks.map((t) => t.state)).toEqual(['TASK_RUNNING']);
    }
    expect(await metric(master.url, 'master/disk_used')).toBe(256);
    expect(await metric(master.url, 'master/cpus_used')).toBe(1);
    expect(await metric(master.url, 'master/mem_used')).toBe(128);
  });
});
