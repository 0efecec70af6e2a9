/**
 * The containerizer on Linux: one supervisor process (native/supervisor.c)
 * per container, started in a session of its own with the container's
 * environment. See types.ts for the contract. The launch path is lean on
 * purpose (one write to the launcher, a handful of synchronous metadata
 * syscalls), since an agent may launch hundreds of tasks a second:
 *
 *   launch ─► user ids (cached /etc/passwd) ─► mkdir sandbox + run dir ─► chown sandbox
 *          ─► fetch (only with URIs) ─► volume mount points or links (only with volumes)
 *          ─► ask the launcher ─► container_started (pid, start time)
 *   supervisor ends ─► read <run dir>/exit_status ─► container_exited
 *
 * Supervisors are started by the task launcher (native/launcher.c, see
 * launcher.ts), a small native child of the agent, so that the agent never
 * forks itself. A supervisor is the launcher's child: the launcher reports its
 * end. One found again by recover(), or one whose launcher died, is nobody's
 * child here: its run directory is watched for exit_status, and its pid is
 * polled (with its start time, so that a recycled pid is never taken for it).
 *
 * Volumes (volume-mounts.ts) are mounted by the supervisor's child in the
 * task's own mount namespace, so a container leaves no mount behind on the
 * host to undo at its end, and a recovered one has none to redo.
 *
 * Events are never delivered during a call to the containerizer: each is
 * queued and delivered in order once the current call has returned.
 */
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { assert } from '../../lib/assert.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { Fetcher } from '../fetcher/types.js';
import { containerRunFiles, type ContainerRunFiles } from '../paths.js';
import { readExitStatus, readExitStatusSync } from './exit-status.js';
import { Launcher, launcherPathBeside, type LaunchResult } from './launcher.js';
import {
  descendantsOf,
  findSupervisors,
  isRunning,
  readIdentityFile,
  signalIfRunning,
  type ProcessIdentity,
} from './proc.js';
import { usageOf } from './usage.js';
import { defaultSupervisorPath, supervisorArguments } from './supervisor-command.js';
import { watchSupervisor, type SupervisorWatch } from './supervisor-watch.js';
import type { ContainerEvent, ContainerLaunch, ContainerUsage, Containerizer, ExitStatus, KnownContainer, VolumeIsolation } from './types.js';
import { UserLookup, type UserIds } from './user-lookup.js';
import { filesystemIsolator } from '../isolators/filesystem.js';
import type { ContainerIsolationSpec, IsolatedContainer, Limitation } from '../isolators/isolator.js';
import { Isolation, IsolatorEvents, type PreparedIsolation } from '../isolators/isolation.js';
import { defaultVolumeIsolation } from './volume-mounts.js';

export interface LinuxContainerizerOptions {
  /** The agent's --work_dir: every supervisor is marked with it, so that killOrphans finds this agent's. */
  readonly workDir: string;
  /** Runs before the supervisor starts, for launches with URIs. */
  readonly fetcher: Fetcher;
  /** Default: `<repo>/dist/native/berth-supervisor` (scripts/build-native.mjs builds it). */
  readonly supervisorPath?: string;
  /** Default: `berth-launcher` beside the supervisor (scripts/build-native.mjs builds both). */
  readonly launcherPath?: string;
  /** How often a recovered supervisor's pid is checked, in case its exit_status event is missed. */
  readonly livenessPollMs?: number;
  /** Time orphans get between SIGTERM and SIGKILL. */
  readonly orphanGracePeriodMs?: number;
  /**
   * The isolators (src/agent/isolators/registry.ts builds them from the
   * agent's flags); this containerizer listens to their limitations.
   * Default: only a filesystem isolator, `volumeIsolation`.
   */
  readonly isolation?: Isolation;
  /** Without `isolation`: how volumes are made visible. Default: filesystem/linux when root with CAP_SYS_ADMIN, else filesystem/posix. */
  readonly volumeIsolation?: VolumeIsolation;
}

