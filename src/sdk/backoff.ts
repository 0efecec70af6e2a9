/**
 * Exponential backoff with jitter, shared by the Scheduler (re-subscribing to a
 * master) and the Executor (re-subscribing to its agent). Pure: the caller
 * passes the randomness, so a seeded Random replays the same delays.
 */
import { assert } from '../lib/assert.js';
import type { Random } from '../lib/random.js';

export interface BackoffPolicy {
  /** Delay before the first retry (before jitter). */
  readonly initialMs: number;
  /** The delay doubles per failed attempt up to this cap (before jitter). */
  readonly maxMs: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry):
 * `min(maxMs, initialMs × 2^(attempt-1))`, then jittered uniformly into
 * [half, whole] of that, so that many clients cut off by one master failure
 * do not all come back in the same millisecond.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: Random): number {
  assert(Number.isInteger(attempt) && attempt >= 1, `backoff attempt must be a positive integer, got ${attempt}`);
  assert(policy.initialMs >= 0 && policy.maxMs >= policy.initialMs, `backoff bounds are inconsistent: ${JSON.stringify(policy)}`);
  // 2^30 already exceeds any sane cap; the bound keeps the power finite.
  const ceilingMs = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt - 1, 30));
  return ceilingMs / 2 + random.next() * (ceilingMs / 2);
}
