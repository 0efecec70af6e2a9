/**
 * disk/du (spec/storage.md 3.6) with real master and agent processes:
 * scenarios 65 (DiskUsageExceedsQuota: a task writes past its sandbox's
 * quota), 66 (VolumeUsageExceedsQuota: past its volume's, not its sandbox's),
 * 67 (NoQuotaEnforcement: measured, not enforced), 68 (ResourceStatistics:
 * one disk_statistics entry per path, in /monitor/statistics and the agent's
 * GET_CONTAINERS) and 69 (DiskQuotaSlaveRecovery:
 * measuring resumes after an agent restart with the same limits), and 70
 * (MountDiskENOSPC: a volume on a loop-mounted ext4 MOUNT disk fails writes
 * with ENOSPC, and disk/du, enforcing, leaves it running).
 *
 * Method: each test starts its own master and agent (--isolation with
 * disk/du, a 50 ms watch interval); frameworks launch command tasks over the
 * scheduler API and read /monitor/statistics; the volume is CREATEd on a
 * statically reserved disk of role `quota` in the same ACCEPT as its task.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FrameworkInfo, OfferOperation } from '../../src/protocol/mesos.js';
import type { WireOffer } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, useCluster, waitFor, type ProcessHandle } from '../support/cluster.js';
import { makeLoopDisk } from '../support/loop-disk.js';
import { testRoot } from '../support/test-root.js';
import { fastMasterFlags, useSessions, waitForActiveAgents } from './helpers.js';
import { offerWith } from './operation-feedback.js';
import { agentTask, readSandboxFile, scalar, untilState, waitForSandboxText } from './task-helpers.js';

useCluster();

const { open } = useSessions();

const role = 'quota';
const principal = 'quota-operator';
const megabyte = 1024 * 1024;

/** The agent's resources: unreserved cpus, mem and disk, 128 MB of disk reserved to the role, and `extra`. */
function agentResources(extra: readonly Record<string, unknown>[]): string {
  return JSON.stringify([scalar('cpus', 2), scalar('mem', 1024), scalar('disk', 256), reservedDisk(128), ...extra]);
}

function agentFlags(enforce: boolean, extraResources: readonly Record<string, unknown>[] = []): string[] {
  return [
    '--registration_backoff_factor=10ms',
    '--executor_shutdown_grace_period=1secs',
    `--resources=${agentResources(extraResources)}`,
    '--isolation=filesystem/linux,disk/du',
    `--${enforce ? '' : 'no-'}enforce_container_disk_quota`,
    '--container_disk_watch_interval=50ms',
  ];
}

function framework(): FrameworkInfo {
  return { user: 'root', name: 'disk-quota-e2e', roles: [role], principal, checkpoint: true, capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }] } as FrameworkInfo;
}

async function cluster(enforce: boolean, extraResources: readonly Record<string, unknown>[] = []): Promise<{ master: ProcessHandle; agent: ProcessHandle; session: SchedulerSession }> {
  const master = await startMaster({ flags: fastMasterFlags });
  const agent = await startAgent(master.url, { flags: agentFlags(enforce, extraResources) });
  await waitForActiveAgents(master.url, 1);
  return { master, agent, session: await open(master.url, framework()) };
}

function reservedDisk(megabytes: number, source?: Record<string, unknown>): Record<string, unknown> {
  return { ...scalar('disk', megabytes), reservations: [{ type: 'STATIC', role }], ...(source === undefined ? {} : { disk: { source } }) };
}

function volume(id: string, megabytes: number, source?: Record<string, unknown>): Record<string, unknown> {
  return {
    ...reservedDisk(megabytes),
    disk: { persistence: { id, principal }, volume: { container_path: 'volume_path', mode: 'RW' }, ...(source === undefined ? {} : { source }) },
  };
}

function task(offer: WireOffer, taskId: string, command: string, resources: Record<string, unknown>[]): Record<string, unknown> {
  return { name: taskId, task_id: { value: taskId }, agent_id: offer.agent_id, command: { value: command }, resources };
}

function accept(session: SchedulerSession, offer: WireOffer, operations: readonly Record<string, unknown>[]): Promise<unknown> {
  return session.accept([offer.id], operations as unknown as OfferOperation[], { refuse_seconds: 0 });
}

function withReservedDisk(offer: WireOffer): boolean {
  return (offer.resources as { name: string; reservations?: { role?: string }[] }[]).some(
    (resource) => resource.name === 'disk' && (resource.reservations ?? []).some((reservation) => reservation.role === role),
  );
}

interface StatisticsEntry {
  readonly executor_id: string;
  readonly statistics: {
    readonly disk_limit_bytes?: number;
    readonly disk_used_bytes?: number;
    readonly disk_statistics?: readonly { limit_bytes?: number; used_bytes?: number; persistence?: { id: string } }[];
  };
}

async function statisticsOf(agentUrl: string, executorId: string): Promise<StatisticsEntry['statistics'] | undefined> {
  const entries = await fetchJson<StatisticsEntry[]>(`${agentUrl}/monitor/statistics`);
  return entries.find((entry) => entry.executor_id === executorId)?.statistics;
}