const livenessPollMsDefault = 2_000;
/** Mesos' default kill grace period (spec/core.md 2.5). */
const orphanGracePeriodMsDefault = 3_000;
/** How long killOrphans waits for supervisors to end after SIGKILL was asked for. */
const orphanKillWaitMs = 5_000;
const orphanPollMs = 50;
/** How often a destroy that came before the supervisor was ready looks again. */
const readinessPollMs = 5;

interface Container {
  readonly containerId: string;
  readonly runFiles: ContainerRunFiles;
  readonly runDirectory: string;
  /**
   * preparing: user, directories, fetch, isolators; launching: asked the
   * launcher, no answer yet; running: a supervisor exists; ending: its
   * isolators clean up; ended: reported, forgotten.
   */
  phase: 'preparing' | 'launching' | 'running' | 'ending' | 'ended';
  /** Its isolators prepared (or recovered) it: they clean up when it ends. */
  isolated: boolean;
  /** The first limit an isolator saw it pass: reported with its end. */
  limitation: Limitation | undefined;
  /** What update() asked for before the isolators had prepared the container. */
  pendingIsolation: ContainerIsolationSpec | undefined;
  /** destroy() came while preparing: the supervisor is never started. */
  destroyRequested: boolean;
  /** When the kill of a destroy() that came while launching is due: applied once the supervisor runs. */
  launchingKillDeadlineMs: number | undefined;
  supervisor: ProcessIdentity | undefined;
  /** The supervisor has written supervisor.pid, so it handles signals (see signalWhenReady). */
  ready: boolean;
  /** Set while the launcher owes the report of the supervisor's end. */
  launched: boolean;
  /** Set for a recovered supervisor. */
  watch: SupervisorWatch | undefined;
  /** When SIGUSR1 (kill everything) is due; undefined until destroy(). */
  killDeadlineMs: number | undefined;
  killTimer: NodeJS.Timeout | undefined;
  /** For container_started: what the volumes' preparation warned of. */
  warnings: readonly string[];
}

/** The user the supervisor switches to (undefined: stay the agent's user) and whom the sandbox is given to. */
interface RunAs {
  readonly supervisorUser: string | undefined;
  readonly owner: UserIds | undefined;
}

export class LinuxContainerizer implements Containerizer {
  private readonly containers = new Map<string, Container>();
  private readonly listeners: Array<(event: ContainerEvent) => void> = [];
  private readonly users = new UserLookup();
  private readonly workDir: string;
  private readonly fetcher: Fetcher;
  private readonly supervisorPath: string;
  private readonly livenessPollMs: number;
  private readonly orphanGracePeriodMs: number;
  readonly isolation: Isolation;
  private readonly launcher: Launcher;
  /** Running containers by supervisor pid, while the launcher owes the report of their end. */
  private readonly launched = new Map<number, Container>();
  private closed = false;

  constructor(options: LinuxContainerizerOptions) {
    this.workDir = resolve(options.workDir);
    this.fetcher = options.fetcher;
    this.supervisorPath = resolve(options.supervisorPath ?? defaultSupervisorPath());
    this.livenessPollMs = options.livenessPollMs ?? livenessPollMsDefault;
    this.orphanGracePeriodMs = options.orphanGracePeriodMs ?? orphanGracePeriodMsDefault;
    this.isolation =
      options.isolation ?? new Isolation([filesystemIsolator(options.volumeIsolation ?? defaultVolumeIsolation())], new IsolatorEvents());
    this.isolation.onLimit((containerId, limitation) => this.onLimited(containerId, limitation));
    this.launcher = new Launcher(resolve(options.launcherPath ?? launcherPathBeside(this.supervisorPath)), {
      exited: (pid) => this.onLaunchedExit(pid),
      lost: (pids) => this.onLauncherLost(pids),
    });
    assert(this.livenessPollMs > 0 && this.orphanGracePeriodMs >= 0, 'poll and grace periods are positive');
  }

  onEvent(listener: (event: ContainerEvent) => void): void {
    this.listeners.push(listener);
  }

