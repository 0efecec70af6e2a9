/**
 * Method: the policy on ManualTimers with an in-memory file system whose disk
 * usage, mount table and symlinks each test sets; then the real file system
 * once, to show that deleting a sandbox never follows a symlink out of it.
 */
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../health/timers.js';
import { parseMountPoints, mountPointsWithin } from './mount-table.js';
import { SandboxGc, type GcEvent, type GcFilesystem } from './sandbox-gc.js';

const workDir = '/work';
const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;
const weekMs = 7 * dayMs;

class MemoryFilesystem implements GcFilesystem {
  usage = 0.2;
  mounts: string[] = ['/', '/proc'];
  mountTableBroken = false;
  /** Parent directories that are symlinks: path -> real path. */
  readonly links = new Map<string, string>();
  readonly present = new Set<string>();
  readonly removed: string[] = [];
  failRemoval = false;

  async diskUsage(): Promise<number> {
    return this.usage;
  }
  async mountPoints(): Promise<readonly string[]> {
    if (this.mountTableBroken) throw new Error('no /proc');
    return this.mounts;
  }
  async realPath(path: string): Promise<string | undefined> {
    return this.links.get(path) ?? path;
  }
  async exists(path: string): Promise<boolean> {
    return this.present.has(path);
  }
  async remove(path: string): Promise<void> {
    if (this.failRemoval) throw new Error('EBUSY');
    this.present.delete(path);
    this.removed.push(path);
  }
}

function sandboxPath(name: string): string {
  return `${workDir}/slaves/a/frameworks/f/executors/${name}/runs/c`;
}

function setup(options: { gcDelayMs?: number; gcDiskHeadroom?: number; diskWatchIntervalMs?: number } = {}) {
  const timers = new ManualTimers();
  const filesystem = new MemoryFilesystem();
  const gc = new SandboxGc({ workDir, clock: timers, timers, filesystem, ...options });
  const events: GcEvent[] = [];
  gc.onEvent((event) => events.push(event));
  gc.start();
  const add = (name: string, completedAgoMs = 0): string => {
    const path = sandboxPath(name);
    filesystem.present.add(path);
    gc.schedule(path, timers.nowMs() - completedAgoMs);
    return path;
  };
  return { timers, filesystem, gc, events, add };
}

describe('gc: SandboxGc: delay', () => {
  it('deletes a sandbox --gc_delay (1 week) after completion, not before', async () => {
    // With the default headroom (0.1) the disk checks alone would delete it after 0.9 weeks, as in Mesos.
    const { timers, filesystem, gc, add } = setup({ gcDiskHeadroom: 0, diskWatchIntervalMs: dayMs });
    filesystem.usage = 0;
    const path = add('e1');
    await timers.advance(weekMs - 1);
    expect(filesystem.removed).toEqual([]);
    await timers.advance(1);
    await gc.idle();
    expect(filesystem.removed).toEqual([path]);
    expect(gc.scheduled()).toEqual([]);
  });

  it('measures the delay from completion, not from scheduling', async () => {
    const { timers, filesystem, gc, add } = setup({ gcDelayMs: 10 * hourMs });
    add('old', 9 * hourMs);
    await timers.advance(hourMs);
    await gc.idle();
    expect(filesystem.removed).toEqual([sandboxPath('old')]);
  });

  it('unschedule takes a path back', async () => {
    const { timers, filesystem, gc, add } = setup({ diskWatchIntervalMs: dayMs });
    const path = add('reused');
    expect(gc.unschedule(path)).toBe(true);
    expect(gc.unschedule(path)).toBe(false);
    await timers.advance(2 * weekMs);
    await gc.idle();
    expect(filesystem.removed).toEqual([]);
  });

  it('a path that is gone already counts as removed', async () => {
    const { timers, events, gc } = setup({ gcDelayMs: 1000 });
    gc.schedule(sandboxPath('never-created'), timers.nowMs());
    await timers.advance(1000);
    await gc.idle();
    expect(events).toContainEqual({ type: 'removed', path: sandboxPath('never-created') });
  });
});

describe('gc: SandboxGc: disk usage', () => {
  it('shrinks the allowed age as the disk fills: gc_delay * max(0, 1 - 0.1 - usage)', () => {
    const { gc } = setup();
    expect(gc.maxAllowedAgeMs(0)).toBeCloseTo(0.9 * weekMs);
    expect(gc.maxAllowedAgeMs(0.5)).toBeCloseTo(0.4 * weekMs);
    expect(gc.maxAllowedAgeMs(0.95)).toBe(0);
  });

  it('deletes at the next disk check (every minute) what is older than the allowed age', async () => {
    const { timers, filesystem, gc, events, add } = setup();
    filesystem.usage = 0.5;
    add('three-days', 3 * dayMs);
    add('two-days', 2 * dayMs);
    await timers.advance(60_000);
    await gc.idle();
    // Allowed age 0.4 weeks = 2.8 days.
    expect(filesystem.removed).toEqual([sandboxPath('three-days')]);
    expect(events[0]).toEqual({ type: 'disk_checked', usage: 0.5, maxAllowedAgeMs: expect.closeTo(0.4 * weekMs, 3) });
  });

  it('deletes every completed sandbox once usage passes 1 - headroom', async () => {
    const { timers, filesystem, gc, add } = setup();
    add('a');
    add('b');
    filesystem.usage = 0.93;
    await timers.advance(60_000);
    await gc.idle();
    expect(filesystem.removed.sort()).toEqual([sandboxPath('a'), sandboxPath('b')]);
  });

  it('a failed disk check is reported and the next one still runs', async () => {
    const { timers, filesystem, gc, events } = setup();
    filesystem.diskUsage = async () => {
      throw new Error('statfs failed');
    };
    await timers.advance(120_000);
    await gc.idle();
    expect(events.filter((event) => event.type === 'disk_check_failed')).toHaveLength(2);
  });
});

