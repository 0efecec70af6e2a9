/**
 * Method: sequences of storage operations in one ACCEPT (spec 2.8), run
 * through a miniature pipeline (testing/accept.ts) on an agent's resources;
 * each test states what remains of the offers and what the agent then holds.
 */
import { describe, expect, it } from 'vitest';
import { Resources, type Resource } from '../../../resources/index.js';
import { disk, dynamicReservation, mountSource, pathSource, scalar, volume } from '../../../resources/testing/fixtures.js';
import { runAccept, type AcceptInput } from './testing/accept.js';
import { agent, framework } from './testing/fixtures.js';
import type { StorageOperation } from './types.js';

const alice = [dynamicReservation('eng', 'alice')];
const reserved = (resource: Resource): Resource => ({ ...resource, reservations: alice });
const pv = (size: number, id: string, source?: ReturnType<typeof pathSource>): Resource =>
  volume(size, id, { reservations: alice, principal: 'alice', ...(source !== undefined && { source }) });

function input(total: Resource[]): AcceptInput {
  const { checkpointed: _checkpointed, ...facts } = agent();
  return { total: Resources.of(total), role: 'eng', actor: framework({ principal: 'alice' }), agent: facts };
}

describe('operations: conversions: round trips', () => {
  it('operations: conversions: RESERVE, CREATE, DESTROY, UNRESERVE give back the unreserved resources', () => {
    const total = [scalar('cpus', 4), scalar('mem', 1024), disk(2048)];
    const operations: StorageOperation[] = [
      { type: 'RESERVE', resources: [reserved(disk(1024)), reserved(scalar('cpus', 1))], source: [] },
      { type: 'CREATE', volumes: [pv(512, 'pv-1')] },
      { type: 'DESTROY', volumes: [pv(512, 'pv-1')] },
      { type: 'UNRESERVE', resources: [reserved(disk(1024)), reserved(scalar('cpus', 1))] },
    ];
    const run = runAccept(input(total), operations);
    expect(run.errors).toEqual([undefined, undefined, undefined, undefined]);
    expect(run.remaining.equals(Resources.of(total).allocate('eng'))).toBe(true);
    expect(run.total.equals(Resources.of(total))).toBe(true);
  });

  it('operations: conversions: each step is visible to the next (pipelining)', () => {
    const run = runAccept(input([disk(2048)]), [
      { type: 'RESERVE', resources: [reserved(disk(1024))], source: [] },
      { type: 'CREATE', volumes: [pv(512, 'pv-1')] },
    ]);
    expect(run.remaining.toString()).toBe(
      'disk(allocated: eng):1024; disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):512; ' +
        'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:512',
    );
    expect(run.total.persistentVolumes().toString()).toBe('disk(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:512');
  });

  it('operations: conversions: a partial UNRESERVE leaves the rest reserved', () => {
    const run = runAccept(input([reserved(scalar('cpus', 8))]), [{ type: 'UNRESERVE', resources: [reserved(scalar('cpus', 2))] }]);
    expect(run.remaining.toString()).toBe('cpus(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):6; cpus(allocated: eng):2');
  });

  it('operations: conversions: UNRESERVE of a refinement pops one level, back to the parent role', () => {
    const parent = reserved(scalar('cpus', 2));
    const child: Resource = { ...parent, reservations: [...alice, dynamicReservation('eng/fe', 'alice')] };
    const base = input([parent]);
    const refine = { ...base, role: 'eng/fe', actor: framework({ principal: 'alice', roles: ['eng/fe'] }) };
    const reservedRun = runAccept(refine, [{ type: 'RESERVE', resources: [child], source: [] }]);
    expect(reservedRun.total.toString()).toBe('cpus(reservations: [(DYNAMIC,eng,alice),(DYNAMIC,eng/fe,alice)]):2');
    const unreservedRun = runAccept({ ...refine, total: reservedRun.total }, [{ type: 'UNRESERVE', resources: [child] }]);
    expect(unreservedRun.total.equals(Resources.of([parent]))).toBe(true);
  });

  it('operations: conversions: DESTROY then UNRESERVE of the freed disk both succeed', () => {
    const run = runAccept(input([reserved(disk(1024)), pv(512, 'pv-1')]), [
      { type: 'DESTROY', volumes: [pv(512, 'pv-1')] },
      { type: 'UNRESERVE', resources: [reserved(disk(1536))] },
    ]);
    expect(run.errors).toEqual([undefined, undefined]);
    expect(run.total.toString()).toBe('disk:1536');
  });
});

