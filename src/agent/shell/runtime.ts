/**
 * The agent's imperative shell around its core: feeds it events (link
 * records, container, health and executor events, ticks at its next
 * deadline), and performs its effects through the effect pipeline, which
 * holds each step's effects until its records are durable.
 */
import type { Logger } from 'pino';
import { Agent as HttpAgent } from 'undici';
import type { Clock } from '../../lib/clock.js';
import type { TaskJournal } from '../checkpoint/journal.js';
import type { ContainerVolume, Containerizer } from '../containerizer/types.js';
import type { AgentCore } from '../core/agent-core.js';
import type { AgentEffect, AgentEvent, ExecutorReply } from '../core/events.js';
import { snapshotRecords } from '../core/snapshot.js';
import type { SandboxGc } from '../gc/sandbox-gc.js';
import type { HealthChecker } from '../health/types.js';
import type { LogRotator } from '../logs/log-rotator.js';
import { journalPath } from '../paths.js';
import { EffectPipeline } from './effect-pipeline.js';
import { ExecutorStreams } from './executor-streams.js';
import { MasterLink } from './master-link.js';
import { sandboxLogPaths } from './services.js';
import { MessageSender } from './message-sender.js';
import { persistAgentId } from './meta.js';
import type { OperationStatusMessage } from '../../protocol/internal.js';
import type { Result } from '../../lib/result.js';
import type { ResourceJournal } from '../volumes/resource-journal.js';
import type { ResourceChange } from '../volumes/resource-state.js';

/** What the runtime drives besides the link: built by the agent's start-up, closed by stop(). */
export interface AgentServices {
  readonly containerizer: Containerizer;
  readonly health: HealthChecker;
  readonly gc: SandboxGc;
  /** Virtual path -> real path of what /files serves; sandboxes join as their executors start. */
  readonly fileRoots: Map<string, string>;
  readonly logs: LogRotator;
  /** Opens (or creates) the journal of an agent id; the first registration creates it. */
  readonly openJournal: (agentId: string) => TaskJournal;
  /** The checkpointed resources, outside any agent id. */
  readonly resourceJournal: ResourceJournal;
}

/** How often --recover=cleanup looks whether the containers it destroyed have ended. */
const cleanupPollMs = 50;

export class AgentRuntime {
  private readonly dispatcher = new HttpAgent({ keepAliveTimeout: 30_000, connections: 8 });
  private readonly link: MasterLink;
  private readonly sender: MessageSender;
  private readonly pipeline: EffectPipeline;
  readonly executorStreams = new ExecutorStreams();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private started = false;
  private shutdownRequested: ((message: string) => void) | undefined;
  /** /files paths attached to volumes, by container. */
  private readonly attachedVolumes = new Map<string, string[]>();
  private fatal: ((error: Error) => void) | undefined;

  constructor(
    readonly core: AgentCore,
    readonly clock: Clock,
    readonly logger: Logger,
    /** The leading master's base URL now (it changes with --master=zk://). */
    readonly masterUrl: () => string | undefined,
    readonly workDir: string,
    readonly services: AgentServices,
    private journal: TaskJournal | undefined,
  ) {
    this.link = new MasterLink(masterUrl, this.dispatcher, {
      onRecord: (epoch, record) => this.dispatch({ type: 'link_record', epoch, record }),
      onFailed: (epoch, status, message) =>
        this.dispatch({ type: 'link_failed', epoch, message, ...(status !== undefined ? { status } : {}) }),
      onClosed: (epoch) => this.dispatch({ type: 'link_closed', epoch }),
    });
    this.sender = new MessageSender(
      masterUrl,
      this.dispatcher,
      () => this.core.state.agentId,
      (epoch, message) => this.dispatch({ type: 'message_refused', epoch, message }),
      (message) => this.logger.error(message),
    );
    this.pipeline = new EffectPipeline(
      () => this.journal,
      (effect) => this.perform(effect),
      (error) => this.onFatal(error),
    );
    services.containerizer.onEvent((event) => {
      if (event.type !== 'container_started') this.hideVolumes(event.containerId);
      this.dispatch(event);
    });
    services.health.onEvent((event) => this.dispatch(event));
  }

  /** Starts ticking the core (after recovery has fed it what ended while the agent was down). */
  start(): void {
    this.started = true;
    this.dispatch({ type: 'tick' });
  }

