/**
 * Health checks of TaskInfo.health_check (COMMAND, HTTP, TCP) with Mesos'
 * timing: the first check after `delay_seconds` (15), then every
 * `interval_seconds` (10), each bounded by `timeout_seconds` (20); failures
 * during `grace_period_seconds` (10) after the task started do not count until
 * one check has succeeded; `consecutive_failures` (3) failures in a row mean
 * the task is killed. The checker reports each change of health and the verdict
 * to kill; the agent turns them into TASK_RUNNING updates with `healthy` and a
 * kill (spec/core.md 2.5).
 */
export interface HealthCheckTarget {
  /** Task ids are unique within a framework only. */
  readonly frameworkId: string;
  readonly taskId: string;
  /** HealthCheck as the wire carries it. */
  readonly check: Record<string, unknown>;
  /** COMMAND checks run in the task's sandbox, as its user, with its environment. */
  readonly sandbox: string;
  readonly user: string | undefined;
  readonly environment: Readonly<Record<string, string>>;
}

export type HealthEvent =
  | { readonly type: 'health_changed'; readonly frameworkId: string; readonly taskId: string; readonly healthy: boolean }
  /** `consecutive_failures` reached: kill the task and report its end with healthy=false. */
  | { readonly type: 'health_failed'; readonly frameworkId: string; readonly taskId: string };

export interface HealthChecker {
  start(target: HealthCheckTarget): void;
  stop(frameworkId: string, taskId: string): void;
  onEvent(listener: (event: HealthEvent) => void): void;
  close(): void;
}
