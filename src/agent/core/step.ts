/**
 * One step of the agent core: the state, the time, and the effects so far,
 * with the helpers every handler uses to produce them.
 */
import type { AgentToMasterMessage } from '../../protocol/internal.js';
import type { ExecutorEvent } from '../../protocol/executor.js';
import type { JournalRecord } from '../checkpoint/records.js';
import type { AgentEffect } from './events.js';
import type { AgentState } from './state.js';

export class AgentStep {
  readonly effects: AgentEffect[] = [];

  constructor(
    readonly state: AgentState,
    readonly nowMs: number,
  ) {}

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.effects.push({ type: 'log', level, message });
  }

  persist(record: JournalRecord): void {
    this.effects.push({ type: 'persist', record });
  }

  /** Queues a message for the master on the current link; dropped when not linked (at most once). */
  sendToMaster(message: AgentToMasterMessage): boolean {
    const link = this.state.link;
    if (link.status !== 'linked') return false;
    this.effects.push({ type: 'send_message', epoch: link.epoch, seq: link.nextSeq++, message });
    return true;
  }

  toExecutor(connectionId: string | undefined, event: ExecutorEvent): void {
    if (connectionId === undefined) return;
    this.effects.push({ type: 'executor_event', connectionId, event });
  }
}
