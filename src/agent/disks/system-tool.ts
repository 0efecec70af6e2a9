/**
 * The system tools a loop disk needs (fallocate, mkfs.ext4, mount, umount),
 * run synchronously with a time limit. A failure is one line: the first line
 * of the tool's stderr, which names what an operator can act on ("No space
 * left on device", "only root can do that").
 */
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { err, ok, type Result } from '../../lib/result.js';

/** mkfs.ext4 of a large image on a slow disk; a hung tool fails the call instead of hanging it. */
export const toolTimeoutMs = 300_000;

/** Runs `file` with `args`; its stdout when it exits 0, else the one-line reason. */
export function runTool(file: string, args: readonly string[]): Result<string> {
  const run = spawnSync(file, args, { encoding: 'utf8', timeout: toolTimeoutMs, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.error !== undefined) {
    const code = (run.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return err(`${file} is not installed (not found on the PATH)`);
    if (code === 'ETIMEDOUT') return err(`${file} did not finish within ${toolTimeoutMs / 1000} s`);
    return err(`${file} could not run: ${run.error.message}`);
  }
  if (run.status === 0) return ok(run.stdout);
  const line = firstLine(run.stderr);
  if (line === '') return err(`${file} exited with ${run.status === null ? `signal ${run.signal ?? 'unknown'}` : `status ${run.status}`}`);
  // Most tools start their message with their own name ("mount: /m: ..."); the others get it.
  return err(line.startsWith(`${basename(file)}:`) ? line : `${file}: ${line}`);
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}
