/**
 * Timers as an injected seam. The agent's shell modules (health checks,
 * sandbox GC, log rotation) arm timers through `Timers` so that tests drive a
 * `ManualTimers` clock instead of waiting: `advance(ms)` fires every due timer
 * at its own deadline, in deadline order, and lets the promises they start
 * settle before moving on.
 *
 * It lives here because health checks were its first user; gc/ and logs/
 * import it too. It belongs in src/lib once another part of the agent needs it.
 */
import type { Clock } from '../../lib/clock.js';

export interface Timer {
  /** Stops the timer; a timer that fired or was cancelled already is ignored. */
  cancel(): void;
}

export interface Timers {
  /** Calls `callback` once, `delayMs` from now. */
  after(delayMs: number, callback: () => void): Timer;
}

/**
 * Node clamps a setTimeout delay above 2^31-1 ms (about 24.8 days) to 1 ms,
 * so a long --gc_delay would fire at once. Longer delays are armed in steps.
 */
const nodeTimeoutMsMax = 2 ** 31 - 1;

/** Real timers. They do not keep the process alive: the agent's server does. */
export const systemTimers: Timers = {
  after(delayMs, callback) {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (remainingMs: number): void => {
      const stepMs = Math.min(Math.max(0, remainingMs), nodeTimeoutMsMax);
      handle = setTimeout(() => {
        if (cancelled) return;
        if (remainingMs > stepMs) return arm(remainingMs - stepMs);
        callback();
      }, stepMs);
      handle.unref();
    };
    arm(delayMs);
    return {
      cancel() {
        cancelled = true;
        if (handle !== undefined) clearTimeout(handle);
      },
    };
  },
};

interface ManualEntry {
  readonly deadlineMs: number;
  /** Ties between equal deadlines fire in the order they were armed. */
  readonly sequence: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Timers one advance() may fire: more means a timer that re-arms itself at no delay. */
const manualFiringsMax = 1_000_000;

/** A clock and timers that move only when told to (tests). */
export class ManualTimers implements Timers, Clock {
  private currentMs: number;
  private sequence = 0;
  private entries: ManualEntry[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.currentMs = startMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  after(delayMs: number, callback: () => void): Timer {
    const entry: ManualEntry = { deadlineMs: this.currentMs + Math.max(0, delayMs), sequence: this.sequence++, callback, cancelled: false };
    this.entries.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Timers armed and not yet fired or cancelled. */
  pendingCount(): number {
    return this.entries.filter((entry) => !entry.cancelled).length;
  }

  /** The earliest pending deadline, or undefined. */
  nextDeadlineMs(): number | undefined {
    return this.nextEntry()?.deadlineMs;
  }

  /**
   * Moves time forward by `ms`, firing each due timer at its deadline and
   * letting the work it starts (promises, I/O callbacks) settle after each.
   */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError(`cannot move a clock backwards by ${ms} ms`);
    const targetMs = this.currentMs + ms;
    await settle();
    for (let firings = 0; ; firings += 1) {
      if (firings >= manualFiringsMax) throw new Error(`advance(${ms}) fired ${firings} timers: a timer re-arms itself without delay`);
      const entry = this.nextEntry();
      if (entry === undefined || entry.deadlineMs > targetMs) break;
      entry.cancelled = true;
      this.currentMs = Math.max(this.currentMs, entry.deadlineMs);
      entry.callback();
      await settle();
    }
    this.currentMs = targetMs;
    this.entries = this.entries.filter((entry) => !entry.cancelled);
  }

  private nextEntry(): ManualEntry | undefined {
    let best: ManualEntry | undefined;
    for (const entry of this.entries) {
      if (entry.cancelled) continue;
      if (best === undefined || entry.deadlineMs < best.deadlineMs || (entry.deadlineMs === best.deadlineMs && entry.sequence < best.sequence)) best = entry;
    }
    return best;
  }
}

/** Lets pending promise continuations and immediate callbacks run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 3; round += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
