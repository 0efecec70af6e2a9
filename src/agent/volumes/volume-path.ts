/**
 * Where persistent volumes live on the agent (spec/storage.md 3.1; the tree
 * is drawn in ../paths.ts). Kept apart from paths.ts, which the containerizer
 * uses without the resource model.
 */
import { isAbsolute, join } from 'node:path';
import { assert } from '../../lib/assert.js';
import { reservationRole, roleDirectoryName, validatePersistenceId, validateRole, type Resource } from '../../resources/index.js';

/**
 * Where a persistent volume's data lives on the agent (spec/storage.md 3.1).
 * The master validated role and id; they are checked again here because a
 * path is built from them.
 */
export function volumePath(workDir: string, volume: Resource): string {
  const id = volume.disk?.persistence?.id;
  assert(id !== undefined, `volumePath of a resource that is not a persistent volume: ${volume.name}`);
  assert(validatePersistenceId(id) === undefined, `volumePath: invalid persistence id '${id}'`);
  const role = reservationRole(volume);
  assert(validateRole(role) === undefined, `volumePath: invalid role '${role}'`);
  const source = volume.disk?.source;
  const inWorkDir = (root: string): string => (isAbsolute(root) ? root : join(workDir, root));
  if (source?.type === 'MOUNT') return inWorkDir(source.mount?.root ?? '');
  const base = source?.type === 'PATH' ? inWorkDir(source.path?.root ?? '') : workDir;
  return join(base, 'volumes', 'roles', roleDirectoryName(role), id);
}
