/**
 * Scalar quantities in fixed point (thousandths of a unit), as plain maps: the
 * allocator's arithmetic for DRF shares, quota consumption and headroom. Exact
 * integer arithmetic keeps thousands of adds and removes from drifting.
 */
import { toFixed } from '../../resources/index.js';
import type { Resources } from '../../resources/index.js';

export type Quantities = ReadonlyMap<string, number>;

/** Scalar quantities of a resource collection (shared copies counted once); cached by the collection. */
export function scalarQuantities(resources: Resources): Quantities {
  return resources.scalarSums();
}

export interface ReservationSplit {
  readonly unreserved: Quantities;
  readonly reserved: Quantities;
}

const splitCache = new WeakMap<Resources, ReservationSplit>();

/** Scalar quantities of the unreserved and of the reserved part, in one pass (cached). */
export function reservationSplitScalars(resources: Resources): ReservationSplit {
  let split = splitCache.get(resources);
  if (split === undefined) {
    const unreserved = new Map<string, number>();
    const reserved = new Map<string, number>();
    for (const { resource } of resources.entries) {
      if (resource.type !== 'SCALAR' || resource.scalar === undefined) continue;
      const target = resource.reservations.length === 0 ? unreserved : reserved;
      target.set(resource.name, (target.get(resource.name) ?? 0) + toFixed(resource.scalar.value));
    }
    split = { unreserved, reserved };
    splitCache.set(resources, split);
  }
  return split;
}

export function plus(a: Quantities, b: Quantities): Map<string, number> {
  const out = new Map(a);
  for (const [name, amount] of b) out.set(name, (out.get(name) ?? 0) + amount);
  return out;
}

/** Subtraction that floors at zero and drops empty names, as Mesos' ResourceQuantities. */
export function minus(a: Quantities, b: Quantities): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, amount] of a) {
    const left = amount - (b.get(name) ?? 0);
    if (left > 0) out.set(name, left);
  }
  return out;
}

export function isEmpty(q: Quantities): boolean {
  for (const amount of q.values()) if (amount > 0) return false;
  return true;
}

export function addInto(target: Map<string, number>, delta: Quantities, sign: 1 | -1 = 1): void {
  for (const [name, amount] of delta) {
    const next = (target.get(name) ?? 0) + sign * amount;
    if (next > 0) target.set(name, next);
    else target.delete(name);
  }
}

export function equal(a: Quantities, b: Quantities): boolean {
  if (a.size !== b.size) return false;
  for (const [name, amount] of a) if (b.get(name) !== amount) return false;
  return true;
}
