/**
 * The isolator table (Mesos' `creators` in containerizer.cpp): every isolator
 * by name, in the order they run. The filesystem comes first (a container's
 * mounts are there before anything else touches it), then the disk
 * measurement, then the cgroups; cleanup runs in reverse. Adding an isolator
 * is one file and one line here.
 */
import { err, ok, type Result } from '../../lib/result.js';
import { cgroupsBlkioIsolator } from './cgroups/blkio.js';
import { cgroupsCpuIsolator } from './cgroups/cpu.js';
import { findHierarchy, type CgroupController, type CgroupHierarchy } from './cgroups/hierarchy.js';
import { cgroupsMemIsolator } from './cgroups/mem.js';
import { diskDuIsolator } from './disk-du.js';
import { DuScanner } from './du-scanner.js';
import { filesystemIsolator } from './filesystem.js';
import type { Isolator, IsolatorContext } from './isolator.js';
import { Isolation, IsolatorEvents } from './isolation.js';
import type { IsolatorName } from './names.js';

export interface IsolationOptions {
  readonly workDir: string;
  /** --enforce_container_disk_quota */
  readonly enforceDiskQuota: boolean;
  /** --container_disk_watch_interval */
  readonly diskWatchIntervalMs: number;
  /** --container_disk_scanners: du processes at once. */
  readonly diskScanners: number;
  /** --cgroups_root: every cgroup the agent makes is under it, in each hierarchy. */
  readonly cgroupsRoot: string;
  /** --cgroups_enable_cfs */
  readonly enableCfs: boolean;
  /** How often a container's cgroup is checked for OOM kills. */
  readonly oomCheckMs: number;
  /** Where isolators' warnings go. */
  readonly warn: (message: string) => void;
  /** Where the cgroup controllers are (tests pass their own); default: this host's mounts. */
  readonly findHierarchy?: (controller: CgroupController) => CgroupHierarchy | undefined;
}

export interface BuiltIsolation {
  readonly isolation: Isolation;
  /** What the agent says at start: isolators it runs without, and why. */
  readonly warnings: readonly string[];
}

/**
 * Whether `name`'s cleanup removes the container's cgroup: always under v1;
 * under v2, where cpu, memory and io share one directory, only the cgroup
 * isolator that cleans up last (the first of them in this table).
 */
type Creator = (options: IsolationOptions & { readonly context: IsolatorContext }, removesCgroup: (name: IsolatorName) => boolean) => Result<Isolator | string>;

/** A string result: the isolator cannot run on this host, and the agent runs without it, saying so. */
const creators: Readonly<Record<IsolatorName, Creator>> = {
  'filesystem/posix': () => ok(filesystemIsolator('filesystem/posix')),
  'filesystem/linux': () => ok(filesystemIsolator('filesystem/linux')),
  'docker/volume': () => err('--isolation: docker/volume (external volumes) is not available in this version of berth'),
  'disk/du': (options) =>
    ok(
      diskDuIsolator({
        workDir: options.workDir,
        enforce: options.enforceDiskQuota,
        intervalMs: options.diskWatchIntervalMs,
        scanner: new DuScanner(options.diskScanners),
        context: options.context,
      }),
    ),
  'cgroups/cpu': (options, removesCgroup) => {
    const find = options.findHierarchy ?? findHierarchy;
    const cpu = find('cpu');
    if (cpu === undefined) return ok('cgroups/cpu: no cpu cgroup controller on this host; tasks run without cpu shares or quotas');
    return ok(
      cgroupsCpuIsolator({ cpu, cpuacct: find('cpuacct'), root: options.cgroupsRoot, enableCfs: options.enableCfs, removesCgroup: removesCgroup('cgroups/cpu'), context: options.context }),
    );
  },
  'cgroups/mem': (options, removesCgroup) => {
    const memory = (options.findHierarchy ?? findHierarchy)('memory');
    if (memory === undefined) return ok('cgroups/mem: no memory cgroup controller on this host; tasks run without memory limits');
    return ok(cgroupsMemIsolator({ memory, root: options.cgroupsRoot, oomCheckMs: options.oomCheckMs, removesCgroup: removesCgroup('cgroups/mem'), context: options.context }));
  },
  'cgroups/blkio': (options, removesCgroup) => {
    const blkio = (options.findHierarchy ?? findHierarchy)('blkio');
    if (blkio === undefined) return ok('cgroups/blkio: no blkio (io) cgroup controller on this host; tasks run without IO limits');
    return ok(cgroupsBlkioIsolator({ blkio, root: options.cgroupsRoot, removesCgroup: removesCgroup('cgroups/blkio'), context: options.context }));
  },
};

/** The isolators `names` asks for (parseIsolation's order), or the one line saying why the agent cannot start. */
export function buildIsolation(names: readonly IsolatorName[], options: IsolationOptions): Result<BuiltIsolation> {
  const events = new IsolatorEvents(options.warn);
  const isolators: Isolator[] = [];
  const warnings: string[] = [];
  const find = options.findHierarchy ?? findHierarchy;
  const controllerOf: Partial<Record<IsolatorName, CgroupController>> = { 'cgroups/cpu': 'cpu', 'cgroups/mem': 'memory', 'cgroups/blkio': 'blkio' };
  const v2Owner = names.find((name) => {
    const controller = controllerOf[name];
    return controller !== undefined && find(controller)?.version === 2;
  });
  const removesCgroup = (name: IsolatorName): boolean => {
    const controller = controllerOf[name];
    return controller === undefined || find(controller)?.version !== 2 || name === v2Owner;
  };
  for (const name of names) {
    const created = creators[name]({ ...options, context: events }, removesCgroup);
    if (!created.ok) return created;
    if (typeof created.value === 'string') warnings.push(created.value);
    else isolators.push(created.value);
  }
  return ok({ isolation: new Isolation(isolators, events), warnings });
}
