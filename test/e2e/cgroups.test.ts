/**
 * cgroups/cpu and cgroups/mem (cgroup v1 on this host) with real master and
 * agent processes: a task's cgroups hold the shares, quota and memory limit
 * its resources ask for, its processes are in them from the start, a task
 * that allocates past its memory limit is TASK_FAILED with the memory
 * reason, and an ended container leaves no cgroup behind, also one the
 * agent recovered after a restart.
 *
 * Method: one master and one agent for the file, the agent with
 * --cgroups_root=berth-test-e2e-<pid> (scripts/clean-test-root.sh removes
 * berth-test* cgroups an interrupted run leaves). The cgroup files are read
 * directly under /sys/fs/cgroup, the task's membership from /proc/<pid>/cgroup.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cgroup, cgroupsUnder } from '../../src/agent/isolators/cgroups/cgroup.js';
import { findHierarchy } from '../../src/agent/isolators/cgroups/hierarchy.js';
import { waitFor } from '../support/cluster.js';
import { pidIn } from './helpers.js';
import { agentExecutor, commandTask, launch, nextOffer, scalar, taskFramework, untilState, useTaskCluster } from './task-helpers.js';

const cgroupsRoot = `berth-test-e2e-${process.pid}`;
const cpuHierarchy = findHierarchy('cpu');
const memoryHierarchy = findHierarchy('memory');
const available = process.getuid?.() === 0 && cpuHierarchy?.version === 1 && memoryHierarchy?.version === 1;

/**
 * Registered before the cluster, so it runs after the cluster has stopped
 * (vitest runs afterAll hooks last-registered first): the agent removes each
 * container's cgroup when the container ends; what a test interrupted left,
 * and the root the agent made them under, the file removes, in every
 * hierarchy it used.
 */
afterAll(async () => {
  for (const controller of ['cpu', 'cpuacct', 'memory'] as const) {
    const hierarchy = findHierarchy(controller);
    if (hierarchy === undefined) continue;
    for (const containerId of cgroupsUnder(hierarchy, cgroupsRoot)) await Cgroup.of(hierarchy, cgroupsRoot, containerId).remove();
    await new Cgroup(hierarchy, join(hierarchy.mountPoint, cgroupsRoot)).remove();
  }
});

const cluster = useTaskCluster({
  agentFlags: [`--isolation=filesystem/linux,cgroups/cpu,cgroups/mem`, `--cgroups_root=${cgroupsRoot}`],
});

function cgroupFile(mountPoint: string | undefined, containerId: string, file: string): string {
  return join(mountPoint ?? '', cgroupsRoot, containerId, file);
}

function readNumber(path: string): number {
  return Number(readFileSync(path, 'utf8').trim());
}

/** The cgroup path of `pid` in the v1 hierarchy of `controller`, from /proc/<pid>/cgroup. */
function cgroupOfProcess(pid: number, controller: string): string | undefined {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers?.split(',').includes(controller) === true) return path;
  }
  return undefined;
}

