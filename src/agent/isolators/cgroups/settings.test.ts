/**
 * What cgroups/cpu and cgroups/mem write and read, v1 and v2, against fake
 * hierarchies: directories under the test root standing for the cgroup
 * mounts (a cgroup's files are plain files there). The real kernel is the
 * e2e tests' (test/e2e/cgroups.test.ts, v1 on this host); here v2, which
 * this host does not offer, is checked too.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRoot } from '../../../../test/support/test-root.js';
import { Resources } from '../../../resources/index.js';
import type { IsolatedContainer, IsolatorContext, Limitation } from '../isolator.js';
import { cgroupsCpuIsolator } from './cpu.js';
import type { CgroupHierarchy } from './hierarchy.js';
import { cgroupsMemIsolator } from './mem.js';

let root: string;
beforeEach(() => {
  mkdirSync(testRoot(), { recursive: true });
  root = mkdtempSync(join(testRoot(), 'cgroups-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A v2 fake also has the agent's root cgroup with its cgroup.subtree_control, as the kernel makes one with every cgroup. */
function hierarchy(name: string, version: 1 | 2): CgroupHierarchy {
  const mountPoint = join(root, name);
  mkdirSync(mountPoint, { recursive: true });
  if (version === 2) {
    writeFileSync(join(mountPoint, 'cgroup.subtree_control'), '');
    mkdirSync(join(mountPoint, 'berth'));
    writeFileSync(join(mountPoint, 'berth', 'cgroup.subtree_control'), '');
  }
  return { version, mountPoint };
}

function container(resources: string, limits: IsolatedContainer['limits'] = {}): IsolatedContainer {
  return { containerId: 'c1', sandbox: '/nowhere', resources: Resources.parse(resources), limits, labels: {}, volumes: [], owner: undefined };
}

const limited: Limitation[] = [];
const context: IsolatorContext = { limit: (_id, limitation) => limited.push(limitation), warn: () => undefined };

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

describe('cgroups/cpu', () => {
  it('v1: 1024 shares per cpu, no quota unless asked, a quota of limits.cpus', () => {
    const cpu = hierarchy('cpu', 1);
    const cpuacct = hierarchy('cpuacct', 1);
    const isolator = cgroupsCpuIsolator({ cpu, cpuacct, root: 'berth', enableCfs: false, removesCgroup: true, context });
    const prepared = isolator.prepare?.(container('cpus:1.5;mem:64'));
    expect(prepared).toEqual({ ok: true, value: { cgroups: [join(cpu.mountPoint, 'berth', 'c1'), join(cpuacct.mountPoint, 'berth', 'c1')] } });
    expect(read(join(cpu.mountPoint, 'berth', 'c1', 'cpu.shares'))).toBe('1536');
    // No quota wanted: a kernel's file would say -1; the fake has none, as a kernel without CFS bandwidth control.
    expect(existsSync(join(cpu.mountPoint, 'berth', 'c1', 'cpu.cfs_quota_us'))).toBe(false);
    const capped = cgroupsCpuIsolator({ cpu, cpuacct, root: 'capped', enableCfs: false, removesCgroup: true, context });
    capped.prepare?.(container('cpus:0.5', { cpus: 2 }));
    expect(read(join(cpu.mountPoint, 'capped', 'c1', 'cpu.cfs_quota_us'))).toBe('200000');
    expect(read(join(cpu.mountPoint, 'capped', 'c1', 'cpu.cfs_period_us'))).toBe('100000');
  });

  it('v1: --cgroups_enable_cfs caps at the cpus asked for; an infinite limit has no quota', () => {
    const cpu = hierarchy('cpu', 1);
    cgroupsCpuIsolator({ cpu, cpuacct: undefined, root: 'cfs', enableCfs: true, removesCgroup: true, context }).prepare?.(container('cpus:0.25'));
    expect(read(join(cpu.mountPoint, 'cfs', 'c1', 'cpu.cfs_quota_us'))).toBe('25000');
    cgroupsCpuIsolator({ cpu, cpuacct: undefined, root: 'inf', enableCfs: true, removesCgroup: true, context }).prepare?.(container('cpus:0.25', { cpus: Infinity }));
    expect(existsSync(join(cpu.mountPoint, 'inf', 'c1', 'cpu.cfs_quota_us'))).toBe(false);
  });

  it('v2: cpu.weight from the shares, cpu.max for the quota, the controller enabled down the tree; usage from cpu.stat', async () => {
    const unified = hierarchy('unified', 2);
    const isolator = cgroupsCpuIsolator({ cpu: unified, cpuacct: unified, root: 'berth', enableCfs: false, removesCgroup: true, context });
    expect(isolator.prepare?.(container('cpus:1', { cpus: 1.5 }))).toEqual({ ok: true, value: { cgroups: [join(unified.mountPoint, 'berth', 'c1')] } });
    expect(read(join(unified.mountPoint, 'cgroup.subtree_control'))).toBe('+cpu');
    expect(read(join(unified.mountPoint, 'berth', 'cgroup.subtree_control'))).toBe('+cpu');
    expect(read(join(unified.mountPoint, 'berth', 'c1', 'cpu.weight'))).toBe('39');
    expect(read(join(unified.mountPoint, 'berth', 'c1', 'cpu.max'))).toBe('150000 100000');
    writeFileSync(join(unified.mountPoint, 'berth', 'c1', 'cpu.stat'), 'usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\nnr_periods 10\nnr_throttled 2\nthrottled_usec 500000\n');
    expect(await isolator.usage?.('c1')).toEqual({
      cpus_limit: 1,
      cpus_quota_secs: 0.15,
      cpus_user_time_secs: 2,
      cpus_system_time_secs: 1,
      cpus_nr_periods: 10,
      cpus_nr_throttled: 2,
      cpus_throttled_time_secs: 0.5,
    });
  });
});