  launch(launch: ContainerLaunch): void {
    assert(!this.containers.has(launch.containerId), `container ${launch.containerId} is already known`);
    const container: Container = {
      containerId: launch.containerId,
      runDirectory: launch.runDirectory,
      runFiles: containerRunFiles(launch.runDirectory),
      phase: 'preparing',
      destroyRequested: false,
      launchingKillDeadlineMs: undefined,
      supervisor: undefined,
      ready: false,
      launched: false,
      watch: undefined,
      killDeadlineMs: undefined,
      killTimer: undefined,
      warnings: [],
      isolated: false,
      limitation: undefined,
      pendingIsolation: undefined,
    };
    this.containers.set(launch.containerId, container);
    this.start(container, launch).catch((error: unknown) => this.fail(container, 'launch', messageOf(error)));
  }

  destroy(containerId: string, gracePeriodMs: number): void {
    const container = this.containers.get(containerId);
    if (container === undefined || container.phase === 'ended' || container.phase === 'ending') return;
    if (container.phase === 'preparing') {
      container.destroyRequested = true;
      return;
    }
    const graceMs = Math.max(0, gracePeriodMs);
    const deadlineMs = Date.now() + graceMs;
    if (container.phase === 'launching') {
      // The supervisor may be starting: the kill waits for it (see onLaunched).
      container.launchingKillDeadlineMs = Math.min(deadlineMs, container.launchingKillDeadlineMs ?? Infinity);
      return;
    }
    if (container.killDeadlineMs !== undefined) {
      // A second destroy may shorten the grace period, never lengthen it.
      if (deadlineMs >= container.killDeadlineMs) return;
      clearTimeout(container.killTimer);
    } else {
      this.signalWhenReady(container, 'SIGTERM');
    }
    container.killDeadlineMs = deadlineMs;
    container.killTimer = setTimeout(() => {
      container.killTimer = undefined;
      this.signalWhenReady(container, 'SIGUSR1');
    }, graceMs);
  }

  recover(known: readonly KnownContainer[], rebooted: boolean): void {
    const running: IsolatedContainer[] = [];
    for (const entry of known) {
      assert(!this.containers.has(entry.containerId), `container ${entry.containerId} is already known`);
      const runFiles = containerRunFiles(entry.runDirectory);
      if (rebooted) {
        // After a reboot every pid may be another process's: nothing is signalled. A status written
        // before the reboot is still how the container ended; otherwise it died with the host.
        const record = readExitStatusSync(runFiles.exitStatus);
        this.emit({ type: 'container_exited', containerId: entry.containerId, status: record.kind === 'read' ? record.status : undefined });
        continue;
      }
      const supervisor =
        entry.supervisorPid !== undefined && entry.startTime !== undefined
          ? { pid: entry.supervisorPid, startTime: entry.startTime }
          : readIdentityFile(runFiles.supervisorPid);
      if (supervisor !== undefined && isRunning(supervisor)) {
        this.watchRecovered(entry, supervisor);
        running.push({ containerId: entry.containerId, sandbox: entry.directory, volumes: entry.volumes, owner: undefined, ...entry.isolation });
        continue;
      }
      // Gone: it ended while the agent was down (exit_status says how), or it died.
      const record = readExitStatusSync(runFiles.exitStatus);
      if (record.kind === 'missing') killTaskGroup(runFiles);
      this.emit({ type: 'container_exited', containerId: entry.containerId, status: record.kind === 'read' ? record.status : undefined });
    }
    // Those that ended while the agent was down are not among them: their cgroups are orphans now, removed.
    this.isolation.recover(running);
  }

  async killOrphans(known: readonly KnownContainer[]): Promise<number> {
    const owned = new Set([...known, ...this.containers.values()].map((container) => resolve(container.runDirectory)));
    const orphans = findSupervisors(this.workDir, basename(this.supervisorPath)).filter(
      (supervisor) => !owned.has(resolve(supervisor.runDirectory)),
    );
    if (orphans.length === 0) return 0;
    for (const orphan of orphans) signalIfRunning(orphan, 'SIGTERM');
    const allGone = (): boolean => orphans.every((orphan) => !isRunning(orphan));
    await waitUntil(allGone, this.orphanGracePeriodMs);
    for (const orphan of orphans) signalIfRunning(orphan, 'SIGUSR1');
    await waitUntil(allGone, orphanKillWaitMs);
    return orphans.length;
  }

