/**
 * The master's imperative shell around the pure core: it feeds events to the
 * core with the current time, performs the effects (stream writes, closes,
 * logs) in order, and arms one timer for the core's next deadline. Effects
 * after a registry write wait until it is durable (effect-queue.ts); so do
 * the replies the routes send through `whenPerformed`.
 */
import { MemoryRegistryStore, type RegistryOperation, type RegistryStore } from '../registry/registry.js';
import { EffectQueue } from './effect-queue.js';
import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.js';
import type { RecordStream } from '../../lib/http/record-stream.js';
import type { MasterCore } from '../core/master-core.js';
import type { MasterEffect, MasterEvent, Reply, StepOutput } from '../core/events.js';
import { RunTimes } from './run-times.js';

export class MasterRuntime {
  private readonly streams = new Map<string, RecordStream>();
  private readonly links = new Map<string, RecordStream>();
  private timer: NodeJS.Timeout | undefined;
  private timerDueMs: number | undefined;
  private nextId = 0;
  private stopped = false;
  readonly allocationRunTimes = new RunTimes();
  private readonly queue = new EffectQueue();

  constructor(
    readonly core: MasterCore,
    readonly clock: Clock,
    readonly logger: Logger,
    private readonly registry: RegistryStore = new MemoryRegistryStore(),
  ) {
    this.arm();
  }

  newConnectionId(kind: 'c' | 'l' | 'o'): string {
    return `${kind}${++this.nextId}`;
  }

  /**
   * Runs one event through the core. `prepare` sees the reply before any
   * effect is performed, so a caller can open the stream the effects write to.
   */
  dispatch(event: MasterEvent, prepare?: (reply: Reply | undefined) => void): StepOutput {
    const startMs = performance.now();
    const output = this.core.step(event, this.clock.nowMs());
    prepare?.(output.reply);
    this.perform(output.effects, performance.now() - startMs);
    this.arm();
    return output;
  }

  /**
   * Runs `answer` once every effect dispatched so far is performed: a reply
   * never tells of a change the registry does not hold yet.
   */
  whenPerformed(answer: () => void): void {
    this.queue.push(answer);
  }

  /** Registers a scheduler or operator stream under its connection id. */
  attachStream(connectionId: string, stream: RecordStream): void {
    this.streams.set(connectionId, stream);
    stream.response.on('close', () => {
      if (this.streams.get(connectionId) !== stream) return;
      this.streams.delete(connectionId);
      if (!this.stopped) this.dispatch({ type: 'connection_closed', connectionId });
    });
  }

  attachLink(linkId: string, stream: RecordStream): void {
    this.links.set(linkId, stream);
    stream.response.on('close', () => {
      if (this.links.get(linkId) !== stream) return;
      this.links.delete(linkId);
      if (!this.stopped) this.dispatch({ type: 'agent_link_closed', linkId });
    });
  }

  /** Ends every stream and stops the timer (process shutdown). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const stream of [...this.streams.values(), ...this.links.values()]) stream.end();
    this.streams.clear();
    this.links.clear();
  }

  private perform(effects: readonly MasterEffect[], stepMs: number): void {
    for (const effect of effects) {
      if (effect.type === 'registry') this.writeRegistry(effect.operation);
      else if (this.queue.holding) this.queue.push(() => this.performOne(effect, stepMs));
      else this.performOne(effect, stepMs);
    }
  }

  private performOne(effect: Exclude<MasterEffect, { type: 'registry' }>, stepMs: number): void {
    switch (effect.type) {
      case 'framework_event':
      case 'operator_event':
        this.streams.get(effect.connectionId)?.send(effect.event);
        break;
      case 'framework_close':
      case 'operator_close':
        this.endStream(this.streams, effect.connectionId);
        break;
      case 'agent_send':
        this.links.get(effect.linkId)?.send({ seq: effect.seq, ...effect.message });
        break;
      case 'agent_close':
        this.endStream(this.links, effect.linkId);
        break;
      case 'log':
        this.logger[effect.level](effect.message);
        break;
      case 'allocation_run':
        this.allocationRunTimes.record(stepMs);
        break;
      case 'fatal':
        this.logger.fatal(effect.message);
        process.exit(1);
        break;
      case 'settle_soon':
        // After the I/O of this turn is handed to the kernel, before any timer.
        setImmediate(() => {
          if (!this.stopped) this.dispatch({ type: 'tick' });
        });
        break;
    }
  }

  /**
   * Durable before the effects after it are performed. A registry that cannot
   * be written leaves the master unable to keep its word: it stops at once
   * (as Mesos' registrar aborts), and a restart finds the last good registry.
   */
  private writeRegistry(operation: RegistryOperation): void {
    const failed = (error: unknown): void => {
      this.logger.fatal(`Failed to write ${operation.type} to the registry: ${error instanceof Error ? error.message : String(error)}; stopping`);
      process.exit(1);
    };
    try {
      this.queue.pushWrite(this.registry.apply(operation), failed);
    } catch (error) {
      failed(error);
    }
  }

  private endStream(registry: Map<string, RecordStream>, id: string): void {
    const stream = registry.get(id);
    registry.delete(id);
    stream?.end();
  }

  private arm(): void {
    if (this.stopped) return;
    const deadline = this.core.nextDeadlineMs();
    if (deadline === this.timerDueMs && this.timer !== undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueMs = deadline;
    if (deadline === undefined) return;
    const delayMs = Math.max(0, deadline - this.clock.nowMs());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDueMs = undefined;
      this.dispatch({ type: 'tick' });
    }, delayMs);
  }
}
