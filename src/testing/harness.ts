/**
 * The deterministic harness: the master's core with any number of simulated
 * agents and frameworks in one process, driven by a fake clock and a seeded
 * random source, with no sockets. Effects are routed to the simulated parties;
 * `advance(ms)` fires every timer due in that time, in order.
 *
 * Tests, the allocator benchmark and the fault simulator are built on it.
 */
import { MemoryRegistryStore, type RegistrySnapshot } from '../master/registry/registry.js';
import { FakeClock } from '../lib/clock.js';
import { SeededRandom } from '../lib/random.js';
import type { MasterConfig } from '../master/core/config.js';
import type { MasterEvent, Reply, StepOutput } from '../master/core/events.js';
import type { OperatorEvent } from '../protocol/operator.js';
import { MasterCore } from '../master/core/master-core.js';
import { masterInfo } from '../master/shell/master-info.js';
import { defaultMasterConfig } from './master-config.js';
import { SimAgent, type SimAgentOptions } from './sim-agent.js';
import { SimFramework, type SimFrameworkOptions } from './sim-framework.js';

export interface HarnessOptions {
  readonly seed?: number;
  readonly config?: Partial<MasterConfig>;
  /** What the registry held when the master started; given, the registry is durable (as with SQLite). */
  readonly registry?: RegistrySnapshot;
}

export class Harness {
  readonly clock = new FakeClock();
  readonly random: SeededRandom;
  readonly core: MasterCore;
  /** Every registry operation the master made, applied in order. */
  readonly registry: MemoryRegistryStore;
  /** Why the master would have stopped (a fatal effect); a real master exits there. */
  fatal: string | undefined;
  private readonly frameworksByConnection = new Map<string, SimFramework>();
  private readonly agentsByLink = new Map<string, SimAgent>();
  private nextId = 0;
  /** Log lines the core produced, for debugging a failing test. */
  readonly logs: string[] = [];
  /** Events sent on each operator stream (subscribeOperator), by connection id, oldest first. */
  readonly operatorEvents = new Map<string, OperatorEvent[]>();

  constructor(options: HarnessOptions = {}) {
    this.random = new SeededRandom(options.seed ?? 1);
    const info = masterInfo(this.random.uuid(), '127.0.0.1', 5050, 'master.sim');
    this.registry = new MemoryRegistryStore(options.registry);
    this.core = new MasterCore(defaultMasterConfig(options.config), info, this.random, this.clock.nowMs(), options.registry, options.registry !== undefined);
  }

  get state(): MasterCore['state'] {
    return this.core.state;
  }

  newId(prefix: string): string {
    return `${prefix}${++this.nextId}`;
  }

  /** One event through the core; its effects are delivered before this returns. */
  step(event: MasterEvent): Reply | undefined {
    const output = this.core.step(event, this.clock.nowMs());
    this.deliver(output);
    // As the shell does, at once: a test sees the state a real master has once idle.
    if (output.effects.some((effect) => effect.type === 'settle_soon')) this.step({ type: 'tick' });
    return output.reply;
  }

  /** Moves time forward by `ms`, firing each timer at its own deadline. */
  advance(ms: number): void {
    const until = this.clock.nowMs() + ms;
    for (;;) {
      const deadline = this.core.nextDeadlineMs();
      if (deadline === undefined || deadline > until) break;
      if (deadline > this.clock.nowMs()) this.clock.advance(deadline - this.clock.nowMs());
      this.step({ type: 'tick' });
    }
    if (until > this.clock.nowMs()) this.clock.advance(until - this.clock.nowMs());
  }

  /** Runs every timer already due (e.g. an allocation requested by the last event). */
  settle(): void {
    this.advance(0);
  }

  subscribe(options: SimFrameworkOptions = {}): SimFramework {
    const framework = new SimFramework(this, options);
    framework.subscribe();
    return framework;
  }

  attachFramework(connectionId: string, framework: SimFramework): void {
    this.frameworksByConnection.set(connectionId, framework);
  }

  /** SUBSCRIBE on /api/v1 as `principal` (none: an open endpoint); returns the stream's connection id. */
  subscribeOperator(principal?: string): string {
    const connectionId = this.newId('sim-o');
    this.operatorEvents.set(connectionId, []);
    this.step({ type: 'operator_subscribe', connectionId, ...(principal !== undefined && { principal }) });
    return connectionId;
  }

  addAgent(options: SimAgentOptions = {}): SimAgent {
    const agent = new SimAgent(this, options);
    agent.link();
    return agent;
  }

  attachAgent(linkId: string, agent: SimAgent): void {
    this.agentsByLink.set(linkId, agent);
  }

  private deliver(output: StepOutput): void {
    for (const effect of output.effects) {
      switch (effect.type) {
        case 'framework_event':
          this.frameworksByConnection.get(effect.connectionId)?.receive(effect.connectionId, effect.event);
          break;
        case 'framework_close':
          this.frameworksByConnection.get(effect.connectionId)?.closedBy(effect.connectionId);
          this.frameworksByConnection.delete(effect.connectionId);
          break;
        case 'agent_send':
          this.agentsByLink.get(effect.linkId)?.receive(effect.linkId, { seq: effect.seq, ...effect.message });
          break;
        case 'agent_close':
          this.agentsByLink.get(effect.linkId)?.closedBy(effect.linkId);
          this.agentsByLink.delete(effect.linkId);
          break;
        case 'log':
          this.logs.push(`${effect.level}: ${effect.message}`);
          break;
        case 'registry':
          this.registry.apply(effect.operation);
          break;
        case 'fatal':
          this.fatal = effect.message;
          break;
        case 'operator_event':
          this.operatorEvents.get(effect.connectionId)?.push(effect.event);
          break;
        case 'operator_close':
        case 'allocation_run':
        case 'settle_soon':
          break;
      }
    }
  }
}
