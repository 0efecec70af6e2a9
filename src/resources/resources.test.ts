/**
 * Method: the examples of spec 1.7 and Mesos' resources_tests as unit cases on
 * the collection, one behaviour per test. Laws over generated collections are
 * in resources.properties.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../lib/assert.js';
import { fromFixed } from './fixed.js';
import { Resources } from './resources.js';
import {
  disk,
  dynamicReservation,
  labels,
  mountSource,
  pathSource,
  ranges,
  scalar,
  set,
  staticReservation,
  volume,
} from './testing/fixtures.js';
import type { Resource } from './types.js';

const of = (...list: Resource[]): Resources => Resources.of(list);

describe('resources: collection: merging', () => {
  it('resources: collection: merging: cpus:4 and cpus:2 make one cpus:6', () => {
    const total = Resources.parse('cpus:4;cpus:2');
    expect(total.size).toBe(1);
    expect(total.toString()).toBe('cpus:6');
  });

  it('resources: collection: merging: two RESERVEs with the same role, principal and labels merge', () => {
    const reserve = () => scalar('cpus', 2, { reservations: [dynamicReservation('eng', 'alice', labels({ k: 'v' }))] });
    const total = of(reserve(), reserve());
    expect(total.size).toBe(1);
    expect(total.scalarValue('cpus')).toBe(4);
  });

  it('resources: collection: merging: labels in another order still merge', () => {
    const first = scalar('cpus', 2, { reservations: [dynamicReservation('eng', 'alice', labels({ a: '1', b: '2' }))] });
    const second = scalar('cpus', 2, { reservations: [dynamicReservation('eng', 'alice', { labels: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] })] });
    expect(of(first, second).size).toBe(1);
  });

  it('resources: collection: merging: different labels or principal stay separate', () => {
    const base = scalar('cpus', 2, { reservations: [dynamicReservation('eng', 'alice', labels({ k: 'v' }))] });
    expect(of(base, scalar('cpus', 2, { reservations: [dynamicReservation('eng', 'alice', labels({ k: 'w' }))] })).size).toBe(2);
    expect(of(base, scalar('cpus', 2, { reservations: [dynamicReservation('eng', 'bob', labels({ k: 'v' }))] })).size).toBe(2);
  });

  it('resources: collection: merging: PATH disks with different roots never merge; with the same root they do', () => {
    expect(of(disk(100, { source: pathSource('/a') }), disk(100, { source: pathSource('/b') })).size).toBe(2);
    const same = of(disk(100, { source: pathSource('/a') }), disk(50, { source: pathSource('/a') }));
    expect(same.size).toBe(1);
    expect(same.scalarValue('disk')).toBe(150);
  });

  it('resources: collection: merging: MOUNT disks never merge, even identical ones', () => {
    const mount = disk(1024, { source: mountSource('/mnt/ssd0') });
    expect(of(mount, mount).size).toBe(2);
  });

  it('resources: collection: merging: ranges coalesce and sets unite', () => {
    const total = of(ranges('ports', [{ begin: 1, end: 5 }]), ranges('ports', [{ begin: 6, end: 9 }]), set('gpus', ['a']), set('gpus', ['b', 'a']));
    expect(total.toString()).toBe('ports:[1-9]; gpus:{a, b}');
  });

  it('resources: collection: merging: invalid and empty resources are silently skipped', () => {
    const total = of(scalar('cpus', -1), scalar('cpus', 0), scalar('', 1), ranges('ports', []), set('gpus', ['a', 'a']), scalar('mem', 1));
    expect(total.toString()).toBe('mem:1');
  });

  it('resources: collection: merging: plus and minus of a single invalid resource change nothing', () => {
    const total = Resources.parse('cpus:2');
    expect(total.plus(scalar('cpus', -1)).toString()).toBe('cpus:2');
    expect(total.minus(scalar('cpus', -1)).toString()).toBe('cpus:2');
    expect(total.plus(set('gpus', ['a', 'a'])).toString()).toBe('cpus:2');
  });

  it('resources: collection: merging: scalars are stored on the fixed-point grid', () => {
    expect(of(scalar('cpus', 1.23456)).toList()[0]?.scalar?.value).toBe(fromFixed(1235));
  });

  it('resources: collection: merging: ranges are stored coalesced', () => {
    const stored = of(ranges('ports', [{ begin: 5, end: 6 }, { begin: 1, end: 2 }, { begin: 3, end: 3 }])).toList()[0];
    expect(stored?.ranges?.range).toEqual([{ begin: 1, end: 3 }, { begin: 5, end: 6 }]);
  });

  it('resources: collection: merging: never mutates its inputs', () => {
    const left = of(scalar('cpus', 1));
    const right = of(scalar('cpus', 2));
    const leftEntries = [...left.entries];
    left.plus(right).minus(right);
    expect(left.entries).toEqual(leftEntries);
    expect(left.scalarValue('cpus')).toBe(1);
    expect(right.scalarValue('cpus')).toBe(2);
  });
});

describe('resources: collection: subtraction', () => {
  it('resources: collection: subtraction: removes quantity and drops emptied entries', () => {
    const total = Resources.parse('cpus:4;mem:1024');
    expect(total.minus(scalar('cpus', 1.5)).toString()).toBe('cpus:2.5; mem:1024');
    expect(total.minus(scalar('cpus', 4)).toString()).toBe('mem:1024');
  });

  it('resources: collection: subtraction: an emptied entry\'s place goes to the last entry, as upstream orders them', () => {
    expect(Resources.parse('cpus:1;mem:2;disk:3').minus(scalar('cpus', 1)).toString()).toBe('disk:3; mem:2');
  });

  it('resources: collection: subtraction: over-subtraction removes the entry instead of going negative', () => {
    expect(Resources.parse('cpus:1').minus(scalar('cpus', 2)).isEmpty()).toBe(true);
  });

  it('resources: collection: subtraction: of something absent is a no-op', () => {
    const total = Resources.parse('cpus:1');
    expect(total.minus(scalar('mem', 1)).equals(total)).toBe(true);
    expect(total.minus(scalar('cpus', 1, { role: 'eng' })).equals(total)).toBe(true);
  });

  it('resources: collection: subtraction: a MOUNT disk cannot be partially subtracted or contained', () => {
    const total = of(disk(1024, { source: mountSource('/m') }));
    const half = of(disk(512, { source: mountSource('/m') }));
    expect(total.contains(half)).toBe(false);
    expect(total.minus(half).equals(total)).toBe(true);
    const result = total.apply([{ consumed: half, converted: Resources.empty() }]);
    expect(result.ok ? 'applied' : result.error).toContain('does not contain');
    expect(total.minus(total).isEmpty()).toBe(true);
  });

  it('resources: collection: subtraction: ranges and sets subtract as set difference', () => {
    const total = of(ranges('ports', [{ begin: 1, end: 10 }]), set('gpus', ['a', 'b']));
    const rest = total.minus(of(ranges('ports', [{ begin: 3, end: 4 }]), set('gpus', ['a', 'z'])));
    expect(rest.toString()).toBe('ports:[1-2, 5-10]; gpus:{b}');
  });
});

describe('resources: collection: containment', () => {
  it('resources: collection: containment: each entry must fit in one entry', () => {
    const total = Resources.parse('cpus:4;mem:1024;ports:[1-10]');
    expect(total.contains(Resources.parse('cpus:4;ports:[2-3,5-6]'))).toBe(true);
    expect(total.contains(Resources.parse('cpus:4.001'))).toBe(false);
    expect(total.contains(Resources.parse('ports:[10-11]'))).toBe(false);
    expect(total.contains(Resources.empty())).toBe(true);
    expect(Resources.empty().contains(total)).toBe(false);
  });

  it('resources: collection: containment: a single invalid resource is never contained', () => {
    expect(Resources.parse('cpus:4').contains(scalar('cpus', -1))).toBe(false);
    expect(Resources.parse('cpus:4').contains(scalar('cpus', 1))).toBe(true);
  });

  it('resources: collection: containment: two identical persistent volumes need two in the container', () => {
    const one = of(volume(64, 'pv'));
    const two = one.plus(volume(64, 'pv'));
    expect(two.size).toBe(2);
    expect(one.contains(two)).toBe(false);
    expect(two.contains(one)).toBe(true);
    expect(one.equals(two)).toBe(false);
  });

  it('resources: collection: containment: a volume is found whatever container path the request names', () => {
    expect(of(volume(64, 'pv', { containerPath: 'a' })).contains(of(volume(64, 'pv', { containerPath: 'b' })))).toBe(true);
  });

  it('resources: collection: containment: reserved resources do not contain unreserved ones', () => {
    expect(Resources.parse('cpus(eng):4').contains(Resources.parse('cpus:1'))).toBe(false);
  });
});

describe('resources: collection: shared resources', () => {
  const shared = volume(64, 'pv', { shared: true });

  it('resources: collection: shared resources: adding a copy raises the count, not the quantity', () => {
    const twice = of(shared, shared);
    expect(twice.size).toBe(1);
    expect(twice.entries[0]?.count).toBe(2);
    expect(twice.scalarValue('disk')).toBe(64);
    expect(twice.toList()).toHaveLength(2);
    expect(twice.toDistinctList()).toHaveLength(1);
    expect(Resources.of(twice.toList()).equals(twice)).toBe(true);
  });

  it('resources: collection: shared resources: subtracting a copy lowers the count and removes at zero', () => {
    const twice = of(shared, shared);
    expect(twice.minus(shared).entries[0]?.count).toBe(1);
    expect(twice.minus(shared).minus(shared).isEmpty()).toBe(true);
    expect(twice.minus(of(shared, shared, shared)).isEmpty()).toBe(true);
  });

  it('resources: collection: shared resources: containment compares copy counts', () => {
    const once = of(shared);
    const twice = of(shared, shared);
    expect(twice.contains(once)).toBe(true);
    expect(once.contains(twice)).toBe(false);
    expect(once.contains(of(volume(64, 'pv')))).toBe(false);
  });

  it('resources: collection: shared resources: print their count as Mesos does', () => {
    const sharedStatic = volume(64, 'id1', { containerPath: 'path1', reservations: [staticReservation('role1')], shared: true });
    expect(of(sharedStatic).toString()).toBe('disk(reservations: [(STATIC,role1)])[id1:path1]<SHARED>:64<1>');
    expect(of(sharedStatic, sharedStatic).toString()).toBe('disk(reservations: [(STATIC,role1)])[id1:path1]<SHARED>:64<2>');
  });
});

describe('resources: collection: views', () => {
  const total = Resources.of([
    scalar('cpus', 1),
    scalar('cpus', 2, { role: 'eng' }),
    scalar('cpus', 3, { reservations: [staticReservation('eng'), dynamicReservation('eng/fe')] }),
    scalar('mem', 64, { revocable: true }),
    ranges('ports', [{ begin: 1, end: 2 }]),
    volume(10, 'pv', { role: 'ops', shared: true }),
  ]);

  it('resources: collection: views: reserved(role) matches the current reservation role exactly', () => {
    expect(total.reserved('eng').scalarValue('cpus')).toBe(2);
    expect(total.reserved('eng/fe').scalarValue('cpus')).toBe(3);
    expect(total.reserved().scalarValue('cpus')).toBe(5);
    expect(total.unreserved().toString()).toBe('cpus:1; mem{REV}:64; ports:[1-2]');
  });

  it('resources: collection: views: reservations() groups by current reservation role', () => {
    const grouped = total.reservations();
    expect([...grouped.keys()].sort()).toEqual(['eng', 'eng/fe', 'ops']);
    expect(grouped.get('eng/fe')?.scalarValue('cpus')).toBe(3);
  });

  it('resources: collection: views: allocatableTo(role) includes ancestors\' reservations and unreserved', () => {
    expect(total.allocatableTo('eng/fe').scalarValue('cpus')).toBe(6);
    expect(total.allocatableTo('eng').scalarValue('cpus')).toBe(3);
    expect(total.allocatableTo('dev').scalarValue('cpus')).toBe(1);
  });

  it('resources: collection: views: filters by kind', () => {
    expect(total.shared().size).toBe(1);
    expect(total.nonShared().size).toBe(5);
    expect(total.persistentVolumes().size).toBe(1);
    expect(total.revocable().toString()).toBe('mem{REV}:64');
    expect(total.nonRevocable().size).toBe(5);
    expect(total.scalars().size).toBe(5);
    expect(total.nonScalars().toString()).toBe('ports:[1-2]');
    expect(total.get('cpus').size).toBe(3);
    expect([...total.names()].sort()).toEqual(['cpus', 'disk', 'mem', 'ports']);
    expect(total.filter(() => true)).toBe(total);
  });

  it('resources: collection: views: toUnreserved merges what the reservations kept apart', () => {
    const unreserved = total.get('cpus').toUnreserved();
    expect(unreserved.size).toBe(1);
    expect(unreserved.toString()).toBe('cpus:6');
  });

  it('resources: collection: views: allocate, allocations and unallocate', () => {
    const eng = Resources.parse('cpus:1;mem:2').allocate('eng');
    const ops = Resources.parse('cpus:3').allocate('ops');
    const both = eng.plus(ops);
    expect(both.size).toBe(3);
    expect(both.allocations().get('eng')?.equals(eng)).toBe(true);
    expect(both.allocations().get('ops')?.equals(ops)).toBe(true);
    const unallocated = both.unallocate();
    expect(unallocated.toString()).toBe('cpus:4; mem:2');
    expect(() => unallocated.allocations()).toThrow(AssertionError);
  });

  it('resources: collection: views: push and pop a reservation on every entry', () => {
    const reserved = Resources.parse('cpus:2;mem:4', 'eng');
    const refined = reserved.pushReservation(dynamicReservation('eng/fe', 'alice'));
    expect(refined.reserved('eng/fe').equals(refined)).toBe(true);
    expect(refined.popReservation().equals(reserved)).toBe(true);
    expect(() => reserved.pushReservation(dynamicReservation('ops'))).toThrow(AssertionError);
  });

  it('resources: collection: views: quantities count scalars, range integers and set items', () => {
    const quantities = Resources.parse('cpus:1.5;cpus(eng):1;ports:[1-10,20-29];gpus:{a,b}').quantities();
    expect(quantities.toString()).toBe('cpus:2.5; gpus:2; ports:20');
  });
});

describe('resources: collection: apply', () => {
  it('resources: collection: apply: replaces consumed by converted', () => {
    const total = Resources.parse('cpus:4;mem:1024');
    const consumed = Resources.parse('cpus:2');
    const converted = consumed.pushReservation(dynamicReservation('eng', 'alice'));
    const result = total.apply([{ consumed, converted }]);
    expect(result.ok && result.value.reserved('eng').scalarValue('cpus')).toBe(2);
    expect(result.ok && result.value.unreserved().toString()).toBe('cpus:2; mem:1024');
  });

  it('resources: collection: apply: fails with "<this> does not contain <consumed>"', () => {
    const result = Resources.parse('cpus:1').apply([{ consumed: Resources.parse('cpus:2'), converted: Resources.empty() }]);
    expect(result).toEqual({ ok: false, error: 'cpus:1 does not contain cpus:2' });
  });

  it('resources: collection: apply: runs conversions in order, each on the previous result', () => {
    const step = { consumed: Resources.parse('cpus:1'), converted: Resources.parse('mem:1') };
    expect(Resources.parse('cpus:2').apply([step, step])).toEqual({ ok: true, value: expect.anything() });
    const third = Resources.parse('cpus:2').apply([step, step, step]);
    expect(third.ok ? '' : third.error).toBe('mem:2 does not contain cpus:1');
  });

  it('resources: collection: apply: post-validation can veto the result', () => {
    const conversion = {
      consumed: Resources.parse('cpus:1'),
      converted: Resources.empty(),
      postValidation: (result: Resources) => (result.isEmpty() ? 'nothing left' : undefined),
    };
    expect(Resources.parse('cpus:1').apply([conversion])).toEqual({ ok: false, error: 'nothing left' });
    expect(Resources.parse('cpus:2').apply([conversion]).ok).toBe(true);
  });
});

describe('resources: collection: string form', () => {
  it('resources: collection: string form: prints entries joined by "; " and {} when empty', () => {
    expect(Resources.parse('cpus:45.55;ports:[10000-20000, 30000-50000];disks:{sda1}').toString()).toBe(
      'cpus:45.55; ports:[10000-20000, 30000-50000]; disks:{sda1}',
    );
    expect(Resources.empty().toString()).toBe('{}');
  });

  it('resources: collection: string form: prints allocation, reservations, disk, revocable and shared markers', () => {
    const source = pathSource('/mnt/d');
    const resource: Resource = {
      ...volume(2048, 'pv-1', { source, reservations: [dynamicReservation('eng', 'alice', labels({ k: 'v' }))], shared: true }),
      allocation_info: { role: 'eng' },
    };
    expect(of(resource).toString()).toBe(
      'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice,{k: v})])[PATH:/mnt/d,pv-1:data]<SHARED>:2048<1>',
    );
    expect(of(scalar('disk', 1, { role: 'alice', revocable: true })).toString()).toBe('disk(reservations: [(STATIC,alice)]){REV}:1');
    const hostPath: Resource = { ...volume(1, 'hadoop', { role: 'alice', source: mountSource('/mnt1') }) };
    const withHostPath: Resource = { ...hostPath, disk: { ...hostPath.disk, volume: { container_path: '/data', mode: 'RW', host_path: '/hdfs' } } };
    expect(of(withHostPath).toString()).toBe('disk(reservations: [(STATIC,alice)])[MOUNT:/mnt1,hadoop:/hdfs:/data:rw]:1');
    const refined = scalar('disk', 1, { reservations: [staticReservation('alice'), dynamicReservation('alice/refined', 'hdfs-p', { labels: [{ key: 'foo', value: 'bar' }, { key: 'foo' }] })] });
    expect(of(refined).toString()).toBe('disk(reservations: [(STATIC,alice),(DYNAMIC,alice/refined,hdfs-p,{foo: bar, foo})]):1');
  });
});

describe('resources: collection: key', () => {
  it('resources: collection: key: equal collections built in different orders share a key', () => {
    const a = Resources.parse('cpus:1;mem:2;ports:[1-3]');
    const b = Resources.parse('ports:[3-3,1-2];mem:1;cpus:1;mem:1');
    expect(a.equals(b)).toBe(true);
    expect(a.key()).toBe(b.key());
    expect(a.key()).not.toBe(Resources.parse('cpus:1;mem:2').key());
  });

  it('resources: collection: key: ignores volume container paths, as equality does', () => {
    expect(of(volume(64, 'pv', { containerPath: 'a' })).key()).toBe(of(volume(64, 'pv', { containerPath: 'b' })).key());
    expect(of(volume(64, 'pv')).key()).not.toBe(of(volume(64, 'pv'), volume(64, 'pv')).key());
  });

  it('resources: collection: key: a duplicated MOUNT disk adds nothing, as containment does', () => {
    const mount = disk(1024, { source: mountSource('/m') });
    expect(of(mount).equals(of(mount, mount))).toBe(true);
    expect(of(mount).key()).toBe(of(mount, mount).key());
  });
});
