/**
 * Inclusive integer intervals (Value.Ranges). A ranges value is "coalesced" when
 * it is sorted by begin and no two intervals overlap or touch: the one canonical
 * form of a set of integers. Every function here returns coalesced output; the
 * inputs may be in any order and need not be coalesced.
 */
import type { Range } from './types.js';

/** Sorted, disjoint, non-adjacent intervals covering the same integers as the input. */
export function coalesceRanges(ranges: readonly Range[]): Range[] {
  if (ranges.length === 0) return [];
  if (isCoalesced(ranges)) return ranges.slice();
  const sorted = ranges.slice().sort((left, right) => left.begin - right.begin || left.end - right.end);
  const result: Range[] = [];
  let current = sorted[0] as Range;
  for (let i = 1; i < sorted.length; i++) {
    const next = sorted[i] as Range;
    // `end + 1` merges touching intervals: [1-2] and [3-4] are the integers 1..4.
    if (next.begin <= current.end + 1) {
      if (next.end > current.end) current = { begin: current.begin, end: next.end };
    } else {
      result.push(current);
      current = next;
    }
  }
  result.push(current);
  return result;
}

/** True when the intervals are already in canonical form (the common case: no sort needed). */
export function isCoalesced(ranges: readonly Range[]): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i] as Range;
    if (range.begin > range.end) return false;
    if (i > 0 && range.begin <= (ranges[i - 1] as Range).end + 1) return false;
  }
  return true;
}

/** The integers in either input. */
export function addRanges(left: readonly Range[], right: readonly Range[]): Range[] {
  if (right.length === 0) return coalesceRanges(left);
  if (left.length === 0) return coalesceRanges(right);
  return coalesceRanges([...left, ...right]);
}

/** The integers in `left` that are not in `right` (set difference; `right` need not be contained). */
export function subtractRanges(left: readonly Range[], right: readonly Range[]): Range[] {
  const remaining = coalesceRanges(left);
  if (remaining.length === 0 || right.length === 0) return remaining;
  const removed = coalesceRanges(right);
  const result: Range[] = [];
  let removedIndex = 0;
  for (const range of remaining) {
    let begin = range.begin;
    // Skip removals that end before this interval starts.
    while (removedIndex < removed.length && (removed[removedIndex] as Range).end < begin) removedIndex++;
    let index = removedIndex;
    while (begin <= range.end) {
      const cut = removed[index];
      if (cut === undefined || cut.begin > range.end) {
        result.push({ begin, end: range.end });
        break;
      }
      if (cut.begin > begin) result.push({ begin, end: cut.begin - 1 });
      begin = cut.end + 1;
      index++;
    }
  }
  return result;
}

/** True when every integer of `inner` is in `outer`. */
export function rangesContain(outer: readonly Range[], inner: readonly Range[]): boolean {
  const container = coalesceRanges(outer);
  const contained = coalesceRanges(inner);
  let index = 0;
  for (const range of contained) {
    // Both are sorted and coalesced, so each inner interval must sit inside one outer interval.
    while (index < container.length && (container[index] as Range).end < range.begin) index++;
    const candidate = container[index];
    if (candidate === undefined || candidate.begin > range.begin || candidate.end < range.end) return false;
  }
  return true;
}

/** True when both cover exactly the same integers. */
export function rangesEqual(left: readonly Range[], right: readonly Range[]): boolean {
  const a = coalesceRanges(left);
  const b = coalesceRanges(right);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Range;
    const y = b[i] as Range;
    if (x.begin !== y.begin || x.end !== y.end) return false;
  }
  return true;
}

/** How many integers the intervals cover (a coalesced input counts each integer once). */
export function rangesCount(ranges: readonly Range[]): number {
  let count = 0;
  for (const range of coalesceRanges(ranges)) count += range.end - range.begin + 1;
  return count;
}

/** The Mesos printed form, e.g. "[31000-32000, 33000-34000]" (intervals in the given order). */
export function formatRanges(ranges: readonly Range[]): string {
  return `[${ranges.map((range) => `${range.begin}-${range.end}`).join(', ')}]`;
}
