/**
 * What `berth execute` makes of task statuses: which states end the task, the
 * line printed for each state change, and the exit status of the command.
 * Pure.
 */
import { constants } from 'node:os';
import { TERMINAL_TASK_STATES, type TaskState } from '../../protocol/mesos.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';

/** Exit status for a terminal state that says nothing more precise. */
const exitStatusFailure = 1;
/** A shell's convention for a process killed by signal N. */
const signalExitBase = 128;

/**
 * glibc's strsignal() texts, which Mesos' WSTRINGIFY prints
 * ("Command terminated with signal Killed").
 */
const signalDescriptions: Readonly<Record<string, number>> = {
  Hangup: 1,
  Interrupt: 2,
  Quit: 3,
  'Illegal instruction': 4,
  'Trace/breakpoint trap': 5,
  Aborted: 6,
  'Bus error': 7,
  'Floating point exception': 8,
  Killed: 9,
  'User defined signal 1': 10,
  'Segmentation fault': 11,
  'User defined signal 2': 12,
  'Broken pipe': 13,
  'Alarm clock': 14,
  Terminated: 15,
};

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.has(state);
}

/** `Received status update TASK_FAILED for task 'x' (Command exited with status 3)`, as one line. */
export function statusLine(status: WireTaskStatus): string {
  const detail = status.message !== undefined && status.message !== '' ? status.message : status.reason;
  const suffix = detail === undefined ? '' : ` (${detail.replace(/\s*\n\s*/g, ' ')})`;
  return `Received status update ${status.state} for task '${status.task_id.value}'${suffix}`;
}

/**
 * The command's exit status, from its terminal status: N for "exited with
 * status N", 128+N for "terminated with signal N" (a number, SIGNAME or
 * strsignal text), else 0 for TASK_FINISHED and 1 for anything else.
 */
export function exitStatusOf(status: WireTaskStatus): number {
  const message = status.message ?? '';
  const exited = /exited with status (\d+)/.exec(message);
  if (exited?.[1] !== undefined) return Number(exited[1]);
  const signaled = /terminated with signal (.+?)(?: \(core dumped\))?$/.exec(message.trim());
  const signal = signaled?.[1] === undefined ? undefined : signalNumber(signaled[1].trim());
  if (signal !== undefined) return signalExitBase + signal;
  return status.state === 'TASK_FINISHED' ? 0 : exitStatusFailure;
}

function signalNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const byName = (constants.signals as Readonly<Record<string, number>>)[text.toUpperCase()];
  return byName ?? signalDescriptions[text];
}
