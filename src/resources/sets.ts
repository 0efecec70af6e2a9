/**
 * Value.Set operations. Items are strings; a valid set has no duplicates. Order
 * is kept (it shows in printed forms) but never affects equality or containment.
 */

/** Items of `left` followed by the items of `right` it lacks. */
export function addSets(left: readonly string[], right: readonly string[]): string[] {
  if (right.length === 0) return left.slice();
  const seen = new Set(left);
  const result = left.slice();
  for (const item of right) {
    if (!seen.has(item)) {
      seen.add(item);
      result.push(item);
    }
  }
  return result;
}

/** Items of `left` not in `right` (set difference; `right` need not be contained). */
export function subtractSets(left: readonly string[], right: readonly string[]): string[] {
  if (right.length === 0) return left.slice();
  const removed = new Set(right);
  return left.filter((item) => !removed.has(item));
}

/** True when every item of `inner` is in `outer`. */
export function setContains(outer: readonly string[], inner: readonly string[]): boolean {
  if (inner.length === 0) return true;
  const items = new Set(outer);
  for (const item of inner) if (!items.has(item)) return false;
  return true;
}

/** True when both hold the same items, in any order. */
export function setsEqual(left: readonly string[], right: readonly string[]): boolean {
  const a = new Set(left);
  const b = new Set(right);
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}

/** The first item that occurs twice, if any. */
export function findDuplicateItem(items: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) return item;
    seen.add(item);
  }
  return undefined;
}

/** The Mesos printed form, e.g. "{gpu0, gpu1}". */
export function formatSet(items: readonly string[]): string {
  return `{${items.join(', ')}}`;
}
