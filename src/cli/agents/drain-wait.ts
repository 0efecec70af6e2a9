/**
 * `berth agents drain --wait`: after DRAIN_AGENT, poll the master until the
 * drain is over, printing a line each time what is left on the agent
 * changes. Over means GET_AGENTS shows the agent DRAINED or, for a drain with
 * mark_gone, no longer lists the agent at all. The master counts a task until
 * its framework acknowledges the terminal update, so the lines say how many
 * ended tasks wait for that. Time, sleep and the master are inputs, so the
 * loop is tested without either.
 */
import { formatDuration } from '../../lib/duration.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { AgentStatus, DrainState, TaskCount } from './agent-views.js';

/** How often the master is asked while waiting. */
export const drainPollIntervalMs = 500;

/** How long `--wait` waits when no `--timeout` is given. */
export const drainWaitTimeoutDefaultMs = 10 * 60 * 1000;

/** What one poll saw of the agent being drained. */
export interface DrainSnapshot {
  /** registered: in GET_AGENTS' agents; recovered: expected back by the registry; absent: neither. */
  readonly where: 'registered' | 'recovered' | 'absent';
  readonly drainState: DrainState | undefined;
  readonly tasks: TaskCount;
}

export function drainSnapshot(agentId: string, agents: readonly AgentStatus[], counts: ReadonlyMap<string, TaskCount>): DrainSnapshot {
  const agent = agents.find((candidate) => candidate.agentId === agentId);
  const tasks = counts.get(agentId) ?? { running: 0, unacknowledged: 0 };
  if (agent === undefined) return { where: 'absent', drainState: undefined, tasks };
  return { where: agent.recovered ? 'recovered' : 'registered', drainState: agent.drainState, tasks };
}

export function isDrainOver(snapshot: DrainSnapshot, markGone: boolean): boolean {
  return markGone ? snapshot.where === 'absent' : snapshot.where === 'registered' && snapshot.drainState === 'DRAINED';
}

function tasksText(count: number): string {
  return count === 1 ? '1 task' : `${count} tasks`;
}

/** What is left: `3 tasks left`, `0 tasks left, 1 ended awaiting its framework's acknowledgement`. */
export function leftText(snapshot: DrainSnapshot): string {
  if (snapshot.where !== 'registered') return 'not registered with the master; waiting for it to come back';
  const { running, unacknowledged } = snapshot.tasks;
  if (unacknowledged === 0) return `${tasksText(running)} left`;
  const awaiting = unacknowledged === 1 ? "1 ended awaiting its framework's acknowledgement" : `${unacknowledged} ended awaiting their frameworks' acknowledgement`;
  return `${tasksText(running)} left, ${awaiting}`;
}

export function progressLine(agentId: string, snapshot: DrainSnapshot): string {
  return `draining agent ${agentId}: ${leftText(snapshot)}`;
}

export function doneLine(agentId: string, markGone: boolean): string {
  return markGone
    ? `Agent ${agentId} is drained and marked gone: it may not register again under this id`
    : `Agent ${agentId} is DRAINED: it stays deactivated until 'berth agents reactivate ${agentId}'`;
}

export interface DrainWait {
  readonly agentId: string;
  readonly markGone: boolean;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** One look at the master; an error (the master unreachable for a moment) is retried until the timeout. */
  readonly poll: () => Promise<Result<DrainSnapshot, string>>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly nowMs: () => number;
  readonly progress: (line: string) => void;
}

/** Polls until the drain is over (the last snapshot) or the timeout passes (one line saying where it stood). */
export async function waitForDrain(wait: DrainWait): Promise<Result<DrainSnapshot, string>> {
  const startMs = wait.nowMs();
  let shown: string | undefined;
  let last: Result<DrainSnapshot, string> = err('no answer from the master yet');
  for (;;) {
    last = await wait.poll();
    if (last.ok) {
      if (isDrainOver(last.value, wait.markGone)) return ok(last.value);
      const line = progressLine(wait.agentId, last.value);
      if (line !== shown) wait.progress(line);
      shown = line;
    }
    const remainingMs = startMs + wait.timeoutMs - wait.nowMs();
    if (remainingMs <= 0) return err(timeoutText(wait, last));
    await wait.sleep(Math.min(wait.intervalMs, remainingMs));
  }
}

function timeoutText(wait: DrainWait, last: Result<DrainSnapshot, string>): string {
  const where = last.ok ? `${last.value.drainState ?? 'not drained'}, ${leftText(last.value)}` : `the last poll failed: ${last.error}`;
  return `Agent ${wait.agentId} is not drained after ${formatDuration(wait.timeoutMs)} (${where}); the drain goes on: 'berth agents list' shows it`;
}
