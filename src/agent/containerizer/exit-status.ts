/**
 * The exit_status file the supervisor writes when its container ends: one
 * versioned line, `berth-exit-status 1 exited <code>` or
 * `berth-exit-status 1 signaled <signal>` (native/supervisor.c). A line of
 * another version is refused rather than misread.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ExitStatus } from './types.js';

export const exitStatusFormatVersion = 1;

export function formatExitStatus(status: ExitStatus): string {
  return 'exited' in status
    ? `berth-exit-status ${exitStatusFormatVersion} exited ${status.exited}\n`
    : `berth-exit-status ${exitStatusFormatVersion} signaled ${status.signaled}\n`;
}

export function parseExitStatus(text: string): ExitStatus | undefined {
  const match = /^berth-exit-status (\d+) (exited|signaled) (\d+)\n?$/.exec(text);
  if (match === null || Number(match[1]) !== exitStatusFormatVersion) return undefined;
  const value = Number(match[3]);
  if (match[2] === 'exited') return value <= 255 ? { exited: value } : undefined;
  return value >= 1 && value < 128 ? { signaled: value } : undefined;
}

/** What the file says: `missing` when it is not there (the container has not ended, or its supervisor died). */
export type ExitStatusRecord = { readonly kind: 'missing' } | { readonly kind: 'read'; readonly status: ExitStatus | undefined };

const missing: ExitStatusRecord = { kind: 'missing' };

function recordOf(text: string): ExitStatusRecord {
  return { kind: 'read', status: parseExitStatus(text) };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** An unreadable file counts as read with an unknown status: the container did end. */
export function readExitStatusSync(path: string): ExitStatusRecord {
  try {
    return recordOf(readFileSync(path, 'latin1'));
  } catch (error) {
    return isMissing(error) ? missing : { kind: 'read', status: undefined };
  }
}

export async function readExitStatus(path: string): Promise<ExitStatusRecord> {
  try {
    return recordOf(await readFile(path, 'latin1'));
  } catch (error) {
    return isMissing(error) ? missing : { kind: 'read', status: undefined };
  }
}
