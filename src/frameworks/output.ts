/**
 * How a reference framework talks to the person who ran it: progress lines on
 * stderr (none with --quiet), the summary on stdout (a table and a closing
 * line, or one JSON object with --json), and a failure as one line on stderr.
 */
import type { Terminal } from '../lib/terminal.js';
import { formatTable } from '../lib/text-table.js';
import type { DriverIo } from './driver.js';
import { oneLine } from '../lib/one-line.js';

export interface OutputOptions {
  /** `berth framework persistent-volumes`: the prefix of a failure line. */
  readonly command: string;
  readonly json: boolean;
  readonly quiet: boolean;
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
  else terminal.out(`${formatTable(table[0] ?? [], table.slice(1))}\n${closing}\n`);
  return 0;
}

/** `4.2s`: an elapsed time for people. */
export function formatElapsed(elapsedMs: number): string {
  return elapsedMs < 60_000 ? `${(elapsedMs / 1000).toFixed(1)}s` : `${Math.floor(elapsedMs / 60_000)}m${Math.round((elapsedMs % 60_000) / 1000)}s`;
}
