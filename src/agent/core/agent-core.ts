/**
 * The agent's pure core: `step(event, nowMs)` returns effects for the shell
 * (open or close the master link, send a message, persist the agent id).
 */
import { assertNever } from '../../lib/assert.js';
import type { Random } from '../../lib/random.js';
import type { AgentConfig } from './config.js';
import type { AgentEffect, AgentEvent } from './events.js';
import { AgentStep, nextLinkDeadlineMs, onLinkClosed, onLinkFailed, onLinkRecord, onTick } from './link.js';
import { createAgentState, type AgentState } from './state.js';

export class AgentCore {
  readonly state: AgentState;

  constructor(config: AgentConfig, random: Random, nowMs: number, recoveredAgentId: string | undefined) {
    this.state = createAgentState(config, random, nowMs, recoveredAgentId);
  }

  step(event: AgentEvent, nowMs: number): AgentEffect[] {
    const step = new AgentStep(this.state, nowMs);
    switch (event.type) {
      case 'tick':
        break;
      case 'link_record':
        onLinkRecord(step, event.epoch, event.record);
        break;
      case 'link_failed':
        onLinkFailed(step, event.epoch, event.status, event.message);
        break;
      case 'link_closed':
        onLinkClosed(step, event.epoch);
        break;
      case 'message_refused':
        onLinkFailed(step, event.epoch, 409, event.message);
        break;
      default:
        assertNever(event, 'agent event');
    }
    onTick(step);
    return step.effects;
  }

  nextDeadlineMs(): number | undefined {
    return nextLinkDeadlineMs(this.state);
  }
}