  async usage(containerId: string): Promise<ContainerUsage | undefined> {
    const supervisor = this.containers.get(containerId)?.supervisor;
    if (supervisor === undefined || !isRunning(supervisor)) return undefined;
    const [processes, isolated] = await Promise.all([descendantsOf(supervisor.pid).then(usageOf), this.isolation.usage(containerId)]);
    return { ...processes, isolated };
  }

  update(containerId: string, isolation: ContainerIsolationSpec): void {
    const container = this.containers.get(containerId);
    if (container === undefined || container.phase === 'ending' || container.phase === 'ended') return;
    if (container.isolated) this.isolation.update(containerId, isolation);
    // Still being prepared: the isolators take it once they have prepared the container (start()).
    else container.pendingIsolation = isolation;
  }

  close(): void {
    this.closed = true;
    this.isolation.close();
    for (const container of this.containers.values()) {
      container.watch?.stop();
      clearTimeout(container.killTimer);
    }
    this.containers.clear();
    this.launched.clear();
    this.launcher.close();
  }

  private async start(container: Container, launch: ContainerLaunch): Promise<void> {
    if (launch.argv.length === 0) return this.fail(container, 'launch', 'the command is empty');
    const runAs = await this.runAs(launch.user);
    if (!runAs.ok) return this.fail(container, 'launch', runAs.error);
    const prepared = prepareDirectories(launch, runAs.value.owner);
    if (!prepared.ok) return this.fail(container, 'launch', prepared.error);
    if (launch.uris.length > 0) {
      const fetched = await this.fetcher.fetch({ uris: launch.uris, sandbox: launch.directory, user: launch.user });
      if (!fetched.ok) return this.fail(container, 'fetch', fetched.error);
    }
    if (this.closed) return;
    if (container.destroyRequested) return this.finish(container, undefined);
    // After the fetch: what an archive left at a volume's path is checked, never written over.
    const isolated = await this.isolation.prepare({
      containerId: launch.containerId,
      sandbox: launch.directory,
      volumes: launch.volumes,
      owner: runAs.value.owner,
      ...launch.isolation,
    });
    if (!isolated.ok) return this.fail(container, 'launch', isolated.error);
    container.isolated = true;
    if (container.pendingIsolation !== undefined) this.isolation.update(container.containerId, container.pendingIsolation);
    if (this.closed) return;
    if (container.destroyRequested) return this.finish(container, undefined);
    this.spawnSupervisor(container, launch, runAs.value.supervisorUser, isolated.value);
  }

  private async runAs(user: string | undefined): Promise<Result<RunAs>> {
    if (user === undefined) return ok({ supervisorUser: undefined, owner: undefined });
    const ids = this.users.cached(user) ?? (await this.users.lookup(user));
    if (ids === undefined) return err(`user '${user}' does not exist on this agent`);
    const agentUid = process.getuid?.();
    if (agentUid === 0) return ok({ supervisorUser: user, owner: ids });
    if (ids.uid === agentUid) return ok({ supervisorUser: undefined, owner: undefined });
    return err(`cannot run as user '${user}': the agent does not run as root (run it as root, or with --switch_user=false)`);
  }

  /**
   * Asks the launcher to start the supervisor with the container's
   * environment (the supervisor leaves for a session of its own, its stdio on
   * /dev/null: what spawn(…, { detached: true, stdio: 'ignore', env }) gave it).
   */
  private spawnSupervisor(container: Container, launch: ContainerLaunch, user: string | undefined, isolated: PreparedIsolation): void {
    container.phase = 'launching';
    container.warnings = isolated.warnings;
    const argv = [this.supervisorPath, ...supervisorArguments(launch, this.workDir, user, isolated)];
    this.launcher.launch({ argv, environment: launch.environment }, (result) => this.onLaunched(container, result));
  }

