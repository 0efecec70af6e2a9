/**
 * The checkpointed resources and the volumes they make, on the real file
 * system under the test root: where volumes live (spec/storage.md 3.1), the
 * journal of changes (3.2) and its recovery after a restart or a crash, and
 * what creating and destroying a volume does on disk (3.3), including never
 * deleting through a mount and never following a symlink out.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { fromWireList, Resources, type WireResourceInput } from '../../resources/index.js';
import { legacyResourcesPaths, resourcesJournalPath } from '../paths.js';
import { volumePath } from './volume-path.js';
import { ResourceJournal } from './resource-journal.js';
import type { ResourceChange } from './resource-state.js';

let workDir: string;
let opened: ResourceJournal[] = [];

beforeEach(() => {
  mkdirSync(testRoot(), { recursive: true });
  workDir = mkdtempSync(join(testRoot(), 'volumes-'));
  opened = [];
});

afterEach(() => {
  for (const journal of opened) journal.close();
  rmSync(workDir, { recursive: true, force: true });
});

function reservedDisk(role: string, source?: Record<string, unknown>): WireResourceInput {
  return {
    name: 'disk',
    type: 'SCALAR',
    scalar: { value: 64 },
    reservations: [{ type: 'DYNAMIC', role, principal: 'ops' }],
    ...(source !== undefined ? { disk: { source } } : {}),
  } as unknown as WireResourceInput;
}

function volumeOf(id: string, role = 'eng', source?: Record<string, unknown>): WireResourceInput {
  return {
    ...reservedDisk(role),
    disk: { persistence: { id, principal: 'ops' }, volume: { container_path: 'data', mode: 'RW' }, ...(source !== undefined ? { source } : {}) },
  } as unknown as WireResourceInput;
}

function resources(...inputs: WireResourceInput[]): Resources {
  const parsed = fromWireList(inputs);
  if (!parsed.ok) throw new Error(parsed.error);
  return Resources.of(parsed.value);
}

function open(dir = workDir, options?: { mountPoints: string[] }) {
  const result = ResourceJournal.open(dir, options);
  if (result.ok) opened.push(result.value.journal);
  return result;
}

function journalOf(dir = workDir): ResourceJournal {
  const result = open(dir);
  if (!result.ok) throw new Error(result.error);
  return result.value.journal;
}

/** A fresh process's view: the journal closed and opened again. */
function reopen(journal: ResourceJournal, options?: { mountPoints: string[] }) {
  journal.close();
  opened = opened.filter((other) => other !== journal);
  return open(workDir, options);
}

function convert(journal: ResourceJournal, version: string, removed: Resources, added: Resources): ResourceChange {
  return { kind: 'convert', base: journal.state.version, version, steps: [{ removed, added }], kept: undefined };
}

function replace(version: string, set: Resources): ResourceChange {
  return { kind: 'replace', version, resources: set, kept: undefined };
}

function firstOf(set: Resources) {
  const [first] = set.toList();
  if (first === undefined) throw new Error('empty');
  return first;
}

describe('agent volumes: where a volume lives', () => {
  it('puts a ROOT volume under <work_dir>/volumes/roles/<role>/<id>, a hierarchical role as one level', () => {
    expect(volumePath('/w', firstOf(resources(volumeOf('pv-1', 'eng'))))).toBe('/w/volumes/roles/eng/pv-1');
    expect(volumePath('/w', firstOf(resources(volumeOf('pv-1', 'eng/backend'))))).toBe('/w/volumes/roles/eng backend/pv-1');
  });

  it('puts a PATH volume under its root (relative roots in the work directory) and a MOUNT volume at its root', () => {
    expect(volumePath('/w', firstOf(resources(volumeOf('pv-1', 'eng', { type: 'PATH', path: { root: '/mnt/d1' } }))))).toBe('/mnt/d1/volumes/roles/eng/pv-1');
    expect(volumePath('/w', firstOf(resources(volumeOf('pv-1', 'eng', { type: 'PATH', path: { root: 'd1' } }))))).toBe('/w/d1/volumes/roles/eng/pv-1');
    expect(volumePath('/w', firstOf(resources(volumeOf('pv-1', 'eng', { type: 'MOUNT', mount: { root: '/mnt/m1' } }))))).toBe('/mnt/m1');
  });
});