describe('operations: conversions: kinds of disk', () => {
  it('operations: conversions: ROOT and PATH disks are carved into several volumes', () => {
    for (const source of [undefined, pathSource('/mnt/a')]) {
      const plain = reserved(disk(1024, source === undefined ? {} : { source }));
      const run = runAccept(input([plain]), [{ type: 'CREATE', volumes: [pv(256, 'pv-1', source), pv(256, 'pv-2', source)] }]);
      expect(run.errors).toEqual([undefined]);
      expect(run.total.persistentVolumes().size).toBe(2);
      expect(run.total.minus(run.total.persistentVolumes()).equals(Resources.of([reserved(disk(512, source === undefined ? {} : { source }))]))).toBe(true);
    }
  });

  it('operations: conversions: a MOUNT volume must take the whole disk', () => {
    const source = mountSource('/mnt/ssd0');
    const whole = reserved(disk(1024, { source }));
    const part = runAccept(input([whole]), [{ type: 'CREATE', volumes: [pv(512, 'pv-1', source)] }]);
    expect(part.errors[0]).toMatch(/does not contain disk\(allocated: eng\)\(reservations: \[\(DYNAMIC,eng,alice\)\]\)\[MOUNT:\/mnt\/ssd0\]:512$/);
    const all = runAccept(input([whole]), [{ type: 'CREATE', volumes: [pv(1024, 'pv-1', source)] }]);
    expect(all.errors).toEqual([undefined]);
    expect(all.total.toString()).toBe('disk(reservations: [(DYNAMIC,eng,alice)])[MOUNT:/mnt/ssd0,pv-1:data]:1024');
  });

  it('operations: conversions: a volume on a PATH disk does not come from ROOT disk', () => {
    const run = runAccept(input([reserved(disk(1024))]), [{ type: 'CREATE', volumes: [pv(256, 'pv-1', pathSource('/mnt/a'))] }]);
    expect(run.errors[0]).toMatch(/ does not contain /);
  });
});

describe('operations: conversions: resize', () => {
  it('operations: conversions: CREATE then GROW: the grown volume is withheld from the rest of the ACCEPT', () => {
    const run = runAccept(input([reserved(disk(1024))]), [
      { type: 'CREATE', volumes: [pv(512, 'pv-1')] },
      { type: 'GROW_VOLUME', volume: pv(512, 'pv-1'), addition: reserved(disk(512)) },
      // The agent now holds the grown volume, but this ACCEPT cannot touch it.
      { type: 'DESTROY', volumes: [pv(1024, 'pv-1')] },
      { type: 'DESTROY', volumes: [pv(512, 'pv-1')] },
    ]);
    expect(run.errors.slice(0, 2)).toEqual([undefined, undefined]);
    expect(run.errors[2]).toBe('{} does not contain disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:1024');
    expect(run.errors[3]).toBe('Persistent volumes not found; on agent agent-1 (host-1)');
    expect(run.remaining.isEmpty()).toBe(true);
    expect(run.resized.toString()).toBe('disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:1024');
    expect(run.total.toString()).toBe('disk(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:1024');
  });

  it('operations: conversions: SHRINK gives reserved disk back, withheld with the shrunk volume', () => {
    const run = runAccept(input([scalar('cpus', 1), pv(1024, 'pv-1', pathSource('/mnt/a'))]), [
      { type: 'SHRINK_VOLUME', volume: pv(1024, 'pv-1', pathSource('/mnt/a')), subtract: 512 },
    ]);
    expect(run.errors).toEqual([undefined]);
    expect(run.remaining.toString()).toBe('cpus(allocated: eng):1');
    expect(run.resized.toString()).toBe(
      'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[PATH:/mnt/a,pv-1:data]:512; ' +
        'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[PATH:/mnt/a]:512',
    );
  });
});
