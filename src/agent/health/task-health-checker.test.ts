/**
 * Method: the checker runs on ManualTimers (a fake clock) with a scripted
 * probe that answers from a queue, so each test states the probe's results
 * and reads back the events and when they happened.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeSpec } from './health-check-spec.js';
import type { HealthProbe, ProbeResult } from './probes.js';
import { TaskHealthChecker } from './task-health-checker.js';
import { ManualTimers } from './timers.js';
import type { HealthCheckTarget, HealthEvent } from './types.js';

const pass: ProbeResult = { healthy: true };
const fail: ProbeResult = { healthy: false, reason: 'scripted failure' };

function target(check: Record<string, unknown> = {}, taskId = 'task-1'): HealthCheckTarget {
  return { frameworkId: 'fw-1', taskId, check: { type: 'TCP', tcp: { port: 8080 }, ...check }, sandbox: '/tmp', user: undefined, environment: {} };
}

interface Run {
  readonly timers: ManualTimers;
  readonly checker: TaskHealthChecker;
  /** Events with the seconds since the start at which they were emitted. */
  readonly events: { readonly atSeconds: number; readonly event: HealthEvent }[];
  /** Seconds since start of each probe call. */
  readonly probedAtSeconds: number[];
}

/** A checker whose probe answers with `results` in order (then keeps passing), or with `probe`. */
function run(results: readonly ProbeResult[], probe?: HealthProbe): Run {
  const timers = new ManualTimers();
  const startMs = timers.nowMs();
  const queue = [...results];
  const probedAtSeconds: number[] = [];
  const scripted: HealthProbe = async () => {
    probedAtSeconds.push((timers.nowMs() - startMs) / 1000);
    return queue.shift() ?? pass;
  };
  const checker = new TaskHealthChecker({ clock: timers, timers, probe: probe ?? scripted });
  const events: Run['events'] = [];
  checker.onEvent((event) => events.push({ atSeconds: (timers.nowMs() - startMs) / 1000, event }));
  return { timers, checker, events, probedAtSeconds };
}

describe('health: TaskHealthChecker: schedule', () => {
  it('checks first after delay_seconds (15) and then every interval_seconds (10)', async () => {
    const { timers, checker, probedAtSeconds } = run([]);
    checker.start(target());
    await timers.advance(46_000);
    expect(probedAtSeconds).toEqual([15, 25, 35, 45]);
  });

  it('takes the delay and interval of the check', async () => {
    const { timers, checker, probedAtSeconds } = run([]);
    checker.start(target({ delay_seconds: 0, interval_seconds: 2.5 }));
    await timers.advance(5_000);
    expect(probedAtSeconds).toEqual([0, 2.5, 5]);
  });

  it('measures the interval from the end of a slow check: checks never overlap', async () => {
    const timers = new ManualTimers();
    const startMs = timers.nowMs();
    const probedAtSeconds: number[] = [];
    // Each probe takes 4 s of fake time to answer.
    const slow: HealthProbe = () =>
      new Promise((resolve) => {
        probedAtSeconds.push((timers.nowMs() - startMs) / 1000);
        timers.after(4_000, () => resolve(pass));
      });
    const checker = new TaskHealthChecker({ clock: timers, timers, probe: slow });
    checker.start(target({ delay_seconds: 1, interval_seconds: 10 }));
    await timers.advance(30_000);
    expect(probedAtSeconds).toEqual([1, 15, 29]);
  });

  it('stop() ends the checks of that task only', async () => {
    const { timers, checker, probedAtSeconds } = run([]);
    checker.start(target({ delay_seconds: 1 }, 'a'));
    checker.start(target({ delay_seconds: 2 }, 'b'));
    checker.stop('fw-1', 'a');
    await timers.advance(3_000);
    expect(probedAtSeconds).toEqual([2]);
    expect(checker.checkedTaskIds()).toEqual(['b']);
  });

  it('close() stops every task and leaves no timer behind', async () => {
    const { timers, checker } = run([]);
    checker.start(target({}, 'a'));
    checker.start(target({}, 'b'));
    checker.close();
    expect(timers.pendingCount()).toBe(0);
    expect(() => checker.start(target())).toThrow(/close/);
  });

  it('ignores an invalid check and reports it to the log', async () => {
    const timers = new ManualTimers();
    const lines: string[] = [];
    const checker = new TaskHealthChecker({ clock: timers, timers, probe: async () => pass, log: (line) => lines.push(line) });
    checker.start(target({ type: 'HTTP', http: { port: 80, path: 'no-slash' } }));
    expect(checker.checkedTaskIds()).toEqual([]);
    expect(lines[0]).toMatch(/must start with '\/'/);
  });
});

