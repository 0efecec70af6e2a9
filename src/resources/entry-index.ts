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
 *
 * A Resources collection keeps the index of its entries once built (frozen:
 * lookups only). A sum or difference does not index its thousand entries
 * again: `derive` copies the entry array and derives the positions from the
 * frozen index's (positions.ts), and the new index is edited in place until
 * it is frozen in its turn.
 */
import { assert } from '../lib/assert.js';
import { addable, isExclusiveDisk, subtractable } from './compare.js';
import { addQuantities, entryContains, isEmptyEntry, isNegativeOrEmpty, subtractQuantities, type ResourceEntry } from './entries.js';
import { metaFingerprint, seedMetaFingerprint } from './fingerprint.js';
import { PositionsVersion } from './positions.js';
import { isPersistentVolume } from './resource.js';

/** What Resources.contains has used up so far, by position: the entry left there, or undefined once taken whole. */
type Taken = Map<number, ResourceEntry | undefined>;

export class EntryIndex {
  /** Positions in `entries` by metadata fingerprint; lists are never edited in place (versions share them). */
  private positions: PositionsVersion;
  private frozen = false;

  /**
   * Indexes `entries`, which it edits in place from then on. `positions`, when
   * given, are already those of exactly these entries (`derive`).
   */
  constructor(
    readonly entries: ResourceEntry[],
    positions?: PositionsVersion,
  ) {
    this.positions = positions ?? positionsOf(entries);
  }

  /** An index for lookups only over entries nobody edits (a Resources collection's own). */
  static frozenOver(entries: readonly ResourceEntry[]): EntryIndex {
    // Frozen, it never writes to the array: the cast only shares it.
    return new EntryIndex(entries as ResourceEntry[]).freeze();
  }

  /** From now on lookups only: the entries belong to an immutable collection. */
  freeze(): this {
    this.frozen = true;
    return this;
  }

  /**
   * An index to edit into a new collection: a copy of these entries, and
   * positions derived from these (positions.ts). `expectedEdits` sizes the
   * work ahead: about as many edits as there are positions cost as much as
   * copying them, and the copy leaves this index's family untouched.
   */
  derive(expectedEdits: number): EntryIndex {
    assert(this.frozen, 'entry index: derive from a frozen index only');
    const entries = this.entries.slice();
    if (2 * expectedEdits >= this.positions.size) return new EntryIndex(entries, this.positions.copy());
    // A full family: this index moves to a copy of its positions, so that
    // the old family ends here and collections derived from it keep a
    // bounded history, while the next derivations from this one stay cheap.
    if (!this.positions.hasRoomFor(expectedEdits)) this.positions = this.positions.copy();
    return new EntryIndex(entries, this.positions.derive());
  }

  add(entry: ResourceEntry): void {
    this.assertEditable();
    if (isEmptyEntry(entry)) return;
    const key = metaFingerprint(entry.resource);
    const position = this.first(key, undefined, (existing) => addable(existing.resource, entry.resource));
    if (position === undefined) {
      this.remember(key, this.entries.length);
      this.entries.push(entry);
      return;
    }
    const existing = this.entries[position] as ResourceEntry;
    if (existing.resource.shared !== undefined) {
      this.entries[position] = { resource: existing.resource, count: existing.count + entry.count };
      return;
    }
    // The sum keeps `existing`'s metadata: its fingerprint is `key`, not worth computing again.
    const resource = addQuantities(existing.resource, entry.resource);
    seedMetaFingerprint(resource, key);
    this.entries[position] = { resource, count: 1 };
  }

  subtract(entry: ResourceEntry): void {
    this.assertEditable();
    if (isEmptyEntry(entry)) return;
    const key = metaFingerprint(entry.resource);
    const position = this.first(key, undefined, (existing) => subtractable(existing.resource, entry.resource));
    if (position === undefined) return;
    const remaining = remainder(this.entries[position] as ResourceEntry, entry, key);
    if (remaining !== undefined) this.entries[position] = remaining;
    else this.remove(key, position);
  }

