/**
 * The agent's pure core: `step(event, nowMs)` returns the effects for the
 * shell (link, messages, durable records, containers, executor streams, health
 * checks, garbage collection) and, for an executor API request, its reply.
 * Timers are deadlines: `nextDeadlineMs()` says when the core next wants a tick.
 */
import { assertNever } from '../../lib/assert.js';
import type { Random } from '../../lib/random.js';
import type { JournalRecord } from '../checkpoint/records.js';
import type { AgentConfig } from './config.js';
import { onContainerEvent } from './containers.js';
import { onExecutorCall, onExecutorClosed, onExecutorSubscribe } from './custom-executor.js';
import { nextExecutorDeadlineMs, onExecutorDeadlines } from './deadlines.js';
import { onDrainProgress } from './drain.js';
import type { AgentEffect, AgentEvent, ExecutorReply } from './events.js';
import { onHealthEvent } from './health.js';
import { nextLinkDeadlineMs, onLinkClosed, onLinkFailed, onLinkRecord, onTick } from './link.js';
import { recoverState, type Recovered } from './recovery.js';
import { onResourcesCommitted } from './operations.js';
import { createAgentState, type AgentState } from './state.js';
import { nextRetryMs, onRetryTimers } from './status-updates.js';
import { AgentStep } from './step.js';

export interface AgentStepResult {
  readonly effects: AgentEffect[];
  /** Set for executor API events: what the HTTP request is answered. */
  readonly reply?: ExecutorReply;
}

export class AgentCore {
  readonly state: AgentState;

  constructor(config: AgentConfig, random: Random, nowMs: number, recoveredAgentId: string | undefined) {
    this.state = createAgentState(config, random, nowMs, recoveredAgentId);
  }

  /**
   * Rebuilds frameworks, executors, tasks and unacknowledged updates from the
   * journal (before the first step). `rebooted`: the host restarted, so no
   * container survived and every task is reported ended.
   */
  recover(records: readonly JournalRecord[], nowMs: number, rebooted: boolean): Recovered {
    return recoverState(this.state, records, nowMs, rebooted);
  }

  step(event: AgentEvent, nowMs: number): AgentStepResult {
    const step = new AgentStep(this.state, nowMs);
    let reply: ExecutorReply | undefined;
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
      case 'container_started':
      case 'container_limited':
      case 'container_failed':
      case 'container_exited':
        onContainerEvent(step, event);
        break;
      case 'health_changed':
      case 'health_failed':
        onHealthEvent(step, event);
        break;
      case 'executor_subscribe':
        reply = onExecutorSubscribe(step, event.connectionId, event.call);
        break;
      case 'executor_call':
        reply = onExecutorCall(step, event.call);
        break;
      case 'executor_closed':
        onExecutorClosed(step, event.connectionId);
        break;
      case 'resources_committed':
        onResourcesCommitted(step, event.report, event.attempted, event.onDisk, event.error);
        break;
      default:
        assertNever(event, 'agent event');
    }
    onRetryTimers(step);
    onExecutorDeadlines(step);
    onTick(step);
    onDrainProgress(step);
    return reply === undefined ? { effects: step.effects } : { effects: step.effects, reply };
  }

  nextDeadlineMs(): number | undefined {
    let next: number | undefined;
    for (const deadline of [nextLinkDeadlineMs(this.state), nextRetryMs(this), nextExecutorDeadlineMs(this)]) {
      if (deadline !== undefined && (next === undefined || deadline < next)) next = deadline;
    }
    return next;
  }
}
