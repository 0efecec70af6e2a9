/**
 * Method: one (agent, role) with filters of a few frameworks, checked against
 * the rule they implement: a framework is filtered from a candidate exactly
 * when one of its filters contains the candidate; coverage bits describe the
 * prepared base.
 */
import { describe, expect, it } from 'vitest';
import { Resources } from '../../resources/index.js';
import { RoleFilters, type RefusedFilter } from './filters.js';

function filter(frameworkIndex: number, refused: string): RefusedFilter {
  return {
    frameworkIndex,
    frameworkId: `f${frameworkIndex}`,
    agentId: 'a0',
    role: '*',
    refused: Resources.parse(refused),
    expiresAtMs: 1000,
    removed: false,
  };
}

describe('allocator: role filters', () => {
  it('allocator: role filters: filter a candidate only for a framework that refused all of it', () => {
    const filters = new RoleFilters();
    const whole = filter(3, 'cpus:4;mem:1024');
    filters.add(whole);
    filters.add(filter(40, 'cpus:1'));
    expect(filters.filters(3, Resources.parse('cpus:2;mem:512'))).toBe(true);
    expect(filters.filters(40, Resources.parse('cpus:1'))).toBe(true);
    expect(filters.filters(40, Resources.parse('cpus:1;mem:1'))).toBe(false);
    expect(filters.filters(7, Resources.parse('cpus:1'))).toBe(false);
    filters.remove(whole);
    expect(filters.filters(3, Resources.parse('cpus:2;mem:512'))).toBe(false);
    expect(filters.size).toBe(1);
  });

  it('allocator: role filters: coverage follows the base, whether it changes by identity or by value', () => {
    const filters = new RoleFilters();
    filters.add(filter(1, 'cpus:4;mem:1024'));
    filters.add(filter(2, 'cpus:1'));
    const base = Resources.parse('cpus:4;mem:1024');
    filters.prepare(base);
    expect([filters.covers(1), filters.covers(2), filters.covers(3)]).toEqual([true, false, false]);
    const active = new Uint32Array([0b110]);
    expect(filters.coversAll(active, 2)).toBe(false);
    filters.add(filter(2, 'cpus:8;mem:2048'));
    expect(filters.covers(2)).toBe(true);
    expect(filters.coversAll(active, 2)).toBe(true);
    // An equal base (another instance) keeps the bits; a different one recomputes them.
    filters.prepare(Resources.parse('mem:1024;cpus:4'));
    expect(filters.covers(1)).toBe(true);
    filters.prepare(Resources.parse('cpus:6'));
    expect([filters.covers(1), filters.covers(2)]).toEqual([false, true]);
  });
});
