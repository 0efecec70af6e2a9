/**
 * Method: examples of quantity arithmetic and parsing (Mesos resource_quantities
 * and the min_allocatable_resources flag), plus properties of plus/minus/contains
 * over generated fixed-point amounts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseMinAllocatable, ResourceQuantities } from './quantities.js';
import { Resources } from './resources.js';
import { ranges, scalar, set, volume } from './testing/fixtures.js';

function parsed(text: string): ResourceQuantities {
  const result = ResourceQuantities.parse(text);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const arbitraryQuantities = fc
  .array(fc.tuple(fc.constantFrom('cpus', 'mem', 'ports'), fc.integer({ min: 0, max: 1_000_000 })), { maxLength: 5 })
  .map((amounts) => ResourceQuantities.fromEntries(amounts));

describe('resources: quantities', () => {
  it('resources: quantities: count scalar values, range integers and set items over all metadata', () => {
    const quantities = ResourceQuantities.fromResources(
      Resources.of([
        scalar('cpus', 1.5),
        scalar('cpus', 0.5, { role: 'eng' }),
        ranges('ports', [{ begin: 1, end: 10 }, { begin: 21, end: 25 }]),
        set('gpus', ['a', 'b', 'c']),
        volume(64, 'pv', { shared: true }),
      ]),
    );
    expect(quantities.entries()).toEqual([
      ['cpus', 2000],
      ['disk', 64000],
      ['gpus', 3000],
      ['ports', 15000],
    ]);
    expect(ResourceQuantities.fromEntries(quantities.entries()).equals(quantities)).toBe(true);
    expect(quantities.get('cpus')).toBe(2);
    expect(quantities.fixed('ports')).toBe(15_000);
    expect(quantities.get('mem')).toBe(0);
  });

  it('resources: quantities: parse names and values, drop zeros and add repeated names', () => {
    expect(parsed('cpus:0.01; mem:32').toString()).toBe('cpus:0.01; mem:32');
    expect(parsed(' mem : 1 ;cpus:0;mem:2').toString()).toBe('mem:3');
    expect(parsed('').isEmpty()).toBe(true);
    expect(parsed('').toString()).toBe('{}');
  });

  it.each([
    ['cpus', "Failed to parse 'cpus': missing or extra ':'"],
    ['cpus:1:2', "Failed to parse 'cpus:1:2': missing or extra ':'"],
    ['cpus:[1-2', "Failed to parse '[1-2' to quantity: Mismatched brackets"],
    ['ports:[1-2]', "Failed to parse '[1-2]' to quantity: only scalar values are allowed"],
    ['cpus:-1', "Failed to parse '-1' to quantity: only scalar values are allowed"],
  ])('resources: quantities: parse refuses %j', (text, error) => {
    expect(ResourceQuantities.parse(text)).toEqual({ ok: false, error });
  });

  it('resources: quantities: minus floors at zero and drops emptied names', () => {
    const left = parsed('cpus:2;mem:10');
    expect(left.minus(parsed('cpus:3;mem:4;disk:1')).toString()).toBe('mem:6');
    expect(left.plus(parsed('disk:1;cpus:0.1')).toString()).toBe('cpus:2.1; disk:1; mem:10');
  });

  it('resources: quantities: containment compares every name of the other side', () => {
    expect(parsed('cpus:2;mem:10').contains(parsed('cpus:2'))).toBe(true);
    expect(parsed('cpus:2;mem:10').contains(parsed('cpus:2.001'))).toBe(false);
    expect(parsed('cpus:2').contains(parsed('mem:1'))).toBe(false);
    expect(parsed('cpus:2').contains(ResourceQuantities.empty())).toBe(true);
  });

  it('resources: quantities: (a + b) - b = a, a + b contains a, and a - b never has zero entries', () => {
    fc.assert(
      fc.property(arbitraryQuantities, arbitraryQuantities, (a, b) => {
        expect(a.plus(b).minus(b).equals(a)).toBe(true);
        expect(a.plus(b).contains(a)).toBe(true);
        expect(a.plus(b).equals(b.plus(a))).toBe(true);
        for (const [, amount] of a.minus(b).entries()) expect(amount).toBeGreaterThan(0);
        for (const [name, amount] of a.minus(b).entries()) expect(amount).toBe(a.fixed(name) - b.fixed(name));
      }),
    );
  });

  it('resources: quantities: min allocatable is an OR of AND-sets', () => {
    const result = parseMinAllocatable('cpus:0.01|mem:32');
    expect(result.ok && result.value.map(String)).toEqual(['cpus:0.01', 'mem:32']);
    const combined = parseMinAllocatable('disk:1|cpus:1;mem:32;ports:1');
    expect(combined.ok && combined.value.map(String)).toEqual(['disk:1', 'cpus:1; mem:32; ports:1']);
    expect(parseMinAllocatable('')).toEqual({ ok: true, value: [] });
    expect(parseMinAllocatable('cpus:1|mem')).toEqual({
      ok: false,
      error: "Error parsing min_allocatable_resources 'cpus:1|mem': Failed to parse 'mem': missing or extra ':'",
    });
  });
});
