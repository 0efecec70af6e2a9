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
  // A closed terminal (SIGHUP) makes writes fail; berth local must still stop its
  // children in order rather than die on an unhandled stream error.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  }
  return {
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    error: (line) => process.stderr.write(`${line}\n`),
  };
}
