/**
 * Durable writes: nothing acknowledged is lost. A file is written to a
 * temporary name, fsynced, renamed over the target (atomic on POSIX), and the
 * directory fsynced so the rename itself survives a crash.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

export function fsyncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const directory = dirname(path);
  mkdirSync(directory, { recursive: true });
  const temporary = join(directory, `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeFully(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  fsyncDirectory(directory);
}

/** Cuts `path` to its first `bytes` (a torn tail), durably. */
export function truncateDurably(path: string, bytes: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Points `link` at `target` atomically (a new symlink renamed over the old one). */
export function symlinkAtomic(target: string, link: string): void {
  const directory = dirname(link);
  mkdirSync(directory, { recursive: true });
  const temporary = join(directory, `.${basename(link)}.tmp-${process.pid}`);
  rmSync(temporary, { force: true });
  symlinkSync(target, temporary);
  renameSync(temporary, link);
  fsyncDirectory(directory);
}

/**
 * A file appended to synchronously, each append durable (fdatasync) before it
 * returns, and replaced whole atomically. For records written rarely but
 * waited on: one write and one sync on the calling thread cost less than the
 * thread-pool hops of asynchronous I/O, which a busy machine stretches to
 * milliseconds.
 */
export class DurableAppendFile {
  private constructor(
    readonly path: string,
    private fd: number,
    private bytes: number,
  ) {}

  /** Opens `path` for appending, creating it (durably) when missing; `bytes` is its length, a torn tail already cut. */
  static open(path: string, bytes: number): DurableAppendFile {
    const created = !existsSync(path);
    const fd = openSync(path, 'a', 0o600);
    if (created) fsyncDirectory(dirname(path));
    return new DurableAppendFile(path, fd, bytes);
  }

  get size(): number {
    return this.bytes;
  }

  /**
   * Appends `data` and makes it durable; the directories in `alongside` (new
   * entries the data names) are fsynced after the write and before the
   * file's fdatasync, so a journaling file system commits both at once.
   */
  append(data: Uint8Array, alongside: readonly string[] = []): void {
    writeFully(this.fd, data);
    this.bytes += data.length;
    for (const directory of alongside) fsyncDirectory(directory);
    fdatasyncSync(this.fd);
  }

  /** Replaces the whole file with `data` (writeFileAtomic), and appends after it from then on. */
  replace(data: Uint8Array): void {
    writeFileAtomic(this.path, data);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a', 0o600);
    this.bytes = data.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function writeFully(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}