  private onLaunched(container: Container, result: LaunchResult): void {
    if (this.closed || container.phase !== 'launching') return;
    if (!result.ok) {
      this.fail(container, 'launch', result.failure === 'refused' ? this.spawnFailure(result.message) : result.message);
      // It may have started the supervisor before it died: that one must not run a task nobody knows of.
      if (result.failure === 'died') this.stopStraySupervisor(container.runDirectory);
      return;
    }
    const { pid, startTime } = result;
    container.phase = 'running';
    container.supervisor = { pid, startTime };
    container.launched = true;
    this.launched.set(pid, container);
    const warnings = container.warnings.length > 0 ? { warnings: container.warnings } : {};
    this.emit({ type: 'container_started', containerId: container.containerId, supervisorPid: pid, startTime, ...warnings });
    const deadlineMs = container.launchingKillDeadlineMs;
    if (deadlineMs !== undefined) this.destroy(container.containerId, deadlineMs - Date.now());
  }

  private spawnFailure(message: string): string {
    const hint = existsSync(this.supervisorPath) ? '' : ' (build it: node scripts/build-native.mjs)';
    return `cannot start the task supervisor ${this.supervisorPath}: ${message}${hint}`;
  }

  /** The launcher reaped a supervisor it started. */
  private onLaunchedExit(pid: number): void {
    const container = this.launched.get(pid);
    if (container === undefined) return;
    this.launched.delete(pid);
    container.launched = false;
    void this.onSupervisorEnd(container);
  }

  /** The launcher died: the supervisors it started are watched as recovered ones are. */
  private onLauncherLost(pids: readonly number[]): void {
    for (const pid of pids) {
      const container = this.launched.get(pid);
      if (container === undefined || container.supervisor === undefined) continue;
      this.launched.delete(pid);
      container.launched = false;
      this.watch(container, container.supervisor);
    }
  }

  /**
   * Stops the supervisor of `runDirectory`, if one runs: the launcher died
   * after starting it, before saying so, and its container has failed.
   */
  private stopStraySupervisor(runDirectory: string): void {
    const stray = findSupervisors(this.workDir, basename(this.supervisorPath)).find(
      (supervisor) => resolve(supervisor.runDirectory) === resolve(runDirectory),
    );
    if (stray === undefined) return;
    const readyFile = containerRunFiles(runDirectory).supervisorPid;
    const stop = (): void => {
      if (!isRunning(stray)) return;
      if (existsSync(readyFile)) signalIfRunning(stray, 'SIGUSR1');
      else setTimeout(stop, readinessPollMs);
    };
    stop();
  }

  private watchRecovered(entry: KnownContainer, supervisor: ProcessIdentity): void {
    const container: Container = {
      containerId: entry.containerId,
      runDirectory: entry.runDirectory,
      runFiles: containerRunFiles(entry.runDirectory),
      phase: 'running',
      destroyRequested: false,
      launchingKillDeadlineMs: undefined,
      supervisor,
      ready: false,
      launched: false,
      watch: undefined,
      killDeadlineMs: undefined,
      killTimer: undefined,
      warnings: [],
      isolated: true,
      limitation: undefined,
      pendingIsolation: undefined,
    };
    this.containers.set(entry.containerId, container);
    this.watch(container, supervisor);
  }

  /** Watches a supervisor that is nobody's child here (its end is reported by no one). */
  private watch(container: Container, supervisor: ProcessIdentity): void {
    const watch = watchSupervisor(supervisor, container.runFiles.exitStatus, this.livenessPollMs, () => {
      void this.onSupervisorEnd(container);
    });
    // The watch may have ended at once (the supervisor was just finishing).
    if (container.phase === 'running') container.watch = watch;
  }

  /**
   * Signals the supervisor once it handles signals: it writes supervisor.pid
   * only after blocking them, and until then SIGTERM or SIGUSR1 would kill it
   * (and lose the container's status). That takes a millisecond or two after
   * the spawn, so a destroy that follows a launch at once waits that long.
   */
  private signalWhenReady(container: Container, signal: NodeJS.Signals): void {
    if (container.phase !== 'running') return;
    if (!container.ready) container.ready = existsSync(container.runFiles.supervisorPid);
    if (container.ready || container.supervisor === undefined || !isRunning(container.supervisor)) {
      this.signalSupervisor(container, signal);
      return;
    }
    setTimeout(() => this.signalWhenReady(container, signal), readinessPollMs);
  }