describe('health: TaskHealthChecker: policy', () => {
  it('reports the first result, healthy or not, and then only changes', async () => {
    const { timers, checker, events } = run([pass, pass, fail, fail, pass, pass], undefined);
    checker.start(target({ delay_seconds: 0, interval_seconds: 1, grace_period_seconds: 0 }));
    await timers.advance(6_000);
    expect(events).toEqual([
      { atSeconds: 0, event: { type: 'health_changed', frameworkId: 'fw-1', taskId: 'task-1', healthy: true } },
      { atSeconds: 2, event: { type: 'health_changed', frameworkId: 'fw-1', taskId: 'task-1', healthy: false } },
      { atSeconds: 4, event: { type: 'health_changed', frameworkId: 'fw-1', taskId: 'task-1', healthy: true } },
    ]);
  });

  it('reports an unhealthy first result after the grace period', async () => {
    const { timers, checker, events } = run([fail]);
    checker.start(target());
    await timers.advance(15_000);
    expect(events).toEqual([{ atSeconds: 15, event: { type: 'health_changed', frameworkId: 'fw-1', taskId: 'task-1', healthy: false } }]);
  });

  it('fails the task once after consecutive_failures (3) counted failures, then stops checking', async () => {
    const { timers, checker, events, probedAtSeconds } = run([fail, fail, fail, fail, fail]);
    checker.start(target());
    await timers.advance(120_000);
    expect(probedAtSeconds).toEqual([15, 25, 35]);
    expect(events.map(({ atSeconds, event }) => [atSeconds, event.type])).toEqual([
      [15, 'health_changed'],
      [35, 'health_failed'],
    ]);
    expect(checker.checkedTaskIds()).toEqual([]);
    expect(timers.pendingCount()).toBe(0);
  });

  it('a success resets the count of failures in a row', async () => {
    const { timers, checker, events } = run([fail, fail, pass, fail, fail, pass]);
    checker.start(target({ delay_seconds: 0, interval_seconds: 1, grace_period_seconds: 0 }));
    await timers.advance(10_000);
    expect(events.some(({ event }) => event.type === 'health_failed')).toBe(false);
  });

  it('ignores failures within the grace period until a first success', async () => {
    // Checks at 0, 1, ..., 5 s; grace period 3 s: the failures at 0..3 s do not count.
    const { timers, checker, events } = run([fail, fail, fail, fail, fail, fail]);
    checker.start(target({ delay_seconds: 0, interval_seconds: 1, grace_period_seconds: 3, consecutive_failures: 2 }));
    await timers.advance(5_000);
    expect(events).toEqual([
      { atSeconds: 4, event: { type: 'health_changed', frameworkId: 'fw-1', taskId: 'task-1', healthy: false } },
      { atSeconds: 5, event: { type: 'health_failed', frameworkId: 'fw-1', taskId: 'task-1' } },
    ]);
  });

  it('counts failures within the grace period once the task was healthy', async () => {
    const { timers, checker, events } = run([pass, fail, fail]);
    checker.start(target({ delay_seconds: 0, interval_seconds: 1, grace_period_seconds: 60, consecutive_failures: 2 }));
    await timers.advance(2_000);
    expect(events.map(({ atSeconds, event }) => [atSeconds, event.type, 'healthy' in event ? event.healthy : undefined])).toEqual([
      [0, 'health_changed', true],
      [1, 'health_changed', false],
      [2, 'health_failed', undefined],
    ]);
  });

  it('consecutive_failures 1 reports unhealthy and failed on the first counted failure', async () => {
    const { timers, checker, events } = run([fail]);
    checker.start(target({ delay_seconds: 0, grace_period_seconds: 0, consecutive_failures: 1 }));
    await timers.advance(0);
    expect(events.map(({ event }) => event.type)).toEqual(['health_changed', 'health_failed']);
  });
});

describe('health: TaskHealthChecker: timeouts', () => {
  const hanging: HealthProbe = (_probe: ProbeSpec, _target, signal) =>
    new Promise((resolve) => signal.addEventListener('abort', () => resolve({ healthy: false, reason: 'aborted' })));

  it('fails a check that outlives timeout_seconds (20 by default) and aborts its probe', async () => {
    const aborted: number[] = [];
    const timers = new ManualTimers();
    const startMs = timers.nowMs();
    const probe: HealthProbe = (spec, checkTarget, signal) => {
      signal.addEventListener('abort', () => aborted.push((timers.nowMs() - startMs) / 1000));
      return hanging(spec, checkTarget, signal);
    };
    const checker = new TaskHealthChecker({ clock: timers, timers, probe });
    const events: HealthEvent[] = [];
    checker.onEvent((event) => events.push(event));
    checker.start(target({ grace_period_seconds: 0, consecutive_failures: 2 }));
    await timers.advance(15_000 + 20_000 + 10_000 + 20_000);
    expect(aborted).toEqual([35, 65]);
    expect(events.map((event) => event.type)).toEqual(['health_changed', 'health_failed']);
  });

  it('timeout_seconds 0 means no timeout, as in Mesos', async () => {
    const timers = new ManualTimers();
    const checker = new TaskHealthChecker({ clock: timers, timers, probe: hanging });
    const events: HealthEvent[] = [];
    checker.onEvent((event) => events.push(event));
    checker.start(target({ delay_seconds: 0, timeout_seconds: 0 }));
    await timers.advance(3_600_000);
    expect(events).toEqual([]);
    expect(timers.pendingCount()).toBe(0);
  });

  it('stop() during a check aborts the probe and drops its result', async () => {
    let signalSeen: AbortSignal | undefined;
    const timers = new ManualTimers();
    const checker = new TaskHealthChecker({
      clock: timers,
      timers,
      probe: (spec, checkTarget, signal) => {
        signalSeen = signal;
        return hanging(spec, checkTarget, signal);
      },
    });
    const events: HealthEvent[] = [];
    checker.onEvent((event) => events.push(event));
    checker.start(target({ delay_seconds: 0 }));
    await timers.advance(1_000);
    checker.stop('fw-1', 'task-1');
    await timers.advance(60_000);
    expect(signalSeen?.aborted).toBe(true);
    expect(events).toEqual([]);
  });

  it('a probe that rejects counts as a failure', async () => {
    const timers = new ManualTimers();
    const checker = new TaskHealthChecker({ clock: timers, timers, probe: () => Promise.reject(new Error('boom')) });
    const events: HealthEvent[] = [];
    checker.onEvent((event) => events.push(event));
    checker.start(target({ delay_seconds: 0, grace_period_seconds: 0 }));
    await timers.advance(0);
    expect(events).toEqual([{ type: 'health_changed', frameworkId: 'fw-1', taskId: 'task-1', healthy: false }]);
  });
});