  /** Called when the master tells this agent to shut down. */
  onShutdown(handler: (message: string) => void): void {
    this.shutdownRequested = handler;
  }

  /** Called when a record cannot be made durable: the agent must stop rather than go on unsafely. */
  onFatalError(handler: (error: Error) => void): void {
    this.fatal = handler;
  }

  /** Steps the core; returns its answer to an executor API request. */
  dispatch(event: AgentEvent): ExecutorReply | undefined {
    if (this.stopped) return undefined;
    let result: ReturnType<AgentCore['step']>;
    try {
      result = this.core.step(event, this.clock.nowMs());
    } catch (error) {
      // A bug in the core leaves its state half-changed: stop, and recover from the journal on restart.
      this.onFatal(error instanceof Error ? error : new Error(String(error)), `Failed to handle ${event.type}`);
      return { status: 503, body: 'The agent is stopping after an internal error' };
    }
    this.pipeline.run(result.effects);
    if (this.started) this.arm();
    this.compactIfDue();
    return result.reply;
  }

  /** Resolves once every effect so far has been performed (records durable, messages queued). */
  settled(): Promise<void> {
    return this.pipeline.drained();
  }

  /** Rewrites the journal as a snapshot of the state (after recovery: replay starts short next time). */
  async compactJournal(): Promise<void> {
    await this.journal?.compact(snapshotRecords(this.core.state));
  }

