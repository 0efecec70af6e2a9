// Method: `berth agents drain --wait` over a scripted master: each poll
// returns the next snapshot of a list, sleeping advances a fake clock, and the
// test reads the progress lines and the outcome. No process, no timer.
import { describe, expect, it } from 'vitest';
import { err, ok, type Result } from '../../lib/result.js';
import { drainSnapshot, isDrainOver, progressLine, waitForDrain, type DrainSnapshot } from './drain-wait.js';
import type { AgentStatus } from './agent-views.js';

const registered = (running: number, unacknowledged = 0, drainState: DrainSnapshot['drainState'] = 'DRAINING'): DrainSnapshot => ({
  where: 'registered',
  drainState,
  tasks: { running, unacknowledged },
});

/** Runs the wait over `polls` (the last one repeats); returns the lines, the outcome and the time spent. */
async function scripted(polls: readonly Result<DrainSnapshot, string>[], options: { markGone?: boolean; timeoutMs?: number } = {}) {
  let nowMs = 0;
  let index = 0;
  const lines: string[] = [];
  const outcome = await waitForDrain({
    agentId: 'S0',
    markGone: options.markGone ?? false,
    timeoutMs: options.timeoutMs ?? 60_000,
    intervalMs: 500,
    poll: async () => polls[Math.min(index++, polls.length - 1)] ?? err('no script'),
    sleep: async (ms) => void (nowMs += ms),
    nowMs: () => nowMs,
    progress: (line) => lines.push(line),
  });
  return { lines, outcome, elapsedMs: nowMs };
}

describe('cli: agents: drain wait', () => {
  it('cli: agents: drain wait: one line each time the tasks left change, then the DRAINED snapshot', async () => {
    const { lines, outcome } = await scripted([
      ok(registered(3)),
      ok(registered(3)),
      ok(registered(2)),
      ok(registered(0, 2)),
      ok(registered(0, 1)),
      ok(registered(0, 1)),
      ok(registered(0, 0, 'DRAINED')),
    ]);
    expect(lines).toEqual([
      'draining agent S0: 3 tasks left',
      'draining agent S0: 2 tasks left',
      "draining agent S0: 0 tasks left, 2 ended awaiting their frameworks' acknowledgement",
      "draining agent S0: 0 tasks left, 1 ended awaiting its framework's acknowledgement",
    ]);
    expect(outcome).toEqual(ok(registered(0, 0, 'DRAINED')));
  });

  it('cli: agents: drain wait: a failed poll is retried; the timeout is one line saying where the drain stood', async () => {
    const { lines, outcome, elapsedMs } = await scripted([err('Failed to reach the master'), ok(registered(1))], { timeoutMs: 2_000 });
    expect(lines).toEqual(['draining agent S0: 1 task left']);
    expect(outcome).toEqual(err("Agent S0 is not drained after 2secs (DRAINING, 1 task left); the drain goes on: 'berth agents list' shows it"));
    expect(elapsedMs).toBe(2_000);
    const failing = await scripted([err('Failed to reach the master')], { timeoutMs: 1_000 });
    expect(failing.outcome).toEqual(err("Agent S0 is not drained after 1secs (the last poll failed: Failed to reach the master); the drain goes on: 'berth agents list' shows it"));
  });

  it('cli: agents: drain wait: with mark_gone it is over when the master lists the agent no more', async () => {
    const absent: DrainSnapshot = { where: 'absent', drainState: undefined, tasks: { running: 0, unacknowledged: 0 } };
    const { lines, outcome } = await scripted([ok(registered(1)), ok(absent)], { markGone: true });
    expect(lines).toEqual(['draining agent S0: 1 task left']);
    expect(outcome).toEqual(ok(absent));
    expect(isDrainOver(absent, false)).toBe(false);
    expect(isDrainOver({ ...absent, where: 'recovered' }, true)).toBe(false);
    expect(progressLine('S0', absent)).toBe('draining agent S0: not registered with the master; waiting for it to come back');
  });

  it('cli: agents: drain wait: the snapshot is the agent of GET_AGENTS with its task counts', () => {
    const agent = { agentId: 'S0', recovered: false, drainState: 'DRAINED' } as AgentStatus;
    const counts = new Map([['S0', { running: 0, unacknowledged: 1 }]]);
    expect(drainSnapshot('S0', [agent], counts)).toEqual({ where: 'registered', drainState: 'DRAINED', tasks: { running: 0, unacknowledged: 1 } });
    expect(drainSnapshot('S0', [{ ...agent, recovered: true, drainState: undefined }], new Map())).toEqual({
      where: 'recovered',
      drainState: undefined,
      tasks: { running: 0, unacknowledged: 0 },
    });
    expect(drainSnapshot('S9', [agent], counts).where).toBe('absent');
  });
});
