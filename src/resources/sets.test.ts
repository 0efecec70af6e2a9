/** Method: set operations checked against JavaScript Set semantics on small item pools. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addSets, findDuplicateItem, formatSet, setContains, setsEqual, subtractSets } from './sets.js';

const items = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'));

describe('resources: sets', () => {
  it('resources: sets: addition keeps left order and appends the missing right items', () => {
    expect(addSets(['b', 'a'], ['c', 'a'])).toEqual(['b', 'a', 'c']);
  });

  it('resources: sets: subtraction, containment and equality follow set semantics', () => {
    fc.assert(
      fc.property(items, items, (left, right) => {
        expect(new Set(subtractSets(left, right))).toEqual(new Set(left.filter((i) => !right.includes(i))));
        expect(setContains(left, right)).toBe(right.every((i) => left.includes(i)));
        expect(setsEqual(left, right)).toBe(setContains(left, right) && setContains(right, left));
        expect(findDuplicateItem(addSets(left, right))).toBeUndefined();
      }),
    );
  });

  it('resources: sets: equality ignores order', () => {
    expect(setsEqual(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(setsEqual(['a', 'b'], ['a', 'c'])).toBe(false);
  });

  it('resources: sets: finds duplicates and prints as Mesos does', () => {
    expect(findDuplicateItem(['a', 'b', 'a'])).toBe('a');
    expect(formatSet(['gpu0', 'gpu1'])).toBe('{gpu0, gpu1}');
  });
});
