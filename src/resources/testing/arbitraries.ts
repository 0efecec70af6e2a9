/**
 * fast-check generators of canonical resources for property tests (this module
 * and its users, e.g. the allocator). Values come from small pools so that
 * generated resources often share metadata and exercise merging, not only
 * appending. Every generated resource is valid (spec 1.3) and canonical:
 * scalars on the fixed-point grid, ranges coalesced.
 */
import fc from 'fast-check';
import { fromFixed } from '../fixed.js';
import { coalesceRanges } from '../ranges.js';
import type { DiskInfo, Labels, Range, ReservationInfo, Resource } from '../types.js';

export const topRoles = ['eng', 'ops'] as const;

/** Labels as an unordered multiset: the same labels may come in any order. */
export const arbitraryLabels: fc.Arbitrary<Labels> = fc
  .subarray([{ key: 'owner', value: 'fw-1' }, { key: 'team' }, { key: 'tier', value: 'gold' }])
  .chain((labels) => fc.shuffledSubarray(labels, { minLength: labels.length, maxLength: labels.length }))
  .map((labels) => ({ labels }));

const arbitraryPrincipal = fc.option(fc.constantFrom('alice', 'bob'), { nil: undefined });

function reservation(type: ReservationInfo['type'], role: string, principal: string | undefined, labels: Labels | undefined): ReservationInfo {
  return { type, role, ...(principal !== undefined && { principal }), ...(labels !== undefined && { labels }) };
}

const arbitraryDynamicParts = fc.tuple(arbitraryPrincipal, fc.option(arbitraryLabels, { nil: undefined }));

/** A valid stack: bottom STATIC or DYNAMIC on a top-level role, then DYNAMIC refinements one level down each. */
export const arbitraryReservations: fc.Arbitrary<ReservationInfo[]> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<ReservationInfo[]>([]) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...topRoles),
        fc.constantFrom<ReservationInfo['type']>('STATIC', 'DYNAMIC'),
        arbitraryDynamicParts,
        fc.array(fc.tuple(fc.constantFrom('fe', 'be'), arbitraryDynamicParts), { maxLength: 2 }),
      )
      .map(([role, type, [principal, labels], refinements]) => {
        const stack =
          type === 'STATIC' ? [reservation('STATIC', role, undefined, undefined)] : [reservation('DYNAMIC', role, principal, labels)];
        let current: string = role;
        for (const [child, [childPrincipal, childLabels]] of refinements) {
          current = `${current}/${child}`;
          stack.push(reservation('DYNAMIC', current, childPrincipal, childLabels));
        }
        return stack;
      }),
  },
);

/** A positive amount on the fixed-point grid (thousandths). */
export const arbitraryScalarValue = fc.integer({ min: 1, max: 100_000_000 }).map(fromFixed);

/** Coalesced ranges inside [low, high]. */
export function arbitraryRanges(low = 0, high = 300): fc.Arbitrary<Range[]> {
  return fc
    .array(fc.tuple(fc.integer({ min: low, max: high }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 4 })
    .map((pairs) => coalesceRanges(pairs.map(([begin, length]) => ({ begin, end: Math.min(high, begin + length) }))));
}

/** Set items from a pool named by `prefix`. */
export function arbitrarySetItems(prefix = 'gpu'): fc.Arbitrary<string[]> {
  return fc.subarray([0, 1, 2, 3, 4, 5].map((i) => `${prefix}${i}`), { minLength: 1 });
}

const arbitraryAllocation = fc.option(fc.constantFrom('eng', 'eng/fe', 'ops').map((role) => ({ role })), { nil: undefined });

function withMeta(base: Resource, allocation: { role: string } | undefined, revocable: boolean): Resource {
  return {
    ...base,
    ...(allocation !== undefined && { allocation_info: allocation }),
    // Revocable resources are never reserved nor disks (spec 1.1).
    ...(revocable && base.reservations.length === 0 && base.disk === undefined && { revocable: {} }),
  };
}

/** Scalars, ranges and sets (no disk info); `pools` keeps ranges and set items of two generators apart. */
export function arbitraryPlainResource(pools: { rangeLow: number; rangeHigh: number; setPrefix: string } = { rangeLow: 0, rangeHigh: 300, setPrefix: 'gpu' }): fc.Arbitrary<Resource> {
  const value = fc.oneof(
    fc.tuple(fc.constantFrom('cpus', 'mem', 'disk'), arbitraryScalarValue).map(
      ([name, v]) => ({ name, type: 'SCALAR', scalar: { value: v } }) as const,
    ),
    arbitraryRanges(pools.rangeLow, pools.rangeHigh).map((range) => ({ name: 'ports', type: 'RANGES', ranges: { range } }) as const),
    arbitrarySetItems(pools.setPrefix).map((item) => ({ name: 'devices', type: 'SET', set: { item } }) as const),
  );
  return fc
    .tuple(value, arbitraryReservations, arbitraryAllocation, fc.boolean())
    .map(([v, reservations, allocation, revocable]) => withMeta({ ...v, reservations }, allocation, revocable));
}

const arbitraryDiskSource = fc.option(
  fc.oneof(
    fc.constantFrom('/mnt/a', '/mnt/b').map((root) => ({ type: 'PATH', path: { root } }) as const),
    fc.constantFrom('/mnt/ssd0', '/mnt/ssd1').map((root) => ({ type: 'MOUNT', mount: { root } }) as const),
  ),
  { nil: undefined },
);

/** Disks: ROOT/PATH/MOUNT, plain or persistent volumes (on reserved disk), optionally shared. */
export const arbitraryDiskResource: fc.Arbitrary<Resource> = fc
  .tuple(
    arbitraryDiskSource,
    fc.option(fc.constantFrom('pv-1', 'pv-2'), { nil: undefined }),
    fc.constantFrom('data', 'var/data'),
    arbitraryReservations.filter((stack) => stack.length > 0),
    fc.constantFrom(64, 128, 1024),
    fc.boolean(),
  )
  .map(([source, volumeId, containerPath, reservations, size, shared]): Resource => {
    const disk: DiskInfo = {
      ...(source !== undefined && { source }),
      ...(volumeId !== undefined && { persistence: { id: volumeId, principal: 'alice' }, volume: { container_path: containerPath, mode: 'RW' } }),
    };
    const hasDisk = source !== undefined || volumeId !== undefined;
    return {
      name: 'disk',
      type: 'SCALAR',
      scalar: { value: size },
      reservations,
      ...(hasDisk && { disk }),
      ...(shared && volumeId !== undefined && { shared: {} }),
    };
  });

export const arbitraryResource: fc.Arbitrary<Resource> = fc.oneof({ weight: 3, arbitrary: arbitraryPlainResource() }, { weight: 2, arbitrary: arbitraryDiskResource });

export const arbitraryNonSharedResource: fc.Arbitrary<Resource> = arbitraryResource.filter((r) => r.shared === undefined);

export function arbitraryResourceList(resource: fc.Arbitrary<Resource> = arbitraryResource): fc.Arbitrary<Resource[]> {
  return fc.array(resource, { maxLength: 8 });
}
