/**
 * Persistent positions (positions.ts): every version must read as the plain
 * Map it was when built, however the root moved since. Property tests derive
 * versions from random older ones, edit them, copy them, and read any of
 * them again, against a snapshot of each; small families run out of room
 * within one run, so copies and exhausted families are exercised too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PositionsVersion } from './positions.js';

type Snapshot = ReadonlyMap<string, readonly number[]>;

const keys = ['a', 'b', 'c', 'd', 'e', 'f'];

type Step =
  | { readonly kind: 'derive'; readonly from: number; readonly edits: readonly (readonly [number, number | undefined])[] }
  | { readonly kind: 'copy' | 'read'; readonly from: number };

const arbitraryStep: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('derive' as const),
      from: fc.nat(),
      edits: fc.array(fc.tuple(fc.nat({ max: keys.length - 1 }), fc.option(fc.nat({ max: 50 }), { nil: undefined })), { maxLength: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('copy' as const, 'read' as const), from: fc.nat() }) },
);

function expectReads(version: PositionsVersion, snapshot: Snapshot): void {
  for (const key of keys) expect(version.get(key)).toEqual(snapshot.get(key));
  expect(version.size).toBe(snapshot.size);
}

describe('resources: positions', () => {
  it('reads every version as it was built, after any derivation, edit or copy of any other', () => {
    fc.assert(
      fc.property(fc.array(arbitraryStep, { maxLength: 80 }), (steps) => {
        const versions: PositionsVersion[] = [PositionsVersion.of(new Map([['a', [0]]]))];
        const snapshots: Snapshot[] = [new Map([['a', [0]]])];
        for (const step of steps) {
          const at = step.from % versions.length;
          const version = versions[at] as PositionsVersion;
          const snapshot = snapshots[at] as Snapshot;
          if (step.kind === 'read') {
            expectReads(version, snapshot);
            continue;
          }
          const next = step.kind === 'copy' ? version.copy() : version.derive();
          const expected = new Map(snapshot);
          if (step.kind === 'derive') {
            for (const [key, position] of step.edits) {
              const name = keys[key] as string;
              const list = position === undefined ? undefined : [...(expected.get(name) ?? []), position];
              next.set(name, list);
              if (list === undefined) expected.delete(name);
              else expected.set(name, list);
            }
          }
          versions.push(next);
          snapshots.push(expected);
        }
        versions.forEach((version, i) => expectReads(version, snapshots[i] as Snapshot));
      }),
      { numRuns: 300 },
    );
  });

  it('lets only the version being built be edited', () => {
    const base = PositionsVersion.of(new Map());
    const child = base.derive();
    child.set('a', [0]);
    expect(() => base.set('a', [1])).toThrow(/root/);
    expect(base.get('a')).toBeUndefined();
    expect(child.get('a')).toEqual([0]);
  });

  it('closes a family after its budget of edits, and keeps old versions readable', () => {
    const first = PositionsVersion.of(new Map());
    let version = first;
    let room = 0;
    while (version.hasRoomFor(1)) {
      version = version.derive();
      version.set(`k${room}`, [room]);
      room++;
    }
    // The budget is the map's size plus 64 edits, each version counting as one:
    // here each version adds a key and costs two edits.
    expect(room).toBe(63);
    expect(first.size).toBe(0);
    expect(version.size).toBe(room);
    expect(version.copy().hasRoomFor(1)).toBe(true);
  });
});
