/**
 * Where a CLI command speaks: standard output and error, and Ctrl-C. Tests
 * pass their own; `processTerminal` is the real one.
 */
export interface Terminal {
  /** Text for stdout, as is. */
  out(text: string): void;
  /** Text for stderr, as is. */
  err(text: string): void;
  /** Calls `handler` on each Ctrl-C (SIGINT); returns a function that stops listening. */
  onInterrupt(handler: () => void): () => void;
}

export function processTerminal(): Terminal {
  // A closed pipe (`berth ... | head`) or terminal makes writes fail: a command
  // must still finish (and tear down what it started) rather than die on it.
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
