/**
 * Resources: an immutable collection of resources with Mesos' merge, subtract
 * and containment semantics (spec/storage.md 1.7). Every method returns a new
 * collection and never mutates its inputs or the entries it shares with them.
 *
 * Hot paths (plus, minus, contains, key) work on agents with a handful of
 * entries many thousands of times per allocation cycle: they copy the entry
 * array once and edit it in place, and derived values are cached lazily.
 *
 * Big collections (an agent with a thousand volumes) are edited through an
 * index by metadata (entry-index.ts), kept with the collection once built:
 * a sum or difference derives its own index from its base's, so a chain
 * `total.minus(consumed).plus(converted)` costs a copy of the entry array
 * and the work on `consumed` and `converted`, not a thousand lookups.
 */
import { assert } from '../lib/assert.js';
import { err, ok, type Result } from '../lib/result.js';
import { fromFixed } from './fixed.js';
import {
  addEntry,
  entryOf,
  someEntryContains,
  subtractEntry,
  type ResourceEntry,
} from './entries.js';
import { entriesFingerprint } from './fingerprint.js';
import { EntryIndex } from './entry-index.js';
import { ResourceQuantities } from './quantities.js';
import {
  allocateResource,
  isAllocatableTo,
  isPersistentVolume,
  isReservedFor,
  isReserved,
  isRevocable,
  isShared,
  isUnreserved,
  popReservation,
  pushReservation,
  reservationRole,
  toUnreservedResource,
  unallocateResource,
} from './resource.js';
import { entryToString } from './resource-string.js';
import { DerivedViews, kindRefined, kindRevocable, kindShared, kindsOf, scalarSumsOf } from './derived.js';
import { normalizeResource } from './normalize.js';
import { parseResourcesString } from './parse.js';
import { validateWireResource } from './validate.js';
import type { ReservationInfo, Resource } from './types.js';

/**
 * What an operation does to resources: take `consumed`, give back `converted`,
 * then let `postValidation` veto the result (an error text, or undefined).
 */
export interface ResourceConversion {
  readonly consumed: Resources;
  readonly converted: Resources;
  readonly postValidation?: (result: Resources) => string | undefined;
}

export class Resources {
  private static readonly emptyInstance = new Resources([]);

  private keyCache: string | undefined;
  private listCache: readonly Resource[] | undefined;
  private quantitiesCache: ResourceQuantities | undefined;
  /** Lookups only (frozen): over `entries`, which never change. */
  private indexCache: EntryIndex | undefined;
  private views: DerivedViews | undefined;

  private derived(): DerivedViews {
    this.views ??= new DerivedViews();
    return this.views;
  }

  /** Entries obey the invariants of entries.ts: non-empty, pairwise not addable. */
  private constructor(readonly entries: readonly ResourceEntry[]) {}

  static empty(): Resources {
    return Resources.emptyInstance;
  }

  /** Adds each resource in turn; invalid (spec 1.3) and empty resources are silently skipped. */
  static of(resources: Iterable<Resource>): Resources {
    const added: ResourceEntry[] = [];
    for (const resource of resources) {
      if (validateWireResource(resource) === undefined) added.push(entryOf(normalizeResource(resource)));
    }
    return Resources.emptyInstance.combined(added, 'add');
  }

  /**
   * Test and tooling convenience: the agent flag syntax (JSON array or text form)
   * without the command-line restrictions. Throws on error; code handling input
   * uses parseResourcesString or parseAgentResourcesFlag (parse.ts), which return a Result.
   */
  static parse(text: string, defaultRole = '*'): Resources {
    const parsed = parseResourcesString(text, defaultRole);
    if (!parsed.ok) throw new Error(parsed.error);
    return Resources.of(parsed.value);
  }

  /** For this module only: entries that already obey the invariants of entries.ts. */
  static ofEntries(entries: readonly ResourceEntry[]): Resources {
    return Resources.fromEntries(entries);
  }

  private static fromEntries(entries: readonly ResourceEntry[]): Resources {
    return entries.length === 0 ? Resources.emptyInstance : new Resources(entries);
  }

  get size(): number {
    return this.entries.length;
  }

  isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Every resource; a shared resource appears once per copy held, so Resources.of(toList()) is equal. */
  toList(): readonly Resource[] {
    if (this.listCache === undefined) {
      const list: Resource[] = [];
      for (const { resource, count } of this.entries) for (let i = 0; i < count; i++) list.push(resource);
      this.listCache = list;
    }
    return this.listCache;
  }

  /** Every entry's resource once, shared copies collapsed (what Mesos puts in a repeated field). */
  toDistinctList(): Resource[] {
    return this.entries.map((entry) => entry.resource);
  }

  plus(other: Resources | Resource): Resources {
    if (other instanceof Resources) {
      if (other.entries.length === 0) return this;
      if (this.entries.length === 0) return other;
      return this.combined(other.entries, 'add');
    }
    if (validateWireResource(other) !== undefined) return this;
    return this.combined([entryOf(normalizeResource(other))], 'add');
  }

  /** Removes what it can; over-subtraction silently drops entries (check `contains` first when it matters). */
  minus(other: Resources | Resource): Resources {
    if (this.entries.length === 0) return this;
    if (other instanceof Resources) {
      if (other.entries.length === 0) return this;
      // Each entry takes away itself or an equal one, leaving nothing (an agent offered whole).
      if (other === this) return Resources.emptyInstance;
      return this.combined(other.entries, 'subtract');
    }
    if (validateWireResource(other) !== undefined) return this;
    return this.combined([entryOf(normalizeResource(other))], 'subtract');
  }

  /**
   * Every entry of `other` fits in one entry here. A matched volume is used up
   * (two identical volumes need two here); other resources are not, as upstream.
   */
  contains(other: Resources | Resource): boolean {
    if (!(other instanceof Resources)) {
      if (validateWireResource(other) !== undefined) return false;
      const entry = entryOf(normalizeResource(other));
      return indexed(this.entries.length, 1) ? this.entryIndex().someContains(entry) : someEntryContains(this.entries, entry);
    }
    if (other === this || other.entries.length === 0) return true;
    if (indexed(this.entries.length, other.entries.length)) return this.entryIndex().containsEach(other.entries);
    let remaining: ResourceEntry[] | undefined;
    for (const entry of other.entries) {
      if (!someEntryContains(remaining ?? this.entries, entry)) return false;
      if (isPersistentVolume(entry.resource)) {
        remaining ??= this.entries.slice();
        subtractEntry(remaining, entry);
      }
    }
    return true;
  }

  /** Mutual containment; `key()` agrees with it. */
  equals(other: Resources): boolean {
    if (other === this) return true;
    if (this.keyCache !== undefined && other.keyCache !== undefined) return this.keyCache === other.keyCache;
    return this.contains(other) && other.contains(this);
  }

  /** A canonical fingerprint, cached: `a.key() === b.key()` exactly when `a.equals(b)`. */
  key(): string {
    this.keyCache ??= entriesFingerprint(this.entries);
    return this.keyCache;
  }

  filter(predicate: (resource: Resource) => boolean): Resources {
    const kept = this.entries.filter((entry) => predicate(entry.resource));
    return kept.length === this.entries.length ? this : Resources.fromEntries(kept);
  }

  /** Rewrites every resource and merges entries that became addable. */
  private map(transform: (resource: Resource) => Resource): Resources {
    const transformed = this.entries.map(({ resource, count }) => ({ resource: transform(resource), count }));
    return Resources.emptyInstance.combined(transformed, 'add');
  }

  /**
   * Moves every entry to one allocation role (or none). When the entries share
   * one allocation role already, they stay pairwise not addable (two resources
   * are addable only with equal allocation roles, and every role changes
   * alike), so the result is entry for entry, with no merging to look for.
   */
  private reallocated(transform: (resource: Resource) => Resource): Resources {
    const first = this.entries[0]?.resource.allocation_info?.role;
    if (!this.entries.every((entry) => entry.resource.allocation_info?.role === first)) return this.map(transform);
    return Resources.fromEntries(this.entries.map(({ resource, count }) => ({ resource: transform(resource), count })));
  }

