/**
 * Big collections go through a kept, derived index (resources.ts combined,
 * entry-index.ts, positions.ts); small ones through the plain scan of
 * entries.ts. Method: random programs of plus, minus and contains on
 * collections of over 512 entries (so that even one resource takes the
 * index), each applied to any collection made so far, the newest or an old
 * one whose index a later result was derived from, and checked entry by
 * entry, order included, against the plain scan run on the expected entries.
 * At the end every collection must still hold exactly what it held when made.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addEntry, entryOf, someEntryContains, subtractEntry, type ResourceEntry } from './entries.js';
import { normalizeResource } from './normalize.js';
import { isPersistentVolume } from './resource.js';
import { Resources } from './resources.js';
import { arbitraryResource } from './testing/arbitraries.js';
import { disk, dynamicReservation, mountSource, volume } from './testing/fixtures.js';
import type { Resource } from './types.js';

/** A collection with the entries the plain scan gives for the same program. */
interface Made {
  readonly resources: Resources;
  readonly expected: readonly ResourceEntry[];
}

// Through JSON, as the master gets them: objects of one shape keep the scan fast enough to be the oracle.
const sameShape = (resource: Resource): Resource => JSON.parse(JSON.stringify(resource)) as Resource;
const reservations = [dynamicReservation('eng', 'alice')];
const bulkVolume = (n: number): Resource =>
  sameShape(volume(1 + (n % 3), `bulk-${n}`, { reservations, principal: 'alice', shared: n % 7 === 0 }));
/** Enough distinct volumes that even a single resource is looked up through the index (resources.ts indexed). */
const bulk = Array.from({ length: 520 }, (_, n) => bulkVolume(n));
/** New volumes from a small pool: the same one added twice is two identical volumes, one position list of two. */
const extraVolume = (n: number): Resource => sameShape(volume(1, `extra-${n}`, { reservations, principal: 'alice' }));

function plainOf(list: readonly Resource[]): ResourceEntry[] {
  const entries: ResourceEntry[] = [];
  for (const resource of list) addEntry(entries, entryOf(normalizeResource(resource)));
  return entries;
}

/** Resources.contains on plain lists: a matched volume is used up. */
function plainContains(base: readonly ResourceEntry[], others: readonly ResourceEntry[]): boolean {
  const remaining = base.slice();
  for (const entry of others) {
    if (!someEntryContains(remaining, entry)) return false;
    if (isPersistentVolume(entry.resource)) subtractEntry(remaining, entry);
  }
  return true;
}

function plainCombined(base: readonly ResourceEntry[], others: readonly ResourceEntry[], operation: 'plus' | 'minus'): ResourceEntry[] {
  const entries = base.slice();
  for (const entry of others) (operation === 'plus' ? addEntry : subtractEntry)(entries, entry);
  return entries;
}

interface Step {
  readonly operation: 'plus' | 'minus' | 'contains';
  /** A collection of resources, one resource, or another collection made earlier. */
  readonly form: 'collection' | 'single' | 'made';
  readonly from: number;
  readonly other: number;
  /** Resources of the base's own entries (so that minus and contains find them). */
  readonly picks: readonly number[];
  readonly extras: readonly Resource[];
  readonly extraVolumes: readonly number[];
  /** Leave the extras out: a collection the base holds, but for the picks it holds fewer times than asked. */
  readonly picksOnly: boolean;
}

const arbitraryStep: fc.Arbitrary<Step> = fc.record({
  operation: fc.constantFrom('plus', 'minus', 'minus', 'contains'),
  form: fc.constantFrom('collection', 'collection', 'single', 'made'),
  from: fc.nat(),
  other: fc.nat(),
  // Small picks repeat: a volume asked for twice must be there twice.
  picks: fc.array(fc.oneof(fc.nat({ max: 6 }), fc.nat()), { maxLength: 24 }),
  extras: fc.array(arbitraryResource, { maxLength: 3 }),
  extraVolumes: fc.array(fc.nat({ max: 9 }), { maxLength: 3 }),
  picksOnly: fc.boolean(),
});

function start(seed: readonly Resource[]): Made[] {
  const all = Resources.of(bulk);
  expect(all.entries).toEqual(plainOf(bulk));
  const few = bulk.slice(0, 40);
  return [
    { resources: all, expected: all.entries.slice() },
    { resources: Resources.of(few), expected: plainOf(few) },
    { resources: Resources.of(seed), expected: plainOf(seed) },
    { resources: Resources.empty(), expected: [] },
  ];
}

