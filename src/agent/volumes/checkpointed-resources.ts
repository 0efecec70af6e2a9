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
 *
 * The same file holds the resource version the master gave the last change
 * and the operation status updates the master has not acknowledged (Mesos'
 * resources_and_operations.state): both change with the resources, and a
 * change of the updates alone is one atomic write.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { dirname } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { fromWireList, Resources, toCanonicalJson, type WireResourceInput } from '../../resources/index.js';
import { OperationStatusMessage } from '../../protocol/internal.js';
import { checkpointFormatVersion, resourcesCheckpointPath, resourcesTargetPath } from '../paths.js';
import { syncVolumes, type VolumeSyncOptions } from './volume-sync.js';

interface CheckpointFile {
  readonly v: number;
  readonly resources: readonly WireResourceInput[];
  readonly resource_version?: string;
  readonly operation_updates?: readonly OperationStatusMessage[];
}

/** What the agent keeps of its reservations and volumes. */
export interface ResourceState {
  /** Dynamic reservations and persistent volumes, unallocated. */
  readonly resources: Resources;
  /** The version the master gave the last change; undefined before the first. */
  readonly version: string | undefined;
  /** Operation status updates with feedback that the master has not acknowledged, oldest first. */
  readonly operationUpdates: readonly OperationStatusMessage[];
}

export const emptyResourceState: ResourceState = { resources: Resources.empty(), version: undefined, operationUpdates: [] };

/**
 * The resource state at start: a target left by a commit that did not finish
 * is applied first; no checkpoint at all is the empty state.
 */
export function recoverResourceState(workDir: string, options: VolumeSyncOptions = {}): Result<ResourceState, string> {
  const current = readCheckpoint(resourcesCheckpointPath(workDir));
  if (!current.ok) return current;
  const targetPath = resourcesTargetPath(workDir);
  if (!existsSync(targetPath)) return current;
  const target = readCheckpoint(targetPath);
  if (!target.ok) return target;
  const synced = syncVolumes(workDir, current.value.resources, target.value.resources, options);
  if (!synced.ok) return err(`Target checkpointed resources ${target.value.resources.toString()} failed to sync: ${synced.error}`);
  promoteTarget(workDir);
  return target;
}

/**
 * Makes `next` the resource state, volumes included. An error means the
 * change was not committed: the checkpoint is still `current` and its target
 * is gone, so that no later start applies a change the master was told had
 * failed. The volumes on disk may be part way (a directory made, or a volume
 * the change destroyed already deleted): both were asked for.
 */
export function commitResourceState(workDir: string, current: ResourceState, next: ResourceState, options: VolumeSyncOptions = {}): Result<void, string> {
  if (next.resources.equals(current.resources)) {
    if (sameBookkeeping(current, next)) return ok(undefined);
    writeFileAtomic(resourcesCheckpointPath(workDir), serialize(next));
    return ok(undefined);
  }
  writeFileAtomic(resourcesTargetPath(workDir), serialize(next));
  const synced = syncVolumes(workDir, current.resources, next.resources, options);
  if (!synced.ok) {
    rmSync(resourcesTargetPath(workDir), { force: true });
    return synced;
  }
  promoteTarget(workDir);
  return ok(undefined);
}

function sameBookkeeping(left: ResourceState, right: ResourceState): boolean {
  return (
    left.version === right.version &&
    left.operationUpdates.length === right.operationUpdates.length &&
    left.operationUpdates.every((update, index) => update.status_uuid === right.operationUpdates[index]?.status_uuid)
  );
}

function promoteTarget(workDir: string): void {
  const state = resourcesCheckpointPath(workDir);
  renameSync(resourcesTargetPath(workDir), state);
  fsyncDirectory(dirname(state));
}

function serialize(state: ResourceState): string {
  const file: CheckpointFile = {
    v: checkpointFormatVersion,
    resources: state.resources.toList().map(toCanonicalJson),
    ...(state.version !== undefined ? { resource_version: state.version } : {}),
    ...(state.operationUpdates.length > 0 ? { operation_updates: state.operationUpdates } : {}),
  };
  return `${JSON.stringify(file)}\n`;
}

const checkpointFile = z.object({
  v: z.literal(checkpointFormatVersion),
  resources: z.array(z.unknown()),
  resource_version: z.string().optional(),
  operation_updates: z.array(OperationStatusMessage).optional(),
});

function readCheckpoint(path: string): Result<ResourceState, string> {
  if (!existsSync(path)) return ok(emptyResourceState);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return err(`Failed to read checkpointed resources from '${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
  const file = checkpointFile.safeParse(parsed);
  if (!file.success) {
    return err(`Failed to read checkpointed resources from '${path}': expected {"v": ${checkpointFormatVersion}, "resources": [...]}`);
  }
  const resources = fromWireList(file.data.resources as WireResourceInput[]);
  if (!resources.ok) return err(`Failed to read checkpointed resources from '${path}': ${resources.error}`);
  return ok({ resources: Resources.of(resources.value), version: file.data.resource_version, operationUpdates: file.data.operation_updates ?? [] });
}
