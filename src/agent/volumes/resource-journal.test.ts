/**
 * The checkpointed resources and the volumes they make, on the real file
 * system under the test root: where volumes live (spec/storage.md 3.1), the
 * commit protocol (3.2) with its recovery after a crash, and what creating and
 * destroying a volume does on disk (3.3), including never deleting through a
 * mount and never following a symlink out.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { fromWireList, Resources, type WireResourceInput } from '../../resources/index.js';
import { resourcesCheckpointPath, resourcesTargetPath } from '../paths.js';
import { volumePath } from './volume-path.js';
import { commitResourceState, recoverResourceState, type ResourceState } from './checkpointed-resources.js';

let workDir: string;

beforeEach(() => {
  mkdirSync(testRoot(), { recursive: true });
  workDir = mkdtempSync(join(testRoot(), 'volumes-'));
});

afterEach(() => {
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

function stateOf(set: Resources): ResourceState {
  return { resources: set, version: undefined, operationUpdates: [] };
}

function commit(dir: string, current: Resources, next: Resources, options?: { mountPoints: string[] }) {
  return commitResourceState(dir, stateOf(current), stateOf(next), options);
}

/** The recovered resources only. */
function recover(dir: string, options?: { mountPoints: string[] }) {
  const recovered = recoverResourceState(dir, options);
  return recovered.ok ? { ok: true as const, value: recovered.value.resources } : recovered;
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

describe('agent volumes: committing checkpointed resources', () => {
  it('creates a new volume\'s directory and makes the set durable; a restart recovers it', () => {
    const next = resources(volumeOf('pv-1'));
    expect(commit(workDir, Resources.empty(), next)).toEqual({ ok: true, value: undefined });
    expect(existsSync(join(workDir, 'volumes/roles/eng/pv-1'))).toBe(true);
    expect(existsSync(resourcesTargetPath(workDir))).toBe(false);
    expect(JSON.parse(readFileSync(resourcesCheckpointPath(workDir), 'utf8'))).toMatchObject({ v: 1, resources: [expect.objectContaining({ name: 'disk' })] });

    const recovered = recover(workDir);
    expect(recovered.ok && recovered.value.equals(next)).toBe(true);
  });

  it('keeps what a created volume\'s directory already holds (data adopted, as on a MOUNT disk)', () => {
    const path = join(workDir, 'volumes/roles/eng/pv-1');
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, 'old'), 'kept');
    commit(workDir, Resources.empty(), resources(volumeOf('pv-1')));
    expect(readFileSync(join(path, 'old'), 'utf8')).toBe('kept');
  });

  it('deletes a destroyed volume\'s data and keeps its disk reserved; a symlink in it is removed, not followed', () => {
    const outside = join(workDir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'precious'), 'x');
    const withVolume = resources(volumeOf('pv-1'));
    commit(workDir, Resources.empty(), withVolume);
    const path = join(workDir, 'volumes/roles/eng/pv-1');
    writeFileSync(join(path, 'table.db'), 'rows');
    symlinkSync(outside, join(path, 'link'));

    const afterDestroy = resources(reservedDisk('eng'));
    expect(commit(workDir, withVolume, afterDestroy, { mountPoints: [] }).ok).toBe(true);

    expect(existsSync(path)).toBe(false);
    expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('x');
    const recovered = recover(workDir);
    expect(recovered.ok && recovered.value.equals(afterDestroy)).toBe(true);
  });

  it('empties a destroyed MOUNT volume and keeps its mount point', () => {
    const root = join(workDir, 'mnt1');
    mkdirSync(join(root, 'dir'), { recursive: true });
    writeFileSync(join(root, 'dir', 'file'), 'x');
    const source = { type: 'MOUNT', mount: { root } };
    const withVolume = resources(volumeOf('pv-m', 'eng', source));
    commit(workDir, Resources.empty(), withVolume);

    expect(commit(workDir, withVolume, resources(reservedDisk('eng', source)), { mountPoints: [root] }).ok).toBe(true);

    expect(existsSync(root)).toBe(true);
    expect(existsSync(join(root, 'dir'))).toBe(false);
  });

  it('refuses to delete a volume through a mount in it: nothing is committed, the data stays, and no later start applies the change', () => {
    const withVolume = resources(volumeOf('pv-1'));
    commit(workDir, Resources.empty(), withVolume);
    const path = join(workDir, 'volumes/roles/eng/pv-1');
    writeFileSync(join(path, 'table.db'), 'rows');
    const afterDestroy = resources(reservedDisk('eng'));

    const refused = commit(workDir, withVolume, afterDestroy, { mountPoints: [join(path, 'sub')] });

    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/^Failed to remove persistent volume 'pv-1' at '.*pv-1': it holds the mount point/) });
    expect(readFileSync(join(path, 'table.db'), 'utf8')).toBe('rows');
    expect(existsSync(resourcesTargetPath(workDir))).toBe(false);
    const recovered = recover(workDir, { mountPoints: [] });
    expect(recovered.ok && recovered.value.equals(withVolume)).toBe(true);
    expect(readFileSync(join(path, 'table.db'), 'utf8')).toBe('rows');
  });

  it('deletes none of the volumes a change destroys when one of them is refused', () => {
    const both = resources(volumeOf('pv-1'), volumeOf('pv-2'));
    commit(workDir, Resources.empty(), both);
    const first = join(workDir, 'volumes/roles/eng/pv-1');
    const second = join(workDir, 'volumes/roles/eng/pv-2');
    writeFileSync(join(first, 'a'), 'kept');

    const refused = commit(workDir, both, resources(reservedDisk('eng'), reservedDisk('eng')), { mountPoints: [join(second, 'sub')] });

    expect(refused.ok).toBe(false);
    expect(readFileSync(join(first, 'a'), 'utf8')).toBe('kept');
    expect(existsSync(second)).toBe(true);
  });

  it('applies a target left by a crash before the rename', () => {
    const next = resources(volumeOf('pv-1'));
    mkdirSync(join(workDir, 'meta/resources'), { recursive: true });
    writeFileSync(resourcesTargetPath(workDir), JSON.stringify({ v: 1, resources: next.toList() }));

    const recovered = recover(workDir);

    expect(recovered.ok && recovered.value.equals(next)).toBe(true);
    expect(existsSync(join(workDir, 'volumes/roles/eng/pv-1'))).toBe(true);
    expect(existsSync(resourcesCheckpointPath(workDir))).toBe(true);
  });

  it('names the file and the problem when the checkpoint cannot be read', () => {
    mkdirSync(join(workDir, 'meta/resources'), { recursive: true });
    writeFileSync(resourcesCheckpointPath(workDir), '{"v": 7, "resources": []}');
    expect(recover(workDir)).toEqual({
      ok: false,
      error: `Failed to read checkpointed resources from '${resourcesCheckpointPath(workDir)}': expected {"v": 1, "resources": [...]}`,
    });
  });

  it('writes nothing when the set does not change', () => {
    const same = resources(reservedDisk('eng'));
    expect(commit(workDir, same, same).ok).toBe(true);
    expect(existsSync(resourcesCheckpointPath(workDir))).toBe(false);
  });
});
