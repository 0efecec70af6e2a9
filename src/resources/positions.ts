/**
 * Positions of entries by metadata fingerprint (entry-index.ts), as a
 * persistent map: every big Resources collection keeps its own version, and a
 * sum or difference derives its version from its base's in O(changes) instead
 * of indexing a thousand entries again (the master edits an agent's total
 * with a thousand volumes several times per ACCEPT).
 *
 * Versions derived from one another form a family that shares one Map
 * (Baker's rerooting, as in persistent arrays): one version of the family,
 * the root, holds the Map; every other version holds the edits that turn its
 * neighbour one step closer to the root into itself. Reading a version moves
 * the root to it, undoing and redoing the edits on the way: nothing to do
 * when a chain `a.minus(x).plus(y)` reads only its newest result, and
 * O(edits in between) when an older collection is read again.
 *
 * A family takes a bounded number of edits (`familyEditsMax`); past that
 * (`hasRoomFor`), the next version is derived from a `copy`, a family of its
 * own. So an old collection kept alive holds on to a bounded history, and
 * moving the root never costs much more than indexing afresh would.
 *
 * Reading mutates the shared Map: while a version is built (from `derive` to
 * its last `set`), no other version of its family may be read. Resources
 * builds each one within a single call.
 */
import { assert } from '../lib/assert.js';

type PositionMap = Map<string, readonly number[]>;

/** `key` had `positions` (undefined: absent) in the version these edits lead to. */
interface Edit {
  readonly key: string;
  readonly positions: readonly number[] | undefined;
}

/** A family's budget: about one fresh index's worth of work, and never too little to be worth sharing. */
function familyEditsMax(size: number): number {
  return size + 64;
}

interface Family {
  /** Edits recorded so far, plus one per version, so that versions without edits count too. */
  edits: number;
}

const noEdits: readonly Edit[] = [];

export class PositionsVersion {
  /** Set on the root only. */
  private map: PositionMap | undefined;
  /** Toward the root, for a version that is not the root. */
  private next: PositionsVersion | undefined;
  /** Applied last to first, they turn `next`'s positions into this version's. */
  private edits: readonly Edit[] = noEdits;
  /** Where `set` records what it overwrote: the edits of the version this one was derived from, while it is built. */
  private undo: Edit[] | undefined;

  private constructor(
    private readonly family: Family,
    map: PositionMap,
  ) {
    this.map = map;
  }

  /** A version of its own (a new family) over `map`, which it now owns. */
  static of(map: PositionMap): PositionsVersion {
    return new PositionsVersion({ edits: 0 }, map);
  }

  get(key: string): readonly number[] | undefined {
    return this.rooted().get(key);
  }

  /** Keys (metadata fingerprints) held. */
  get size(): number {
    return this.rooted().size;
  }

  /** The family can take `edits` more (say, one per entry about to be added or subtracted). */
  hasRoomFor(edits: number): boolean {
    return this.family.edits + edits < familyEditsMax(this.size);
  }

  /** The same positions in a family of their own (a copy of the Map, sharing its immutable lists). */
  copy(): PositionsVersion {
    return PositionsVersion.of(new Map(this.rooted()));
  }

  /** A new version in this family, equal to this one, to be edited with `set` while it is built. */
  derive(): PositionsVersion {
    const map = this.rooted();
    this.undo = undefined;
    const child = new PositionsVersion(this.family, map);
    const undo: Edit[] = [];
    this.map = undefined;
    this.next = child;
    this.edits = undo;
    child.undo = undo;
    this.family.edits++;
    return child;
  }

  /** Sets (or, with undefined, deletes) `key`; only on the root, and only while it is built. */
  set(key: string, positions: readonly number[] | undefined): void {
    const map = this.map;
    assert(map !== undefined, 'positions: only the root version may be edited');
    if (this.undo !== undefined) {
      this.undo.push({ key, positions: map.get(key) });
      this.family.edits++;
    }
    if (positions === undefined) map.delete(key);
    else map.set(key, positions);
  }

  /** The Map, after moving the root here. */
  private rooted(): PositionMap {
    if (this.map !== undefined) return this.map;
    const path: PositionsVersion[] = [];
    let root: PositionsVersion = this;
    while (root.map === undefined) {
      path.push(root);
      root = root.next as PositionsVersion;
    }
    const map = root.map;
    // From the root back to this version, one step at a time: each step
    // applies a version's edits and leaves the inverse edits in the old root.
    for (let i = path.length - 1; i >= 0; i--) {
      const version = path[i] as PositionsVersion;
      const inverse: Edit[] = [];
      for (let j = version.edits.length - 1; j >= 0; j--) {
        const { key, positions } = version.edits[j] as Edit;
        inverse.push({ key, positions: map.get(key) });
        if (positions === undefined) map.delete(key);
        else map.set(key, positions);
      }
      root.map = undefined;
      root.next = version;
      root.edits = inverse;
      root.undo = undefined;
      version.map = map;
      version.next = undefined;
      version.edits = noEdits;
      root = version;
    }
    return map;
  }
}
