/**
 * Method: the laws of storage operations over generated resources
 * (src/resources/testing/arbitraries.ts): reserving then unreserving, creating
 * then destroying, growing then shrinking by the same amount all give back
 * what was there; every conversion keeps quantities; and validation and
 * application never throw, whatever an operation names.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fromFixed,
  needsCheckpointing,
  reservationRole,
  Resources,
  unallocateResource,
  type DiskSource,
  type Resource,
} from '../../../resources/index.js';
import {
  arbitraryDiskResource,
  arbitraryLabels,
  arbitraryPlainResource,
  arbitraryReservations,
  arbitraryResource,
  arbitraryResourceList,
} from '../../../resources/testing/arbitraries.js';
import { dynamicReservation } from '../../../resources/testing/fixtures.js';
import { applyToRemaining } from './apply.js';
import { runAccept } from './testing/accept.js';
import { agent, operator } from './testing/fixtures.js';
import { validateStorageOperation } from './validate.js';
import type { OperationActor, StorageOperation } from './types.js';

const { checkpointed: _checkpointed, ...facts } = agent();
const anyone = operator();

/** Plain (non-disk-info) resources an operator could reserve: not revocable, unallocated. */
const arbitraryReservable = arbitraryPlainResource()
  .filter((resource) => resource.revocable === undefined)
  .map(unallocateResource);

const arbitraryPrincipal = fc.option(fc.constantFrom('alice', 'bob'), { nil: undefined });

/** `resource` with one more dynamic level: a top-level role if unreserved, else a child of its role. */
const arbitraryReserved = fc
  .tuple(arbitraryReservable, arbitraryPrincipal, fc.option(arbitraryLabels, { nil: undefined }), fc.constantFrom('eng', 'ops'))
  .map(([resource, principal, labels, top]) => {
    const role = resource.reservations.length === 0 ? top : `${reservationRole(resource)}/x`;
    return { resource, reserved: { ...resource, reservations: [...resource.reservations, dynamicReservation(role, principal, labels)] } };
  });

const arbitrarySource = fc.option(
  fc.constantFrom<DiskSource>({ type: 'PATH', path: { root: '/mnt/a' } }, { type: 'MOUNT', mount: { root: '/mnt/ssd0' } }),
  { nil: undefined },
);

/** A reserved disk (any valid stack) and a volume carved from it: all of it on MOUNT, any part elsewhere. */
const arbitraryCarving = fc
  .tuple(
    arbitrarySource,
    arbitraryReservations.filter((stack) => stack.length > 0),
    fc.integer({ min: 2, max: 4_000_000 }),
    fc.integer({ min: 1, max: 4_000_000 }),
    fc.boolean(),
  )
  .map(([source, reservations, diskFixed, volumeFixed, shared]) => {
    const size = fromFixed(diskFixed);
    const volumeSize = source?.type === 'MOUNT' ? size : fromFixed(Math.min(diskFixed, volumeFixed));
    const plain: Resource = { name: 'disk', type: 'SCALAR', scalar: { value: size }, reservations, ...(source !== undefined && { disk: { source } }) };
    const volume: Resource = {
      ...plain,
      scalar: { value: volumeSize },
      disk: { ...(source !== undefined && { source }), persistence: { id: 'pv-new' }, volume: { container_path: 'data', mode: 'RW' } },
      ...(shared && { shared: {} }),
    };
    return { plain, volume };
  });

/**
 * Other resources on the agent: ports and set items from a pool of their own,
 * and no volumes (which could clash with the new volume's ID).
 */
const arbitraryOthers = arbitraryResourceList(
  fc
    .oneof(arbitraryPlainResource({ rangeLow: 400, rangeHigh: 700, setPrefix: 'other' }), arbitraryDiskResource)
    .filter((resource) => resource.disk?.persistence === undefined)
    .map(unallocateResource),
);

