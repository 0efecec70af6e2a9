/**
 * The agent's side of the master link (docs/protocol.md): registration with
 * randomized exponential backoff, re-registration with the same id, PONG for
 * every PING, and re-linking when the link breaks or falls silent for the
 * master's ping timeout (spec/core.md 5.4).
 */
import { internalProtocolVersion, type LinkRequest, type MasterToAgentRecord } from '../../protocol/internal.js';
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
}

/** Opens a link when an attempt is due; drops a link that has been silent too long. */
export function onTick(step: AgentStep): void {
  const { state, nowMs } = step;
  const link = state.link;
  if (link.status === 'none' && nowMs >= link.nextAttemptMs && state.shutdownMessage === undefined) {
    const epoch = Math.max(state.lastEpoch + 1, Math.floor(nowMs));
    state.lastEpoch = epoch;
    state.link = { status: 'linking', epoch, failures: link.failures };
    step.effects.push({ type: 'open_link', epoch, request: linkRequest(state, epoch) });
    return;
  }
  if (link.status === 'linked' && nowMs - link.lastHeardMs > link.pingTimeoutMs) {
    step.log('warn', `No ping from the master for ${link.pingTimeoutMs} ms; linking again`);
    dropLink(step, link.epoch, false);
  }
}

export function onLinkRecord(step: AgentStep, epoch: number, record: MasterToAgentRecord): void {
  const { state, nowMs } = step;
  const link = state.link;
  if (link.status === 'none' || link.epoch !== epoch) return;
  if (link.status === 'linking') {
    if (record.type !== 'REGISTERED') {
      step.log('warn', `Expected REGISTERED as the first record of a link, got ${record.type}`);
      dropLink(step, epoch, true);
      return;
    }
    const registered = record.registered;
    const id = registered.agent_id.value;
    if (state.agentId !== id) step.effects.push({ type: 'persist_agent_id', agentId: id });
    state.agentId = id;
    state.link = {
      status: 'linked',
      epoch,
      master: registered.master_info,
      pingTimeoutMs: registered.ping_timeout_seconds * 1000,
      lastHeardMs: nowMs,
      nextSeq: 1,
      lastSeqIn: record.seq,
    };
    step.log('info', `${registered.reregistered ? 'Re-registered' : 'Registered'} with master ${registered.master_info.id} as agent ${id}`);
    return;
  }
  if (record.seq !== link.lastSeqIn + 1) {
    step.log('warn', `Link record ${record.seq} follows ${link.lastSeqIn}; linking again`);
    dropLink(step, epoch, true);
    return;
  }
  link.lastSeqIn = record.seq;
  link.lastHeardMs = nowMs;
  switch (record.type) {
    case 'PING':
      sendToMaster(step, { type: 'PONG' });
      return;
    case 'SHUTDOWN':
      state.shutdownMessage = record.shutdown.message;
      step.effects.push({ type: 'close_link', epoch }, { type: 'shutdown', message: record.shutdown.message });
      return;
    default:
      step.log('debug', `Ignoring ${record.type}: not handled by this agent yet`);
  }
}

export function onLinkFailed(step: AgentStep, epoch: number, status: number | undefined, message: string): void {
  const link = step.state.link;
  if (link.status === 'none' || link.epoch !== epoch) return;
  step.log('warn', `Link to the master failed${status !== undefined ? ` (${status})` : ''}: ${message}`);
  dropLink(step, epoch, true);
}

export function onLinkClosed(step: AgentStep, epoch: number): void {
  const link = step.state.link;
  if (link.status === 'none' || link.epoch !== epoch) return;
  step.log('warn', 'Link to the master closed; linking again');
  dropLink(step, epoch, link.status === 'linking');
}

/** Queues a message for the master on the current link (dropped when not linked: at most once). */
export function sendToMaster(step: AgentStep, message: Parameters<typeof messageEffect>[2]): void {
  const link = step.state.link;
  if (link.status !== 'linked') return;
  step.effects.push(messageEffect(link.epoch, link.nextSeq++, message));
}

function messageEffect(epoch: number, seq: number, message: import('../../protocol/internal.js').AgentToMasterMessage): AgentEffect {
  return { type: 'send_message', epoch, seq, message };
}

/** Leaves the link and schedules the next attempt with randomized exponential backoff. */
function dropLink(step: AgentStep, epoch: number, failed: boolean): void {
  const { state, nowMs } = step;
  const previous = state.link.status === 'linking' ? state.link.failures : 0;
  const failures = failed ? previous + 1 : 0;
  const boundMs = Math.min(state.config.registrationBackoffMaxMs, state.config.registrationBackoffFactorMs * 2 ** failures);
  state.link = { status: 'none', nextAttemptMs: nowMs + state.random.next() * boundMs, failures };
  step.effects.push({ type: 'close_link', epoch });
}

function linkRequest(state: AgentState, epoch: number): LinkRequest {
  const config = state.config;
  return {
    protocol_version: internalProtocolVersion,
    epoch,
    ...(state.agentId !== undefined ? { agent_id: { value: state.agentId } } : {}),
    agent_info: config.info,
    version: config.version,
    capabilities: [...config.capabilities],
  } as LinkRequest;
}

/** When the core next needs a tick. */
export function nextLinkDeadlineMs(state: AgentState): number | undefined {
  const link = state.link;
  if (link.status === 'none') return state.shutdownMessage === undefined ? link.nextAttemptMs : undefined;
  if (link.status === 'linked') return link.lastHeardMs + link.pingTimeoutMs + 1;
  return undefined;
}
