/**
 * Method: validated operations applied to hand-built remains of offers, for
 * each way applying can fail (spec 2.0.5, 2.4 post-validation, 2.5, 2.6) with
 * the exact text, and for what a success returns.
 */
import { describe, expect, it } from 'vitest';
import { Resources, unallocateResource, type Resource } from '../../../resources/index.js';
import { scalar } from '../../../resources/testing/fixtures.js';
import { applyToRemaining } from './apply.js';
import { validateCreate } from './create.js';
import { validateDestroy } from './destroy.js';
import { validateGrowVolume } from './grow.js';
import { validateReserve } from './reserve.js';
import { validateShrinkVolume } from './shrink.js';
import { validateUnreserve } from './unreserve.js';
import { agent, framework, reservedDisk, reservedFor, reservedVolume, validated } from './testing/fixtures.js';
import type { ValidatedOperation } from './types.js';

const pv = reservedVolume(64, 'pv-1');
const pvText = 'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:64';

function applyError(remaining: Resource[], operation: ValidatedOperation): string {
  const applied = applyToRemaining(Resources.of(remaining), operation);
  if (applied.ok) throw new Error('expected applying to fail');
  expect(applied.error.stage).toBe('apply');
  return applied.error.message;
}

const create = (volumes: Resource[]) => validated(validateCreate({ type: 'CREATE', volumes }, framework(), agent()));
const destroy = (volumes: Resource[], checkpointed: Resource[]) =>
  validated(validateDestroy({ type: 'DESTROY', volumes }, agent({ checkpointed: checkpointed.map(unallocateResource) })));

describe('operations: apply: containment', () => {
  it('operations: apply: a RESERVE larger than the offer does not fit', () => {
    const reserve = validated(validateReserve({ type: 'RESERVE', resources: [reservedFor(scalar('cpus', 2))], source: [] }, framework(), agent()));
    expect(applyError([{ ...scalar('cpus', 1), allocation_info: { role: 'eng' } }], reserve)).toBe(
      'cpus(allocated: eng):1 does not contain cpus(allocated: eng):2',
    );
  });

  it('operations: apply: a volume larger than its reserved disk does not fit', () => {
    expect(applyError([reservedDisk(32)], create([pv]))).toBe(
      'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):32 does not contain disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64',
    );
  });

  it('operations: apply: reserved disk that became a volume cannot be unreserved', () => {
    const unreserve = validated(validateUnreserve({ type: 'UNRESERVE', resources: [reservedDisk(64)] }));
    expect(applyError([pv], unreserve)).toBe(`${pvText} does not contain disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64`);
  });

  it('operations: apply: conversions apply in order, each on the result of the one before', () => {
    const unreserve = validated(validateUnreserve({ type: 'UNRESERVE', resources: [reservedDisk(48), reservedDisk(48)] }));
    expect(applyError([reservedDisk(64)], unreserve)).toBe(
      'disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):16; disk(allocated: eng):48 ' +
        'does not contain disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):48',
    );
  });

  it('operations: apply: a success returns what remains and nothing resized', () => {
    const applied = applyToRemaining(Resources.of([reservedDisk(128)]), create([pv]));
    expect(applied.ok && applied.value.remaining.toString()).toBe(`disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64; ${pvText}`);
    expect(applied.ok && applied.value.resized.isEmpty()).toBe(true);
    expect(applied.ok && applied.value.sharedChanged).toBe(true);
  });
});

describe('operations: apply: DESTROY post-validation', () => {
  it('operations: apply: a shared volume with more copies offered cannot be destroyed', () => {
    const shared = reservedVolume(64, 'pv-1', { shared: true });
    const operation = destroy([shared], [shared]);
    expect(applyError([shared, shared], operation)).toBe(
      'Persistent volume disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]<SHARED>:64 cannot be removed due to additional shared copies',
    );
    const applied = applyToRemaining(Resources.of([shared]), operation);
    expect(applied.ok && applied.value.remaining.toString()).toBe('disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64');
  });
});

describe('operations: apply: resize', () => {
  it('operations: apply: GROW_VOLUME needs the volume and the addition', () => {
    const grow = validated(validateGrowVolume({ type: 'GROW_VOLUME', volume: pv, addition: reservedDisk(64) }, agent()));
    expect(applyError([pv, reservedDisk(32)], grow)).toBe(
      `Invalid GROW_VOLUME operation: ${pvText}; disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):32 does not contain ` +
        `${pvText}; disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64`,
    );
  });

  it('operations: apply: SHRINK_VOLUME needs the volume', () => {
    const shrink = validated(validateShrinkVolume({ type: 'SHRINK_VOLUME', volume: pv, subtract: 16 }, agent()));
    expect(applyError([reservedDisk(64)], shrink)).toBe(
      `Invalid SHRINK_VOLUME operation: disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):64 does not contain ${pvText}`,
    );
  });

  it('operations: apply: a resize takes its volume out and returns the result apart', () => {
    const grow = validated(validateGrowVolume({ type: 'GROW_VOLUME', volume: pv, addition: reservedDisk(64) }, agent()));
    const applied = applyToRemaining(Resources.of([pv, reservedDisk(100), scalar('cpus', 1)]), grow);
    expect(applied.ok && applied.value.remaining.toString()).toBe('cpus:1; disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)]):36');
    expect(applied.ok && applied.value.resized.toString()).toBe('disk(allocated: eng)(reservations: [(DYNAMIC,eng,alice)])[pv-1:data]:128');
    expect(applied.ok && applied.value.sharedChanged).toBe(false);
  });
});
