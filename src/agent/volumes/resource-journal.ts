/**
 * The agent's checkpointed resources on disk (spec/storage.md 3.2): its
 * dynamic reservations, persistent volumes and unacknowledged operation
 * reports, kept under `meta/resources/`, outside any agent id's directory, so
 * that they (and the volumes' data) outlive a new agent id after a reboot.
 *
 * They are a journal of changes (checkpoint/journal.ts: JSON lines, appended
 * and fdatasynced, torn tail dropped, rewritten from a snapshot when it has
 * grown), where Mesos rewrites one file with the whole set on every change: a
 * CREATE on an agent with a thousand volumes appends one volume, not a
 * thousand.
 *
 * A change is committed in two steps. First the volumes on disk are made to
 * match it, synchronously (a task launched by the next message finds its
 * volume; creating a directory that exists, or deleting one that is gone, is
 * harmless to repeat): new directories are made, destroyed volumes deleted
 * (volume-sync.ts). Then its record is appended; the new directories' parents
 * are fsynced after the record is written and before it is fdatasynced (one
 * commit of the file system's journal for both, not two), and the change is
 * committed, and may be reported, once both are durable. A crash before that
 * leaves at most an empty directory of a volume the master was never told
 * exists, or a deleted volume the journal still lists, which the master
 * destroys again when the agent re-registers behind it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { fsyncDirectory } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { OperationStatusMessage } from '../../protocol/internal.js';
import { fromWireList, Resources, toCanonicalJson, type WireResourceInput } from '../../resources/index.js';
import { Journal } from '../checkpoint/journal.js';
import type { JournalCodec } from '../checkpoint/records.js';
import { legacyResourcesPaths, resourcesJournalPath } from '../paths.js';
import { applyResourceChange, emptyResourceState, stepsError, type ResourceChange, type ResourceState } from './resource-state.js';
import { syncVolumes, type VolumeSyncOptions } from './volume-sync.js';

const formatVersion = 1;

/** Resources as their canonical wire JSON. */
const wireList = z.array(z.record(z.string(), z.unknown()));
const step = z.object({ removed: wireList, added: wireList });

const recordSchema = z.discriminatedUnion('type', [
  /** The whole set: a snapshot's first record, or the master's set replacing the agent's. */
  z.object({
    v: z.literal(formatVersion),
    type: z.literal('resources'),
    resource_version: z.string().exactOptional(),
    resources: wireList,
    kept: OperationStatusMessage.exactOptional(),
  }),
  /** An operation's steps on the state of version `base`. */
  z.object({
    v: z.literal(formatVersion),
    type: z.literal('convert'),
    base: z.string().exactOptional(),
    resource_version: z.string(),
    steps: z.array(step),
    kept: OperationStatusMessage.exactOptional(),
  }),
  z.object({ v: z.literal(formatVersion), type: z.literal('keep'), update: OperationStatusMessage }),
  z.object({ v: z.literal(formatVersion), type: z.literal('forget'), status_uuids: z.array(z.string()) }),
]);

export type ResourceRecord = z.output<typeof recordSchema>;

const codec: JournalCodec<ResourceRecord> = {
  formatVersion,
  parse: (value) => {
    const parsed = recordSchema.safeParse(value);
    if (parsed.success) return ok(parsed.data);
    const issue = parsed.error.issues[0];
    return err(issue === undefined ? 'invalid record' : `${issue.path.length > 0 ? issue.path.join('.') : 'record'}: ${issue.message}`);
  },
};

/** The journal is rewritten from a snapshot once it holds this much more than its last snapshot did, and at least this floor. */
const compactBytesFloor = 1024 * 1024;
const compactGrowthFactor = 2;

export class ResourceJournal {
  private compacting = false;

  private constructor(
    private readonly workDir: string,
    private readonly journal: Journal<ResourceRecord>,
    private current: ResourceState,
    private snapshotBytes: number,
  ) {}

  /**
   * Opens the journal (creating it when missing) and replays it. A journal
   * that does not replay (a record that does not fit the state before it, a
   * line that cannot be read, a newer format) is an error that names the
   * file and the line, and changes nothing. The whole-set files of earlier
   * berth versions are moved into the journal.
   */
  static async open(workDir: string, options: VolumeSyncOptions = {}): Promise<Result<{ journal: ResourceJournal; state: ResourceState }>> {
    const path = resourcesJournalPath(workDir);
    const legacy = existsSync(path) ? ok(undefined) : readLegacyCheckpoint(workDir, options);
    if (!legacy.ok) return legacy;
    const opened = Journal.open(path, { strict: true, compactBytesMax: Number.MAX_SAFE_INTEGER, codec });
    if (!opened.ok) return opened;
    const { journal, recovery } = opened.value;
    const replayed = replay(path, recovery.records);
    if (!replayed.ok) {
      await journal.close();
      return replayed;
    }
    const resourceJournal = new ResourceJournal(workDir, journal, legacy.value ?? replayed.value, journal.size);
    if (legacy.value !== undefined) await resourceJournal.moveLegacyCheckpoint();
    if (resourceJournal.current.version === undefined) await resourceJournal.startVersions();
    return ok({ journal: resourceJournal, state: resourceJournal.current });
  }

