/**
 * An isolator: one aspect of a container's isolation (how its volumes appear,
 * how its disk is measured, its cgroups), as a container lifecycle with
 * optional phases (Mesos' include/mesos/slave/isolator.hpp):
 *
 *   recover  after an agent restart, the containers that still run;
 *   prepare  before the container's first process runs: what the supervisor
 *            must do for it (bind mounts, cgroups to join) and warnings;
 *   update   the container's resources changed (a task joined its executor);
 *   usage    its share of the container's ResourceStatistics;
 *   cleanup  after the container's last process ended.
 *
 * There is no `isolate(pid)` phase: the supervisor's child joins the cgroups
 * that prepare named, and makes the mounts, before it becomes the task, so no
 * process of a container ever runs outside its isolation. Mesos' `watch` is
 * the context's `limit`: an isolator that sees the container past a limit
 * (its disk over quota, the OOM killer at work) says so, at any time, and the
 * containerizer destroys the container and reports the limitation with its end.
 *
 * The registry (registry.ts) lists every isolator in one ordered table:
 * prepare and recover run in that order, cleanup in reverse.
 */
import type { Result } from '../../lib/result.js';
import type { Resources, WireResource } from '../../resources/index.js';
import type { ContainerVolume } from '../containerizer/types.js';
import type { UserIds } from '../containerizer/user-lookup.js';
import type { VolumeMount } from '../containerizer/volume-mounts.js';
import type { IsolatorName } from './names.js';
import type { ResourceStatistics } from './statistics.js';

/** What the agent core says of a container for its isolators: its resources, limits and labels. */
export interface ContainerIsolationSpec {
  /** What it may use: its executor's resources and its live tasks', unallocated. */
  readonly resources: Resources;
  /**
   * Limits above the requests (TaskInfo.limits): cpus, and mem in MB;
   * Infinity for no limit. Absent: the requests in `resources` are the limits.
   */
  readonly limits: { readonly cpus?: number; readonly mem?: number };
  /** Labels of its executor and tasks, for isolators a task configures (cgroups/blkio). */
  readonly labels: Readonly<Record<string, string>>;
}

/** A container as its isolators see it. */
export interface IsolatedContainer extends ContainerIsolationSpec {
  readonly containerId: string;
  /** The sandbox, absolute; it exists when prepare runs. */
  readonly sandbox: string;
  /** The persistent volumes in it: where each lives on the agent, where the task sees it. */
  readonly volumes: readonly ContainerVolume[];
  /** The task's user (undefined: the agent's). */
  readonly owner: UserIds | undefined;
}

/** What the supervisor does for a container before it runs the task (native/supervisor.c). */
export interface Preparation {
  /** Bind mounts in the task's own mount namespace (filesystem/linux). */
  readonly mounts?: readonly VolumeMount[];
  /** cgroup directories the task's process joins before it runs. */
  readonly cgroups?: readonly string[];
  /** For the task's first status message: what could not be given as asked. */
  readonly warnings?: readonly string[];
}

export type LimitationReason = 'REASON_CONTAINER_LIMITATION_DISK' | 'REASON_CONTAINER_LIMITATION_MEMORY';

/** A container went past one of its limits (Mesos' ContainerLimitation): it is destroyed, its tasks fail. */
export interface Limitation {
  readonly reason: LimitationReason;
  /** "Disk usage (2MB) exceeds quota (1MB)". */
  readonly message: string;
  /** The resources whose limit was passed, as TaskStatus.limitation.resources carries them. */
  readonly resources: readonly WireResource[];
}

/** What isolators may call back. */
export interface IsolatorContext {
  /** `containerId` went past a limit (once is enough; later calls for it are ignored). */
  limit(containerId: string, limitation: Limitation): void;
  warn(message: string): void;
}

export interface Isolator {
  readonly name: IsolatorName;
  recover?(containers: readonly IsolatedContainer[]): void;
  /** An error keeps the container from running: its launch fails with it. */
  prepare?(container: IsolatedContainer): Result<Preparation>;
  /** The container's resources or limits changed (a task joined): the whole spec, as prepare saw it. */
  update?(containerId: string, spec: ContainerIsolationSpec): void;
  usage?(containerId: string): Promise<Partial<ResourceStatistics>>;
  /** Called once per prepared or recovered container; may still report a limitation (before it resolves). */
  cleanup?(containerId: string): Promise<void>;
  /** The agent stops: timers and scanners end, containers keep running. */
  close?(): void;
}
