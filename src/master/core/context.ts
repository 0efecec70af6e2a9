/**
 * One step of the master core: the state, the time of the event, and the
 * effects produced so far. Handlers change the state and append effects
 * through this object, so that sequencing (stream sequence numbers, event
 * counters) lives in one place.
 */
import type { RegistryOperation } from '../registry/registry.js';
import type { MasterToAgentMessage } from '../../protocol/internal.js';
import type { OperatorEvent } from '../../protocol/operator.js';
import type { SchedulerEvent } from '../../protocol/scheduler.js';
import type { LogLevel, MasterEffect } from './events.js';
import type { Agent, Framework, MasterState } from './state.js';
import { mayViewOperatorEvent, viewerFor } from './operator/viewer.js';

export class StepContext {
  readonly effects: MasterEffect[] = [];

  constructor(
    readonly state: MasterState,
    readonly nowMs: number,
  ) {}

  /** Sends an event on the framework's stream; dropped when it is not connected (spec/core.md 1.4). */
  sendToFramework(framework: Framework, event: SchedulerEvent): void {
    if (framework.connection === undefined) return;
    framework.counters.increment('events');
    framework.counters.increment(`events/${event.type.toLowerCase()}`);
    this.effects.push({ type: 'framework_event', connectionId: framework.connection.connectionId, event });
  }

  /** For streams not (or no longer) attached to a framework: refusals and "failed over". */
  sendToConnection(connectionId: string, event: SchedulerEvent): void {
    this.effects.push({ type: 'framework_event', connectionId, event });
  }

  closeConnection(connectionId: string): void {
    this.state.connections.delete(connectionId);
    this.effects.push({ type: 'framework_close', connectionId });
  }

  sendToAgent(agent: Agent, message: MasterToAgentMessage): void {
    const link = agent.link;
    if (link === undefined) return;
    link.lastSeqOut++;
    this.effects.push({ type: 'agent_send', linkId: link.linkId, seq: link.lastSeqOut, message });
  }

  closeAgentLink(linkId: string): void {
    this.state.links.delete(linkId);
    this.effects.push({ type: 'agent_close', linkId });
  }

  /** Sends to every operator subscriber; with --acls, only to those who may view the event's framework or task. */
  sendToOperators(event: OperatorEvent): void {
    const acls = this.state.acls;
    if (acls === undefined) {
      for (const connectionId of this.state.operatorSubscribers.keys()) {
        this.effects.push({ type: 'operator_event', connectionId, event });
      }
      return;
    }
    for (const subscriber of this.state.operatorSubscribers.values()) {
      if (!mayViewOperatorEvent(this.state, viewerFor(acls, subscriber.principal), event)) continue;
      this.effects.push({ type: 'operator_event', connectionId: subscriber.connectionId, event });
    }
  }

  /** Records a registry operation; it is durable before any effect pushed after it is performed. */
  registry(operation: RegistryOperation): void {
    this.effects.push({ type: 'registry', operation });
  }

  log(level: LogLevel, message: string): void {
    this.effects.push({ type: 'log', level, message });
  }

  /** Asks the shell for a step right after this one's effects (state.unsettledAccepts waits for it). */
  settleSoon(): void {
    if (!this.effects.some((effect) => effect.type === 'settle_soon')) this.effects.push({ type: 'settle_soon' });
  }

  /** Asks for an event-driven allocation run over some agents (or all) as soon as possible. */
  requestAllocation(agentIds: Iterable<string> | 'all'): void {
    const state = this.state;
    if (agentIds === 'all' || state.pendingAllocation === 'all') {
      state.pendingAllocation = 'all';
    } else {
      const pending = state.pendingAllocation ?? new Set<string>();
      for (const id of agentIds) pending.add(id);
      state.pendingAllocation = pending;
    }
    state.timers.set('allocation:event', this.nowMs);
  }
}
