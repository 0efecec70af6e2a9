/**
 * The agent's checkpointed resources (spec/storage.md 3.2): its dynamic
 * reservations and persistent volumes, kept under `meta/resources/`, outside
 * any agent id's directory, so that they (and the volumes' data) outlive a new
 * agent id after a reboot.
 *
 * A change is committed in three steps: the new set is written durably as the
 * target; the volumes on disk are made to match it; the target is renamed over
 * the state. A crash in between leaves the target, which the next start
 * applies again before anything else (making a directory that exists and
 * deleting one that is gone are both harmless to repeat). The file is JSON
 * with a format version, where Mesos writes protobuf.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { fromWireList, Resources, toCanonicalJson, type WireResourceInput } from '../../resources/index.js';
import { checkpointFormatVersion, resourcesCheckpointPath, resourcesTargetPath } from '../paths.js';
import { syncVolumes, type VolumeSyncOptions } from './volume-sync.js';

interface CheckpointFile {
  readonly v: number;
  readonly resources: readonly WireResourceInput[];
}

/**
 * The checkpointed resources at start: a target left by a commit that did not
 * finish is applied first; no checkpoint at all is none.
 */
export function recoverCheckpointedResources(workDir: string, options: VolumeSyncOptions = {}): Result<Resources, string> {
  const current = readCheckpoint(resourcesCheckpointPath(workDir));
  if (!current.ok) return current;
  const targetPath = resourcesTargetPath(workDir);
  if (!existsSync(targetPath)) return current;
  const target = readCheckpoint(targetPath);
  if (!target.ok) return target;
  const synced = syncVolumes(workDir, current.value, target.value, options);
  if (!synced.ok) return err(`Target checkpointed resources ${target.value.toString()} failed to sync: ${synced.error}`);
  promoteTarget(workDir);
  return target;
}

/**
 * Makes `next` the checkpointed resources, volumes included; an error means
 * nothing was committed (the agent must stop: its disk and its checkpoint may
 * disagree until the target is applied again at the next start).
 */
export function commitCheckpointedResources(workDir: string, current: Resources, next: Resources, options: VolumeSyncOptions = {}): Result<void, string> {
  if (next.equals(current)) return ok(undefined);
  writeFileAtomic(resourcesTargetPath(workDir), serialize(next));
  const synced = syncVolumes(workDir, current, next, options);
  if (!synced.ok) return synced;
  promoteTarget(workDir);
  return ok(undefined);
}

function promoteTarget(workDir: string): void {
  const state = resourcesCheckpointPath(workDir);
  renameSync(resourcesTargetPath(workDir), state);
  fsyncDirectory(dirname(state));
}

function serialize(resources: Resources): string {
  const file: CheckpointFile = { v: checkpointFormatVersion, resources: resources.toList().map(toCanonicalJson) };
  return `${JSON.stringify(file)}\n`;
}

function readCheckpoint(path: string): Result<Resources, string> {
  if (!existsSync(path)) return ok(Resources.empty());
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return err(`Failed to read checkpointed resources from '${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
  const file = parsed as Partial<CheckpointFile> | null;
  if (typeof file !== 'object' || file === null || file.v !== checkpointFormatVersion || !Array.isArray(file.resources)) {
    return err(`Failed to read checkpointed resources from '${path}': expected {"v": ${checkpointFormatVersion}, "resources": [...]}`);
  }
  const resources = fromWireList(file.resources);
  if (!resources.ok) return err(`Failed to read checkpointed resources from '${path}': ${resources.error}`);
  return ok(Resources.of(resources.value));
}
