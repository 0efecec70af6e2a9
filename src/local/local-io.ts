import { processTerminal } from '../lib/terminal.js';

/** Where `berth local` speaks and which directory it is in; tests pass their own. */
export interface LocalIo {
  /** Relative --work_dir values and shown paths are relative to this. */
  readonly cwd: string;
  /** One line of normal output (stdout). */
  out(line: string): void;
  /** One line saying what went wrong (stderr). */
  error(line: string): void;
}

export function processIo(): LocalIo {
  // On a closed terminal (SIGHUP) berth local must still stop its children in order.
  const terminal = processTerminal();
  return {
    cwd: process.cwd(),
    out: (line) => terminal.out(`${line}\n`),
    error: (line) => terminal.err(`${line}\n`),
  };
}
