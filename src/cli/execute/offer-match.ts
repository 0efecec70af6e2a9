/**
 * Does an offer hold the task's resources, and which of its resources does
 * the task take? Pure. The answer is made of the offer's own resource
 * objects (amounts cut down to what is needed), so that they go back to the
 * master in the very format it offered them in (legacy role or reservation
 * stack, allocation info).
 *
 * Preference, as mesos-execute's `Resources::find`: resources reserved for
 * the wanted role first, then unreserved ones, then the rest of the offer.
 * Revocable resources, volumes and mount disks are never taken.
 */
import type { WireJsonResource } from '../../protocol/outputs.js';
import {
  decodeWireResource,
  fromFixed,
  rangesContain,
  setContains,
  subtractRanges,
  subtractSets,
  toFixed,
  type Range,
  type Resource,
  type WireResource,
} from '../../resources/index.js';

/** An offered resource and how much of it is still free to take. */
interface PoolEntry {
  readonly json: WireJsonResource;
  readonly wire: WireResource;
  readonly role: string;
  /** Fixed-point scalar left. */
  scalar: number;
  ranges: readonly Range[];
  items: readonly string[];
}

/**
 * The offer's resources that make up `required`, or undefined when the offer
 * does not hold them all. `role` is the framework's role ('*' for none).
 */
export function allocateTaskResources(offered: readonly WireJsonResource[], required: readonly Resource[], role: string): WireJsonResource[] | undefined {
  const pool = offeredPool(offered);
  const taken: WireJsonResource[] = [];
  for (const want of required) {
    const wantedRole = want.reservations[want.reservations.length - 1]?.role ?? role;
    const candidates = pool
      .filter((entry) => entry.wire.name === want.name && entry.wire.type === want.type)
      .filter((entry) => want.reservations.length === 0 || entry.role === wantedRole)
      .sort((left, right) => rank(left.role, wantedRole) - rank(right.role, wantedRole));
    const pieces = take(want, candidates);
    if (pieces === undefined) return undefined;
    taken.push(...pieces);
  }
  return taken;
}

function offeredPool(offered: readonly WireJsonResource[]): PoolEntry[] {
  const pool: PoolEntry[] = [];
  for (const json of offered) {
    const decoded = decodeWireResource(json);
    if (!decoded.ok) continue;
    const wire = decoded.value;
    if (wire.revocable !== undefined || wire.shared !== undefined) continue;
    if (wire.disk?.persistence !== undefined || wire.disk?.source !== undefined) continue;
    pool.push({
      json,
      wire,
      role: reservationRole(wire),
      scalar: toFixed(wire.scalar?.value ?? 0),
      ranges: wire.ranges?.range ?? [],
      items: wire.set?.item ?? [],
    });
  }
  return pool;
}

/** The role an offered resource is reserved for, in either reservation format; '*' when unreserved. */
function reservationRole(wire: WireResource): string {
  const stack = wire.reservations ?? [];
  return stack[stack.length - 1]?.role ?? wire.role ?? '*';
}

function rank(resourceRole: string, wantedRole: string): number {
  if (resourceRole === wantedRole) return 0;
  return resourceRole === '*' ? 1 : 2;
}

/** Takes `want` out of `candidates` (in order), or undefined when they do not hold it. */
function take(want: Resource, candidates: readonly PoolEntry[]): WireJsonResource[] | undefined {
  if (want.type === 'SCALAR') {
    let needed = toFixed(want.scalar?.value ?? 0);
    const pieces: WireJsonResource[] = [];
    for (const entry of candidates) {
      if (needed <= 0) break;
      const amount = Math.min(needed, entry.scalar);
      if (amount <= 0) continue;
      entry.scalar -= amount;
      needed -= amount;
      pieces.push({ ...entry.json, scalar: { value: fromFixed(amount) } });
    }
    return needed > 0 ? undefined : pieces;
  }
  if (want.type === 'RANGES') {
    const pieces: WireJsonResource[] = [];
    for (const range of want.ranges?.range ?? []) {
      const entry = candidates.find((candidate) => rangesContain(candidate.ranges, [range]));
      if (entry === undefined) return undefined;
      entry.ranges = subtractRanges(entry.ranges, [range]);
      pieces.push({ ...entry.json, ranges: { range: [{ begin: range.begin, end: range.end }] } });
    }
    return pieces;
  }
  const items = want.set?.item ?? [];
  const entry = candidates.find((candidate) => setContains(candidate.items, items));
  if (entry === undefined) return undefined;
  entry.items = subtractSets(entry.items, items);
  return [{ ...entry.json, set: { item: [...items] } }];
}
