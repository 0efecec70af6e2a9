// Method: the pure status helpers over literal statuses.
import { describe, expect, it } from 'vitest';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import { exitStatusOf, isTerminal, statusLine } from './task-status.js';

function status(state: WireTaskStatus['state'], message?: string): WireTaskStatus {
  return { task_id: { value: 'job-1' }, state, timestamp: 1, ...(message === undefined ? {} : { message }) };
}

describe('execute: exit status', () => {
  it('is 0 for TASK_FINISHED', () => {
    expect(exitStatusOf(status('TASK_FINISHED', 'Command exited with status 0'))).toBe(0);
    expect(exitStatusOf(status('TASK_FINISHED'))).toBe(0);
  });

  it('is the number in "Command exited with status N"', () => {
    expect(exitStatusOf(status('TASK_FAILED', 'Command exited with status 3'))).toBe(3);
    expect(exitStatusOf(status('TASK_FAILED', 'Command exited with status 255'))).toBe(255);
  });

  it('is 1 for TASK_FAILED without a number, and for other terminal states', () => {
    expect(exitStatusOf(status('TASK_FAILED', 'Failed to launch container'))).toBe(1);
    expect(exitStatusOf(status('TASK_LOST'))).toBe(1);
    expect(exitStatusOf(status('TASK_ERROR', 'Task uses more resources than offered'))).toBe(1);
  });

  it('is 128 + the signal for "terminated with signal", however the signal is written', () => {
    expect(exitStatusOf(status('TASK_KILLED', 'Command terminated with signal Killed'))).toBe(137);
    expect(exitStatusOf(status('TASK_FAILED', 'Command terminated with signal Segmentation fault (core dumped)'))).toBe(139);
    expect(exitStatusOf(status('TASK_KILLED', 'Command terminated with signal SIGTERM'))).toBe(143);
    expect(exitStatusOf(status('TASK_KILLED', 'Command terminated with signal 2'))).toBe(130);
    expect(exitStatusOf(status('TASK_KILLED', 'Command terminated with signal Nonsense'))).toBe(1);
  });
});

describe('execute: status lines', () => {
  it('names the state and the task, with the message in parentheses', () => {
    expect(statusLine(status('TASK_RUNNING'))).toBe("Received status update TASK_RUNNING for task 'job-1'");
    expect(statusLine(status('TASK_FINISHED', 'Command exited with status 0'))).toBe(
      "Received status update TASK_FINISHED for task 'job-1' (Command exited with status 0)",
    );
  });

  it('shows the reason when there is no message, and keeps to one line', () => {
    expect(statusLine({ ...status('TASK_LOST'), reason: 'REASON_INVALID_OFFERS' })).toBe(
      "Received status update TASK_LOST for task 'job-1' (REASON_INVALID_OFFERS)",
    );
    expect(statusLine(status('TASK_FAILED', 'a\nb'))).toBe("Received status update TASK_FAILED for task 'job-1' (a b)");
  });

  it('knows the terminal states', () => {
    expect(isTerminal('TASK_FINISHED')).toBe(true);
    expect(isTerminal('TASK_LOST')).toBe(true);
    expect(isTerminal('TASK_RUNNING')).toBe(false);
    expect(isTerminal('TASK_UNREACHABLE')).toBe(false);
  });
});
