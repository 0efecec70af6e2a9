/**
 * An entry list with an index by metadata (fingerprint.ts metaFingerprint),
 * for collections too big to scan: an agent with a thousand persistent volumes
 * holds a thousand entries, and scanning them for every entry of another such
 * collection made every sum, difference and containment quadratic (so was
 * Mesos'). Two resources merge, subtract or contain one another only when
 * their metadata are equal, so the entries with the same metadata are the
 * only candidates.
 *
 * Same results, in the same order, as addEntry, subtractEntry and
 * someEntryContains on the plain list (entries.ts): the first candidate by
 * position is taken, and a removed entry is replaced by the last one.
 */
import { addable, subtractable } from './compare.js';
import { addQuantities, entryContains, isEmptyEntry, isNegativeOrEmpty, subtractQuantities, type ResourceEntry } from './entries.js';
import { metaFingerprint } from './fingerprint.js';

export class EntryIndex {
  /** Positions in `entries` by metadata fingerprint. */
  private readonly positions = new Map<string, number[]>();

  constructor(readonly entries: ResourceEntry[]) {
    entries.forEach((entry, position) => this.remember(entry, position));
  }

  add(entry: ResourceEntry): void {
    if (isEmptyEntry(entry)) return;
    const position = this.first(entry, (existing) => addable(existing.resource, entry.resource));
    if (position === undefined) {
      this.remember(entry, this.entries.length);
      this.entries.push(entry);
      return;
    }
    const existing = this.entries[position] as ResourceEntry;
    this.entries[position] =
      existing.resource.shared !== undefined
        ? { resource: existing.resource, count: existing.count + entry.count }
        : { resource: addQuantities(existing.resource, entry.resource), count: 1 };
  }

  subtract(entry: ResourceEntry): void {
    if (isEmptyEntry(entry)) return;
    const position = this.first(entry, (existing) => subtractable(existing.resource, entry.resource));
    if (position === undefined) return;
    const existing = this.entries[position] as ResourceEntry;
    const remaining: ResourceEntry =
      existing.resource.shared !== undefined
        ? { resource: existing.resource, count: existing.count - entry.count }
        : { resource: subtractQuantities(existing.resource, entry.resource), count: 1 };
    if (remaining.count > 0 && !isNegativeOrEmpty(remaining.resource)) {
      this.entries[position] = remaining;
      return;
    }
    this.remove(position);
  }

  someContains(entry: ResourceEntry): boolean {
    return this.first(entry, (existing) => entryContains(existing, entry)) !== undefined;
  }

  /** The lowest position whose entry has `entry`'s metadata and passes `test`. */
  private first(entry: ResourceEntry, test: (existing: ResourceEntry) => boolean): number | undefined {
    let found: number | undefined;
    for (const position of this.positions.get(metaFingerprint(entry.resource)) ?? []) {
      if ((found === undefined || position < found) && test(this.entries[position] as ResourceEntry)) found = position;
    }
    return found;
  }

  /** As entries.ts does: the last entry moves into the hole. */
  private remove(position: number): void {
    const removed = this.entries[position] as ResourceEntry;
    this.forget(removed, position);
    const lastPosition = this.entries.length - 1;
    const last = this.entries[lastPosition] as ResourceEntry;
    this.entries.pop();
    if (position === lastPosition) return;
    this.forget(last, lastPosition);
    this.entries[position] = last;
    this.remember(last, position);
  }

  private remember(entry: ResourceEntry, position: number): void {
    const key = metaFingerprint(entry.resource);
    const list = this.positions.get(key);
    if (list === undefined) this.positions.set(key, [position]);
    else list.push(position);
  }

  private forget(entry: ResourceEntry, position: number): void {
    const key = metaFingerprint(entry.resource);
    const list = this.positions.get(key) ?? [];
    const at = list.indexOf(position);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.positions.delete(key);
  }
}