describe('cgroups/mem', () => {
  it("v1: the container's mem is its hard and soft limit, at least 32 MB; limits.mem raises the hard one", () => {
    const memory = hierarchy('memory', 1);
    cgroupsMemIsolator({ memory, root: 'a', oomCheckMs: 60_000, removesCgroup: true, context }).prepare?.(container('cpus:1;mem:64'));
    expect(read(join(memory.mountPoint, 'a', 'c1', 'memory.limit_in_bytes'))).toBe(String(64 * 1024 * 1024));
    expect(read(join(memory.mountPoint, 'a', 'c1', 'memory.soft_limit_in_bytes'))).toBe(String(64 * 1024 * 1024));
    cgroupsMemIsolator({ memory, root: 'b', oomCheckMs: 60_000, removesCgroup: true, context }).prepare?.(container('mem:8', { mem: 128 }));
    expect(read(join(memory.mountPoint, 'b', 'c1', 'memory.limit_in_bytes'))).toBe(String(128 * 1024 * 1024));
    expect(read(join(memory.mountPoint, 'b', 'c1', 'memory.soft_limit_in_bytes'))).toBe(String(32 * 1024 * 1024));
  });

  it('v1: an OOM kill seen at cleanup limits the container with the memory reason, before the cgroup goes', async () => {
    const memory = hierarchy('memory', 1);
    const isolator = cgroupsMemIsolator({ memory, root: 'oom', oomCheckMs: 60_000, removesCgroup: true, context });
    isolator.prepare?.(container('mem:64'));
    const directory = join(memory.mountPoint, 'oom', 'c1');
    writeFileSync(join(directory, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
    writeFileSync(join(directory, 'memory.max_usage_in_bytes'), String(64 * 1024 * 1024));
    limited.length = 0;
    // A fake cgroup directory holds files, so it cannot be removed the way a real one is: the limitation comes first.
    await expect(isolator.cleanup?.('c1')).rejects.toThrow();
    expect(limited).toEqual([
      { reason: 'REASON_CONTAINER_LIMITATION_MEMORY', message: 'Memory limit exceeded: Requested: 64MB Maximum Used: 64MB', resources: [{ name: 'mem', type: 'SCALAR', scalar: { value: 64 } }] },
    ]);
  });

  it('update keeps the limits: a finite limits.mem stays the hard limit, a cpu quota follows the new cpus', () => {
    const memory = hierarchy('memory', 1);
    const mem = cgroupsMemIsolator({ memory, root: 'up', oomCheckMs: 60_000, removesCgroup: true, context });
    mem.prepare?.(container('mem:64', { mem: 1024 }));
    mem.update?.('c1', { resources: Resources.parse('mem:128'), limits: { mem: 1024 }, labels: {} });
    expect(read(join(memory.mountPoint, 'up', 'c1', 'memory.limit_in_bytes'))).toBe(String(1024 * 1024 * 1024));
    expect(read(join(memory.mountPoint, 'up', 'c1', 'memory.soft_limit_in_bytes'))).toBe(String(128 * 1024 * 1024));
    mem.close?.();
    const cpu = hierarchy('cpu', 1);
    const cpus = cgroupsCpuIsolator({ cpu, cpuacct: undefined, root: 'up', enableCfs: true, removesCgroup: true, context });
    cpus.prepare?.(container('cpus:1'));
    cpus.update?.('c1', { resources: Resources.parse('cpus:3'), limits: {}, labels: {} });
    expect(read(join(cpu.mountPoint, 'up', 'c1', 'cpu.shares'))).toBe('3072');
    expect(read(join(cpu.mountPoint, 'up', 'c1', 'cpu.cfs_quota_us'))).toBe('300000');
  });

  it("v2: an isolator that does not own the shared directory leaves it, so that cgroups/mem still reads the OOM count there", async () => {
    const unified = hierarchy('unified', 2);
    const isolator = cgroupsMemIsolator({ memory: unified, root: 'berth', oomCheckMs: 60_000, removesCgroup: false, context });
    isolator.prepare?.(container('mem:64'));
    writeFileSync(join(unified.mountPoint, 'berth', 'c1', 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    limited.length = 0;
    await isolator.cleanup?.('c1');
    expect(limited.map((limitation) => limitation.reason)).toEqual(['REASON_CONTAINER_LIMITATION_MEMORY']);
    expect(read(join(unified.mountPoint, 'berth', 'c1', 'memory.events'))).toContain('oom_kill 1');
  });

  it('v2: memory.max and memory.low; an infinite limit is max; usage from memory.current and memory.stat', async () => {
    const unified = hierarchy('unified', 2);
    const isolator = cgroupsMemIsolator({ memory: unified, root: 'berth', oomCheckMs: 60_000, removesCgroup: true, context });
    isolator.prepare?.(container('mem:64', { mem: Infinity }));
    const directory = join(unified.mountPoint, 'berth', 'c1');
    expect(read(join(directory, 'memory.max'))).toBe('max');
    expect(read(join(directory, 'memory.low'))).toBe(String(64 * 1024 * 1024));
    writeFileSync(join(directory, 'memory.current'), '1000\n');
    writeFileSync(join(directory, 'memory.stat'), 'anon 600\nfile 400\n');
    expect(await isolator.usage?.('c1')).toEqual({ mem_soft_limit_bytes: 64 * 1024 * 1024, mem_total_bytes: 1000, mem_rss_bytes: 600, mem_cache_bytes: 400 });
    isolator.close?.();
  });
});
