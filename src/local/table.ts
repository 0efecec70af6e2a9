/** What `berth local` prints once everything is up. Pure. */
import { isAbsolute, relative } from 'node:path';
import type { ProcessRow } from './supervisor.js';

/** A path relative to `cwd` when it lies inside it (shorter, and pasteable there), else absolute. */
export function shownPath(path: string, cwd: string): string {
  const fromCwd = relative(cwd, path);
  if (fromCwd === '') return '.';
  return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : fromCwd;
}

/** Columns padded to their widest cell, two spaces apart. */
export function formatProcessTable(rows: readonly ProcessRow[], cwd: string): string {
  const header = ['NAME', 'PID', 'URL', 'WORK DIR', 'LOG'];
  const cells = rows.map((row) => [
    row.name,
    row.pid === undefined ? '-' : String(row.pid),
    row.url ?? '-',
    shownPath(row.workDir, cwd),
    shownPath(row.logPath, cwd),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)));
  return [header, ...cells]
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
