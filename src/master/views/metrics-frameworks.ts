/**
 * Per-framework metrics (spec/core.md 8, Mesos' FrameworkMetrics), under
 * `master/frameworks/<url-encoded name>/<framework id>/`. Mesos registers every
 * counter at zero when the framework is added, so a snapshot lists them all;
 * the counts come from Framework.counters, the gauges from the state.
 */
import { OPERATION_TYPES, TASK_STATES, type TaskState } from '../../protocol/mesos.js';
import { SCHEDULER_CALL_TYPES } from '../../protocol/scheduler.js';
import type { Framework } from '../core/state.js';
import { isTerminalState } from '../core/tasks/task-state.js';

/** Scheduler event types (scheduler.proto Event.Type minus UNKNOWN). */
const schedulerEventTypes = [
  'SUBSCRIBED',
  'OFFERS',
  'INVERSE_OFFERS',
  'RESCIND',
  'RESCIND_INVERSE_OFFER',
  'UPDATE',
  'UPDATE_OPERATION_STATUS',
  'MESSAGE',
  'FAILURE',
  'ERROR',
  'HEARTBEAT',
] as const;

/** Characters libprocess' http::encode escapes besides controls and non-ASCII bytes. */
const escaped = new Set('$&+,/:;=?@ "<>#%{}|\\^~[]`');

/** libprocess' http::encode: UTF-8 bytes, upper-case hex; stricter than encodeURIComponent on `~`. */
export function encodeMetricComponent(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    const escape = byte < 0x20 || byte > 0x7f || escaped.has(char);
    out += escape ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : char;
  }
  return out;
}

export function frameworkMetricPrefix(framework: Framework): string {
  return `master/frameworks/${encodeMetricComponent(framework.info.name)}/${framework.id}/`;
}

/** Counters Mesos creates at zero for every framework, relative to the prefix. */
function zeroCounters(): string[] {
  const names = ['calls', 'events', 'operations', 'offers/sent', 'offers/accepted', 'offers/declined', 'offers/rescinded'];
  for (const type of SCHEDULER_CALL_TYPES) if (type !== 'UNKNOWN') names.push(`calls/${type.toLowerCase()}`);
  for (const type of schedulerEventTypes) names.push(`events/${type.toLowerCase()}`);
  for (const type of OPERATION_TYPES) if (type !== 'UNKNOWN') names.push(`operations/${type.toLowerCase()}`);
  for (const state of TASK_STATES) if (isTerminalState(state)) names.push(`tasks/terminal/${state.toLowerCase()}`);
  return names;
}

/** Gauges of active tasks by state: every non-terminal state, unreachable tasks included. */
function activeTaskGauges(framework: Framework): Map<string, number> {
  const counts = new Map<string, number>();
  for (const state of TASK_STATES) if (!isTerminalState(state)) counts.set(`tasks/active/${state.toLowerCase()}`, 0);
  const count = (state: TaskState): void => {
    const name = `tasks/active/${state.toLowerCase()}`;
    const current = counts.get(name);
    if (current !== undefined) counts.set(name, current + 1);
  };
  for (const task of framework.tasks.values()) count(task.state);
  for (const task of framework.unreachableTasks.values()) count(task.state);
  return counts;
}

/** Every metric of one registered framework, full names. */
export function frameworkMetrics(framework: Framework): Map<string, number> {
  const prefix = frameworkMetricPrefix(framework);
  const metrics = new Map<string, number>();
  for (const name of zeroCounters()) metrics.set(prefix + name, 0);
  for (const [name, value] of framework.counters.entries()) metrics.set(prefix + name, value);
  metrics.set(`${prefix}subscribed`, framework.connection !== undefined ? 1 : 0);
  for (const [name, value] of activeTaskGauges(framework)) metrics.set(prefix + name, value);
  for (const role of framework.roles) {
    metrics.set(`${prefix}roles/${role}/suppressed`, framework.suppressedRoles.has(role) ? 1 : 0);
  }
  return metrics;
}