  allocate(role: string): Resources {
    const views = this.derived();
    views.allocated ??= new Map();
    let allocated = views.allocated.get(role);
    if (allocated === undefined) {
      allocated = this.entries.every((entry) => entry.resource.allocation_info?.role === role)
        ? this
        : this.reallocated((resource) => allocateResource(resource, role));
      views.allocated.set(role, allocated);
      // Unallocating gives back exactly this collection: the same entries, in the
      // same order, each resource with the same fields. Handing back this very
      // instance keeps its caches (key, views) warm when an offer is declined.
      if (allocated !== this && this.entries.every((entry) => entry.resource.allocation_info === undefined)) {
        allocated.derived().unallocated ??= this;
      }
    }
    return allocated;
  }

  unallocate(): Resources {
    const views = this.derived();
    views.unallocated ??= this.entries.every((entry) => entry.resource.allocation_info === undefined) ? this : this.reallocated(unallocateResource);
    return views.unallocated;
  }

  /** Grouped by allocation role; every resource must be allocated (a programmer error otherwise). Do not mutate. */
  allocations(): ReadonlyMap<string, Resources> {
    const views = this.derived();
    views.allocations ??= this.groupByAllocation();
    return views.allocations;
  }

  private groupByAllocation(): ReadonlyMap<string, Resources> {
    const first = this.entries[0]?.resource.allocation_info?.role;
    if (first !== undefined && this.entries.every((entry) => entry.resource.allocation_info?.role === first)) {
      return new Map([[first, this]]);
    }
    return this.groupBy((resource) => {
      assert(resource.allocation_info !== undefined, `allocations() of unallocated resource '${resource.name}'`);
      return resource.allocation_info.role;
    });
  }

  /** Reserved resources; with a role, only those whose current reservation is exactly that role. */
  reserved(role?: string): Resources {
    return role === undefined ? this.filter(isReserved) : this.filter((resource) => isReservedFor(resource, role));
  }

  unreserved(): Resources {
    const views = this.derived();
    views.unreserved ??= this.filter(isUnreserved);
    return views.unreserved;
  }

  /** Reserved resources grouped by their current reservation's role. Do not mutate. */
  reservations(): ReadonlyMap<string, Resources> {
    const views = this.derived();
    views.reservations ??= this.groupBy((resource) => (isReserved(resource) ? reservationRole(resource) : undefined));
    return views.reservations;
  }

  allocatableTo(role: string): Resources {
    const views = this.derived();
    views.allocatableTo ??= new Map();
    let allocatable = views.allocatableTo.get(role);
    if (allocatable === undefined) {
      allocatable = this.filter((resource) => isAllocatableTo(resource, role));
      views.allocatableTo.set(role, allocatable);
    }
    return allocatable;
  }

  nonShared(): Resources {
    const views = this.derived();
    views.nonShared ??= this.filter((resource) => !isShared(resource));
    return views.nonShared;
  }

  shared(): Resources {
    const views = this.derived();
    views.shared ??= this.filter(isShared);
    return views.shared;
  }

  persistentVolumes(): Resources {
    return this.filter(isPersistentVolume);
  }

  revocable(): Resources {
    return this.filter(isRevocable);
  }

  nonRevocable(): Resources {
    return this.filter((resource) => !isRevocable(resource));
  }

  scalars(): Resources {
    return this.filter((resource) => resource.type === 'SCALAR');
  }

  nonScalars(): Resources {
    return this.filter((resource) => resource.type !== 'SCALAR');
  }

  /** Pushes `reservation` on every stack; each must stay valid (a programmer error otherwise). */
  pushReservation(reservation: ReservationInfo): Resources {
    return this.map((resource) => pushReservation(resource, reservation));
  }

  /** Pops the top reservation of every resource; all must be reserved. */
  popReservation(): Resources {
    return this.map(popReservation);
  }

  toUnreserved(): Resources {
    if (this.entries.every((entry) => isUnreserved(entry.resource))) return this;
    return this.map(toUnreservedResource);
  }

  names(): Set<string> {
    return new Set(this.entries.map((entry) => entry.resource.name));
  }

  get(name: string): Resources {
    return this.filter((resource) => resource.name === name);
  }

  /** The sum of scalar resources called `name` (fixed-point exact); 0 when there are none. */
  scalarValue(name: string): number {
    return fromFixed(this.scalarSums().get(name) ?? 0);
  }