/** Runs one step on `made` (the collections so far); returns the collection it made, if any. */
function run(step: Step, made: readonly Made[]): Made | undefined {
  const base = made[step.from % made.length] as Made;
  const list = [
    ...step.picks.flatMap((pick) => (base.expected.length === 0 ? [] : [(base.expected[pick % base.expected.length] as ResourceEntry).resource])),
    ...(step.picksOnly ? [] : [...step.extras, ...step.extraVolumes.map(extraVolume)]),
  ];
  let other: Resources | Resource;
  let others: readonly ResourceEntry[];
  if (step.form === 'made') {
    const chosen = made[step.other % made.length] as Made;
    other = chosen.resources;
    others = chosen.expected;
  } else if (step.form === 'single') {
    if (list.length === 0) return undefined;
    other = list[0] as Resource;
    others = plainOf([other]);
  } else {
    other = Resources.of(list);
    others = plainOf(list);
    expect(other.entries).toEqual(others);
  }
  const self = other === base.resources;
  if (step.operation === 'contains') {
    expect(base.resources.contains(other)).toBe(self || plainContains(base.expected, others));
    return undefined;
  }
  const resources = step.operation === 'plus' ? base.resources.plus(other) : base.resources.minus(other);
  const expected = step.operation === 'minus' && self ? [] : plainCombined(base.expected, others, step.operation);
  expect(resources.entries).toEqual(expected);
  return { resources, expected };
}

describe('resources: big collections through the kept index', () => {
  it('plus, minus and contains on any collection made so far equal the plain scan, order included', () => {
    fc.assert(
      fc.property(fc.array(arbitraryResource, { maxLength: 6 }), fc.array(arbitraryStep, { minLength: 1, maxLength: 20 }), (seed, steps) => {
        const made = start(seed);
        const madeAt = made.map((m) => m.expected.slice());
        for (const step of steps) {
          const result = run(step, made);
          if (result === undefined) continue;
          made.push(result);
          madeAt.push(result.expected.slice());
        }
        // Nothing derived later changed what an earlier collection holds or answers.
        made.forEach(({ resources }, i) => expect(resources.entries).toEqual(madeAt[i]));
        for (const { resources, expected } of made) expect(resources.contains(Resources.of(expected.map((entry) => entry.resource)))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps a chain of CREATE and DESTROY on a thousand volumes what the scan makes, old totals included', () => {
    let total = Resources.of(bulk);
    let expected: readonly ResourceEntry[] = total.entries.slice();
    const disk = Resources.of([sameShape({ name: 'disk', type: 'SCALAR', scalar: { value: 1 }, reservations })]);
    total = total.plus(Resources.of([sameShape({ name: 'disk', type: 'SCALAR', scalar: { value: 10_000 }, reservations })]));
    expected = plainCombined(expected, total.entries.slice(-1), 'plus');
    const history: Made[] = [{ resources: total, expected }];
    for (let n = 0; n < 400; n++) {
      // Mostly the newest total, as the master does; now and then an old one.
      const base = n % 50 === 49 ? (history[n % history.length] as Made) : (history[history.length - 1] as Made);
      const created = Resources.of([extraVolume(n % 30)]);
      const destroyed = Resources.of([bulkVolume(n % bulk.length)]);
      let resources = base.resources.minus(disk).plus(created);
      let entries = plainCombined(plainCombined(base.expected, disk.entries, 'minus'), created.entries, 'plus');
      expect(resources.contains(destroyed)).toBe(plainContains(entries, destroyed.entries));
      resources = resources.minus(destroyed).plus(disk);
      entries = plainCombined(plainCombined(entries, destroyed.entries, 'minus'), disk.entries, 'plus');
      expect(resources.entries).toEqual(entries);
      history.push({ resources, expected: entries });
    }
    for (const { resources, expected: entries } of history) expect(resources.entries).toEqual(entries);
  });

  it('uses up a matched volume in contains, without touching the kept index', () => {
    const all = Resources.of(bulk);
    const one = Resources.of([bulk[1] as Resource]);
    const twice = Resources.of([bulk[1] as Resource, bulk[1] as Resource]);
    expect(twice.size).toBe(2);
    expect(all.contains(one)).toBe(true);
    expect(all.contains(twice)).toBe(false);
    const doubled = all.plus(one);
    expect(doubled.contains(twice)).toBe(true);
    expect(all.contains(twice)).toBe(false);
    expect(doubled.minus(twice).contains(one)).toBe(false);
    expect(all.contains(one)).toBe(true);
  });

  it('does not use up anything but volumes in contains: a MOUNT disk held once contains two', () => {
    const mount = sameShape(disk(1024, { reservations, source: mountSource('/mnt/ssd0') }));
    const withMount = Resources.of([...bulk, mount]);
    const twice = Resources.of([mount, mount]);
    expect(twice.size).toBe(2);
    expect(withMount.contains(twice)).toBe(true);
    expect(withMount.minus(twice).contains(Resources.of([mount]))).toBe(false);
  });
});
