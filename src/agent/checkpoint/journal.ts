/**
 * The agent's checkpoint journal (contract in records.ts): an append-only file
 * of JSON lines, made durable with group commit.
 *
 * Writes go through one queue, processed by one loop:
 *
 *   append(a) ─┐                       ┌─ write(a b c) ─ fdatasync ─ resolve a b c
 *   append(b) ─┼─► [batch] [compaction] [batch] ─►│
 *   append(c) ─┘                       └─ compaction: temp, fsync, rename, fsync dir
 *
 * Appends that arrive while a batch is being written and synced join the next
 * batch, so N concurrent appenders cost one write and one fdatasync per batch,
 * not one each. Batches are written and synced in queue order, so records
 * become durable in append order, and an append resolves only after the
 * fdatasync that covers it (nothing acknowledged is lost).
 *
 * A compaction is a queue entry like a batch: every append made before
 * `compact()` was called is durable before the snapshot replaces the file, and
 * every append made after it lands in the new file, after the snapshot.
 *
 * After an I/O error in a write or a sync the journal refuses all further work:
 * a failed fsync cannot be retried safely, and a short write may have left a
 * torn line that a later append would bury. The agent restarts and recovers
 * from what is on disk.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assert } from '../../lib/assert.js';
import { fsyncDirectory, truncateDurably } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { parseJournal } from './journal-recovery.js';
import type { JournalCodec, JournalOptions, JournalRecord, JournalRecovery } from './records.js';

export { readJournal } from './journal-recovery.js';

/** The agent's journal of frameworks, executors, tasks and status updates (records.ts). */
export type TaskJournal = Journal<JournalRecord>;

const journalFileMode = 0o600;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Appends waiting for the next write; `chunks` are their lines, in append order. */
interface Batch {
  readonly kind: 'batch';
  readonly chunks: Buffer[];
  bytes: number;
  readonly waiters: Waiter[];
}

interface Compaction {
  readonly kind: 'compaction';
  readonly data: Buffer;
  readonly waiter: Waiter;
}

type QueueEntry = Batch | Compaction;

export class Journal<R extends { readonly v: number }> {
  /** Entries not yet started by the writer loop; the loop takes them from the front. */
  private readonly queue: QueueEntry[] = [];
  /** Opened lazily by the writer loop (open() is synchronous; FileHandles are not). */
  private handle: FileHandle | undefined;
  /** The writer loop's promise, while it runs (and after, settled). */
  private writing: Promise<void> = Promise.resolve();
  private writerRunning = false;
  private failure: Error | undefined;
  private closed = false;
  /** Bytes in the file after the last completed write or compaction. */
  private fileBytes: number;
  /** Bytes queued in batches, not yet written. */
  private queuedBytes = 0;
  private compactionsQueued = 0;
  private syncs = 0;

  private constructor(
    readonly path: string,
    private readonly options: JournalOptions<R>,
    fileBytes: number,
  ) {
    this.fileBytes = fileBytes;
  }

  /**
   * Opens the journal at `path`, creating it (and its directory) when missing,
   * and returns what it held. A torn last line is dropped and the file
   * truncated to its last complete record; other damage is an error or is
   * skipped and counted, as `options.strict` says. An error leaves the file
   * untouched.
   */
  static open<R extends { readonly v: number }>(path: string, options: JournalOptions<R>): Result<{ journal: Journal<R>; recovery: JournalRecovery<R> }> {
    assert(options.compactBytesMax > 0, 'compactBytesMax must be positive');
    try {
      rmSync(compactionTemporaryPath(path), { force: true });
      if (!existsSync(path)) createJournalFile(path);
      const parsed = parseJournal(path, readFileSync(path), options.strict, options.codec);
      if (!parsed.ok) return parsed;
      const { records, errors, completeBytes, fileBytes } = parsed.value;
      if (completeBytes < fileBytes) truncateDurably(path, completeBytes);
      return ok({ journal: new Journal(path, options, completeBytes), recovery: { records, errors } });
    } catch (error) {
      return err(`Failed to open journal ${path}: ${(error as Error).message}`);
    }
  }

  /** Bytes the file holds once every queued append is written; compare with `compactBytesMax`. */
  get size(): number {
    return this.fileBytes + this.queuedBytes;
  }

  /** The journal has outgrown `compactBytesMax` and no compaction is queued: time to call compact(). */
  get compactionDue(): boolean {
    return this.compactionsQueued === 0 && this.size > this.options.compactBytesMax;
  }

  /** fdatasync calls made on the journal file so far (one per batch). */
  get syncCount(): number {
    return this.syncs;
  }

