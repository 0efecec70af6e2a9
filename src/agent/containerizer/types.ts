/**
 * The containerizer: how the agent runs a container (an executor, or the
 * command of a command task) as real processes. It is shell: the agent core
 * asks for launches and kills as effects and hears back through events.
 *
 * Every container runs under its own supervisor process (native/supervisor.c):
 * a small native helper, never a Node process, that leaves the agent's session,
 * runs the command in the sandbox as the task's user in its own process group,
 * adopts every descendant (it is a child subreaper), and records the exit
 * status on disk before it exits. The supervisor outlives the agent, so a
 * restarted agent finds its tasks still running, or finds how they ended.
 */
import type { ContainerIsolationSpec, Limitation } from '../isolators/isolator.js';
import type { ResourceStatistics } from '../isolators/statistics.js';

/** What to run; the command is already resolved to an argv (shell commands are ['/bin/sh', '-c', value]). */
export interface ContainerLaunch {
  readonly containerId: string;
  readonly frameworkId: string;
  readonly executorId: string;
  /** The sandbox: created with its parents, owned by `user`; the process's working directory. */
  readonly directory: string;
  /**
   * Where the containerizer keeps what it knows about this run (supervisor
   * pid, task pid, exit status); survives agent restarts.
   */
  readonly runDirectory: string;
  /** Run as this user (the agent is root and --switch_user is on); undefined = as the agent's user. */
  readonly user: string | undefined;
  readonly argv: readonly string[];
  /** The complete environment of the process (the agent builds it: MESOS_* and the command's own). */
  readonly environment: Readonly<Record<string, string>>;
  /** Fetched into the sandbox before the process starts (spec: CommandInfo.uris). */
  readonly uris: readonly FetchUri[];
  /** Persistent volumes the process sees in its sandbox (spec/storage.md 3.4; volume-mounts.ts says how). */
  readonly volumes: readonly ContainerVolume[];
  /** What the isolators (src/agent/isolators) limit and measure. */
  readonly isolation: ContainerIsolationSpec;
}


/** A persistent volume made visible at `<sandbox>/<containerPath>`. */
export interface ContainerVolume {
  /** The volume's directory on the host, absolute (spec/storage.md 3.1). */
  readonly source: string;
  /** One path component, neither '.' nor '..': the agent core has validated it (nested paths are refused before here). */
  readonly containerPath: string;
  /** Enforced by filesystem/linux only; filesystem/posix warns instead (see container_started). */
  readonly readOnly: boolean;
  /**
   * Give the volume's root directory (not its contents) to the task's user, so
   * that a task not run as root can write to a volume the agent made (Mesos
   * does the same). Off for shared volumes, which other tasks may be using.
   */
  readonly giveToUser: boolean;
}

/**
 * How volumes are made visible: `filesystem/linux` bind-mounts them in the
 * task's own mount namespace (needs root); `filesystem/posix` links them with
 * a symlink and cannot enforce read-only.
 */
export type VolumeIsolation = 'filesystem/linux' | 'filesystem/posix';

export interface FetchUri {
  readonly value: string;
  readonly executable: boolean;
  readonly extract: boolean;
  readonly cache: boolean;
  readonly outputFile: string | undefined;
}

/** How a process ended: `exited` with a code, or `signaled` with a signal number. */
export type ExitStatus = { readonly exited: number } | { readonly signaled: number };

export type ContainerEvent =
  /**
   * The supervisor is up and the command started. `startTime` identifies the
   * pid across restarts. `warnings` (absent when there are none) are for the
   * task's status message, e.g. a read-only volume that filesystem/posix could
   * only give read-write.
   */
  | {
      readonly type: 'container_started';
      readonly containerId: string;
      readonly supervisorPid: number;
      readonly startTime: string;
      readonly warnings?: readonly string[];
    }
  /**
   * An isolator saw the running container past a limit (disk quota, memory):
   * the containerizer destroys it at once; container_exited follows, with the
   * same limitation.
   */
  | { readonly type: 'container_limited'; readonly containerId: string; readonly limitation: Limitation }
  /** Nothing was started: fetching or preparing failed. `reason` is for TASK_FAILED's message. */
  | { readonly type: 'container_failed'; readonly containerId: string; readonly stage: 'fetch' | 'launch'; readonly message: string }
  /**
   * The container's main process ended (and every other process of the
   * container was killed). `status` is undefined when it could not be learnt
   * (the supervisor died, or the host rebooted).
   */
  | { readonly type: 'container_exited'; readonly containerId: string; readonly status: ExitStatus | undefined; readonly limitation?: Limitation };

/** A container the agent knew before it restarted, as its checkpoint records it. */
export interface KnownContainer {
  readonly containerId: string;
  readonly runDirectory: string;
  readonly supervisorPid: number | undefined;
  readonly startTime: string | undefined;
  /** Its sandbox and volumes, and what its isolators need, to take them up again. */
  readonly directory: string;
  readonly volumes: readonly ContainerVolume[];
  readonly isolation: ContainerIsolationSpec;
}

export interface ContainerUsage {
  readonly cpusUserTimeSecs: number;
  readonly cpusSystemTimeSecs: number;
  readonly memRssBytes: number;
  readonly processes: number;
  readonly threads: number;
  /** What the isolators measure (cgroups, disk/du), under Mesos' names: it takes precedence. */
  readonly isolated?: Partial<ResourceStatistics>;
}

/** Events are delivered asynchronously, in order, never during a call to the containerizer. */
export interface Containerizer {
  /** Starts a container; the outcome arrives as container_started or container_failed, later container_exited. */
  launch(launch: ContainerLaunch): void;
  /**
   * Stops a container: SIGTERM to all its processes, SIGKILL to whatever is
   * left after `gracePeriodMs`. A container that is not running is ignored.
   * container_exited follows. A second destroy may shorten the grace period,
   * never lengthen it. A container destroyed while it is still being prepared
   * (fetching) never starts: container_exited follows, with status undefined
   * and without container_started.
   */
  destroy(containerId: string, gracePeriodMs: number): void;
  /**
   * After an agent restart: watches the containers that are still running
   * (container_exited when they end) and reports those that ended while the
   * agent was down (container_exited at once, with the recorded status).
   * With `rebooted` no pid is trusted and nothing is signalled: every known
   * container has ended (with the status it recorded before the reboot, if any).
   * Volumes need nothing: a running container's mounts live in its own mount
   * namespace, held by its processes (volume-mounts.ts).
   */
  recover(known: readonly KnownContainer[], rebooted: boolean): void;
  /** Kills processes under the agent's run directories that no known container owns (orphans). */
  killOrphans(known: readonly KnownContainer[]): Promise<number>;
  usage(containerId: string): Promise<ContainerUsage | undefined>;
  /**
   * The container's resources changed (a task joined its executor): its
   * isolators follow, at once or, for a container still being prepared, as
   * soon as they have prepared it.
   */
  update(containerId: string, isolation: ContainerIsolationSpec): void;
  onEvent(listener: (event: ContainerEvent) => void): void;
  /** Stops watching (agent shutdown); running containers keep running. */
  close(): void;
}
