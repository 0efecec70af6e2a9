/**
 * How a reference framework talks to the person who ran it: progress lines on
 * stderr (none with --quiet), the summary on stdout (a table and a closing
 * line, or one JSON object with --json), and a failure as one line on stderr.
 */
import type { DriverIo } from './driver.js';
import { oneLine } from './machine.js';

export interface OutputOptions {
  /** `berth framework persistent-volumes`: the prefix of a failure line. */
  readonly command: string;
  readonly json: boolean;
  readonly quiet: boolean;
}

export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  onInterrupt(handler: () => void): () => void;
}

export function processTerminal(): Terminal {
  // A closed pipe (`berth framework ... | head`) must not crash the run before it tears down.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  }
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => void process.off('SIGINT', handler);
    },
  };
}

export function driverIo(terminal: Terminal, options: OutputOptions): DriverIo {
  return {
    progress: (line) => {
      if (!options.quiet) terminal.err(`${oneLine(line)}\n`);
    },
    onInterrupt: (handler) => terminal.onInterrupt(handler),
  };
}

/** Prints the failure line and returns the exit status. */
export function reportFailure(terminal: Terminal, options: OutputOptions, error: string, exitCode = 1): number {
  terminal.err(`${options.command}: ${oneLine(error)}\n`);
  return exitCode;
}

/** Prints the summary: `json` as one object, or the table and the closing line. */
export function reportSuccess(terminal: Terminal, options: OutputOptions, json: object, table: readonly (readonly string[])[], closing: string): number {
  if (options.json) terminal.out(`${JSON.stringify(json, null, 2)}\n`);
  else terminal.out(`${formatTable(table)}${closing}\n`);
  return 0;
}

/** Rows (the first is the header) in columns two spaces apart; the last column is not padded. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '))
    .map((line) => `${line}\n`)
    .join('');
}

/** `4.2s`: an elapsed time for people. */
export function formatElapsed(elapsedMs: number): string {
  return elapsedMs < 60_000 ? `${(elapsedMs / 1000).toFixed(1)}s` : `${Math.floor(elapsedMs / 60_000)}m${Math.round((elapsedMs % 60_000) / 1000)}s`;
}
