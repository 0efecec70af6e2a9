/**
 * cgroups/cpu: a container's share of the CPU, and its CPU time.
 *
 * v1: cpu.shares = 1024 per cpu (at least 2, the kernel's minimum), so that
 * busy containers split a contended core in the ratio of their cpus; with a
 * CFS quota (the task sets `limits.cpus`, or the agent runs with
 * --cgroups_enable_cfs) cpu.cfs_quota_us = cpus × cpu.cfs_period_us (100 ms),
 * a hard ceiling even on an idle host. CPU time comes from cpuacct (its own
 * hierarchy here, or mounted with cpu). v2: cpu.weight from the shares as
 * the kernel maps them, cpu.max for the quota, and cpu.stat.
 */
import { ok, err } from '../../../lib/result.js';
import type { IsolatedContainer, Isolator, IsolatorContext } from '../isolator.js';
import type { ResourceStatistics } from '../statistics.js';
import { Cgroup, removeOrphanCgroups } from './cgroup.js';
import type { CgroupHierarchy } from './hierarchy.js';

export interface CgroupsCpuOptions {
  readonly cpu: CgroupHierarchy;
  /** v1 only; under v2 cpu.stat has the times. */
  readonly cpuacct: CgroupHierarchy | undefined;
  readonly root: string;
  readonly enableCfs: boolean;
  /**
   * Whether its cleanup removes the container's cgroup. Under v2 the cpu,
   * memory and io controllers share one directory, which only the isolator
   * that cleans up last removes (registry.ts), so that cgroups/mem can still
   * read the OOM count there.
   */
  readonly removesCgroup: boolean;
  readonly context: IsolatorContext;
}

const sharesPerCpu = 1024;
const sharesMin = 2;
const cfsPeriodUs = 100_000;
/** Mesos' floor for a quota: 1 ms per period. */
const cfsQuotaUsMin = 1_000;
/** cpuacct.stat counts in USER_HZ, 100 on Linux. */
const userHz = 100;

interface CpuSettings {
  readonly cpus: number;
  /** undefined: no quota. */
  readonly quotaUs: number | undefined;
}

function settingsOf(container: Pick<IsolatedContainer, 'resources' | 'limits'>, enableCfs: boolean): CpuSettings {
  const cpus = container.resources.scalarValue('cpus');
  const limit = container.limits.cpus;
  const quotaCpus = limit !== undefined ? limit : enableCfs ? cpus : undefined;
  const quotaUs = quotaCpus === undefined || !Number.isFinite(quotaCpus) ? undefined : Math.max(cfsQuotaUsMin, Math.round(quotaCpus * cfsPeriodUs));
  return { cpus, quotaUs };
}

export function cgroupsCpuIsolator(options: CgroupsCpuOptions): Isolator {
  const settings = new Map<string, CpuSettings>();
  const cpuOf = (containerId: string): Cgroup => Cgroup.of(options.cpu, options.root, containerId);
  const cpuacctOf = (containerId: string): Cgroup | undefined =>
    options.cpuacct === undefined || options.cpu.version === 2 ? undefined : Cgroup.of(options.cpuacct, options.root, containerId);

  const apply = (containerId: string, wanted: CpuSettings): void => {
    const cgroup = cpuOf(containerId);
    const shares = Math.max(sharesMin, Math.floor(wanted.cpus * sharesPerCpu));
    if (options.cpu.version === 1) {
      cgroup.write('cpu.shares', shares);
      // A kernel without CFS bandwidth control has no such files: only a wanted quota needs them.
      if (wanted.quotaUs !== undefined || cgroup.has('cpu.cfs_quota_us')) {
        cgroup.write('cpu.cfs_period_us', cfsPeriodUs);
        cgroup.write('cpu.cfs_quota_us', wanted.quotaUs ?? -1);
      }
    } else {
      cgroup.write('cpu.weight', Math.max(1, Math.min(10_000, 1 + Math.floor(((shares - 2) * 9_999) / 262_142))));
      cgroup.write('cpu.max', `${wanted.quotaUs ?? 'max'} ${cfsPeriodUs}`);
    }
    settings.set(containerId, wanted);
  };

  return {
    name: 'cgroups/cpu',
    recover: (containers) => {
      for (const container of containers) settings.set(container.containerId, settingsOf(container, options.enableCfs));
      void removeOrphanCgroups([options.cpu, ...(options.cpuacct !== undefined ? [options.cpuacct] : [])], options.root, new Set(containers.map((container) => container.containerId)), (message) =>
        options.context.warn(`cgroups/cpu: ${message}`),
      );
    },
    prepare: (container) => {
      try {
        const cgroup = cpuOf(container.containerId);
        cgroup.make('cpu');
        const cgroups = [cgroup.path];
        const cpuacct = cpuacctOf(container.containerId);
        if (cpuacct !== undefined && cpuacct.path !== cgroup.path) {
          cpuacct.make();
          cgroups.push(cpuacct.path);
        }
        apply(container.containerId, settingsOf(container, options.enableCfs));
        return ok({ cgroups });
      } catch (error) {
        return err(`cgroups/cpu: cannot set up the cpu cgroup of container ${container.containerId}: ${(error as Error).message}`);
      }
    },
    update: (containerId, spec) => {
      if (!settings.has(containerId)) return;
      try {
        apply(containerId, settingsOf(spec, options.enableCfs));
      } catch (error) {
        options.context.warn(`cgroups/cpu: cannot update container ${containerId}: ${(error as Error).message}`);
      }
    },
    usage: (containerId) => Promise.resolve(cpuUsage(options, containerId, settings.get(containerId))),
    cleanup: async (containerId) => {
      settings.delete(containerId);
      if (!options.removesCgroup) return;
      await cpuOf(containerId).remove();
      await cpuacctOf(containerId)?.remove();
    },
  } satisfies Isolator;
}

function cpuUsage(options: CgroupsCpuOptions, containerId: string, wanted: CpuSettings | undefined): Partial<ResourceStatistics> {
  const cpu = Cgroup.of(options.cpu, options.root, containerId);
  const limits = wanted === undefined ? {} : { cpus_limit: wanted.cpus, ...(wanted.quotaUs !== undefined ? { cpus_quota_secs: wanted.quotaUs / 1e6 } : {}) };
  if (options.cpu.version === 2) {
    const stat = cpu.readKeyed('cpu.stat');
    return {
      ...limits,
      cpus_user_time_secs: (stat.get('user_usec') ?? 0) / 1e6,
      cpus_system_time_secs: (stat.get('system_usec') ?? 0) / 1e6,
      cpus_nr_periods: stat.get('nr_periods') ?? 0,
      cpus_nr_throttled: stat.get('nr_throttled') ?? 0,
      cpus_throttled_time_secs: (stat.get('throttled_usec') ?? 0) / 1e6,
    };
  }
  const stat = cpu.readKeyed('cpu.stat');
  const times = options.cpuacct === undefined ? undefined : Cgroup.of(options.cpuacct, options.root, containerId).readKeyed('cpuacct.stat');
  return {
    ...limits,
    ...(times !== undefined ? { cpus_user_time_secs: (times.get('user') ?? 0) / userHz, cpus_system_time_secs: (times.get('system') ?? 0) / userHz } : {}),
    cpus_nr_periods: stat.get('nr_periods') ?? 0,
    cpus_nr_throttled: stat.get('nr_throttled') ?? 0,
    cpus_throttled_time_secs: (stat.get('throttled_time') ?? 0) / 1e9,
  };
}