describe('gc: SandboxGc: safety', () => {
  it('refuses a sandbox with a mount point inside, reports it, and retries at each disk check', async () => {
    const { timers, filesystem, gc, events, add } = setup({ gcDelayMs: 1000 });
    const path = add('with-volume');
    filesystem.mounts.push(`${path}/data`);
    await timers.advance(1000);
    await gc.idle();
    expect(filesystem.removed).toEqual([]);
    expect(events).toContainEqual({ type: 'refused', path, reason: expect.stringMatching(/mount point/), mountPoints: [`${path}/data`] });
    expect(gc.scheduled().map((entry) => entry.path)).toEqual([path]);
    filesystem.mounts.pop();
    await timers.advance(60_000);
    await gc.idle();
    expect(filesystem.removed).toEqual([path]);
  });

  it('refuses a sandbox that is itself a mount point', async () => {
    const { timers, filesystem, gc, add } = setup({ gcDelayMs: 1000 });
    const path = add('mounted');
    filesystem.mounts.push(path);
    await timers.advance(1000);
    await gc.idle();
    expect(filesystem.removed).toEqual([]);
  });

  it('refuses everything when the mount table cannot be read', async () => {
    const { timers, filesystem, gc, events, add } = setup({ gcDelayMs: 1000 });
    add('x');
    filesystem.mountTableBroken = true;
    await timers.advance(1000);
    await gc.idle();
    expect(filesystem.removed).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'refused', reason: expect.stringMatching(/mount table/) });
  });

  it('refuses a path whose parent leads out of the work directory through a symlink', async () => {
    const { timers, filesystem, gc, events, add } = setup({ gcDelayMs: 1000 });
    const path = add('escaped');
    filesystem.links.set(`${workDir}/slaves/a/frameworks/f/executors/escaped/runs`, '/etc');
    await timers.advance(1000);
    await gc.idle();
    expect(filesystem.removed).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'refused', path, reason: expect.stringMatching(/not under the work directory/) });
  });

  it('a failed deletion is reported and the path dropped, as in Mesos', async () => {
    const { timers, filesystem, gc, events, add } = setup({ gcDelayMs: 1000 });
    const path = add('busy');
    filesystem.failRemoval = true;
    await timers.advance(1000);
    await gc.idle();
    expect(events).toEqual([{ type: 'failed', path, message: 'EBUSY' }]);
    expect(gc.scheduled()).toEqual([]);
  });

  it('refuses paths that are not absolute and normalised', () => {
    const { gc } = setup();
    expect(() => gc.schedule('/work/a/../b', 0)).toThrow(/normalised/);
    expect(() => gc.schedule('relative', 0)).toThrow(/absolute/);
  });
});

describe('gc: SandboxGc on the real file system', () => {
  it('deletes the sandbox and only the links in it, never what they point to', async () => {
    const base = await realpath(await mkdtemp(join(tmpdir(), 'berth-gc-')));
    const work = join(base, 'work');
    const sandbox = join(work, 'slaves', 'a', 'frameworks', 'f', 'executors', 'e', 'runs', 'c');
    const outside = join(base, 'outside');
    await mkdir(join(sandbox, 'sub'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, 'keep'), 'precious');
    await writeFile(join(sandbox, 'stdout'), 'x');
    await symlink(outside, join(sandbox, 'link-to-dir'));
    await symlink(join(outside, 'keep'), join(sandbox, 'sub', 'link-to-file'));
    const timers = new ManualTimers();
    const gc = new SandboxGc({ workDir: work, clock: timers, timers, gcDelayMs: 1000 });
    const events: GcEvent[] = [];
    gc.onEvent((event) => events.push(event));
    gc.schedule(sandbox, timers.nowMs());
    await timers.advance(1000);
    await gc.idle();
    expect(events).toEqual([{ type: 'removed', path: sandbox }]);
    await expect(readFile(join(sandbox, 'stdout'))).rejects.toThrow();
    expect(await readFile(join(outside, 'keep'), 'utf8')).toBe('precious');
    gc.close();
    await rm(base, { recursive: true, force: true });
  });
});

describe('gc: mount table', () => {
  it('reads mount points from mountinfo, undoing octal escapes', () => {
    const info = [
      '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
      '40 22 8:1 /volumes/v1 /work/slaves/a/runs/c/my\\040data rw shared:1 - ext4 /dev/sda1 rw',
      '',
    ].join('\n');
    const points = parseMountPoints(info);
    expect(points).toEqual(['/', '/work/slaves/a/runs/c/my data']);
    expect(mountPointsWithin(points, '/work/slaves/a/runs/c')).toEqual(['/work/slaves/a/runs/c/my data']);
    expect(mountPointsWithin(points, '/work/slaves/a/runs/c2')).toEqual([]);
  });
});