  someContains(entry: ResourceEntry): boolean {
    return this.first(metaFingerprint(entry.resource), undefined, (existing) => entryContains(existing, entry)) !== undefined;
  }

  /**
   * Resources.contains: each of `others` fits in one entry, and a matched
   * persistent volume is used up, as if subtracted from a copy. This index
   * stays as it is: what is used up lives in a small map by position. (The
   * copy would move its last entry into the hole; here the hole stays. Both
   * take an equal entry, so every later answer is the same.)
   */
  containsEach(others: readonly ResourceEntry[]): boolean {
    let taken: Taken | undefined;
    for (const entry of others) {
      const key = metaFingerprint(entry.resource);
      if (this.first(key, taken, (existing) => entryContains(existing, entry)) === undefined) return false;
      if (!isPersistentVolume(entry.resource) || isEmptyEntry(entry)) continue;
      const position = this.first(key, taken, (existing) => subtractable(existing.resource, entry.resource));
      if (position === undefined) continue;
      taken ??= new Map();
      taken.set(position, remainder(this.at(position, taken) as ResourceEntry, entry, key));
    }
    return true;
  }

  /** The lowest position whose entry has metadata `key` and passes `test`, entries in `taken` as they are there. */
  private first(key: string, taken: Taken | undefined, test: (existing: ResourceEntry) => boolean): number | undefined {
    let found: number | undefined;
    for (const position of this.positions.get(key) ?? []) {
      if (found !== undefined && position > found) continue;
      const existing = this.at(position, taken);
      if (existing !== undefined && test(existing)) found = position;
    }
    return found;
  }

  private at(position: number, taken: Taken | undefined): ResourceEntry | undefined {
    return taken?.has(position) === true ? taken.get(position) : this.entries[position];
  }

  /** As entries.ts does: the last entry moves into the hole. */
  private remove(key: string, position: number): void {
    this.forget(key, position);
    const lastPosition = this.entries.length - 1;
    const last = this.entries[lastPosition] as ResourceEntry;
    this.entries.pop();
    if (position === lastPosition) return;
    this.entries[position] = last;
    const lastKey = metaFingerprint(last.resource);
    const list = this.positions.get(lastKey) ?? [];
    this.positions.set(lastKey, list.map((at) => (at === lastPosition ? position : at)));
  }

  private remember(key: string, position: number): void {
    const list = this.positions.get(key);
    this.positions.set(key, list === undefined ? [position] : [...list, position]);
  }

  private forget(key: string, position: number): void {
    const list = this.positions.get(key) ?? [];
    this.positions.set(key, list.length <= 1 ? undefined : list.filter((at) => at !== position));
  }

  private assertEditable(): void {
    assert(!this.frozen, 'entry index: a frozen index belongs to an immutable collection');
  }
}

function positionsOf(entries: readonly ResourceEntry[]): PositionsVersion {
  const map = new Map<string, number[]>();
  entries.forEach((entry, position) => {
    const key = metaFingerprint(entry.resource);
    const list = map.get(key);
    if (list === undefined) map.set(key, [position]);
    else list.push(position);
  });
  return PositionsVersion.of(map);
}

/**
 * What is left of `existing` once `entry` (subtractable from it, with metadata
 * `key`) is taken: undefined when nothing is, as subtractEntry removes it.
 */
function remainder(existing: ResourceEntry, entry: ResourceEntry, key: string): ResourceEntry | undefined {
  if (existing.resource.shared !== undefined) {
    const count = existing.count - entry.count;
    return count > 0 && !isNegativeOrEmpty(existing.resource) ? { resource: existing.resource, count } : undefined;
  }
  // A volume or an exclusive disk is only subtractable by an equal quantity: nothing is left.
  if (isExclusiveDisk(existing.resource) || isPersistentVolume(existing.resource)) return undefined;
  const resource = subtractQuantities(existing.resource, entry.resource);
  if (isNegativeOrEmpty(resource)) return undefined;
  seedMetaFingerprint(resource, key);
  return { resource, count: 1 };
}
