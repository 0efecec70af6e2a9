/**
 * Time is an input. The pure core never reads a clock: the shell passes `nowMs`
 * in every event. Shells and tests get their time from a Clock.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (may be fractional for the fake clock). */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that moves only when told to: for the deterministic harness and tests. */
export class FakeClock implements Clock {
  constructor(private currentMs = 1_700_000_000_000) {}

  nowMs(): number {
    return this.currentMs;
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`cannot move a clock backwards by ${ms} ms`);
    this.currentMs += ms;
  }
}
