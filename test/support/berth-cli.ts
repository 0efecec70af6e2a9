/**
 * The `berth` command run to its end as a child process (dist/, so run
 * `npm run build` first), under the test root: for what a command prints and
 * how it exits, such as a master refusing to start.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { testRoot } from './test-root.js';

export const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

export interface BerthRun {
  /** The exit code, or null when a signal (the timeout's SIGKILL) ended it. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runBerth(args: readonly string[], timeoutMs = 30_000): Promise<BerthRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [cliEntry, ...args],
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, BERTH_TEST_ROOT: testRoot() } },
      (error, stdout, stderr) => done({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}

/** The lines of stderr that say something. */
export function stderrLines(run: BerthRun): string[] {
  return run.stderr.split('\n').filter((line) => line.trim() !== '');
}

/** A fresh directory under the test root, for a work directory. */
export function freshTestDir(prefix: string): string {
  mkdirSync(testRoot(), { recursive: true });
  return mkdtempSync(join(testRoot(), prefix));
}
