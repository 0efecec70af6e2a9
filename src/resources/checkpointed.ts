/**
 * An agent's total from its declared resources and its checkpointed ones
 * (spec/storage.md 3.2). Only unreserved and statically reserved resources can
 * be declared, so each checkpointed resource is traced back to what it was made
 * from (dynamic reservations and volume removed), which must still be declared;
 * it then replaces that part of the total.
 */
import { err, ok, type Result } from '../lib/result.js';
import { isPersistentVolume, needsCheckpointing, stripVolume } from './resource.js';
import { resourceToString } from './resource-string.js';
import { Resources } from './resources.js';
import { EntryIndex } from './entry-index.js';
import { entryOf } from './entries.js';
import { normalizeResource } from './normalize.js';
import type { Resource } from './types.js';

/** The declared resource a checkpointed one was made from. */
function declaredOrigin(checkpointed: Resource): Resource {
  const bottom = checkpointed.reservations[0];
  const isDynamic = checkpointed.reservations[checkpointed.reservations.length - 1]?.type === 'DYNAMIC';
  const reservations = isDynamic ? (bottom?.type === 'STATIC' ? [bottom] : []) : checkpointed.reservations;
  const { shared: _shared, ...origin } = { ...checkpointed, reservations };
  return isPersistentVolume(checkpointed) ? stripVolume(origin) : origin;
}

/**
 * "Incompatible agent resources: <total> does not contain <origin>" when the
 * declared resources no longer hold what a checkpointed resource was made from.
 */
export function applyCheckpointedResources(declared: Resources, checkpointed: Resources): Result<Resources, string> {
  // One working list for the whole walk, indexed: an agent with a thousand volumes
  // would otherwise copy and scan its total a thousand times.
  const total = new EntryIndex(declared.entries.slice());
  for (const { resource } of checkpointed.entries) {
    if (!needsCheckpointing(resource)) return err(`Unexpected checkpointed resources ${resourceToString(resource)}`);
    const origin = entryOf(normalizeResource(declaredOrigin(resource)));
    if (!total.someContains(origin)) {
      return err(`Incompatible agent resources: ${Resources.ofEntries(total.entries).toString()} does not contain ${resourceToString(origin.resource)}`);
    }
    total.subtract(origin);
    total.add(entryOf(resource));
  }
  return ok(Resources.ofEntries(total.entries));
}
