/**
 * disk/du (spec/storage.md 3.6): soft disk quotas. A container's disk is
 * measured path by path: its sandbox holds what its disk resources without a
 * volume allow, each persistent volume what its own resource allows. A
 * volume is measured at its directory on the agent (a bind mount in the
 * task's namespace is invisible from the agent's), the sandbox without the
 * volumes (their mount points are empty directories from here, and
 * filesystem/posix's links are not followed).
 *
 * Each path is measured again `intervalMs` after its last result, by the
 * agent's shared DuScanner (a bounded number of `du` processes at once). With
 * `enforce` (--enforce_container_disk_quota), a path over its quota limits the
 * container: "Disk usage (X) exceeds quota (Y)", with that path's disk
 * resources; a path on a MOUNT disk is never enforced here, since its file
 * system already fails writes past its size (ENOSPC).
 *
 * Measurements also feed the container's statistics: disk_limit_bytes and
 * disk_used_bytes for the sandbox, and one disk_statistics entry per path.
 */
import { formatBytes } from '../../lib/bytes.js';
import { ok } from '../../lib/result.js';
import { isPersistentVolume, toEndpointResource, type Resource, type Resources } from '../../resources/index.js';
import { volumePath } from '../volumes/volume-path.js';
import type { DuScanner } from './du-scanner.js';
import type { IsolatedContainer, Isolator, IsolatorContext } from './isolator.js';
import type { DiskStatistics, ResourceStatistics } from './statistics.js';

export interface DiskDuOptions {
  readonly workDir: string;
  readonly enforce: boolean;
  readonly intervalMs: number;
  /** Its own: closed with the isolator. */
  readonly scanner: DuScanner;
  readonly context: IsolatorContext;
}

const bytesPerMegabyte = 1024 * 1024;

/** One measured path of a container. */
interface MeasuredPath {
  readonly path: string;
  readonly quotaBytes: number;
  /** The disk resources it holds, for the limitation. */
  readonly resources: readonly Resource[];
  readonly mountDisk: boolean;
  /** Undefined for the sandbox. */
  readonly volume: Resource | undefined;
  usedBytes: number | undefined;
  timer: NodeJS.Timeout | undefined;
  scanning: boolean;
  stopped: boolean;
}

interface Watched {
  readonly sandbox: string;
  paths: Map<string, MeasuredPath>;
  limited: boolean;
}

/**
 * The container's disk, path by path: its sandbox (when it has disk without
 * a volume: a container without is not measured there, as in Mesos) and each
 * volume.
 */
function pathsOf(workDir: string, sandbox: string, resources: Resources): Map<string, Omit<MeasuredPath, 'usedBytes' | 'timer' | 'scanning' | 'stopped'>> {
  const grouped = new Map<string, { resources: Resource[]; volume: Resource | undefined }>();
  for (const resource of resources.get('disk').toList()) {
    const volume = isPersistentVolume(resource) && resource.disk?.volume !== undefined ? resource : undefined;
    const path = volume === undefined ? sandbox : volumePath(workDir, volume);
    const group = grouped.get(path) ?? { resources: [], volume };
    group.resources.push(resource);
    grouped.set(path, group);
  }
  const paths = new Map<string, Omit<MeasuredPath, 'usedBytes' | 'timer' | 'scanning' | 'stopped'>>();
  for (const [path, group] of grouped) {
    const quotaMegabytes = group.resources.reduce((sum, resource) => sum + (resource.scalar?.value ?? 0), 0);
    paths.set(path, {
      path,
      quotaBytes: Math.round(quotaMegabytes * bytesPerMegabyte),
      resources: group.resources,
      mountDisk: group.resources.some((resource) => resource.disk?.source?.type === 'MOUNT'),
      volume: group.volume,
    });
  }
  return paths;
}

