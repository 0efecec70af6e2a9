/**
 * Method: the wire form of one collection for each combination of the two
 * capabilities, against the single-resource formatting it caches; asking
 * twice gives equal lists that the caller may change without touching the
 * cache.
 */
import { describe, expect, it } from 'vitest';
import { Resources } from '../../resources/index.js';
import type { FrameworkCapability } from '../../protocol/mesos.js';
import { resourceForFramework, resourcesForFramework } from './resources-out.js';
import type { Framework } from './state.js';

function framework(capabilities: FrameworkCapability[]): Framework {
  return { capabilities: new Set(capabilities) } as unknown as Framework;
}

const resources = Resources.of([
  { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, reservations: [], allocation_info: { role: 'eng/fe' } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 64 }, reservations: [{ type: 'STATIC', role: 'eng' }], allocation_info: { role: 'eng/fe' } },
  {
    name: 'disk',
    type: 'SCALAR',
    scalar: { value: 8 },
    reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'p' }, { type: 'DYNAMIC', role: 'eng/fe' }],
    allocation_info: { role: 'eng/fe' },
  },
]);

describe('master: resources out', () => {
  const variants: FrameworkCapability[][] = [[], ['MULTI_ROLE'], ['RESERVATION_REFINEMENT'], ['MULTI_ROLE', 'RESERVATION_REFINEMENT']];
  for (const capabilities of variants) {
    it(`master: resources out: formats for a framework with [${capabilities.join(', ')}] as each resource alone`, () => {
      const target = framework(capabilities);
      const expected = resources.toList().flatMap((resource) => resourceForFramework(target, resource) ?? []);
      const first = resourcesForFramework(target, resources);
      expect(first).toEqual(expected);
      first.pop();
      expect(resourcesForFramework(target, resources)).toEqual(expected);
    });
  }

  it('master: resources out: leaves refined reservations out for frameworks without RESERVATION_REFINEMENT', () => {
    const names = resourcesForFramework(framework(['MULTI_ROLE']), resources).map((json) => json['name']);
    expect(names).toEqual(['cpus', 'mem']);
    const legacy = resourcesForFramework(framework([]), resources);
    expect(legacy[1]).toEqual({ name: 'mem', type: 'SCALAR', scalar: { value: 64 }, role: 'eng' });
  });
});
