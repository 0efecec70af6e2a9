/**
 * The agent's side of the master link (docs/protocol.md): registration with
 * randomized exponential backoff, re-registration with the same id, PONG for
 * every PING, and re-linking when the link breaks or falls silent for the
 * master's ping timeout (spec/core.md 5.4).
 */
import type { MasterToAgentRecord } from '../../protocol/internal.js';
import { onMasterRecord, shutdownFramework } from './master-records.js';
import { linkRequest } from './report.js';
import type { AgentState } from './state.js';
import { resendHeads } from './status-updates.js';
import type { AgentStep } from './step.js';

/** Opens a link when an attempt is due; drops a link that has been silent too long. */
export function onTick(step: AgentStep): void {
  const { state, nowMs } = step;
  const link = state.link;
  if (state.recoveringUntilMs !== undefined) {
    if (nowMs < state.recoveringUntilMs && awaitingExecutors(state)) return;
    state.recoveringUntilMs = undefined;
  }
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
    // Updates waiting for an acknowledgement go out again on the new link at once (spec/core.md 5.5 step 7).
    resendHeads(step);
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
      step.sendToMaster({ type: 'PONG' });
      return;
    case 'SHUTDOWN':
      state.shutdownMessage = record.shutdown.message;
      state.link = { status: 'none', nextAttemptMs: Number.POSITIVE_INFINITY, failures: 0 };
      step.effects.push({ type: 'close_link', epoch }, { type: 'shutdown', message: record.shutdown.message });
      return;
    default:
      if (!onMasterRecord(step, record)) step.log('debug', `Ignoring ${record.type}: not handled by this agent yet`);
  }
}

export function onLinkFailed(step: AgentStep, epoch: number, status: number | undefined, message: string): void {
  const link = step.state.link;
  if (link.status === 'none' || link.epoch !== epoch) return;
  step.log('warn', `Link to the master failed${status !== undefined ? ` (${status})` : ''}: ${message}`);
  if (status === agentIdGoneStatus) leaveRemovedId(step);
  dropLink(step, epoch, true);
}

/** The master's answer to a re-registration under an id it removed (docs/protocol.md). */
const agentIdGoneStatus = 410;

/**
 * The master removed this agent id for good and told its frameworks the tasks
 * were lost: whatever still runs under it is shut down (as a Mesos agent does
 * when the master tells it to shut down), and once nothing runs the agent
 * registers anew under a new id rather than give up.
 */
function leaveRemovedId(step: AgentStep): void {
  const agentId = step.state.agentId ?? '';
  if (runsAnything(step.state)) {
    step.log('warn', `The master removed agent id ${agentId}: shutting down every framework before registering anew`);
    for (const frameworkId of [...step.state.frameworks.keys()]) shutdownFramework(step, frameworkId);
    return;
  }
  step.log('warn', `The master no longer accepts agent id ${agentId}; registering as a new agent`);
  step.state.agentId = undefined;
}

function runsAnything(state: AgentState): boolean {
  for (const framework of state.frameworks.values()) {
    for (const executor of framework.executors.values()) if (executor.state !== 'terminated') return true;
  }
  return false;
}

export function onLinkClosed(step: AgentStep, epoch: number): void {
  const link = step.state.link;
  if (link.status === 'none' || link.epoch !== epoch) return;
  step.log('warn', 'Link to the master closed; linking again');
  dropLink(step, epoch, link.status === 'linking');
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

/**
 * After a restart the agent waits for its custom executors to subscribe again
 * (or for --executor_reregistration_timeout) before it links, so that what it
 * reports to the master is what really runs (spec/core.md 5.5 step 6).
 */
function awaitingExecutors(state: AgentState): boolean {
  for (const framework of state.frameworks.values()) {
    for (const executor of framework.executors.values()) {
      if (executor.kind === 'custom' && (executor.state === 'registering' || executor.state === 'launching')) return true;
    }
  }
  return false;
}

/** When the core next needs a tick. */
export function nextLinkDeadlineMs(state: AgentState): number | undefined {
  if (state.recoveringUntilMs !== undefined) return state.recoveringUntilMs;
  const link = state.link;
  if (link.status === 'none') return state.shutdownMessage === undefined ? link.nextAttemptMs : undefined;
  if (link.status === 'linked') return link.lastHeardMs + link.pingTimeoutMs + 1;
  return undefined;
}
