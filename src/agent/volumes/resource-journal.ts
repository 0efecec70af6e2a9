/**
 * The agent's checkpointed resources on disk (spec/storage.md 3.2): its
 * dynamic reservations, persistent volumes and unacknowledged operation
 * reports, kept under `meta/resources/`, outside any agent id's directory, so
 * that they (and the volumes' data) outlive a new agent id after a reboot.
 *
 * They are a journal of changes (JSON lines read as the task journal's are,
 * checkpoint/journal-recovery.ts: torn tail dropped; appended and
 * fdatasynced synchronously, lib/durable-file.ts; rewritten from a snapshot
 * when it has doubled), where Mesos rewrites one file with the whole set on
 * every change: a CREATE on an agent with a thousand volumes appends one
 * volume, not a thousand.
 *
 * A change is committed in two steps. First the volumes on disk are made to
 * match it, synchronously (a task launched by the next message finds its
 * volume; creating a directory that exists, or deleting one that is gone, is
 * harmless to repeat): new directories are made, destroyed volumes deleted
 * (volume-sync.ts). Then its record is appended; the new directories' parents
 * are fsynced after the record is written and before it is fdatasynced (one
 * commit of the file system's journal for both, not two), and the change is
 * committed, and may be reported, once both are durable, before commit
 * returns. A crash before that
 * leaves at most an empty directory of a volume the master was never told
 * exists, or a deleted volume the journal still lists, which the master
 * destroys again when the agent re-registers behind it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { assert } from '../../lib/assert.js';
import { DurableAppendFile, fsyncDirectory, truncateDurably } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { OperationStatusMessage } from '../../protocol/internal.js';
import { fromWireList, Resources, toCanonicalJson, type WireResourceInput } from '../../resources/index.js';
import { parseJournal } from '../checkpoint/journal-recovery.js';
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
  private constructor(
    private readonly workDir: string,
    private readonly file: DurableAppendFile,
    private current: ResourceState,
    private snapshotBytes: number,
  ) {}

  /**
   * Opens the journal (creating it when missing) and replays it. A journal
   * that does not replay (a record that does not fit the state before it, a
   * line that cannot be read, a newer format) is an error that names the
   * file and the line, and changes nothing. A torn last line (an append a
   * crash cut short, never acknowledged) is dropped. The whole-set files of
   * earlier berth versions are moved into the journal.
   */
  static open(workDir: string, options: VolumeSyncOptions = {}): Result<{ journal: ResourceJournal; state: ResourceState }> {
    const path = resourcesJournalPath(workDir);
    try {
      const legacy = existsSync(path) ? ok(undefined) : readLegacyCheckpoint(workDir, options);
      if (!legacy.ok) return legacy;
      mkdirSync(dirname(path), { recursive: true });
      const content = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
      const parsed = parseJournal(path, content, true, codec);
      if (!parsed.ok) return parsed;
      const replayed = replay(path, parsed.value.records);
      if (!replayed.ok) return replayed;
      if (parsed.value.completeBytes < parsed.value.fileBytes) truncateDurably(path, parsed.value.completeBytes);
      const file = DurableAppendFile.open(path, parsed.value.completeBytes);
      const journal = new ResourceJournal(workDir, file, legacy.value ?? replayed.value, file.size);
      if (legacy.value !== undefined) journal.moveLegacyCheckpoint();
      if (journal.current.version === undefined) journal.startVersions();
      return ok({ journal, state: journal.current });
    } catch (error) {
      return err(`Failed to open the checkpointed resources' journal '${path}': ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** What the journal holds. */
  get state(): ResourceState {
    return this.current;
  }

  /**
   * Commits `change`: the volumes on disk are changed, then its record is
   * appended and made durable, with the new directories' parents. An error
   * result says why the change was refused (then nothing was journaled). It
   * throws when the file cannot be written or synced: the agent must stop and
   * recover from what is on disk (a failed fsync cannot be retried safely).
   */
  commit(change: ResourceChange, options: VolumeSyncOptions = {}): Result<void> {
    const newDirectories: string[] = [];
    const prepared = this.prepare(change, { ...options, syncLater: (directory) => newDirectories.push(directory) });
    if (!prepared.ok) return prepared;
    this.file.append(encode([recordOf(change)]), newDirectories);
    this.current = applyResourceChange(this.current, change);
    return ok(undefined);
  }

  /** Rewrites the journal from a snapshot when it has grown enough (temporary file, fsync, rename). */
  compactIfDue(): void {
    if (this.file.size <= Math.max(compactBytesFloor, compactGrowthFactor * this.snapshotBytes)) return;
    this.compact();
  }

  close(): void {
    this.file.close();
  }

  private compact(): void {
    this.file.replace(encode(snapshotRecords(this.current)));
    this.snapshotBytes = this.file.size;
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
  private startVersions(): void {
    this.current = { ...this.current, version: randomUUID() };
    this.file.append(encode(snapshotRecords(this.current).slice(0, 1)));
  }

  /** The legacy files' state is the journal's first snapshot; then they go. */
  private moveLegacyCheckpoint(): void {
    this.compact();
    const { state, target } = legacyResourcesPaths(this.workDir);
    rmSync(target, { force: true });
    rmSync(state, { force: true });
    fsyncDirectory(dirname(state));
  }
}

/** Records as journal lines, each checked against the schema first (a malformed one is a programmer error). */
function encode(records: readonly ResourceRecord[]): Buffer {
  return Buffer.from(
    records
      .map((record) => {
        const checked = codec.parse(record);
        assert(checked.ok, `malformed resource journal record (${checked.ok ? '' : checked.error})`);
        return `${JSON.stringify(record)}\n`;
      })
      .join(''),
    'utf8',
  );
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
