/** Racing an operation against a stop: the stop wins at once, and the operation's late result is discarded. */

/** What `raceStop` resolves with when the stop came first. */
export const stoppedMark = Symbol('stopped');

/**
 * `promise`, unless `signal` aborts first: then `stoppedMark`, and whatever
 * `promise` resolves to later is handed to `discard`.
 */
export function raceStop<T>(promise: Promise<T>, signal: AbortSignal, discard: (value: T) => void): Promise<T | typeof stoppedMark> {
  if (signal.aborted) {
    promise.then(discard, () => undefined);
    return Promise.resolve(stoppedMark);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      promise.then(discard, () => undefined);
      resolve(stoppedMark);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
