/**
 * One container's cgroup in one hierarchy: `<mount point>/<root>/<container
 * id>`, made before the task runs (the supervisor's child joins it through
 * its cgroup.procs), read for usage, removed once the container's processes
 * are gone. `root` is the agent's --cgroups_root, under which every cgroup
 * it makes lives, so that one agent's cgroups are found again after a restart
 * and told from anyone else's.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupHierarchy } from './hierarchy.js';

/** How long cleanup waits for a cgroup's killed processes to leave it. */
const removeWaitMs = 2_000;
const removePollMs = 20;

export class Cgroup {
  constructor(
    readonly hierarchy: CgroupHierarchy,
    readonly path: string,
  ) {}

  static of(hierarchy: CgroupHierarchy, root: string, containerId: string): Cgroup {
    return new Cgroup(hierarchy, join(hierarchy.mountPoint, root, containerId));
  }

  /** Makes it with its parents; under v2 the parents also hand the controller down. */
  make(v2Controller?: string): void {
    if (this.hierarchy.version === 2 && v2Controller !== undefined) enableDownTo(this.hierarchy.mountPoint, this.path, v2Controller);
    mkdirSync(this.path, { recursive: true });
  }

  write(file: string, value: string | number): void {
    writeFileSync(join(this.path, file), String(value));
  }

  has(file: string): boolean {
    return existsSync(join(this.path, file));
  }

  read(file: string): string {
    return readFileSync(join(this.path, file), 'utf8');
  }

  /** `key value` lines (cpu.stat, memory.stat, cpuacct.stat, memory.oom_control) as numbers. */
  readKeyed(file: string): Map<string, number> {
    const values = new Map<string, number>();
    for (const line of this.read(file).split('\n')) {
      const [key, value] = line.trim().split(/\s+/);
      if (key !== undefined && key !== '' && value !== undefined) values.set(key, Number(value));
    }
    return values;
  }

  pids(): number[] {
    try {
      return this.read('cgroup.procs').split('\n').filter((line) => line !== '').map(Number);
    } catch {
      return [];
    }
  }

  /**
   * Removes it: what still runs in it is SIGKILLed first (the supervisor
   * killed the container's processes already; a straggler must not keep the
   * cgroup alive), then rmdir until the kernel has let the dead leave.
   * A cgroup that is not there is removed already.
   */
  async remove(): Promise<void> {
    const deadlineMs = Date.now() + removeWaitMs;
    for (;;) {
      for (const pid of this.pids()) killQuietly(pid);
      try {
        rmdirSync(this.path);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'EBUSY' || Date.now() > deadlineMs) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, removePollMs));
    }
  }
}

/** The container ids that have a cgroup under `<mount point>/<root>`. */
export function cgroupsUnder(hierarchy: CgroupHierarchy, root: string): string[] {
  try {
    return readdirSync(join(hierarchy.mountPoint, root), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * Removes the cgroups under `root` that belong to no container in `known`
 * (they ended while the agent was down). Every hierarchy is listed before the
 * first removal waits, so a container launched meanwhile is never taken for
 * an orphan.
 */
export async function removeOrphanCgroups(
  hierarchies: readonly CgroupHierarchy[],
  root: string,
  known: ReadonlySet<string>,
  warn: (message: string) => void,
): Promise<void> {
  const orphans: Cgroup[] = [];
  const seen = new Set<string>();
  for (const hierarchy of hierarchies) {
    if (seen.has(hierarchy.mountPoint)) continue;
    seen.add(hierarchy.mountPoint);
    for (const containerId of cgroupsUnder(hierarchy, root)) if (!known.has(containerId)) orphans.push(Cgroup.of(hierarchy, root, containerId));
  }
  for (const orphan of orphans) {
    try {
      await orphan.remove();
    } catch (error) {
      warn(`cannot remove the cgroup ${orphan.path} of a container this agent no longer knows: ${(error as Error).message}`);
    }
  }
}

/** cgroup v2: a controller is usable in a cgroup only when every ancestor's subtree_control enables it. */
function enableDownTo(mountPoint: string, path: string, controller: string): void {
  const parts = path.slice(mountPoint.length).split('/').filter((part) => part !== '');
  let current = mountPoint;
  for (const part of parts.slice(0, -1)) {
    mkdirSync(join(current, part), { recursive: true });
    const control = join(current, 'cgroup.subtree_control');
    if (!readFileSync(control, 'utf8').split(/\s+/).includes(controller)) writeFileSync(control, `+${controller}`);
    current = join(current, part);
  }
  const control = join(current, 'cgroup.subtree_control');
  if (!readFileSync(control, 'utf8').split(/\s+/).includes(controller)) writeFileSync(control, `+${controller}`);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}
