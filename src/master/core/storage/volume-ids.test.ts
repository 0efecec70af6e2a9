/**
 * The persistence ids kept with an agent's total: an operation's new total
 * derives them from its predecessor's, and they must be exactly what reading
 * every volume of the new total gives (CREATE, DESTROY, GROW).
 */
import { describe, expect, it } from 'vitest';
import { Resources, type Resource } from '../../../resources/index.js';
import { volumeKey } from '../operations/index.js';
import { deriveVolumeIds, volumeIdsOf } from './volume-ids.js';

function disk(size: number, id?: string): Resource {
  return {
    name: 'disk',
    type: 'SCALAR',
    scalar: { value: size },
    reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }],
    ...(id !== undefined ? { disk: { persistence: { id, principal: 'ops' }, volume: { container_path: 'data', mode: 'RW' } } } : {}),
  } as Resource;
}

/** `total` with `consumed` taken and `converted` given, its ids derived; checked against reading them afresh. */
function convert(total: Resources, consumed: Resource[], converted: Resource[]): Resources {
  const removed = Resources.of(consumed);
  const added = Resources.of(converted);
  const next = total.minus(removed).plus(added);
  deriveVolumeIds(total, next, removed, added);
  const derived = [...volumeIdsOf(next)].sort();
  const fresh = next.persistentVolumes().toDistinctList().map(volumeKey).sort();
  expect(derived).toEqual(fresh);
  return next;
}

describe('master: persistence ids kept with an agent total', () => {
  it('follow CREATE, GROW and DESTROY exactly', () => {
    let total = Resources.of([disk(1000), disk(10, 'pv-0')]);
    expect([...volumeIdsOf(total)]).toEqual([volumeKey(disk(10, 'pv-0'))]);
    total = convert(total, [disk(10)], [disk(10, 'pv-1')]);
    total = convert(total, [disk(10, 'pv-1'), disk(5)], [disk(15, 'pv-1')]);
    total = convert(total, [disk(10, 'pv-0')], [disk(10)]);
    expect([...volumeIdsOf(total)]).toEqual([volumeKey(disk(15, 'pv-1'))]);
  });
});
