/**
 * Ctrl-C (SIGINT), SIGTERM and a closed terminal (SIGHUP) stop `berth local` in
 * order; a second one, for when the orderly stop takes too long, kills at once.
 */
const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export type StopSignal = (typeof stopSignals)[number];

/** Installs the handlers; the returned function removes them. */
export function onStopSignals(onFirst: (signal: StopSignal) => void, onAgain: (signal: StopSignal) => void): () => void {
  let received = 0;
  const handler = (signal: StopSignal): void => {
    received += 1;
    if (received === 1) onFirst(signal);
    else onAgain(signal);
  };
  for (const signal of stopSignals) process.on(signal, handler);
  return () => {
    for (const signal of stopSignals) process.off(signal, handler);
  };
}