describe.skipIf(!available)('cgroups: cpu and memory (v1)', () => {
  it("puts the task's processes in cgroups with 1024 shares per cpu and the memory limit of its container", async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'shared', 'echo $$ > pid; exec sleep 1000', { resources: [scalar('cpus', 0.5), scalar('mem', 64)] })]);
    await untilState(session, 'shared', 'TASK_RUNNING');
    const executor = await agentExecutor(cluster.agent.url, session.frameworkId, 'shared');
    const containerId = executor?.container ?? '';
    const pid = await pidIn(executor?.directory);
    // The task's 0.5 cpus and 64 MB plus the command executor's 0.1 cpus and 32 MB.
    expect(readNumber(cgroupFile(cpuHierarchy?.mountPoint, containerId, 'cpu.shares'))).toBe(Math.floor(0.6 * 1024));
    expect(readNumber(cgroupFile(cpuHierarchy?.mountPoint, containerId, 'cpu.cfs_quota_us'))).toBe(-1);
    expect(readNumber(cgroupFile(memoryHierarchy?.mountPoint, containerId, 'memory.limit_in_bytes'))).toBe(96 * 1024 * 1024);
    expect(cgroupOfProcess(pid, 'cpu')).toBe(`/${cgroupsRoot}/${containerId}`);
    expect(cgroupOfProcess(pid, 'memory')).toBe(`/${cgroupsRoot}/${containerId}`);
    await session.kill({ value: 'shared' }, offer.agent_id);
    await untilState(session, 'shared', 'TASK_KILLED');
    await waitFor(() => !existsSync(join(cpuHierarchy?.mountPoint ?? '', cgroupsRoot, containerId)) && !existsSync(join(memoryHierarchy?.mountPoint ?? '', cgroupsRoot, containerId)), {
      message: "the ended container's cgroups to be removed",
    });
  }, 30_000);

  it('gives a task that sets limits.cpus a CFS quota of its limit (plus the executor\'s cpus)', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    const task = commandTask(offer, 'capped', 'exec sleep 1000', { resources: [scalar('cpus', 0.2), scalar('mem', 32)], limits: { cpus: { value: 0.5 } } });
    await launch(session, offer, [task]);
    await untilState(session, 'capped', 'TASK_RUNNING');
    const containerId = (await agentExecutor(cluster.agent.url, session.frameworkId, 'capped'))?.container ?? '';
    expect(readNumber(cgroupFile(cpuHierarchy?.mountPoint, containerId, 'cpu.cfs_period_us'))).toBe(100_000);
    expect(readNumber(cgroupFile(cpuHierarchy?.mountPoint, containerId, 'cpu.cfs_quota_us'))).toBe(60_000);
    // The shares still follow the request.
    expect(readNumber(cgroupFile(cpuHierarchy?.mountPoint, containerId, 'cpu.shares'))).toBe(Math.floor(0.3 * 1024));
  }, 30_000);

  it('keeps a recovered container in its cgroups across an agent restart, sees its OOM kill after it, and removes them at its end', async () => {
    const session = await cluster.open(taskFramework('root', { checkpoint: true }));
    const offer = await nextOffer(session);
    // Waits for `go`, then allocates past its 64 MB (task 32 + executor 32).
    const command = 'echo $$ > pid; while [ ! -e go ]; do sleep 0.05; done; head -c 400M /dev/zero | tail -n 1 > /dev/null; exec sleep 1000';
    await launch(session, offer, [commandTask(offer, 'survivor', command, { resources: [scalar('cpus', 0.1), scalar('mem', 32)] })]);
    await untilState(session, 'survivor', 'TASK_RUNNING');
    const executor = await agentExecutor(cluster.agent.url, session.frameworkId, 'survivor');
    const containerId = executor?.container ?? '';
    await pidIn(executor?.directory);
    const restarted = await cluster.agent.restart();
    await waitFor(async () => (await agentExecutor(restarted.url, session.frameworkId, 'survivor')) !== undefined, { message: 'the executor recovered' });
    expect(readNumber(cgroupFile(memoryHierarchy?.mountPoint, containerId, 'memory.limit_in_bytes'))).toBe(64 * 1024 * 1024);
    writeFileSync(join(executor?.directory ?? '', 'go'), '');
    const failed = await untilState(session, 'survivor', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_MEMORY');
    await waitFor(() => !existsSync(join(memoryHierarchy?.mountPoint ?? '', cgroupsRoot, containerId)), { message: "the recovered container's memory cgroup removed" });
  }, 40_000);

  it('fails a task that allocates past its memory limit with REASON_CONTAINER_LIMITATION_MEMORY', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    // tail keeps the last line of what it reads, and /dev/zero has no newline: it grows until the OOM killer takes it.
    const command = 'head -c 400M /dev/zero | tail -n 1 > /dev/null; exec sleep 1000';
    await launch(session, offer, [commandTask(offer, 'greedy', command, { resources: [scalar('cpus', 0.1), scalar('mem', 32)] })]);
    const failed = await untilState(session, 'greedy', 'TASK_FAILED');
    expect(failed.source).toBe('SOURCE_AGENT');
    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_MEMORY');
    expect(failed.message).toMatch(/^Memory limit exceeded: Requested: 64MB Maximum Used: \d+(B|KB|MB)$/);
    expect(failed.limitation?.resources).toEqual([{ name: 'mem', type: 'SCALAR', scalar: { value: 64 } }]);
  }, 30_000);
});
