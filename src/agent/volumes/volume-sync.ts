/**
 * Making the volumes on disk match the checkpointed resources (spec/storage.md
 * 3.3): a volume that is new gets its directory; one that is gone (DESTROY) has
 * its data deleted — the directory of a ROOT or PATH volume, the contents of a
 * MOUNT volume, whose mount point stays. Nothing else in berth deletes volume
 * data. Growing and shrinking change no path, so they touch nothing.
 *
 * Deleting never goes through a mount: a volume that is, or holds, a mount
 * point other than a MOUNT disk's own root (a bind mount into a running task,
 * say) is refused, not emptied through it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDirectory } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { isMountDisk, type Resource, type Resources } from '../../resources/index.js';
import { mountInfoPath } from '../../lib/mountinfo.js';
import { mountPointsWithin, parseMountPoints } from '../gc/mount-table.js';
import { volumePath } from './volume-path.js';

export interface VolumeSyncOptions {
  /** The mount points now; read from /proc/self/mountinfo unless given. */
  readonly mountPoints?: readonly string[];
  readonly log?: (message: string) => void;
  /**
   * Takes the directories whose new entries must become durable, for the
   * caller to sync with the record that names the volumes; without it they
   * are fsynced here, before syncVolumes returns.
   */
  readonly syncLater?: (directory: string) => void;
}

export function syncVolumes(workDir: string, current: Resources, next: Resources, options: VolumeSyncOptions = {}): Result<void, string> {
  const before = volumesByPath(workDir, current);
  const after = volumesByPath(workDir, next);
  for (const [path, volume] of after) {
    if (before.has(path) || existsSync(path)) continue;
    try {
      const firstMade = mkdirSync(path, { recursive: true, mode: 0o755 });
      // The new directories are durable no later than the record that names the volume.
      if (firstMade !== undefined) for (let made = path; ; made = dirname(made)) {
        if (options.syncLater !== undefined) options.syncLater(dirname(made));
        else fsyncDirectory(dirname(made));
        if (made === firstMade || made === dirname(made)) break;
      }
    } catch (error) {
      return err(`Failed to create the persistent volume ${persistenceId(volume)} at '${path}': ${messageOf(error)}`);
    }
  }
  const gone = [...before].filter(([path]) => !after.has(path));
  if (gone.length === 0) return ok(undefined);
  const mountPoints = options.mountPoints ?? parseMountPoints(readFileSync(mountInfoPath, 'utf8'));
  // Every deletion is checked before any is made: a refused one must not leave
  // the others half done while the checkpoint still lists them.
  for (const [path, volume] of gone) {
    const refused = deletionRefused(path, volume, mountPoints);
    if (refused !== undefined) return err(refused);
  }
  for (const [path, volume] of gone) {
    const removed = removeVolume(path, volume, options.log);
    if (!removed.ok) return removed;
  }
  return ok(undefined);
}

/** Why a volume's directory must not be deleted now: it holds a mount point. */
function deletionRefused(path: string, volume: Resource, mountPoints: readonly string[]): string | undefined {
  const mountDisk = isMountDisk(volume);
  const mounted = mountPointsWithin(mountPoints, path).filter((point) => !(mountDisk && point === path));
  if (mounted.length === 0) return undefined;
  return `Failed to remove persistent volume '${persistenceId(volume)}' at '${path}': it holds the mount point '${mounted[0] ?? ''}' (still in use by a task?)`;
}

function removeVolume(path: string, volume: Resource, log: ((message: string) => void) | undefined): Result<void, string> {
  const id = persistenceId(volume);
  if (!existsSync(path)) {
    log?.(`Persistent volume '${id}' at '${path}' to delete does not exist`);
    return ok(undefined);
  }
  const mountDisk = isMountDisk(volume);
  log?.(`Deleting persistent volume '${id}' at '${path}'`);
  try {
    // rm removes symbolic links themselves, never what they point to.
    if (mountDisk) for (const entry of readdirSync(path)) rmSync(join(path, entry), { recursive: true, force: true });
    else rmSync(path, { recursive: true, force: true });
  } catch (error) {
    return err(`Failed to remove persistent volume '${id}' at '${path}': ${messageOf(error)}`);
  }
  return ok(undefined);
}

function volumesByPath(workDir: string, resources: Resources): Map<string, Resource> {
  return new Map(resources.persistentVolumes().toList().map((volume) => [volumePath(workDir, volume), volume]));
}

function persistenceId(volume: Resource): string {
  return volume.disk?.persistence?.id ?? '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