  /** Destroys containers (--recover=cleanup) and resolves once the core has seen each end. */
  async destroyAll(containerIds: readonly string[]): Promise<void> {
    for (const containerId of containerIds) this.services.containerizer.destroy(containerId, 0);
    const pending = new Set(containerIds);
    while (pending.size > 0) {
      for (const framework of this.core.state.frameworks.values()) {
        for (const executor of framework.executors.values()) if (executor.state === 'terminated') pending.delete(executor.containerId);
      }
      for (const framework of this.core.state.frameworks.values()) {
        for (const executor of framework.completedExecutors) pending.delete(executor.containerId);
      }
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, cleanupPollMs));
    }
    await this.pipeline.drained();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.pipeline.drained();
    this.link.close();
    this.sender.stop();
    this.executorStreams.closeAll();
    this.services.containerizer.close();
    this.services.health.close();
    this.services.gc.close();
    this.services.logs.close();
    await this.journal?.close();
    this.services.resourceJournal.close();
    await this.dispatcher.close();
  }

  private perform(effect: AgentEffect): void {
    switch (effect.type) {
      case 'open_link':
        this.sender.dropBefore(effect.epoch);
        this.link.open(effect.epoch, effect.request);
        return;
      case 'close_link':
        this.link.close(effect.epoch);
        return;
      case 'send_message':
        this.sender.enqueue(effect.epoch, effect.seq, effect.message);
        return;
      case 'persist_agent_id':
        this.adoptAgentId(effect.agentId);
        return;
      case 'persist':
        return; // Taken by the pipeline.
      case 'commit_resources':
        this.commitResources(effect.change, effect.report);
        return;
      case 'launch_container':
        this.services.containerizer.launch(effect.launch);
        this.exposeVolumes(effect.launch.containerId, effect.launch.directory, effect.launch.volumes);
        return;
      case 'destroy_container':
        this.services.containerizer.destroy(effect.containerId, effect.gracePeriodMs);
        return;
      case 'update_container':
        this.services.containerizer.update(effect.containerId, effect.isolation);
        return;
      case 'executor_event':
        this.executorStreams.send(effect.connectionId, effect.event);
        return;
      case 'executor_close':
        this.executorStreams.close(effect.connectionId);
        return;
      case 'start_health_check':
        this.services.health.start(effect.target);
        return;
      case 'stop_health_check':
        this.services.health.stop(effect.frameworkId, effect.taskId);
        return;
      case 'schedule_gc':
        // A completed sandbox no longer grows: its logs stay as they are until it is removed.
        for (const path of sandboxLogPaths(effect.path)) this.services.logs.unregister(path);
        this.services.gc.schedule(effect.path, effect.completedAtMs);
        return;
      case 'expose_sandbox':
        // Under Mesos' `runs/latest` path, and under its real path, as Mesos attaches it.
        this.services.fileRoots.set(effect.virtualPath, effect.directory);
        this.services.fileRoots.set(effect.directory, effect.directory);
        for (const path of sandboxLogPaths(effect.directory)) this.services.logs.register(path);
        return;
      case 'shutdown':
        this.logger.warn(`The master asked this agent to shut down: ${effect.message}`);
        this.shutdownRequested?.(effect.message);
        return;
      case 'log':
        this.logger[effect.level](effect.message);
        return;
    }
  }

  /**
   * A task sees its volumes inside its own mount namespace only; /files shows
   * them where the task sees them, `<sandbox>/<container_path>`, by attaching
   * each volume's directory there (under the sandbox's real and virtual
   * paths) while the container runs. Also for the containers a restarted
   * agent recovers (startup.ts).
   */
  exposeVolumes(containerId: string, directory: string, volumes: readonly ContainerVolume[]): void {
    if (volumes.length === 0) return;
    const sandboxPaths = [...this.services.fileRoots].filter(([, real]) => real === directory).map(([path]) => path);
    const attached: string[] = [];
    for (const volume of volumes) {
      for (const path of sandboxPaths) {
        const at = `${path}/${volume.containerPath}`;
        this.services.fileRoots.set(at, volume.source);
        attached.push(at);
      }
    }
    this.attachedVolumes.set(containerId, attached);
  }

  private hideVolumes(containerId: string): void {
    for (const path of this.attachedVolumes.get(containerId) ?? []) this.services.fileRoots.delete(path);
    this.attachedVolumes.delete(containerId);
  }

  /**
   * Synchronous, so that a task launched by a later effect finds its volume
   * made, and so that a storage operation is durable without waiting on the
   * thread pool (one write and one fdatasync). The outcome goes back to the
   * core as an event of its own, after the effects being performed now; a
   * journal rewrite that is due follows it.
   */
  private commitResources(change: ResourceChange, report: OperationStatusMessage | undefined): void {
    const resources = this.services.resourceJournal;
    let committed: Result<void>;
    try {
      committed = resources.commit(change, { log: (message) => this.logger.info(message) });
    } catch (error) {
      this.onFatal(error instanceof Error ? error : new Error(String(error)), 'Failed to journal checkpointed resources');
      return;
    }
    if (committed.ok && report !== undefined) {
      // The moment an operation is durable, on the wall clock to the microsecond: what the CREATE latency benchmark measures to.
      const durableAtMs = Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;
      this.logger.info({ operation_uuid: report.operation_uuid, operation_id: report.operation_id?.value, durable_at_ms: durableAtMs }, `Operation ${report.operation_uuid} is durable`);
    }
    const error = committed.ok ? undefined : committed.error;
    setImmediate(() => {
      // What the journal holds when the core hears of it, with any later change.
      this.dispatch({ type: 'resources_committed', report, attempted: change, onDisk: resources.state, error });
      try {
        resources.compactIfDue();
      } catch (failure) {
        this.onFatal(failure instanceof Error ? failure : new Error(String(failure)), 'Failed to rewrite the checkpointed resources\' journal');
      }
    });
  }

  /**
   * The master gave this agent an id: it is recorded, and the journal of that id
   * is the one written from now on (holding, when the id changed, what the old one held).
   */
  private adoptAgentId(agentId: string): void {
    persistAgentId(this.workDir, agentId, this.core.state.config.info);
    const previous = this.journal;
    if (previous !== undefined && previous.path === journalPath(this.workDir, agentId)) return;
    this.journal = this.services.openJournal(agentId);
    if (previous === undefined) return;
    void previous.close();
    void this.journal.compact(snapshotRecords(this.core.state)).catch((error: unknown) => this.onFatal(error as Error));
  }

  private compactIfDue(): void {
    const journal = this.journal;
    if (journal === undefined || !journal.compactionDue) return;
    void journal.compact(snapshotRecords(this.core.state)).catch((error: unknown) => this.onFatal(error as Error));
  }

  private onFatal(error: Error, what = 'Failed to checkpoint or perform an effect'): void {
    this.logger.fatal({ err: error }, `${what}: ${error.message}`);
    this.fatal?.(error);
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = this.core.nextDeadlineMs();
    if (deadline === undefined || this.stopped) return;
    this.timer = setTimeout(() => this.dispatch({ type: 'tick' }), Math.max(0, deadline - this.clock.nowMs()));
  }
}