/** Writes `megabytes` MB to `path` with dd, then sleeps (a task that stays). */
function writeThenSleep(path: string, megabytes: number): string {
  return `dd if=/dev/zero of=${path} bs=1048576 count=${megabytes} 2>/dev/null && exec sleep 1000`;
}

describe('disk/du: quotas enforced', () => {
  it('65 DiskUsageExceedsQuota: a task writing 2 MB in a 1 MB sandbox fails with the disk limitation', async () => {
    const { session } = await cluster(true);
    const offer = await offerWith(session, () => true);
    await accept(session, offer, [
      { type: 'LAUNCH', launch: { task_infos: [task(offer, 'hog', writeThenSleep('file', 2), [scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 1)])] } },
    ]);
    await untilState(session, 'hog', 'TASK_RUNNING');
    const failed = await untilState(session, 'hog', 'TASK_FAILED');
    expect(failed.source).toBe('SOURCE_AGENT');
    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_DISK');
    expect(failed.message).toMatch(/^Disk usage \(\d+KB\) exceeds quota \(1MB\)$/);
    expect(failed.limitation?.resources).toEqual([expect.objectContaining({ name: 'disk', scalar: { value: 1 } })]);
  }, 30_000);

  it('66 VolumeUsageExceedsQuota: 2 MB written into a 1 MB volume fails the task though its 16 MB sandbox is nearly empty', async () => {
    const { session } = await cluster(true);
    const offer = await offerWith(session, withReservedDisk);
    const resources = [scalar('cpus', 0.1), scalar('mem', 32), reservedDisk(16), volume('vol-66', 1)];
    await accept(session, offer, [
      { type: 'CREATE', create: { volumes: [volume('vol-66', 1)] } },
      { type: 'LAUNCH', launch: { task_infos: [task(offer, 'volume-hog', writeThenSleep('volume_path/file', 2), resources)] } },
    ]);
    const failed = await untilState(session, 'volume-hog', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_DISK');
    expect(failed.message).toMatch(/^Disk usage \(\d+KB\) exceeds quota \(1MB\)$/);
    expect(failed.limitation?.resources).toEqual([expect.objectContaining({ disk: expect.objectContaining({ persistence: expect.objectContaining({ id: 'vol-66' }) }) })]);
  }, 30_000);

  it('68 ResourceStatistics: the sandbox and each volume are measured apart, each against its own limit', async () => {
    const { agent, session } = await cluster(true);
    const offer = await offerWith(session, withReservedDisk);
    const resources = [scalar('cpus', 0.1), scalar('mem', 32), reservedDisk(3), volume('path1', 4)];
    const command = `dd if=/dev/zero of=file bs=1048576 count=2 2>/dev/null && ${writeThenSleep('volume_path/file', 2)}`;
    await accept(session, offer, [
      { type: 'CREATE', create: { volumes: [volume('path1', 4)] } },
      { type: 'LAUNCH', launch: { task_infos: [task(offer, 'measured', command, resources)] } },
    ]);
    await untilState(session, 'measured', 'TASK_RUNNING');
    const statistics = await waitFor(
      async () => {
        const found = await statisticsOf(agent.url, 'measured');
        const volumeEntry = found?.disk_statistics?.find((entry) => entry.persistence?.id === 'path1');
        return (found?.disk_used_bytes ?? 0) >= 2 * megabyte && (volumeEntry?.used_bytes ?? 0) >= 2 * megabyte ? found : undefined;
      },
      { message: 'both paths measured past 2 MB', timeoutMs: 15_000 },
    );
    expect(statistics.disk_limit_bytes).toBe(3 * megabyte);
    expect(statistics.disk_used_bytes).toBeLessThanOrEqual(3 * megabyte);
    expect(statistics.disk_statistics).toHaveLength(2);
    const volumeEntry = statistics.disk_statistics?.find((entry) => entry.persistence !== undefined);
    const sandboxEntry = statistics.disk_statistics?.find((entry) => entry.persistence === undefined);
    expect(volumeEntry).toMatchObject({ limit_bytes: 4 * megabyte, persistence: { id: 'path1' } });
    expect(sandboxEntry?.limit_bytes).toBe(3 * megabyte);
    // The volume's 2 MB are not the sandbox's: the sandbox holds its own file only.
    expect(statistics.disk_used_bytes).toBeLessThan(3 * megabyte);
    // The agent's v1 operator API gives the same figures per container.
    const answer = await fetch(`${agent.url}/api/v1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'GET_CONTAINERS' }) });
    expect(answer.status).toBe(200);
    const containers = ((await answer.json()) as { get_containers: { containers: { executor_id: { value: string }; resource_statistics: StatisticsEntry['statistics'] }[] } }).get_containers.containers;
    const container = containers.find((entry) => entry.executor_id.value === 'measured');
    expect(container?.resource_statistics.disk_limit_bytes).toBe(3 * megabyte);
    expect(container?.resource_statistics.disk_statistics).toHaveLength(2);
    await session.kill({ value: 'measured' }, offer.agent_id);
    await untilState(session, 'measured', 'TASK_KILLED');
  }, 30_000);

  it('69 DiskQuotaSlaveRecovery: after an agent restart the task is measured again, with the same limit', async () => {
    const { agent, session } = await cluster(true);
    const offer = await offerWith(session, () => true);
    // 512 KB at once, then 64 KB more every 50 ms: usage keeps growing, under the 3 MB quota for a while.
    const command = 'dd if=/dev/zero of=file bs=524288 count=1 2>/dev/null; i=0; while [ $i -lt 30 ]; do dd if=/dev/zero of=more$i bs=65536 count=1 2>/dev/null; i=$((i+1)); sleep 0.05; done; exec sleep 1000';
    await accept(session, offer, [{ type: 'LAUNCH', launch: { task_infos: [task(offer, 'recovered', command, [scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 3)])] } }]);
    await untilState(session, 'recovered', 'TASK_RUNNING');
    await waitFor(async () => ((await statisticsOf(agent.url, 'recovered'))?.disk_used_bytes ?? 0) >= 512 * 1024, { message: 'a first measurement' });
    const restarted = await agent.restart();
    const after = await waitFor(
      async () => {
        const found = await statisticsOf(restarted.url, 'recovered');
        return (found?.disk_used_bytes ?? 0) > 512 * 1024 + 64 * 1024 ? found : undefined;
      },
      { message: 'usage measured again after the restart, grown past 576 KB', timeoutMs: 20_000 },
    );
    expect(after.disk_limit_bytes).toBe(3 * megabyte);
  }, 40_000);
});

describe('disk/du and a MOUNT disk', () => {
  it('70 MountDiskENOSPC: writes past a MOUNT disk fail with ENOSPC and the task is not killed, though du sees it past its quota', async () => {
    // A 16 MB file system declared as 8 MB: the task can write past the declared size, and the file system stops it.
    const disk = await makeLoopDisk(join(testRoot(), `mount-disk-${process.pid}-${Date.now()}`), 16);
    const source = { type: 'MOUNT', mount: { root: disk.mountPoint } };
    const { agent, session } = await cluster(true, [reservedDisk(8, source)]);
    const offer = await offerWith(session, (candidate) => JSON.stringify(candidate.resources).includes(disk.mountPoint));
    const mountVolume = volume('vol-70', 8, source);
    const command = 'dd if=/dev/zero of=volume_path/fill bs=1048576 count=40 2> dd.err; echo $? > dd.status; exec sleep 1000';
    await accept(session, offer, [
      { type: 'CREATE', create: { volumes: [mountVolume] } },
      { type: 'LAUNCH', launch: { task_infos: [task(offer, 'filler', command, [scalar('cpus', 0.1), scalar('mem', 32), mountVolume])] } },
    ]);
    await untilState(session, 'filler', 'TASK_RUNNING');
    const status = await waitForSandboxText(agent.url, session.frameworkId, 'filler', 'dd.status', /^\d+\n$/);
    expect(status.trim()).not.toBe('0');
    expect(await readSandboxFile(agent.url, session.frameworkId, 'filler', 'dd.err')).toContain('No space left on device');
    // Measured past its 8 MB, more than once, and still running: disk/du leaves MOUNT disks to their file system.
    const measured = await waitFor(
      async () => {
        const found = (await statisticsOf(agent.url, 'filler'))?.disk_statistics?.find((entry) => entry.persistence?.id === 'vol-70');
        return (found?.used_bytes ?? 0) > 8 * megabyte ? found : undefined;
      },
      { message: 'the volume measured past its declared 8 MB' },
    );
    expect(measured.limit_bytes).toBe(8 * megabyte);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await agentTask(agent.url, session.frameworkId, 'filler'))?.task.state).toBe('TASK_RUNNING');
  }, 40_000);
});

describe('disk/du: quotas not enforced', () => {
  it('67 NoQuotaEnforcement: past its quota the task keeps running, and its statistics say so', async () => {
    const { agent, session } = await cluster(false);
    const offer = await offerWith(session, () => true);
    await accept(session, offer, [
      { type: 'LAUNCH', launch: { task_infos: [task(offer, 'free', writeThenSleep('file', 2), [scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 1)])] } },
    ]);
    await untilState(session, 'free', 'TASK_RUNNING');
    const statistics = await waitFor(
      async () => {
        const found = await statisticsOf(agent.url, 'free');
        return (found?.disk_used_bytes ?? 0) >= 2 * megabyte ? found : undefined;
      },
      { message: 'the sandbox measured past 2 MB' },
    );
    expect(statistics.disk_limit_bytes).toBe(megabyte);
    expect(statistics.disk_used_bytes).toBeGreaterThan(statistics.disk_limit_bytes ?? 0);
    // Several more measurements later it still runs.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const tasks = await fetchJson<{ frameworks: { executors: { id: string; tasks: { state: string }[] }[] }[] }>(`${agent.url}/state`);
    const state = tasks.frameworks.flatMap((f) => f.executors).find((executor) => executor.id === 'free')?.tasks[0]?.state;
    expect(state).toBe('TASK_RUNNING');
  }, 30_000);
});