  /**
   * Signals a running supervisor. One the launcher started that is gone will
   * be reported by the launcher; any other that is gone ends the container now.
   */
  private signalSupervisor(container: Container, signal: NodeJS.Signals): boolean {
    if (container.supervisor !== undefined && signalIfRunning(container.supervisor, signal)) return true;
    if (!container.launched) void this.onSupervisorEnd(container);
    return false;
  }

  /** The supervisor has ended (or written its status): reports how the container ended. */
  private async onSupervisorEnd(container: Container): Promise<void> {
    if (container.phase !== 'running') return;
    container.watch?.stop();
    const record = await readExitStatus(container.runFiles.exitStatus);
    // A supervisor that died without a status leaves its task behind: a container ends with its supervisor.
    if (record.kind === 'missing') killTaskGroup(container.runFiles);
    this.finish(container, record.kind === 'read' ? record.status : undefined);
  }

  private finish(container: Container, status: ExitStatus | undefined): void {
    this.end(container, () => ({
      type: 'container_exited',
      containerId: container.containerId,
      status,
      ...(container.limitation !== undefined ? { limitation: container.limitation } : {}),
    }));
  }

  private fail(container: Container, stage: 'fetch' | 'launch', message: string): void {
    this.end(container, () => ({ type: 'container_failed', containerId: container.containerId, stage, message }));
  }

  /**
   * The container's processes are gone (or never ran): its isolators clean
   * up, in reverse order, and may still find a limit it passed (the OOM
   * killer ended it); then `event` reports its end, and it is forgotten.
   */
  private end(container: Container, event: () => ContainerEvent): void {
    if (container.phase === 'ended' || container.phase === 'ending') return;
    container.phase = 'ending';
    container.watch?.stop();
    clearTimeout(container.killTimer);
    if (container.supervisor !== undefined && this.launched.get(container.supervisor.pid) === container) this.launched.delete(container.supervisor.pid);
    const cleanedUp = container.isolated ? this.isolation.cleanup(container.containerId) : Promise.resolve();
    void cleanedUp.then(() => {
      container.phase = 'ended';
      if (this.containers.get(container.containerId) === container) this.containers.delete(container.containerId);
      this.emit(event());
    });
  }

  /** An isolator saw the container past a limit: it is destroyed now, the limitation reported with its end. */
  private onLimited(containerId: string, limitation: Limitation): void {
    const container = this.containers.get(containerId);
    if (container === undefined || container.phase === 'ended' || container.limitation !== undefined) return;
    container.limitation = limitation;
    if (container.phase === 'ending') return;
    this.emit({ type: 'container_limited', containerId, limitation });
    this.destroy(containerId, 0);
  }

  private emit(event: ContainerEvent): void {
    if (this.closed) return;
    queueMicrotask(() => {
      if (this.closed) return;
      for (const listener of this.listeners) listener(event);
    });
  }
}

/** Creates the sandbox (given to `owner`) and the run directory. */
function prepareDirectories(launch: ContainerLaunch, owner: UserIds | undefined): Result<void> {
  try {
    mkdirSync(launch.directory, { recursive: true });
  } catch (error) {
    return err(`cannot create the sandbox ${launch.directory}: ${messageOf(error)}`);
  }
  try {
    if (owner !== undefined) chownSync(launch.directory, owner.uid, owner.gid);
  } catch (error) {
    return err(`cannot give the sandbox ${launch.directory} to uid ${owner?.uid ?? ''}: ${messageOf(error)}`);
  }
  try {
    mkdirSync(launch.runDirectory, { recursive: true });
  } catch (error) {
    return err(`cannot create the run directory ${launch.runDirectory}: ${messageOf(error)}`);
  }
  return ok(undefined);
}

/** SIGKILLs the task's process group when its leader is still the process task.pid names. */
function killTaskGroup(runFiles: ContainerRunFiles): void {
  const task = readIdentityFile(runFiles.taskPid);
  if (task === undefined || !isRunning(task)) return;
  try {
    process.kill(-task.pid, 'SIGKILL');
  } catch {
    // Gone meanwhile.
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadlineMs) await new Promise((resolve) => setTimeout(resolve, orphanPollMs));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
