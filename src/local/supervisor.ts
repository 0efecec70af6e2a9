/**
 * The processes of one `berth local`, by name: starts them, restarts one on
 * request with the same flags and work directory, reports the ones that die on
 * their own (the others keep running), and stops them all.
 *
 * Invariant: every child that exists is in `liveChildren` until it has exited,
 * so a stop or an emergency kill reaches processes that are still starting.
 */
import { err, ok, type Result } from '../lib/result.js';
import { describeExit, signalGroup, stopGroup, type GroupChild } from './process-group.js';
import { commandLine, portOfUrl, withPort, type ProcessSpec } from './process-specs.js';
import { describeStartFailure, startProcess, type StartedProcess } from './start-process.js';

export interface SupervisorOptions {
  readonly cliEntry: string;
  readonly env: NodeJS.ProcessEnv;
  readonly readyTimeoutMs: number;
  /** Time a process has between SIGTERM and SIGKILL. */
  readonly stopGraceMs: number;
  /** A path as the user should see it (relative to where they are, when inside). */
  readonly showPath: (path: string) => string;
  /** Told, in one line, when a process exits without being asked to. */
  readonly onUnexpectedExit: (line: string) => void;
  /** How the user restarts `name` (`berth local restart agent1`), for messages. */
  readonly restartCommand: (name: string) => string;
}

interface Managed {
  /** What the next start uses: a port that was 0 becomes the port the process got. */
  spec: ProcessSpec;
  running: StartedProcess | undefined;
  /** True while berth local itself stops it: that exit is expected. */
  stopping: boolean;
  /** True while a restart is in progress; a second one is refused. */
  restarting: boolean;
}

export interface ProcessRow {
  readonly name: string;
  readonly pid: number | undefined;
  readonly url: string | undefined;
  readonly workDir: string;
  readonly logPath: string;
}

export class LocalSupervisor {
  private readonly processes = new Map<string, Managed>();
  private readonly liveChildren = new Map<GroupChild, string>();
  private stopAllStarted: Promise<void> | undefined;

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts a process for the first time. The error is one line naming its log. */
  async start(spec: ProcessSpec): Promise<Result<StartedProcess, string>> {
    const managed: Managed = { spec, running: undefined, stopping: false, restarting: false };
    this.processes.set(spec.name, managed);
    return this.launch(managed);
  }

  /** Stops the process if it runs, then starts it again; `report` hears each step. */
  async restart(name: string, report: (line: string) => void): Promise<Result<StartedProcess, string>> {
    if (this.stopAllStarted !== undefined) return err('berth local is stopping');
    const managed = this.processes.get(name);
    if (managed === undefined) {
      return err(`there is no process '${name}'; there are: ${[...this.processes.keys()].join(', ')}`);
    }
    if (managed.restarting) return err(`${name} is already being restarted`);
    managed.restarting = true;
    try {
      await this.stopOne(managed, report);
      report(`starting ${name}`);
      const started = await this.launch(managed);
      if (started.ok) report(`started ${name} (pid ${started.value.child.pid}) on ${started.value.url}`);
      return started;
    } finally {
      managed.restarting = false;
    }
  }

  /** Stops every process at once; idempotent. `report` hears each one that stopped. */
  stopAll(report: (line: string) => void): Promise<void> {
    this.stopAllStarted ??= this.stopEverything(report);
    return this.stopAllStarted;
  }

  /** SIGKILL to every group now: for a second Ctrl-C and for the exit of berth local itself. */
  killAllNow(): void {
    for (const child of this.liveChildren.keys()) signalGroup(child.pid, 'SIGKILL');
  }

  rows(): ProcessRow[] {
    return [...this.processes.values()].map(({ spec, running }) => ({
      name: spec.name,
      pid: running?.child.pid,
      url: running?.url,
      workDir: spec.workDir,
      logPath: spec.logPath,
    }));
  }

  private async launch(managed: Managed): Promise<Result<StartedProcess, string>> {
    const { spec } = managed;
    if (this.stopAllStarted !== undefined) return err('berth local is stopping');
    const request = {
      name: spec.name,
      args: commandLine(this.options.cliEntry, spec),
      logPath: spec.logPath,
      env: this.options.env,
      readyTimeoutMs: this.options.readyTimeoutMs,
      onSpawned: (child: GroupChild) => this.track(child, spec.name),
    };
    const started = await startProcess(request);
    if (!started.ok) return err(describeStartFailure(request, started.error, this.options.showPath(spec.logPath)));
    if (this.stopAllStarted !== undefined) return err(`${spec.name} started while berth local was stopping`);
    managed.running = started.value;
    if (spec.port === 0) managed.spec = withPort(spec, portOfUrl(started.value.url));
    void started.value.child.exited.then((status) => {
      if (managed.running !== started.value || managed.stopping) return;
      managed.running = undefined;
      const log = this.options.showPath(spec.logPath);
      this.options.onUnexpectedExit(
        `${spec.name} (pid ${started.value.child.pid}) ${describeExit(status)}; see ${log}; ` +
          `the others keep running; start it again with: ${this.options.restartCommand(spec.name)}`,
      );
    });
    return ok(started.value);
  }

  private track(child: GroupChild, name: string): void {
    this.liveChildren.set(child, name);
    void child.exited.then(() => this.liveChildren.delete(child));
  }

  private async stopOne(managed: Managed, report: (line: string) => void): Promise<void> {
    const { running, spec } = managed;
    if (running === undefined || running.child.hasExited()) return;
    report(`stopping ${spec.name} (pid ${running.child.pid})`);
    managed.stopping = true;
    try {
      const status = await stopGroup(running.child, this.options.stopGraceMs);
      report(`stopped ${spec.name} (${describeExit(status)})`);
    } finally {
      managed.running = undefined;
      managed.stopping = false;
    }
  }

  private async stopEverything(report: (line: string) => void): Promise<void> {
    for (const managed of this.processes.values()) managed.stopping = true;
    const stops = [...this.liveChildren].map(async ([child, name]) => {
      const status = await stopGroup(child, this.options.stopGraceMs);
      report(`stopped ${name} (pid ${child.pid}, ${describeExit(status)})`);
    });
    await Promise.all(stops);
  }
}
