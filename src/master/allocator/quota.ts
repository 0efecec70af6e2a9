/**
 * Quota (spec/core.md 4.8): per top-level role, guarantees (held back as
 * headroom and satisfied first) and limits (never offered past). Guarantees and
 * limits are scalar quantities in fixed point; a resource name missing from
 * `limits` is unlimited.
 */
import { fromFixed, toFixed, type Resource } from '../../resources/index.js';
import { Resources } from '../../resources/index.js';
import type { Random } from '../../lib/random.js';
import { shuffled } from '../../lib/random.js';
import { isEmpty, type Quantities } from './quantities.js';

export interface Quota {
  readonly guarantees: Quantities;
  readonly limits: Quantities;
}

export const defaultQuota: Quota = { guarantees: new Map(), limits: new Map() };

export function isDefaultQuota(quota: Quota): boolean {
  return isEmpty(quota.guarantees) && quota.limits.size === 0;
}

/** Limits minus consumption: listed names floor at zero, unlisted stay unlimited. */
export function limitsMinus(limits: Quantities, consumed: Quantities): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, limit] of limits) out.set(name, Math.max(0, limit - (consumed.get(name) ?? 0)));
  return out;
}

/**
 * Chops scalar resources down to `target`. With `absentMeans: 'zero'` (a
 * quantity target, Mesos' shrinkResources(ResourceQuantities)) names missing
 * from the target are dropped; with 'unlimited' (a limits target) they are kept.
 * Resources that cannot be divided (MOUNT disks, persistent volumes) are kept
 * whole or dropped. The order of consumption is shuffled, as in Mesos.
 */
export function shrinkResources(
  resources: Resources,
  target: Quantities,
  absentMeans: 'zero' | 'unlimited',
  random: Random,
): Resources {
  if (absentMeans === 'unlimited' && target.size === 0) return resources;
  if (absentMeans === 'zero' && isEmpty(target)) return Resources.empty();
  const left = new Map(target);
  const kept: Resource[] = [];
  for (const resource of shuffled(resources.toList(), random)) {
    const limit = left.get(resource.name);
    if (limit === undefined) {
      if (absentMeans === 'unlimited') kept.push(resource);
      continue;
    }
    if (limit <= 0 || resource.type !== 'SCALAR' || resource.scalar === undefined) continue;
    const amount = toFixed(resource.scalar.value);
    if (amount <= limit) {
      kept.push(resource);
      left.set(resource.name, limit - amount);
    } else if (isDivisible(resource)) {
      kept.push({ ...resource, scalar: { value: fromFixed(limit) } });
      left.set(resource.name, 0);
    }
  }
  return Resources.of(kept);
}

function isDivisible(resource: Resource): boolean {
  if (resource.disk?.persistence !== undefined) return false;
  if (resource.disk?.source?.type === 'MOUNT' || resource.disk?.source?.type === 'BLOCK') return false;
  return resource.shared === undefined;
}
