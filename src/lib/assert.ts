/**
 * Assertions encode the author's mental model. A failed assertion is a programmer
 * error and crashes the process; operating errors are returned as values instead
 * (see result.ts).
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Closes exhaustive switches: adding a union member is a compile error until handled. */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
