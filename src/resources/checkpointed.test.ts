/**
 * Method: the agent restart example of spec 3.2 and one case per kind of
 * checkpointed resource (dynamic reservation, refined, volume on ROOT/PATH/MOUNT,
 * shared volume), including the incompatible flag change.
 */
import { describe, expect, it } from 'vitest';
import { applyCheckpointedResources } from './checkpointed.js';
import { Resources } from './resources.js';
import { disk, dynamicReservation, mountSource, pathSource, scalar, staticReservation, volume } from './testing/fixtures.js';
import type { Resource } from './types.js';

const dynamic = (resource: Resource): Resource => ({ ...resource, reservations: [...resource.reservations, dynamicReservation('eng', 'alice')] });

function totalOf(declared: Resources, checkpointed: Resource[]): Resources | string {
  const result = applyCheckpointedResources(declared, Resources.of(checkpointed));
  return result.ok ? result.value : result.error;
}

describe('resources: checkpointed resources', () => {
  const checkpointed = [dynamic(scalar('cpus', 8)), dynamic(scalar('mem', 2048))];

  it('resources: checkpointed resources: replace the declared resources they were made from', () => {
    const total = totalOf(Resources.parse('cpus:12;mem:2048'), checkpointed);
    expect(total instanceof Resources && total.toString()).toBe(
      'cpus:4; cpus(reservations: [(DYNAMIC,eng,alice)]):8; mem(reservations: [(DYNAMIC,eng,alice)]):2048',
    );
  });

  it('resources: checkpointed resources: fail when the declared resources shrank below them', () => {
    expect(totalOf(Resources.parse('cpus:4;mem:2048'), checkpointed)).toBe('Incompatible agent resources: cpus:4; mem:2048 does not contain cpus:8');
  });

  it('resources: checkpointed resources: keep a static bottom reservation under a dynamic refinement', () => {
    const refined = { ...scalar('cpus', 2, { role: 'eng' }), reservations: [staticReservation('eng'), dynamicReservation('eng/fe')] };
    const total = totalOf(Resources.parse('cpus(eng):3'), [refined]);
    expect(total instanceof Resources && total.reserved('eng').scalarValue('cpus')).toBe(1);
    expect(totalOf(Resources.parse('cpus:3'), [refined])).toContain('does not contain cpus(reservations: [(STATIC,eng)]):2');
  });

  it('resources: checkpointed resources: volumes come from ROOT, PATH and MOUNT disks', () => {
    const declared = Resources.of([scalar('disk', 100), disk(200, { source: pathSource('/p') }), disk(300, { source: mountSource('/m') })]);
    const volumes = [
      dynamic(volume(40, 'root', { reservations: [] })),
      dynamic(volume(50, 'path', { reservations: [], source: pathSource('/p') })),
      dynamic(volume(300, 'mount', { reservations: [], source: mountSource('/m') })),
    ];
    const total = totalOf(declared, volumes);
    expect(total instanceof Resources && total.persistentVolumes().size).toBe(3);
    expect(total instanceof Resources && total.unreserved().scalarValue('disk')).toBe(60 + 150);
  });

  it('resources: checkpointed resources: a volume on a statically reserved disk keeps the static reservation', () => {
    const total = totalOf(Resources.parse('disk(eng):100'), [volume(100, 'pv', { role: 'eng' })]);
    expect(total instanceof Resources && total.toString()).toBe('disk(reservations: [(STATIC,eng)])[pv:data]:100');
  });

  it('resources: checkpointed resources: a shared volume is traced to unshared disk', () => {
    const total = totalOf(Resources.parse('disk:100'), [dynamic(volume(100, 'pv', { reservations: [], shared: true }))]);
    expect(total instanceof Resources && total.shared().size).toBe(1);
  });

  it('resources: checkpointed resources: a MOUNT volume needs the whole declared MOUNT disk', () => {
    const declared = Resources.of([disk(300, { source: mountSource('/m') })]);
    const partial = dynamic(volume(100, 'pv', { reservations: [], source: mountSource('/m') }));
    expect(totalOf(declared, [partial])).toContain('does not contain');
  });

  it('resources: checkpointed resources: refuse resources that are not checkpointed', () => {
    expect(totalOf(Resources.parse('cpus:1'), [scalar('cpus', 1, { role: 'eng' })])).toBe(
      'Unexpected checkpointed resources cpus(reservations: [(STATIC,eng)]):1',
    );
  });
});