  /** What the journal holds, with the changes whose records are still being written. */
  get state(): ResourceState {
    return this.current;
  }

  /**
   * Commits `change`. The volumes on disk are changed before this returns; the
   * promise resolves once the record is durable, or with why the change was
   * refused (then nothing was journaled). It rejects when the journal failed
   * (an I/O error): the agent must stop and recover from what is on disk.
   */
  commit(change: ResourceChange, options: VolumeSyncOptions = {}): Promise<Result<void>> {
    const newDirectories: string[] = [];
    const prepared = this.prepare(change, { ...options, syncLater: (directory) => newDirectories.push(directory) });
    if (!prepared.ok) return Promise.resolve(prepared);
    this.current = applyResourceChange(this.current, change);
    const alongside = newDirectories.length === 0 ? undefined : () => syncDirectories(newDirectories);
    return this.journal.append([recordOf(change)], alongside).then(() => ok(undefined));
  }

  /** Rewrites the journal from a snapshot when it has grown enough; resolves when done (at once when not due). */
  compactIfDue(): Promise<void> {
    if (this.compacting || this.journal.size <= Math.max(compactBytesFloor, compactGrowthFactor * this.snapshotBytes)) return Promise.resolve();
    this.compacting = true;
    return this.journal.compact(snapshotRecords(this.current)).then(
      () => {
        this.snapshotBytes = this.journal.size;
        this.compacting = false;
      },
      (error: unknown) => {
        this.compacting = false;
        throw error;
      },
    );
  }

  close(): Promise<void> {
    return this.journal.close();
  }

  /** The change's checks and its volumes on disk. */
  private prepare(change: ResourceChange, options: VolumeSyncOptions): Result<void> {
    switch (change.kind) {
      case 'convert': {
        if (change.base !== this.current.version) {
          return err(`The operation builds on resource version '${change.base ?? ''}', but this agent's is '${this.current.version ?? ''}' (an earlier change failed)`);
        }
        const invalid = stepsError(this.current.resources, change.steps);
        if (invalid !== undefined) return err(invalid);
        const removed = change.steps.reduce((sum, { removed: stepRemoved }) => sum.plus(stepRemoved), Resources.empty());
        const added = change.steps.reduce((sum, { added: stepAdded }) => sum.plus(stepAdded), Resources.empty());
        return syncVolumes(this.workDir, removed, added, options);
      }
      case 'replace':
        return syncVolumes(this.workDir, this.current.resources, change.resources, options);
      case 'keep':
      case 'forget':
        return ok(undefined);
    }
  }

  /**
   * Gives a state without a version (a new agent's) one of its own, durably:
   * every operation the master sends names the version it builds on, and
   * the master learns this one from the agent's registration.
   */
  private async startVersions(): Promise<void> {
    this.current = { ...this.current, version: randomUUID() };
    await this.journal.append(snapshotRecords(this.current).slice(0, 1));
  }

  /** The legacy files' state is the journal's first snapshot; then they go. */
  private async moveLegacyCheckpoint(): Promise<void> {
    await this.journal.compact(snapshotRecords(this.current));
    this.snapshotBytes = this.journal.size;
    const { state, target } = legacyResourcesPaths(this.workDir);
    rmSync(target, { force: true });
    rmSync(state, { force: true });
    fsyncDirectory(dirname(state));
  }
}

