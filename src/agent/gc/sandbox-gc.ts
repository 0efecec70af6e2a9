/**
 * SandboxGc: deletes the sandboxes of completed executors (Mesos'
 * GarbageCollector with the agent's disk watch, slave/gc.cpp and
 * Slave::checkDiskUsage).
 *
 * A sandbox scheduled at completion is deleted `--gc_delay` after it. Every
 * `--disk_watch_interval` the usage of the work directory's file system is
 * read and the allowed age shrinks as the disk fills, as Mesos computes it:
 *
 *   max allowed age = gc_delay * max(0, 1 - gc_disk_headroom - disk usage)
 *
 * and every sandbox at least that old is deleted then. `unschedule` takes a
 * path back (Mesos does when an executor with the same id reuses its
 * directory); it answers false once deletion has begun.
 *
 * Deletion is careful where Mesos is not: the path must lie strictly under
 * the work directory once its parent's symlinks are resolved, a symlink is
 * removed as a link (never followed), and a path that is a mount point or
 * holds one is refused and reported (volume data must never be deleted
 * through a bind mount; Mesos unmounts them, berth leaves that to the owner of
 * the mount and retries at each disk check). Deletions run one at a time.
 */
import { lstat, realpath, rm, statfs } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { assert } from '../../lib/assert.js';
import type { Clock } from '../../lib/clock.js';
import { isWithin } from '../files/resolve.js';
import type { Timer, Timers } from '../health/timers.js';
import { mountPointsWithin, readMountPoints } from './mount-table.js';

/** Mesos' defaults: --gc_delay 1 week, --disk_watch_interval 1 minute, --gc_disk_headroom 0.1. */
export const gcDefaults = {
  gcDelayMs: 7 * 24 * 60 * 60 * 1000,
  diskWatchIntervalMs: 60 * 1000,
  gcDiskHeadroom: 0.1,
} as const;

/** The file system as GC sees it; injected so tests fill disks and mount volumes at will. */
export interface GcFilesystem {
  /** Fraction (0..1) of the file system holding `path` in use: (blocks - free) / blocks, as stout's fs::usage. */
  diskUsage(path: string): Promise<number>;
  /** Every mount point of the agent's mount namespace. */
  mountPoints(): Promise<readonly string[]>;
  /** realpath(3); undefined when the path does not exist. */
  realPath(path: string): Promise<string | undefined>;
  /** Whether anything (a symlink included) is at the path. */
  exists(path: string): Promise<boolean>;
  /** Removes a tree without following symlinks. */
  remove(path: string): Promise<void>;
}

export const systemGcFilesystem: GcFilesystem = {
  async diskUsage(path) {
    const stats = await statfs(path);
    return stats.blocks > 0 ? (stats.blocks - stats.bfree) / stats.blocks : 0;
  },
  mountPoints: () => readMountPoints(),
  realPath: (path) => realpath(path).catch(() => undefined),
  exists: (path) => lstat(path).then(
    () => true,
    () => false,
  ),
  // Node's recursive rm lstat()s every entry: symlinks are unlinked, never followed.
  remove: (path) => rm(path, { recursive: true, force: true }),
};

export type GcEvent =
  | { readonly type: 'removed'; readonly path: string }
  /** Not deleted, and still scheduled: a mount point is at or under it, or it is not under the work directory. */
  | { readonly type: 'refused'; readonly path: string; readonly reason: string; readonly mountPoints: readonly string[] }
  /** Deletion failed; the path is no longer scheduled (as in Mesos). */
  | { readonly type: 'failed'; readonly path: string; readonly message: string }
  | { readonly type: 'disk_checked'; readonly usage: number; readonly maxAllowedAgeMs: number }
  | { readonly type: 'disk_check_failed'; readonly message: string };

export interface SandboxGcOptions {
  readonly workDir: string;
  readonly gcDelayMs?: number;
  readonly diskWatchIntervalMs?: number;
  readonly gcDiskHeadroom?: number;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly filesystem?: GcFilesystem;
}

interface ScheduledPath {
  readonly completedAtMs: number;
  removing: boolean;
}

export class SandboxGc {
  private readonly paths = new Map<string, ScheduledPath>();
  private readonly listeners: ((event: GcEvent) => void)[] = [];
  private readonly filesystem: GcFilesystem;
  private readonly gcDelayMs: number;
  private readonly diskWatchIntervalMs: number;
  private readonly gcDiskHeadroom: number;
  /** Deletions and disk checks, one at a time. */
  private work: Promise<void> = Promise.resolve();
  private removalTimer: Timer | undefined;
  private removalTimerAtMs = Infinity;
  private diskTimer: Timer | undefined;
  private closed = false;

  constructor(private readonly options: SandboxGcOptions) {
    this.filesystem = options.filesystem ?? systemGcFilesystem;
    this.gcDelayMs = options.gcDelayMs ?? gcDefaults.gcDelayMs;
    this.diskWatchIntervalMs = options.diskWatchIntervalMs ?? gcDefaults.diskWatchIntervalMs;
    this.gcDiskHeadroom = options.gcDiskHeadroom ?? gcDefaults.gcDiskHeadroom;
    assert(isAbsolute(options.workDir), `the work directory must be absolute: ${options.workDir}`);
    assert(this.gcDelayMs >= 0 && this.diskWatchIntervalMs > 0, 'gc_delay >= 0 and disk_watch_interval > 0');
    assert(this.gcDiskHeadroom >= 0 && this.gcDiskHeadroom <= 1, 'gc_disk_headroom is within [0, 1]');
  }

  /** Starts the disk watch: the first check one interval from now. */
  start(): void {
    assert(!this.closed, 'start() after close()');
    if (this.diskTimer === undefined) this.armDiskTimer();
  }

