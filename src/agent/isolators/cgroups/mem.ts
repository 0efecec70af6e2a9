/**
 * cgroups/mem: a container's memory limit, and its memory usage.
 *
 * The hard limit is the container's `mem` (or its tasks' `limits.mem`; none
 * when that is infinite), the soft limit its `mem`: past the hard limit the
 * kernel's OOM killer kills inside the cgroup. The isolator then limits the
 * container, which is destroyed, its tasks TASK_FAILED with
 * REASON_CONTAINER_LIMITATION_MEMORY. OOM kills are counted by the kernel
 * (v1: memory.oom_control's oom_kill, kernel 4.13 and later; v2:
 * memory.events): read every `oomCheckMs` while the container runs, and once
 * more when it has ended, before the cgroup goes, since the kill of the
 * task's main process ends the container before a check may see it.
 */
import { formatBytes } from '../../../lib/bytes.js';
import { err, ok } from '../../../lib/result.js';
import type { IsolatedContainer, Isolator, IsolatorContext } from '../isolator.js';
import type { ResourceStatistics } from '../statistics.js';
import { Cgroup, removeOrphanCgroups } from './cgroup.js';
import type { CgroupHierarchy } from './hierarchy.js';

export interface CgroupsMemOptions {
  readonly memory: CgroupHierarchy;
  readonly root: string;
  readonly oomCheckMs: number;
  /** Whether its cleanup removes the container's cgroup (cpu.ts says why it may not). */
  readonly removesCgroup: boolean;
  readonly context: IsolatorContext;
}

const bytesPerMegabyte = 1024 * 1024;
/** Mesos' floor for a container's memory limit (MIN_MEMORY). */
const memoryBytesMin = 32 * bytesPerMegabyte;

interface MemorySettings {
  readonly requestBytes: number;
  /** undefined: unlimited. */
  readonly limitBytes: number | undefined;
}

function settingsOf(container: Pick<IsolatedContainer, 'resources' | 'limits'>): MemorySettings {
  const requestBytes = Math.max(memoryBytesMin, Math.round(container.resources.scalarValue('mem') * bytesPerMegabyte));
  const limit = container.limits.mem;
  if (limit === undefined) return { requestBytes, limitBytes: requestBytes };
  return { requestBytes, limitBytes: Number.isFinite(limit) ? Math.max(requestBytes, Math.round(limit * bytesPerMegabyte)) : undefined };
}

export function cgroupsMemIsolator(options: CgroupsMemOptions): Isolator {
  const watched = new Map<string, { settings: MemorySettings; timer: NodeJS.Timeout | undefined; limited: boolean }>();
  const cgroupOf = (containerId: string): Cgroup => Cgroup.of(options.memory, options.root, containerId);

  const apply = (containerId: string, settings: MemorySettings): void => {
    const cgroup = cgroupOf(containerId);
    if (options.memory.version === 1) {
      // The soft limit first: the kernel refuses a soft limit above the hard one only in some versions, never this order.
      cgroup.write('memory.soft_limit_in_bytes', settings.requestBytes);
      cgroup.write('memory.limit_in_bytes', settings.limitBytes ?? -1);
    } else {
      cgroup.write('memory.low', settings.requestBytes);
      cgroup.write('memory.max', settings.limitBytes ?? 'max');
    }
  };

  /** Limits the container if the OOM killer has been at work in it. */
  const checkOom = (containerId: string): void => {
    const entry = watched.get(containerId);
    if (entry === undefined || entry.limited) return;
    const cgroup = cgroupOf(containerId);
    let kills: number;
    let peakBytes: number | undefined;
    try {
      kills = options.memory.version === 1 ? (cgroup.readKeyed('memory.oom_control').get('oom_kill') ?? 0) : (cgroup.readKeyed('memory.events').get('oom_kill') ?? 0);
      peakBytes = options.memory.version === 1 ? Number(cgroup.read('memory.max_usage_in_bytes').trim()) : undefined;
    } catch {
      return;
    }
    if (kills === 0) return;
    entry.limited = true;
    const requested = entry.settings.limitBytes ?? entry.settings.requestBytes;
    const used = peakBytes !== undefined && Number.isSafeInteger(peakBytes) ? ` Maximum Used: ${formatBytes(peakBytes)}` : '';
    options.context.limit(containerId, {
      reason: 'REASON_CONTAINER_LIMITATION_MEMORY',
      message: `Memory limit exceeded: Requested: ${formatBytes(requested)}${used}`,
      resources: [{ name: 'mem', type: 'SCALAR', scalar: { value: requested / bytesPerMegabyte } }],
    });
  };

  const watch = (containerId: string, settings: MemorySettings): void => {
    const timer = setInterval(() => checkOom(containerId), options.oomCheckMs);
    timer.unref();
    watched.set(containerId, { settings, timer, limited: false });
  };

  const forget = (containerId: string): void => {
    clearInterval(watched.get(containerId)?.timer);
    watched.delete(containerId);
  };

  return {
    name: 'cgroups/mem',
    recover: (containers) => {
      for (const container of containers) watch(container.containerId, settingsOf(container));
      void removeOrphanCgroups([options.memory], options.root, new Set(containers.map((container) => container.containerId)), (message) =>
        options.context.warn(`cgroups/mem: ${message}`),
      );
    },
    prepare: (container) => {
      try {
        const cgroup = cgroupOf(container.containerId);
        cgroup.make('memory');
        const settings = settingsOf(container);
        apply(container.containerId, settings);
        watch(container.containerId, settings);
        return ok({ cgroups: [cgroup.path] });
      } catch (error) {
        return err(`cgroups/mem: cannot set up the memory cgroup of container ${container.containerId}: ${(error as Error).message}`);
      }
    },
    update: (containerId, spec) => {
      const entry = watched.get(containerId);
      if (entry === undefined) return;
      const settings = settingsOf(spec);
      try {
        apply(containerId, settings);
        entry.settings = settings;
      } catch (error) {
        // Lowering the limit below what the container uses fails (EBUSY): it keeps the higher one.
        options.context.warn(`cgroups/mem: cannot update container ${containerId}: ${(error as Error).message}`);
      }
    },
    usage: (containerId) => Promise.resolve(memoryUsage(options, containerId, watched.get(containerId)?.settings)),
    cleanup: async (containerId) => {
      checkOom(containerId);
      forget(containerId);
      if (options.removesCgroup) await cgroupOf(containerId).remove();
    },
    close: () => {
      for (const containerId of [...watched.keys()]) forget(containerId);
    },
  } satisfies Isolator;
}

function memoryUsage(options: CgroupsMemOptions, containerId: string, settings: MemorySettings | undefined): Partial<ResourceStatistics> {
  const cgroup = Cgroup.of(options.memory, options.root, containerId);
  const limits = settings === undefined ? {} : { mem_soft_limit_bytes: settings.requestBytes, ...(settings.limitBytes !== undefined ? { mem_limit_bytes: settings.limitBytes } : {}) };
  if (options.memory.version === 2) {
    const stat = cgroup.readKeyed('memory.stat');
    return { ...limits, mem_total_bytes: Number(cgroup.read('memory.current').trim()), mem_rss_bytes: stat.get('anon') ?? 0, mem_cache_bytes: stat.get('file') ?? 0 };
  }
  const stat = cgroup.readKeyed('memory.stat');
  return {
    ...limits,
    mem_total_bytes: Number(cgroup.read('memory.usage_in_bytes').trim()),
    mem_rss_bytes: stat.get('total_rss') ?? stat.get('rss') ?? 0,
    mem_cache_bytes: stat.get('total_cache') ?? stat.get('cache') ?? 0,
  };
}
