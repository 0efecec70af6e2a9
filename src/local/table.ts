/** What `berth local` prints once everything is up. Pure. */
import { isAbsolute, relative } from 'node:path';
import type { ProcessRow } from './supervisor.js';
import { formatTable } from '../lib/text-table.js';

/** A path relative to `cwd` when it lies inside it (shorter, and pasteable there), else absolute. */
export function shownPath(path: string, cwd: string): string {
  const fromCwd = relative(cwd, path);
  if (fromCwd === '') return '.';
  return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : fromCwd;
}

/** One row per process; a missing pid or URL shows as '-'. */
export function formatProcessTable(rows: readonly ProcessRow[], cwd: string): string {
  const header = ['NAME', 'PID', 'URL', 'WORK DIR', 'LOG'];
  const cells = rows.map((row) => [row.name, row.pid === undefined ? undefined : String(row.pid), row.url, shownPath(row.workDir, cwd), shownPath(row.logPath, cwd)]);
  return formatTable(header, cells);
}