  /**
   * Per name, the sum of its scalar resources in thousandths (cached; do not
   * mutate). Names in entry order; a shared resource counts once, not per copy.
   */
  scalarSums(): ReadonlyMap<string, number> {
    const views = this.derived();
    views.scalarSums ??= scalarSumsOf(this.entries);
    return views.scalarSums;
  }

  /** Some resource is revocable (cached, like hasShared and hasRefinedReservations). */
  hasRevocable(): boolean {
    return (this.kinds() & kindRevocable) !== 0;
  }

  hasShared(): boolean {
    return (this.kinds() & kindShared) !== 0;
  }

  /** Some resource has a reservation stack of more than one level. */
  hasRefinedReservations(): boolean {
    return (this.kinds() & kindRefined) !== 0;
  }

  private kinds(): number {
    const views = this.derived();
    views.kinds ??= kindsOf(this.entries);
    return views.kinds;
  }

  /** Quantities per name (cached): scalar sums, integers in ranges, set items. */
  quantities(): ResourceQuantities {
    this.quantitiesCache ??= ResourceQuantities.fromResources(this);
    return this.quantitiesCache;
  }

  /**
   * Applies conversions in order. Each must find its `consumed` resources
   * ("<this> does not contain <consumed>") and pass its post-validation.
   */
  apply(conversions: readonly ResourceConversion[]): Result<Resources, string> {
    let result: Resources = this;
    for (const conversion of conversions) {
      if (!result.contains(conversion.consumed)) {
        return err(`${result.toString()} does not contain ${conversion.consumed.toString()}`);
      }
      result = result.minus(conversion.consumed).plus(conversion.converted);
      const error = conversion.postValidation?.(result);
      if (error !== undefined) return err(error);
    }
    return ok(result);
  }

  /** "cpus:4; mem:2048; disk(reservations: [(STATIC,eng)])[pv:data]<SHARED>:64<2>", or "{}". */
  toString(): string {
    if (this.entries.length === 0) return '{}';
    return this.entries.map((entry) => entryToString(entry.resource, entry.count)).join('; ');
  }

  /** `this` with each of `others` added or subtracted in turn (entries.ts semantics). */
  private combined(others: readonly ResourceEntry[], operation: 'add' | 'subtract'): Resources {
    if (!indexed(this.entries.length, others.length)) {
      const entries = this.entries.slice();
      for (const entry of others) (operation === 'add' ? addEntry : subtractEntry)(entries, entry);
      return Resources.fromEntries(entries);
    }
    // The base lends its index (built once, then kept) when it has one, or when
    // it is big next to `others`; otherwise indexing a copy afresh costs no
    // more than applying `others`, and leaves the base as it was.
    const lends = this.indexCache !== undefined || 2 * others.length < this.entries.length;
    const index = lends ? this.entryIndex().derive(others.length) : new EntryIndex(this.entries.slice());
    for (const entry of others) {
      if (operation === 'add') index.add(entry);
      else index.subtract(entry);
    }
    if (index.entries.length === 0) return Resources.emptyInstance;
    const result = new Resources(index.entries);
    result.indexCache = index.freeze();
    return result;
  }

  private entryIndex(): EntryIndex {
    this.indexCache ??= EntryIndex.frozenOver(this.entries);
    return this.indexCache;
  }

  private groupBy(group: (resource: Resource) => string | undefined): Map<string, Resources> {
    const grouped = new Map<string, ResourceEntry[]>();
    for (const entry of this.entries) {
      const name = group(entry.resource);
      if (name === undefined) continue;
      const list = grouped.get(name);
      if (list === undefined) grouped.set(name, [entry]);
      else list.push(entry);
    }
    const result = new Map<string, Resources>();
    for (const [name, entries] of grouped) result.set(name, Resources.fromEntries(entries));
    return result;
  }
}

/**
 * Scanning `base` for each of `others` costs their product; past this, an
 * index by metadata (entry-index.ts) is cheaper than the scan. Agents' usual
 * handful of entries never reach it, so the allocator's hot path stays a scan.
 */
const indexedProductMin = 512;

function indexed(baseSize: number, othersSize: number): boolean {
  return (baseSize + othersSize) * othersSize > indexedProductMin;
}
