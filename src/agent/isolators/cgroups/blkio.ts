/**
 * cgroups/blkio (berth's own; the seeds name the blkio controller as the
 * next step): disk IO limits a task asks for with labels (io-labels.ts),
 * set on every block device behind the container's sandbox and volumes.
 *
 * v1: blkio.throttle.{read,write}_{bps,iops}_device "MAJ:MIN N", and
 * blkio.bfq.weight (or blkio.weight) for a weight. v2: io.max
 * "MAJ:MIN rbps=.. wbps=.. riops=.. wiops=..", io.bfq.weight (or io.weight).
 * Throttling works on whole disks: a partition's limit is set on its disk.
 * A path on no block device (tmpfs, overlay) cannot be limited, nor can a
 * weight be set where the IO scheduler has none: the task's first status
 * message says so, as filesystem/posix does for a read-only volume.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { err, ok } from '../../../lib/result.js';
import { ioLimitsOf, type IoLimits } from '../io-labels.js';
import type { IsolatedContainer, Isolator, IsolatorContext } from '../isolator.js';
import { Cgroup, removeOrphanCgroups } from './cgroup.js';
import type { CgroupHierarchy } from './hierarchy.js';

export interface CgroupsBlkioOptions {
  readonly blkio: CgroupHierarchy;
  readonly root: string;
  /** Whether its cleanup removes the container's cgroup (cpu.ts says why it may not). */
  readonly removesCgroup: boolean;
  readonly context: IsolatorContext;
}

/** `major:minor` of the whole disk holding `path`, or undefined when it is on no block device. */
export function diskOf(path: string): string | undefined {
  const dev = statSync(path).dev;
  // Linux's dev_t: major in bits 8-19 and 32+, minor in bits 0-7 and 20-31 (glibc's gnu_dev_major/minor).
  const major = Number((BigInt(dev) >> 8n) & 0xfffn) | Number((BigInt(dev) >> 32n) & ~0xfffn);
  const minor = Number(BigInt(dev) & 0xffn) | Number((BigInt(dev) >> 12n) & ~0xffn);
  const node = `/sys/dev/block/${major}:${minor}`;
  if (major === 0 || !existsSync(node)) return undefined;
  // A partition's sysfs directory sits in its disk's: throttling applies to the disk.
  if (existsSync(join(node, 'partition'))) return readFileSync(join(dirname(realpathSync(node)), 'dev'), 'utf8').trim();
  return `${major}:${minor}`;
}

function devicesOf(container: IsolatedContainer): { devices: Set<string>; unlimited: string[] } {
  const devices = new Set<string>();
  const unlimited: string[] = [];
  for (const path of [container.sandbox, ...container.volumes.map((volume) => volume.source)]) {
    const disk = diskOf(path);
    if (disk === undefined) unlimited.push(path);
    else devices.add(disk);
  }
  return { devices, unlimited };
}

function hasLimits(limits: IoLimits): boolean {
  return Object.keys(limits).length > 0;
}

export function cgroupsBlkioIsolator(options: CgroupsBlkioOptions): Isolator {
  const cgroupOf = (containerId: string): Cgroup => Cgroup.of(options.blkio, options.root, containerId);
  const made = new Set<string>();

  const throttle = (cgroup: Cgroup, devices: ReadonlySet<string>, limits: IoLimits): void => {
    for (const device of devices) {
      if (options.blkio.version === 1) {
        if (limits.readBps !== undefined) cgroup.write('blkio.throttle.read_bps_device', `${device} ${limits.readBps}`);
        if (limits.writeBps !== undefined) cgroup.write('blkio.throttle.write_bps_device', `${device} ${limits.writeBps}`);
        if (limits.readIops !== undefined) cgroup.write('blkio.throttle.read_iops_device', `${device} ${limits.readIops}`);
        if (limits.writeIops !== undefined) cgroup.write('blkio.throttle.write_iops_device', `${device} ${limits.writeIops}`);
      } else {
        const fields = [
          limits.readBps !== undefined ? `rbps=${limits.readBps}` : '',
          limits.writeBps !== undefined ? `wbps=${limits.writeBps}` : '',
          limits.readIops !== undefined ? `riops=${limits.readIops}` : '',
          limits.writeIops !== undefined ? `wiops=${limits.writeIops}` : '',
        ].filter((field) => field !== '');
        if (fields.length > 0) cgroup.write('io.max', `${device} ${fields.join(' ')}`);
      }
    }
  };

  /** The weight file this kernel's scheduler offers, if any. */
  const weightFile = (cgroup: Cgroup): string | undefined => {
    const candidates = options.blkio.version === 1 ? ['blkio.bfq.weight', 'blkio.weight'] : ['io.bfq.weight', 'io.weight'];
    return candidates.find((file) => existsSync(join(cgroup.path, file)));
  };

  return {
    name: 'cgroups/blkio',
    recover: (containers) => {
      for (const container of containers) made.add(container.containerId);
      void removeOrphanCgroups([options.blkio], options.root, new Set(made), (message) => options.context.warn(`cgroups/blkio: ${message}`));
    },
    prepare: (container) => {
      const limits = ioLimitsOf(container.labels);
      if (!limits.ok) return err(`cgroups/blkio: ${limits.error}`);
      // Every container gets its cgroup: its IO is accounted, and limits may come with a later task.
      try {
        const cgroup = cgroupOf(container.containerId);
        cgroup.make('io');
        made.add(container.containerId);
        if (!hasLimits(limits.value)) return ok({ cgroups: [cgroup.path] });
        const warnings: string[] = [];
        const { devices, unlimited } = devicesOf(container);
        for (const path of unlimited) warnings.push(`IO limits do not apply to ${path}: it is on no block device`);
        throttle(cgroup, devices, limits.value);
        if (limits.value.weight !== undefined) {
          const file = weightFile(cgroup);
          if (file === undefined) warnings.push('IO weight not set: the IO scheduler of this host has no weights (use BFQ)');
          else cgroup.write(file, options.blkio.version === 1 || file === 'io.bfq.weight' ? limits.value.weight : limits.value.weight * 10);
        }
        return ok({ cgroups: [cgroup.path], warnings });
      } catch (error) {
        return err(`cgroups/blkio: cannot set the IO limits of container ${container.containerId}: ${(error as Error).message}`);
      }
    },
    cleanup: async (containerId) => {
      made.delete(containerId);
      if (options.removesCgroup) await cgroupOf(containerId).remove();
    },
  } satisfies Isolator;
}