  /**
   * Resolves once `records` are durable, after every record appended before
   * them. Rejects when the journal failed (see the file comment).
   */
  append(records: readonly R[]): Promise<void> {
    assert(!this.closed, `journal ${this.path} is closed`);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (records.length === 0) return this.flushed();
    const chunk = Buffer.from(records.map((record) => encodeRecord(record, this.options.codec)).join(''), 'utf8');
    let batch = this.queue.at(-1);
    if (batch === undefined || batch.kind !== 'batch') {
      batch = { kind: 'batch', chunks: [], bytes: 0, waiters: [] };
      this.queue.push(batch);
    }
    batch.chunks.push(chunk);
    batch.bytes += chunk.length;
    this.queuedBytes += chunk.length;
    const appended = new Promise<void>((resolve, reject) => (batch as Batch).waiters.push({ resolve, reject }));
    this.startWriting();
    return appended;
  }

  /**
   * Replaces the journal with `snapshot` atomically (temp file, fsync, rename,
   * fsync the directory). The snapshot must describe the state after every
   * record appended before this call; records appended after it are written
   * after the snapshot.
   */
  compact(snapshot: readonly R[]): Promise<void> {
    assert(!this.closed, `journal ${this.path} is closed`);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const data = Buffer.from(snapshot.map((record) => encodeRecord(record, this.options.codec)).join(''), 'utf8');
    const compacted = new Promise<void>((resolve, reject) => this.queue.push({ kind: 'compaction', data, waiter: { resolve, reject } }));
    this.compactionsQueued++;
    this.startWriting();
    return compacted;
  }

  /** Waits for queued work, then closes the file. Appending afterwards is a programmer error. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private flushed(): Promise<void> {
    return this.writing.then(() => (this.failure === undefined ? undefined : Promise.reject(this.failure)));
  }

  private startWriting(): void {
    if (this.writerRunning) return;
    this.writerRunning = true;
    this.writing = this.writeQueue();
  }

  /**
   * The writer loop: one entry at a time, in order; never rejects (failures go
   * to the waiters). It stops in the same synchronous step that finds the queue
   * empty, so an entry queued later always starts a new loop.
   */
  private async writeQueue(): Promise<void> {
    try {
      for (let entry = this.queue.shift(); entry !== undefined; entry = this.queue.shift()) {
        if (this.failure !== undefined) {
          rejectEntry(entry, this.failure);
          continue;
        }
        if (entry.kind === 'batch') await this.writeBatch(entry);
        else await this.writeCompaction(entry);
      }
    } finally {
      this.writerRunning = false;
    }
  }

  private async writeBatch(batch: Batch): Promise<void> {
    try {
      const handle = await this.openHandle();
      await writeFully(handle, batch.chunks.length === 1 ? (batch.chunks[0] as Buffer) : Buffer.concat(batch.chunks, batch.bytes));
      this.fileBytes += batch.bytes;
      this.queuedBytes -= batch.bytes;
      await handle.datasync();
      this.syncs++;
    } catch (error) {
      rejectEntry(batch, this.fail(error, `append to journal ${this.path}`));
      return;
    }
    for (const waiter of batch.waiters) waiter.resolve();
  }

  private async writeCompaction(compaction: Compaction): Promise<void> {
    this.compactionsQueued--;
    const temporary = compactionTemporaryPath(this.path);
    try {
      const file = await open(temporary, 'w', journalFileMode);
      try {
        await writeFully(file, compaction.data);
        await file.datasync();
      } finally {
        await file.close();
      }
    } catch (error) {
      // The journal itself is untouched: only this compaction failed.
      await rm(temporary, { force: true }).catch(() => undefined);
      compaction.waiter.reject(new Error(`Failed to compact journal ${this.path}: ${(error as Error).message}`));
      return;
    }
    try {
      await rename(temporary, this.path);
      await syncDirectory(dirname(this.path));
      const previous = this.handle;
      this.handle = undefined;
      await previous?.close();
      this.fileBytes = compaction.data.length;
      await this.openHandle();
    } catch (error) {
      compaction.waiter.reject(this.fail(error, `compact journal ${this.path}`));
      return;
    }
    compaction.waiter.resolve();
  }

  private async openHandle(): Promise<FileHandle> {
    this.handle ??= await open(this.path, 'a', journalFileMode);
    return this.handle;
  }

  private fail(error: unknown, what: string): Error {
    this.failure = new Error(`Failed to ${what}: ${(error as Error).message}; the journal accepts no more records`);
    return this.failure;
  }
}

function encodeRecord<R extends { readonly v: number }>(record: R, codec: JournalCodec<R>): string {
  assert(record.v === codec.formatVersion, `journal record of format version ${String(record.v)}, expected ${codec.formatVersion}`);
  const checked = codec.parse(record);
  assert(checked.ok, `malformed journal record (${checked.ok ? '' : checked.error}): ${JSON.stringify(record)}`);
  return `${JSON.stringify(record)}\n`;
}

function rejectEntry(entry: QueueEntry, error: Error): void {
  if (entry.kind === 'batch') for (const waiter of entry.waiters) waiter.reject(error);
  else entry.waiter.reject(error);
}

async function writeFully(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    assert(bytesWritten > 0, 'write made no progress');
    offset += bytesWritten;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

function compactionTemporaryPath(path: string): string {
  return `${path}.compacting`;
}

function createJournalFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  closeSync(openSync(path, 'a', journalFileMode));
  fsyncDirectory(dirname(path));
}