export function diskDuIsolator(options: DiskDuOptions): Isolator {
  const containers = new Map<string, Watched>();

  const schedule = (containerId: string, measured: MeasuredPath, delayMs: number): void => {
    if (measured.stopped) return;
    measured.timer = setTimeout(() => {
      measured.timer = undefined;
      void measure(containerId, measured);
    }, delayMs);
  };

  const measure = async (containerId: string, measured: MeasuredPath): Promise<void> => {
    measured.scanning = true;
    const result = await options.scanner.measure(measured.path);
    measured.scanning = false;
    if (measured.stopped) return;
    if (!result.ok) {
      // A volume or sandbox not there (yet, or any more) is measured again later.
      schedule(containerId, measured, options.intervalMs);
      return;
    }
    measured.usedBytes = result.value;
    const watched = containers.get(containerId);
    if (watched === undefined) return;
    if (options.enforce && !measured.mountDisk && !watched.limited && result.value > measured.quotaBytes) {
      watched.limited = true;
      options.context.limit(containerId, {
        reason: 'REASON_CONTAINER_LIMITATION_DISK',
        message: `Disk usage (${formatBytes(result.value)}) exceeds quota (${formatBytes(measured.quotaBytes)})`,
        resources: measured.resources.map(toEndpointResource),
      });
      return;
    }
    schedule(containerId, measured, options.intervalMs);
  };

  const stop = (measured: MeasuredPath): void => {
    measured.stopped = true;
    clearTimeout(measured.timer);
  };

  /** Starts measuring new paths, stops measuring paths that went, keeps what is measured of the others. */
  const watch = (containerId: string, sandbox: string, resources: Resources): void => {
    const watched = containers.get(containerId) ?? { sandbox, paths: new Map(), limited: false };
    containers.set(containerId, watched);
    const wanted = pathsOf(options.workDir, sandbox, resources);
    for (const [path, measured] of watched.paths) {
      if (!wanted.has(path)) {
        stop(measured);
        watched.paths.delete(path);
      }
    }
    for (const [path, spec] of wanted) {
      const known = watched.paths.get(path);
      if (known !== undefined && known.quotaBytes === spec.quotaBytes) continue;
      if (known !== undefined) stop(known);
      const measured: MeasuredPath = { ...spec, usedBytes: known?.usedBytes, timer: undefined, scanning: false, stopped: false };
      watched.paths.set(path, measured);
      schedule(containerId, measured, 0);
    }
  };

  const forget = (containerId: string): void => {
    const watched = containers.get(containerId);
    if (watched === undefined) return;
    for (const measured of watched.paths.values()) stop(measured);
    containers.delete(containerId);
  };

  return {
    name: 'disk/du',
    recover: (recovered: readonly IsolatedContainer[]) => {
      for (const container of recovered) watch(container.containerId, container.sandbox, container.resources);
    },
    prepare: (container) => {
      watch(container.containerId, container.sandbox, container.resources);
      return ok({});
    },
    update: (containerId, spec) => {
      const watched = containers.get(containerId);
      if (watched !== undefined) watch(containerId, watched.sandbox, spec.resources);
    },
    usage: (containerId) => Promise.resolve(statisticsOf(containers.get(containerId))),
    cleanup: (containerId) => {
      forget(containerId);
      return Promise.resolve();
    },
    close: () => {
      for (const containerId of [...containers.keys()]) forget(containerId);
      options.scanner.close();
    },
  } satisfies Isolator;
}

function statisticsOf(watched: Watched | undefined): Partial<ResourceStatistics> {
  if (watched === undefined) return {};
  const sandbox = watched.paths.get(watched.sandbox);
  const entries: DiskStatistics[] = [];
  for (const measured of watched.paths.values()) {
    const disk = measured.volume?.disk;
    entries.push({
      ...(disk?.source !== undefined ? { source: disk.source } : {}),
      ...(disk?.persistence !== undefined ? { persistence: disk.persistence } : {}),
      limit_bytes: measured.quotaBytes,
      ...(measured.usedBytes !== undefined ? { used_bytes: measured.usedBytes } : {}),
    });
  }
  return {
    ...(sandbox !== undefined ? { disk_limit_bytes: sandbox.quotaBytes } : {}),
    ...(sandbox?.usedBytes !== undefined ? { disk_used_bytes: sandbox.usedBytes } : {}),
    disk_statistics: entries,
  };
}