describe('agent volumes: the journal of checkpointed resources', () => {
  it('creates a new volume\'s directory and journals the change; a restart recovers it', () => {
    const journal = journalOf();
    expect(journal.commit(convert(journal, 'v1', Resources.empty(), resources(reservedDisk('eng'))))).toEqual({ ok: true, value: undefined });
    expect(journal.commit(convert(journal, 'v2', resources(reservedDisk('eng')), resources(volumeOf('pv-1'))))).toEqual({ ok: true, value: undefined });
    expect(existsSync(join(workDir, 'volumes/roles/eng/pv-1'))).toBe(true);

    const recovered = reopen(journal);
    expect(recovered.ok && recovered.value.state.resources.equals(resources(volumeOf('pv-1')))).toBe(true);
    expect(recovered.ok && recovered.value.state.version).toBe('v2');
  });

  it('appends one record per change, as small as the change, however many volumes the agent has', () => {
    const journal = journalOf();
    const many = resources(...Array.from({ length: 200 }, (_, index) => volumeOf(`pv-${index}`)));
    journal.commit(replace('v1', many.plus(resources(reservedDisk('eng')))));
    const before = readFileSync(resourcesJournalPath(workDir)).length;

    journal.commit(convert(journal, 'v2', resources(reservedDisk('eng')), resources(volumeOf('pv-new'))));

    const appended = readFileSync(resourcesJournalPath(workDir)).length - before;
    expect(appended).toBeLessThan(1024);
    expect(readFileSync(resourcesJournalPath(workDir), 'utf8').trimEnd().split('\n').at(-1)).toContain('"type":"convert"');
  });

  it('gives a new agent a version of its own, durably, so that the master\'s first operation can name it', () => {
    const journal = journalOf();
    const version = journal.state.version;
    expect(version).toMatch(/^[0-9a-f-]{36}$/);
    const recovered = reopen(journal);
    expect(recovered.ok && recovered.value.state.version).toBe(version);
  });

  it('keeps reports until they are forgotten, across restarts', () => {
    const journal = journalOf();
    const update = { operation_uuid: 'op-1', state: 'OPERATION_FINISHED', status_uuid: 'AAAAAAAAAAAAAAAAAAAAAA==', resource_version: 'v1' } as const;
    journal.commit({ kind: 'convert', base: journal.state.version, version: 'v1', steps: [{ removed: Resources.empty(), added: resources(reservedDisk('eng')) }], kept: update });

    let recovered = reopen(journal);
    expect(recovered.ok && recovered.value.state.operationUpdates).toEqual([update]);

    const again = recovered.ok ? recovered.value.journal : journal;
    again.commit({ kind: 'forget', statusUuids: [update.status_uuid] });
    recovered = reopen(again);
    expect(recovered.ok && recovered.value.state.operationUpdates).toEqual([]);
  });

  it('refuses a change built on another version, and journals nothing', () => {
    const journal = journalOf();
    const stale: ResourceChange = { kind: 'convert', base: 'v0', version: 'v1', steps: [{ removed: Resources.empty(), added: resources(volumeOf('pv-1')) }], kept: undefined };

    expect(journal.commit(stale)).toEqual({ ok: false, error: expect.stringMatching(/^The operation builds on resource version 'v0', but this agent's is '.+' \(an earlier change failed\)$/) as unknown });
    expect(existsSync(join(workDir, 'volumes/roles/eng/pv-1'))).toBe(false);
    const recovered = reopen(journal);
    expect(recovered.ok && recovered.value.state.resources.isEmpty()).toBe(true);
  });

  it('drops a torn last record (a crash in the middle of an append) and names a damaged one with its line', () => {
    const journal = journalOf();
    journal.commit(convert(journal, 'v1', Resources.empty(), resources(reservedDisk('eng'))));
    journal.close();
    opened = [];
    appendFileSync(resourcesJournalPath(workDir), '{"v":1,"type":"convert","ba');

    const recovered = open();
    expect(recovered.ok && recovered.value.state.version).toBe('v1');
    if (recovered.ok) recovered.value.journal.close();
    opened = [];

    appendFileSync(resourcesJournalPath(workDir), '{"v":1,"type":"convert","base":"v7","resource_version":"v8","steps":[]}\n');
    expect(open()).toEqual({ ok: false, error: expect.stringContaining(`Failed to recover checkpointed resources from '${resourcesJournalPath(workDir)}', record 3: builds on resource version 'v7', but the journal is at 'v1'`) as unknown });
  });

  it('refuses a journal of a newer format, naming it', () => {
    mkdirSync(join(workDir, 'meta/resources'), { recursive: true });
    writeFileSync(resourcesJournalPath(workDir), '{"v":7,"type":"resources","resources":[]}\n');
    expect(open()).toEqual({ ok: false, error: expect.stringContaining('record format version 7 is newer than this agent reads (1)') as unknown });
  });

  it('rewrites itself from a snapshot when it has grown, keeping the state', () => {
    const journal = journalOf();
    journal.commit(convert(journal, 'v0', Resources.empty(), resources(reservedDisk('eng'))));
    const update = { operation_uuid: 'op-1', state: 'OPERATION_FINISHED', status_uuid: 'AAAAAAAAAAAAAAAAAAAAAA==', resource_version: 'v1' } as const;
    journal.commit({ kind: 'keep', update });
    for (let index = 0; index < 300; index++) {
      const statusUuid = Buffer.alloc(16, (index % 255) + 1).toString('base64');
      journal.commit({ kind: 'keep', update: { ...update, operation_uuid: `op-${index + 2}`, status_uuid: statusUuid, message: 'x'.repeat(4000) } });
      journal.commit({ kind: 'forget', statusUuids: [statusUuid] });
    }
    const grown = readFileSync(resourcesJournalPath(workDir)).length;
    expect(grown).toBeGreaterThan(1024 * 1024);

    journal.compactIfDue();

    expect(readFileSync(resourcesJournalPath(workDir)).length).toBeLessThan(4096);
    const recovered = reopen(journal);
    expect(recovered.ok && recovered.value.state.resources.equals(resources(reservedDisk('eng')))).toBe(true);
    expect(recovered.ok && recovered.value.state.operationUpdates).toEqual([update]);
  });

  it('keeps what a created volume\'s directory already holds (data adopted, as on a MOUNT disk)', () => {
    const path = join(workDir, 'volumes/roles/eng/pv-1');
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, 'old'), 'kept');
    const journal = journalOf();
    journal.commit(replace('v1', resources(volumeOf('pv-1'))));
    expect(readFileSync(join(path, 'old'), 'utf8')).toBe('kept');
  });

  it('deletes a destroyed volume\'s data and keeps its disk reserved; a symlink in it is removed, not followed', () => {
    const outside = join(workDir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'precious'), 'x');
    const journal = journalOf();
    journal.commit(replace('v1', resources(volumeOf('pv-1'))));
    const path = join(workDir, 'volumes/roles/eng/pv-1');
    writeFileSync(join(path, 'table.db'), 'rows');
    symlinkSync(outside, join(path, 'link'));

    expect((journal.commit(convert(journal, 'v2', resources(volumeOf('pv-1')), resources(reservedDisk('eng'))), { mountPoints: [] })).ok).toBe(true);

    expect(existsSync(path)).toBe(false);
    expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('x');
    const recovered = reopen(journal);
    expect(recovered.ok && recovered.value.state.resources.equals(resources(reservedDisk('eng')))).toBe(true);
  });

  it('keeps a resized volume\'s directory and data (its path does not change)', () => {
    const journal = journalOf();
    journal.commit(replace('v1', resources(volumeOf('pv-1'))));
    const path = join(workDir, 'volumes/roles/eng/pv-1');
    writeFileSync(join(path, 'table.db'), 'rows');
    const grown = { ...volumeOf('pv-1'), scalar: { value: 128 } } as unknown as WireResourceInput;

    expect((journal.commit(convert(journal, 'v2', resources(volumeOf('pv-1')), resources(grown)), { mountPoints: [] })).ok).toBe(true);

    expect(readFileSync(join(path, 'table.db'), 'utf8')).toBe('rows');
  });

  it('empties a destroyed MOUNT volume and keeps its mount point', () => {
    const root = join(workDir, 'mnt1');
    mkdirSync(join(root, 'dir'), { recursive: true });
    writeFileSync(join(root, 'dir', 'file'), 'x');
    const source = { type: 'MOUNT', mount: { root } };
    const journal = journalOf();
    journal.commit(replace('v1', resources(volumeOf('pv-m', 'eng', source))));

    expect((journal.commit(replace('v2', resources(reservedDisk('eng', source))), { mountPoints: [root] })).ok).toBe(true);

    expect(existsSync(root)).toBe(true);
    expect(existsSync(join(root, 'dir'))).toBe(false);
  });

  it('refuses to delete a volume through a mount in it: nothing is journaled, the data stays', () => {
    const journal = journalOf();
    journal.commit(replace('v1', resources(volumeOf('pv-1'))));
    const path = join(workDir, 'volumes/roles/eng/pv-1');
    writeFileSync(join(path, 'table.db'), 'rows');

    const refused = journal.commit(convert(journal, 'v2', resources(volumeOf('pv-1')), resources(reservedDisk('eng'))), { mountPoints: [join(path, 'sub')] });

    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/^Failed to remove persistent volume 'pv-1' at '.*pv-1': it holds the mount point/) as unknown });
    expect(readFileSync(join(path, 'table.db'), 'utf8')).toBe('rows');
    expect(journal.state.version).toBe('v1');
    const recovered = reopen(journal, { mountPoints: [] });
    expect(recovered.ok && recovered.value.state.resources.equals(resources(volumeOf('pv-1')))).toBe(true);
  });

  it('deletes none of the volumes a change destroys when one of them is refused', () => {
    const journal = journalOf();
    const both = resources(volumeOf('pv-1'), volumeOf('pv-2'));
    journal.commit(replace('v1', both));
    const first = join(workDir, 'volumes/roles/eng/pv-1');
    const second = join(workDir, 'volumes/roles/eng/pv-2');
    writeFileSync(join(first, 'a'), 'kept');

    const refused = journal.commit(replace('v2', resources(reservedDisk('eng'), reservedDisk('eng'))), { mountPoints: [join(second, 'sub')] });

    expect(refused.ok).toBe(false);
    expect(readFileSync(join(first, 'a'), 'utf8')).toBe('kept');
    expect(existsSync(second)).toBe(true);
  });
});

