/**
 * LogRotator: keeps a task's stdout and stderr in its sandbox from filling
 * the disk (berth's --sandbox_log_max_size and --sandbox_log_max_files; Mesos
 * leaves this to its optional logrotate container logger module).
 *
 * Every interval each registered file is checked; past the maximum size it is
 * rotated "copytruncate"-style: older copies shift up (stdout.1 -> stdout.2,
 * the oldest falls off), the file is copied to stdout.1, then truncated in
 * place. The task's process keeps writing to the descriptor it was given and
 * cannot be told to reopen, so the file itself has to stay; the writer opened
 * it with O_APPEND (the containerizer does), so after the truncation it writes
 * at the new end, offset 0, rather than leaving a hole. Bytes written between
 * the end of the copy and the truncation are lost: at most what the task
 * writes in that moment.
 *
 * The agent is root and the sandbox belongs to the task, which can swap its
 * files for links at any time. So the file is opened with O_NOFOLLOW and
 * truncated through that descriptor (a symlink to /etc/passwd is never
 * followed), a file with other hard links is left alone, and each copy is
 * written to a new file created with O_EXCL and renamed into place (rename
 * replaces a planted link, it never writes through one). Copies get the
 * original's owner and mode.
 */
import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { assert } from '../../lib/assert.js';
import type { Timer, Timers } from '../health/timers.js';

/** berth's defaults: 10 MiB per file, 3 rotated copies, a check every 10 seconds. */
export const logRotationDefaults = {
  maxSizeBytes: 10 * 1024 * 1024,
  maxFiles: 3,
  checkIntervalMs: 10_000,
} as const;

/** Rotated copies kept per file: each is up to the maximum size, so this bounds the disk a log takes. */
export const logRotationMaxFilesMax = 100;

/** Bytes copied per read while rotating. */
const copyChunkBytes = 1024 * 1024;

export type LogRotationEvent =
  | { readonly type: 'rotated'; readonly path: string; readonly sizeBytes: number }
  /** Left alone: not a regular file, a symlink, or hard-linked elsewhere. */
  | { readonly type: 'skipped'; readonly path: string; readonly reason: string }
  | { readonly type: 'failed'; readonly path: string; readonly message: string };

export interface LogRotatorOptions {
  readonly timers: Timers;
  readonly maxSizeBytes?: number;
  readonly maxFiles?: number;
  readonly checkIntervalMs?: number;
}

export class LogRotator {
  private readonly paths = new Set<string>();
  private readonly listeners: ((event: LogRotationEvent) => void)[] = [];
  private readonly maxSizeBytes: number;
  private readonly maxFiles: number;
  private readonly checkIntervalMs: number;
  private timer: Timer | undefined;
  private work: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: LogRotatorOptions) {
    this.maxSizeBytes = options.maxSizeBytes ?? logRotationDefaults.maxSizeBytes;
    this.maxFiles = options.maxFiles ?? logRotationDefaults.maxFiles;
    this.checkIntervalMs = options.checkIntervalMs ?? logRotationDefaults.checkIntervalMs;
    assert(this.maxSizeBytes > 0, 'sandbox_log_max_size must be positive');
    assert(Number.isInteger(this.maxFiles) && this.maxFiles >= 1 && this.maxFiles <= logRotationMaxFilesMax, `sandbox_log_max_files is within [1, ${logRotationMaxFilesMax}]`);
    assert(this.checkIntervalMs > 0, 'the rotation interval must be positive');
  }

  /** Watches a file (a sandbox's stdout or stderr). It need not exist yet. */
  register(path: string): void {
    this.paths.add(path);
  }

  unregister(path: string): void {
    this.paths.delete(path);
  }

  registered(): readonly string[] {
    return [...this.paths];
  }

  /** Starts the periodic checks. */
  start(): void {
    assert(!this.closed, 'start() after close()');
    if (this.timer !== undefined) return;
    const arm = (): void => {
      this.timer = this.options.timers.after(this.checkIntervalMs, () => {
        void this.checkNow();
        if (!this.closed) arm();
      });
    };
    arm();
  }

  /** Checks every registered file now; resolves when done. Checks never overlap. */
  checkNow(): Promise<void> {
    this.work = this.work.then(async () => {
      for (const path of [...this.paths]) {
        if (this.paths.has(path)) await this.checkFile(path);
      }
    });
    return this.work;
  }

  onEvent(listener: (event: LogRotationEvent) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }

  private async checkFile(path: string): Promise<void> {
    let handle: FileHandle;
    try {
      // O_NONBLOCK: a FIFO in its place must not hang the agent.
      handle = await open(path, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT') return;
      if (code === 'ELOOP') return this.emit({ type: 'skipped', path, reason: 'it is a symlink' });
      return this.emit({ type: 'failed', path, message: String(error) });
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) return this.emit({ type: 'skipped', path, reason: 'it is not a regular file' });
      if (stats.nlink > 1) return this.emit({ type: 'skipped', path, reason: 'it has other hard links' });
      if (stats.size <= this.maxSizeBytes) return;
      await this.shiftCopies(path);
      // The copy takes what arrives while it runs too, up to one more maximum size, so that a fast writer cannot keep it going.
      await copyToNewFile(handle, path, `${path}.1`, stats.size + this.maxSizeBytes, { uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o7777 });
      // Anything the task wrote after the copy ended and before this line is lost.
      await handle.truncate(0);
      this.emit({ type: 'rotated', path, sizeBytes: stats.size });
    } catch (error) {
      this.emit({ type: 'failed', path, message: error instanceof Error ? error.message : String(error) });
    } finally {
      await handle.close();
    }
  }

  /** path.(n-1) -> path.n, ..., path.1 -> path.2: renames move links, never their targets. */
  private async shiftCopies(path: string): Promise<void> {
    for (let index = this.maxFiles - 1; index >= 1; index -= 1) {
      await rename(`${path}.${index}`, `${path}.${index + 1}`).catch((error: { code?: unknown }) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  }

  private emit(event: LogRotationEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** Copies the whole of `source` to a file created anew next to `target`, then renames it over `target`. */
async function copyToNewFile(source: FileHandle, path: string, target: string, bytesMax: number, owner: { uid: number; gid: number; mode: number }): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.rotating`);
  await unlink(temporary).catch(() => undefined);
  const copy = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    const buffer = Buffer.alloc(copyChunkBytes);
    let position = 0;
    while (position < bytesMax) {
      const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, bytesMax - position), position);
      if (bytesRead === 0) break;
      await copy.write(buffer, 0, bytesRead);
      position += bytesRead;
    }
    await copy.chown(owner.uid, owner.gid).catch(() => undefined);
    await copy.chmod(owner.mode);
  } finally {
    await copy.close();
  }
  await rename(temporary, target);
}
