/**
 * Task states (spec/core.md 3.1): which are terminal, and the names a
 * framework sees depending on PARTITION_AWARE (3.1, 5.7).
 */
import { TASK_STATES, TERMINAL_TASK_STATES, type TaskState } from '../../../protocol/mesos.js';
import type { Framework } from '../state.js';

export function isTerminalState(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.has(state);
}

/** Terminal or unreachable: the master has given the task's resources back. */
export function releasesResources(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.has(state) || state === 'TASK_UNREACHABLE';
}

/** States only PARTITION_AWARE frameworks are sent; others get TASK_LOST instead. */
const PARTITION_AWARE_ONLY: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

export function stateForFramework(framework: Framework, state: TaskState): TaskState {
  if (framework.capabilities.has('PARTITION_AWARE')) return state;
  return PARTITION_AWARE_ONLY.has(state) ? 'TASK_LOST' : state;
}

export function parseTaskState(text: string | undefined): TaskState | undefined {
  return text !== undefined && (TASK_STATES as readonly string[]).includes(text) ? (text as TaskState) : undefined;
}