describe('agent volumes: the whole-set files of earlier berth versions', () => {
  it('moves the set into the journal, applying a target a crash left before its rename, and removes the old files', () => {
    const { state, target } = legacyResourcesPaths(workDir);
    mkdirSync(join(workDir, 'meta/resources'), { recursive: true });
    writeFileSync(state, JSON.stringify({ v: 1, resources: resources(reservedDisk('eng')).toList(), resource_version: 'v1' }));
    writeFileSync(target, JSON.stringify({ v: 1, resources: resources(volumeOf('pv-1')).toList(), resource_version: 'v2' }));

    const recovered = open();

    expect(recovered.ok && recovered.value.state.resources.equals(resources(volumeOf('pv-1')))).toBe(true);
    expect(recovered.ok && recovered.value.state.version).toBe('v2');
    expect(existsSync(join(workDir, 'volumes/roles/eng/pv-1'))).toBe(true);
    expect([existsSync(state), existsSync(target)]).toEqual([false, false]);
    const again = recovered.ok ? reopen(recovered.value.journal) : recovered;
    expect(again.ok && again.value.state.version).toBe('v2');
  });

  it('names the file and the problem when an old set cannot be read', () => {
    const { state } = legacyResourcesPaths(workDir);
    mkdirSync(join(workDir, 'meta/resources'), { recursive: true });
    writeFileSync(state, '{"v": 7, "resources": []}');
    expect(open()).toEqual({
      ok: false,
      error: `Failed to read checkpointed resources from '${state}': expected {"v": 1, "resources": [...]}`,
    });
  });
});