  /** Schedules `path` for deletion `--gc_delay` after `completedAtMs`; scheduling again replaces the time. */
  schedule(path: string, completedAtMs: number): void {
    assert(!this.closed, 'schedule() after close()');
    assert(isAbsolute(path) && normalize(path) === path, `GC paths are absolute and normalised: ${path}`);
    const known = this.paths.get(path);
    if (known?.removing === true) return;
    this.paths.set(path, { completedAtMs, removing: false });
    this.armRemovalTimer();
  }

  /** Takes a path back; false when it was not scheduled or its deletion has begun. */
  unschedule(path: string): boolean {
    const known = this.paths.get(path);
    if (known === undefined || known.removing) return false;
    this.paths.delete(path);
    return true;
  }

  /** Scheduled paths and when each is due at the latest (for /state and tests). */
  scheduled(): { readonly path: string; readonly removeAtMs: number }[] {
    return [...this.paths].map(([path, entry]) => ({ path, removeAtMs: entry.completedAtMs + this.gcDelayMs }));
  }

  onEvent(listener: (event: GcEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves when the deletions and checks started so far are done. */
  idle(): Promise<void> {
    return this.work;
  }

  close(): void {
    this.closed = true;
    this.diskTimer?.cancel();
    this.removalTimer?.cancel();
  }

  /** The allowed age at this disk usage (Mesos' Slave::age). */
  maxAllowedAgeMs(diskUsage: number): number {
    return this.gcDelayMs * Math.max(0, 1 - this.gcDiskHeadroom - diskUsage);
  }

  private armDiskTimer(): void {
    this.diskTimer = this.options.timers.after(this.diskWatchIntervalMs, () => {
      this.enqueue(() => this.checkDiskUsage());
      if (!this.closed) this.armDiskTimer();
    });
  }

  /** One timer, at the earliest time a path is due by --gc_delay alone. */
  private armRemovalTimer(): void {
    const nowMs = this.options.clock.nowMs();
    let dueMs = Infinity;
    for (const entry of this.paths.values()) {
      const atMs = entry.completedAtMs + this.gcDelayMs;
      // Paths due already and still here were refused: the disk checks retry them.
      if (!entry.removing && atMs > nowMs) dueMs = Math.min(dueMs, atMs);
    }
    if (dueMs === this.removalTimerAtMs) return;
    this.removalTimer?.cancel();
    this.removalTimer = undefined;
    this.removalTimerAtMs = dueMs;
    if (dueMs === Infinity || this.closed) return;
    this.removalTimer = this.options.timers.after(dueMs - nowMs, () => {
      this.removalTimer = undefined;
      this.removalTimerAtMs = Infinity;
      this.enqueue(() => this.removeOlderThan(this.gcDelayMs));
    });
  }

  private enqueue(job: () => Promise<void>): void {
    this.work = this.work.then(job).finally(() => {
      if (!this.closed) this.armRemovalTimer();
    });
  }

  private async checkDiskUsage(): Promise<void> {
    let usage: number;
    try {
      usage = await this.filesystem.diskUsage(this.options.workDir);
    } catch (error) {
      return this.emit({ type: 'disk_check_failed', message: error instanceof Error ? error.message : String(error) });
    }
    const maxAllowedAgeMs = this.maxAllowedAgeMs(usage);
    this.emit({ type: 'disk_checked', usage, maxAllowedAgeMs });
    await this.removeOlderThan(maxAllowedAgeMs);
  }

  /** Deletes every path completed at least `ageMs` ago, one at a time. */
  private async removeOlderThan(ageMs: number): Promise<void> {
    const nowMs = this.options.clock.nowMs();
    const due = [...this.paths].filter(([, entry]) => !entry.removing && nowMs - entry.completedAtMs >= ageMs);
    if (due.length === 0) return;
    let mountPoints: readonly string[];
    try {
      mountPoints = await this.filesystem.mountPoints();
    } catch (error) {
      // Without the mount table nothing is known to be safe to delete (Mesos skips every deletion too).
      for (const [path] of due) this.emit({ type: 'refused', path, reason: `cannot read the mount table: ${String(error)}`, mountPoints: [] });
      return;
    }
    for (const [path, entry] of due) {
      if (this.paths.get(path) !== entry) continue;
      entry.removing = true;
      const removed = await this.removeOne(path, mountPoints);
      if (removed === 'kept') entry.removing = false;
      else this.paths.delete(path);
    }
  }

  private async removeOne(path: string, mountPoints: readonly string[]): Promise<'removed' | 'kept' | 'dropped'> {
    const workDir = await this.filesystem.realPath(this.options.workDir);
    const parent = await this.filesystem.realPath(dirname(path));
    if (workDir === undefined || parent === undefined) {
      // Nothing to delete: the path (or the work directory) is gone already.
      this.emit({ type: 'removed', path });
      return 'removed';
    }
    const target = join(parent, basename(path));
    if (target === workDir || !isWithin(target, workDir)) {
      this.emit({ type: 'refused', path, reason: `'${target}' is not under the work directory '${workDir}'`, mountPoints: [] });
      return 'kept';
    }
    const mounted = mountPointsWithin(mountPoints, target);
    if (mounted.length > 0) {
      this.emit({ type: 'refused', path, reason: `'${target}' is or holds a mount point`, mountPoints: mounted });
      return 'kept';
    }
    try {
      if (await this.filesystem.exists(target)) await this.filesystem.remove(target);
    } catch (error) {
      this.emit({ type: 'failed', path, message: error instanceof Error ? error.message : String(error) });
      return 'dropped';
    }
    this.emit({ type: 'removed', path });
    return 'removed';
  }

  private emit(event: GcEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
