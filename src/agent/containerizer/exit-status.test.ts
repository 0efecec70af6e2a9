/** The exit_status line: written by native/supervisor.c, read here. Pure parsing, no processes. */
import { describe, expect, it } from 'vitest';
import { formatExitStatus, parseExitStatus } from './exit-status.js';

describe('containerizer: exit status file', () => {
  it('reads back what it writes, for exit codes and signals', () => {
    for (const status of [{ exited: 0 }, { exited: 3 }, { exited: 255 }, { signaled: 9 }, { signaled: 15 }]) {
      expect(parseExitStatus(formatExitStatus(status))).toEqual(status);
    }
  });

  it('reads the lines the supervisor writes', () => {
    expect(parseExitStatus('berth-exit-status 1 exited 127\n')).toEqual({ exited: 127 });
    expect(parseExitStatus('berth-exit-status 1 signaled 9\n')).toEqual({ signaled: 9 });
  });

  it('refuses another format version, a truncated line and impossible values rather than misread them', () => {
    expect(parseExitStatus('berth-exit-status 2 exited 0\n')).toBeUndefined();
    expect(parseExitStatus('berth-exit-status 1 exit')).toBeUndefined();
    expect(parseExitStatus('')).toBeUndefined();
    expect(parseExitStatus('berth-exit-status 1 exited 256\n')).toBeUndefined();
    expect(parseExitStatus('berth-exit-status 1 signaled 0\n')).toBeUndefined();
  });
});
