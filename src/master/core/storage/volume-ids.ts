/**
 * The persistence ids an agent's volumes hold, by role: what CREATE checks a
 * new volume's id against (spec/storage.md 1.5). Worked out once per total
 * and kept with it; an operation's new total takes its predecessor's ids with
 * the operation's volumes removed and added, so that a CREATE on an agent
 * with a thousand volumes does not read all of them again.
 */
import type { Resource, Resources } from '../../../resources/index.js';
import { volumeKey } from '../operations/index.js';

const idsByTotal = new WeakMap<Resources, ReadonlySet<string>>();

export function volumeIdsOf(total: Resources): ReadonlySet<string> {
  let ids = idsByTotal.get(total);
  if (ids === undefined) {
    ids = new Set(total.persistentVolumes().toDistinctList().map(keyOf));
    idsByTotal.set(total, ids);
  }
  return ids;
}

/** `next` is `previous` with `removed` taken and `added` given: its ids follow from `previous`'s, when those are known. */
export function deriveVolumeIds(previous: Resources, next: Resources, removed: Resources, added: Resources): void {
  const known = idsByTotal.get(previous);
  if (known === undefined || idsByTotal.has(next)) return;
  const ids = new Set(known);
  for (const volume of removed.persistentVolumes().toDistinctList()) ids.delete(keyOf(volume));
  for (const volume of added.persistentVolumes().toDistinctList()) ids.add(keyOf(volume));
  idsByTotal.set(next, ids);
}

function keyOf(volume: Resource): string {
  return volumeKey(volume);
}