describe('operations: laws', () => {
  it('operations: laws: unreserving what was just reserved gives back the resources', () => {
    fc.assert(
      fc.property(fc.array(arbitraryReserved, { minLength: 1, maxLength: 5 }).filter(disjoint), arbitraryOthers, (pairs, others) => {
        const total = Resources.of([...pairs.map((p) => p.resource), ...others]);
        const reserved = pairs.map((p) => p.reserved);
        const run = runAccept({ total, role: undefined, actor: anyone, agent: facts }, [
          { type: 'RESERVE', resources: reserved, source: [] },
          { type: 'UNRESERVE', resources: reserved },
        ]);
        expect(run.errors).toEqual([undefined, undefined]);
        expect(run.remaining.equals(total)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('operations: laws: destroying what was just created gives back the reserved disk', () => {
    fc.assert(
      fc.property(arbitraryCarving, arbitraryOthers, ({ plain, volume }, others) => {
        const total = Resources.of([plain, ...others]);
        const actor: OperationActor = { kind: 'framework', frameworkId: 'fw', roles: new Set([reservationRole(plain)]), capabilities: new Set(['SHARED_RESOURCES']) };
        const role = reservationRole(plain);
        const offered = total.allocatableTo(role).allocate(role);
        const run = runAccept({ total, offered, role, actor, agent: facts }, [
          { type: 'CREATE', volumes: [volume] },
          { type: 'DESTROY', volumes: [volume] },
        ]);
        expect(run.errors).toEqual([undefined, undefined]);
        expect(run.remaining.equals(offered)).toBe(true);
        expect(run.total.equals(total)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('operations: laws: shrinking by what was just grown gives back the volume and the disk', () => {
    fc.assert(
      fc.property(
        arbitraryCarving.filter(resizable),
        fc.integer({ min: 1, max: 1_000_000 }),
        ({ plain, volume }, additionFixed) => {
          const addition = { ...plain, scalar: { value: fromFixed(additionFixed) } };
          const before = Resources.of([volume, addition]);
          const grown = growThenShrink(volume, addition, before);
          expect(grown.equals(before)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('operations: laws: every conversion of a valid operation keeps quantities', () => {
    fc.assert(
      fc.property(arbitraryValidCase, ({ operation, checkpointed }) => {
        const outcome = validateStorageOperation(operation, anyone, { ...facts, checkpointed: Resources.of(checkpointed) });
        if (!outcome.ok) throw new Error(outcome.error.message);
        for (const { consumed, converted } of outcome.value.conversions) expect(converted.quantities().equals(consumed.quantities())).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('operations: laws: validating and applying any operation never throws', () => {
    fc.assert(
      fc.property(arbitraryOperation, arbitraryResourceList(), fc.boolean(), (operation, onAgent, asFramework) => {
        const total = Resources.of(onAgent.map(unallocateResource));
        const actor: OperationActor = asFramework
          ? { kind: 'framework', frameworkId: 'fw', principal: 'alice', roles: new Set(['eng', 'ops', 'eng/fe']), capabilities: new Set() }
          : anyone;
        const outcome = validateStorageOperation(operation, actor, { ...facts, checkpointed: total.filter(needsCheckpointing), used: total });
        if (outcome.ok) applyToRemaining(Resources.of(onAgent), outcome.value);
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Ports and set items named by no two resources, whatever their reservations:
 * once two of them share metadata (as reserving or unreserving can make them),
 * a union forgets the overlap, and no operation could give both back.
 */
function disjoint(pairs: readonly { resource: Resource }[]): boolean {
  const each = pairs.reduce((sum, { resource }) => sum.plus(Resources.of([resource]).quantities()), Resources.empty().quantities());
  return each.equals(Resources.of(pairs.map((pair) => pair.resource)).toUnreserved().quantities());
}

function growThenShrink(volume: Resource, addition: Resource, remaining: Resources): Resources {
  const grow = validateStorageOperation({ type: 'GROW_VOLUME', volume, addition }, anyone, { ...facts, checkpointed: remaining });
  if (!grow.ok) throw new Error(grow.error.message);
  const grown = applyToRemaining(remaining, grow.value);
  if (!grown.ok) throw new Error(grown.error.message);
  const [bigger] = grown.value.resized.toList();
  if (bigger === undefined) throw new Error('nothing grown');
  const afterGrow = grown.value.remaining.plus(grown.value.resized);
  const shrink = validateStorageOperation({ type: 'SHRINK_VOLUME', volume: bigger, subtract: addition.scalar?.value ?? 0 }, anyone, {
    ...facts,
    checkpointed: afterGrow,
  });
  if (!shrink.ok) throw new Error(shrink.error.message);
  const shrunk = applyToRemaining(afterGrow, shrink.value);
  if (!shrunk.ok) throw new Error(shrunk.error.message);
  return shrunk.value.remaining.plus(shrunk.value.resized);
}

const list = arbitraryResourceList(arbitraryResource);

/** Any storage operation over any generated resources, most of them invalid. */
const arbitraryOperation: fc.Arbitrary<StorageOperation> = fc.oneof(
  fc.tuple(list, fc.oneof(fc.constant([]), list)).map(([resources, source]) => ({ type: 'RESERVE' as const, resources, source })),
  list.map((resources) => ({ type: 'UNRESERVE' as const, resources })),
  list.map((volumes) => ({ type: 'CREATE' as const, volumes })),
  list.map((volumes) => ({ type: 'DESTROY' as const, volumes })),
  fc.tuple(arbitraryResource, arbitraryResource).map(([volume, addition]) => ({ type: 'GROW_VOLUME' as const, volume, addition })),
  fc
    .tuple(arbitraryResource, fc.oneof(fc.double({ noNaN: false }), fc.integer({ min: 1, max: 2000 })))
    .map(([volume, subtract]) => ({ type: 'SHRINK_VOLUME' as const, volume, subtract })),
);

/** Valid operations of every type (operator path), with the checkpoint they need. */
const arbitraryValidCase: fc.Arbitrary<{ operation: StorageOperation; checkpointed: Resource[] }> = fc.oneof(
  fc.array(arbitraryReserved, { minLength: 1, maxLength: 4 }).filter(disjoint).map((pairs) => ({
    operation: { type: 'RESERVE' as const, resources: pairs.map((p) => p.reserved), source: [] },
    checkpointed: [],
  })),
  fc.array(arbitraryReserved, { minLength: 1, maxLength: 4 }).map((pairs) => ({
    operation: { type: 'UNRESERVE' as const, resources: pairs.map((p) => p.reserved) },
    checkpointed: [],
  })),
  arbitraryCarving.map(({ volume }) => ({ operation: { type: 'CREATE' as const, volumes: [volume] }, checkpointed: [] })),
  arbitraryCarving.map(({ volume }) => ({ operation: { type: 'DESTROY' as const, volumes: [volume] }, checkpointed: [volume] })),
  fc
    .tuple(arbitraryCarving.filter(resizable), fc.integer({ min: 1, max: 1_000_000 }))
    .map(([{ plain, volume }, fixed]) => ({
      operation: { type: 'GROW_VOLUME' as const, volume, addition: { ...plain, scalar: { value: fromFixed(fixed) } } },
      checkpointed: [volume],
    })),
  arbitraryCarving
    .filter(resizable)
    .filter(({ volume }) => (volume.scalar?.value ?? 0) > 0.001)
    .chain(({ volume }) =>
      fc.integer({ min: 1, max: Math.round((volume.scalar?.value ?? 0) * 1000) - 1 }).map((fixed) => ({
        operation: { type: 'SHRINK_VOLUME' as const, volume, subtract: fromFixed(fixed) },
        checkpointed: [volume],
      })),
    ),
);

function resizable({ volume }: { volume: Resource }): boolean {
  return volume.disk?.source?.type !== 'MOUNT' && volume.shared === undefined;
}
