/**
 * TaskHealthChecker: runs each task's health check on Mesos' schedule and
 * turns results into health events (types.ts has the contract).
 *
 * Per task: the first check `delay` after start(); each next one `interval`
 * after the previous result (checks never overlap, as in Mesos' checker
 * process); each bounded by `timeout` (the probe is aborted, the check fails).
 * A failure counts unless the task is still initializing (no success yet) and
 * within `grace period` of start(). Every change of health is reported,
 * the first result included; when counted failures in a row reach
 * `consecutive_failures`, health_failed is reported once and checking stops.
 *
 * Mesos' command executor sends a TASK_RUNNING update after every failed
 * check; berth reports changes only, which is what `healthy` in the updates
 * can show anyway.
 */
import { assert } from '../../lib/assert.js';
import type { Clock } from '../../lib/clock.js';
import { parseHealthCheck, type HealthCheckSpec } from './health-check-spec.js';
import { createHealthProbe, type HealthProbe, type ProbeResult } from './probes.js';
import type { Timer, Timers } from './timers.js';
import type { HealthChecker, HealthCheckTarget, HealthEvent } from './types.js';

export interface TaskHealthCheckerOptions {
  readonly clock: Clock;
  readonly timers: Timers;
  /** Default: the real probes (command, HTTP, TCP). */
  readonly probe?: HealthProbe;
  /** Where invalid checks and failed probes are reported; default: nowhere. */
  readonly log?: (message: string) => void;
}

interface TaskCheck {
  readonly target: HealthCheckTarget;
  readonly spec: HealthCheckSpec;
  readonly startedAtMs: number;
  /** True until the first success: failures within the grace period are ignored meanwhile. */
  initializing: boolean;
  consecutiveFailures: number;
  /** The health last reported; undefined before the first report. */
  reported: boolean | undefined;
  /** The timer of the next check, or of the running check's timeout. */
  timer: Timer | undefined;
  /** Aborts the running probe. */
  running: AbortController | undefined;
}

export class TaskHealthChecker implements HealthChecker {
  private readonly tasks = new Map<string, TaskCheck>();
  private readonly listeners: ((event: HealthEvent) => void)[] = [];
  private readonly probe: HealthProbe;
  private closed = false;

  constructor(private readonly options: TaskHealthCheckerOptions) {
    this.probe = options.probe ?? createHealthProbe();
  }

  /**
   * Starts checking a task; a task checked already is restarted. An invalid
   * check is reported to the log and ignored (the agent validates TaskInfo
   * before launching, so this is a second line of defence, not a crash).
   */
  start(target: HealthCheckTarget): void {
    assert(!this.closed, 'start() after close()');
    const spec = parseHealthCheck(target.check);
    if (!spec.ok) {
      this.options.log?.(`Ignoring the invalid health check of task '${target.taskId}': ${spec.error}`);
      return;
    }
    this.stop(target.frameworkId, target.taskId);
    const task: TaskCheck = {
      target,
      spec: spec.value,
      startedAtMs: this.options.clock.nowMs(),
      initializing: true,
      consecutiveFailures: 0,
      reported: undefined,
      timer: undefined,
      running: undefined,
    };
    this.tasks.set(checkKey(target), task);
    this.schedule(task, spec.value.delayMs);
  }

  stop(frameworkId: string, taskId: string): void {
    const key = checkKey({ frameworkId, taskId });
    const task = this.tasks.get(key);
    if (task === undefined) return;
    this.tasks.delete(key);
    task.timer?.cancel();
    task.running?.abort();
  }

  onEvent(listener: (event: HealthEvent) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    for (const task of [...this.tasks.values()]) this.stop(task.target.frameworkId, task.target.taskId);
    this.closed = true;
  }

  /** Tasks being checked (for tests and the agent's state). */
  checkedTaskIds(): readonly string[] {
    return [...this.tasks.values()].map((task) => task.target.taskId);
  }

  private schedule(task: TaskCheck, delayMs: number): void {
    task.timer = this.options.timers.after(delayMs, () => {
      task.timer = undefined;
      this.runCheck(task);
    });
  }

  private runCheck(task: TaskCheck): void {
    if (this.tasks.get(checkKey(task.target)) !== task) return;
    const controller = new AbortController();
    task.running = controller;
    // Settles once: with the probe's result, or with a failure when the timeout passes first.
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      task.timer?.cancel();
      task.timer = undefined;
      task.running = undefined;
      if (this.tasks.get(checkKey(task.target)) !== task) return;
      this.onResult(task, result);
    };
    const { timeoutMs } = task.spec;
    if (timeoutMs !== undefined) {
      task.timer = this.options.timers.after(timeoutMs, () => {
        controller.abort();
        finish({ healthy: false, reason: `Health check timed out after ${timeoutMs / 1000}secs` });
      });
    }
    this.probe(task.spec.probe, task.target, controller.signal).then(finish, (error: unknown) =>
      finish({ healthy: false, reason: error instanceof Error ? error.message : String(error) }),
    );
  }

  private onResult(task: TaskCheck, result: ProbeResult): void {
    if (result.healthy) {
      task.initializing = false;
      task.consecutiveFailures = 0;
      this.report(task, true);
      return this.schedule(task, task.spec.intervalMs);
    }
    const taskId = task.target.taskId;
    const sinceStartMs = this.options.clock.nowMs() - task.startedAtMs;
    if (task.initializing && task.spec.gracePeriodMs > 0 && sinceStartMs <= task.spec.gracePeriodMs) {
      this.options.log?.(`Ignoring the failed health check of task '${taskId}' (still in the grace period): ${result.reason}`);
      return this.schedule(task, task.spec.intervalMs);
    }
    task.consecutiveFailures += 1;
    this.options.log?.(`Health check of task '${taskId}' failed ${task.consecutiveFailures} times in a row: ${result.reason}`);
    this.report(task, false);
    if (task.consecutiveFailures >= task.spec.consecutiveFailures) {
      this.tasks.delete(checkKey(task.target));
      this.emit({ type: 'health_failed', frameworkId: task.target.frameworkId, taskId });
      return;
    }
    this.schedule(task, task.spec.intervalMs);
  }

  private report(task: TaskCheck, healthy: boolean): void {
    if (task.reported === healthy) return;
    task.reported = healthy;
    this.emit({ type: 'health_changed', frameworkId: task.target.frameworkId, taskId: task.target.taskId, healthy });
  }

  private emit(event: HealthEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function checkKey(task: { readonly frameworkId: string; readonly taskId: string }): string {
  return `${task.frameworkId}\u0000${task.taskId}`;
}