/** fsync of each directory, in order (a parent after the child it holds). */
async function syncDirectories(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const directory = await open(path, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
}

function replay(path: string, records: readonly ResourceRecord[]): Result<ResourceState> {
  let state = emptyResourceState;
  for (const [index, record] of records.entries()) {
    const change = changeOf(record);
    const invalid = !change.ok
      ? change.error
      : change.value.kind === 'convert' && change.value.base !== state.version
        ? `builds on resource version '${change.value.base ?? ''}', but the journal is at '${state.version ?? ''}'`
        : change.value.kind === 'convert'
          ? stepsError(state.resources, change.value.steps)
          : undefined;
    if (invalid !== undefined || !change.ok) return err(`Failed to recover checkpointed resources from '${path}', record ${index + 1}: ${invalid ?? ''}`);
    state = applyResourceChange(state, change.value);
  }
  return ok(state);
}

function changeOf(record: ResourceRecord): Result<ResourceChange> {
  switch (record.type) {
    case 'resources': {
      const resources = resourcesOf(record.resources);
      if (!resources.ok) return resources;
      return ok({ kind: 'replace', version: record.resource_version, resources: resources.value, kept: record.kept });
    }
    case 'convert': {
      const steps = [];
      for (const { removed, added } of record.steps) {
        const removedResources = resourcesOf(removed);
        if (!removedResources.ok) return removedResources;
        const addedResources = resourcesOf(added);
        if (!addedResources.ok) return addedResources;
        steps.push({ removed: removedResources.value, added: addedResources.value });
      }
      return ok({ kind: 'convert', base: record.base, version: record.resource_version, steps, kept: record.kept });
    }
    case 'keep':
      return ok({ kind: 'keep', update: record.update });
    case 'forget':
      return ok({ kind: 'forget', statusUuids: record.status_uuids });
  }
}

function recordOf(change: ResourceChange): ResourceRecord {
  switch (change.kind) {
    case 'convert':
      return {
        v: formatVersion,
        type: 'convert',
        ...(change.base !== undefined ? { base: change.base } : {}),
        resource_version: change.version,
        steps: change.steps.map(({ removed, added }) => ({ removed: wire(removed), added: wire(added) })),
        ...(change.kept !== undefined ? { kept: change.kept } : {}),
      };
    case 'replace':
      return {
        v: formatVersion,
        type: 'resources',
        ...(change.version !== undefined ? { resource_version: change.version } : {}),
        resources: wire(change.resources),
        ...(change.kept !== undefined ? { kept: change.kept } : {}),
      };
    case 'keep':
      return { v: formatVersion, type: 'keep', update: change.update };
    case 'forget':
      return { v: formatVersion, type: 'forget', status_uuids: [...change.statusUuids] };
  }
}

/** The state as records: the whole set, then each kept report. */
function snapshotRecords(state: ResourceState): ResourceRecord[] {
  return [
    {
      v: formatVersion,
      type: 'resources',
      ...(state.version !== undefined ? { resource_version: state.version } : {}),
      resources: wire(state.resources),
    },
    ...state.operationUpdates.map((update): ResourceRecord => ({ v: formatVersion, type: 'keep', update })),
  ];
}

function wire(resources: Resources): Record<string, unknown>[] {
  return resources.toList().map((resource) => toCanonicalJson(resource) as unknown as Record<string, unknown>);
}

function resourcesOf(list: readonly Record<string, unknown>[]): Result<Resources> {
  const parsed = fromWireList(list as unknown as WireResourceInput[]);
  return parsed.ok ? ok(Resources.of(parsed.value)) : err(parsed.error);
}

const legacyFile = z.object({
  v: z.literal(1),
  resources: z.array(z.unknown()),
  resource_version: z.string().optional(),
  operation_updates: z.array(OperationStatusMessage).optional(),
});

/**
 * The whole-set file of earlier berth versions, with a target its last commit
 * left (applied first, as those versions did); undefined when there is none.
 */
function readLegacyCheckpoint(workDir: string, options: VolumeSyncOptions): Result<ResourceState | undefined> {
  const { state: statePath, target: targetPath } = legacyResourcesPaths(workDir);
  const current = readLegacyFile(statePath);
  if (!current.ok) return current;
  const target = readLegacyFile(targetPath);
  if (!target.ok) return target;
  if (target.value === undefined) return current;
  const synced = syncVolumes(workDir, current.value?.resources ?? Resources.empty(), target.value.resources, options);
  if (!synced.ok) return err(`Target checkpointed resources ${target.value.resources.toString()} failed to sync: ${synced.error}`);
  return target;
}

function readLegacyFile(path: string): Result<ResourceState | undefined> {
  if (!existsSync(path)) return ok(undefined);
  const problem = (why: string): Result<never> => err(`Failed to read checkpointed resources from '${path}': ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return problem(error instanceof Error ? error.message : String(error));
  }
  const file = legacyFile.safeParse(parsed);
  if (!file.success) return problem('expected {"v": 1, "resources": [...]}');
  const resources = fromWireList(file.data.resources as WireResourceInput[]);
  if (!resources.ok) return problem(resources.error);
  return ok({ resources: Resources.of(resources.value), version: file.data.resource_version, operationUpdates: file.data.operation_updates ?? [] });
}
