/**
 * Method: real files under the test root. Durability is checked by reading the
 * file back (readJournal) at the moment an append resolves; fsyncs are counted
 * with a spy on FileHandle.prototype.datasync, independently of the journal's
 * own counter. Crashes are simulated by writing the bytes a crash would leave.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { AssertionError } from '../../lib/assert.js';
import { Journal, readJournal, type TaskJournal } from './journal.js';
import { taskRecordCodec } from './record-schema.js';
import type { JournalOptions, JournalRecord } from './records.js';

const options: JournalOptions = { strict: true, compactBytesMax: 1 << 20, codec: taskRecordCodec };

let directory: string;
let path: string;

beforeEach(() => {
  directory = mkdtempSync(join(testRoot(), 'journal-'));
  path = join(directory, 'meta', 'journal');
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(directory, { recursive: true, force: true });
});

function update(taskId: string, padding = 0): JournalRecord {
  return { v: 1, type: 'update', framework_id: 'fw-1', task_id: taskId, status: { state: 'TASK_RUNNING', uuid: `u-${taskId}`, message: 'x'.repeat(padding) } };
}

function taskIds(records: readonly JournalRecord[]): string[] {
  return records.map((record) => ('task_id' in record ? record.task_id : record.type));
}

function openJournal(journalOptions: JournalOptions = options): { journal: TaskJournal; records: readonly JournalRecord[]; errors: number } {
  const opened = Journal.open(path, journalOptions);
  if (!opened.ok) throw new Error(opened.error);
  return { journal: opened.value.journal, ...opened.value.recovery };
}

async function spyOnDatasync(): Promise<{ calls: () => number }> {
  const probe = await open(join(directory, 'probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
  await probe.close();
  const spy = vi.spyOn(prototype, 'datasync');
  return { calls: () => spy.mock.calls.length };
}

describe('journal: append', () => {
  it('creates a missing journal and its directory, empty', async () => {
    const { journal, records, errors } = openJournal();
    expect(records).toEqual([]);
    expect(errors).toBe(0);
    expect(statSync(path).size).toBe(0);
    await journal.close();
  });

  it('resolves each append only once it and every earlier append are on disk, in append order', async () => {
    const { journal } = openJournal();
    const resolved: string[] = [];
    const appends = Array.from({ length: 50 }, async (_, index) => {
      await journal.append([update(`t${index}`)]);
      const onDisk = readJournal(path, options);
      expect(onDisk.ok).toBe(true);
      if (onDisk.ok) expect(taskIds(onDisk.value.records).slice(0, index + 1)).toEqual(Array.from({ length: index + 1 }, (__, i) => `t${i}`));
      resolved.push(`t${index}`);
    });
    await Promise.all(appends);
    expect(resolved).toEqual(Array.from({ length: 50 }, (_, i) => `t${i}`));
    await journal.close();
    const reopened = openJournal();
    expect(taskIds(reopened.records)).toEqual(resolved);
    await reopened.journal.close();
  });

  it('group commit: 100 concurrent appends cost far fewer than 100 fdatasyncs', async () => {
    const datasync = await spyOnDatasync();
    const { journal } = openJournal();
    await Promise.all(Array.from({ length: 100 }, (_, index) => journal.append([update(`t${index}`, 400)])));
    expect(datasync.calls()).toBeLessThanOrEqual(3);
    expect(journal.syncCount).toBe(datasync.calls());
    const onDisk = readJournal(path, options);
    expect(onDisk.ok && onDisk.value.records.length).toBe(100);
    await journal.close();
  });

  it('appends that arrive during an fdatasync share the next one', async () => {
    const datasync = await spyOnDatasync();
    const { journal } = openJournal();
    const first = journal.append([update('first')]);
    // Queued while the first batch is being written and synced.
    const rest = Array.from({ length: 20 }, (_, index) => journal.append([update(`t${index}`)]));
    await Promise.all([first, ...rest]);
    expect(datasync.calls()).toBeLessThanOrEqual(2);
    await journal.close();
  });

  it('size counts the bytes the file will hold', async () => {
    const { journal } = openJournal();
    const appended = journal.append([update('a'), update('b')]);
    const expected = Buffer.byteLength(`${JSON.stringify(update('a'))}\n${JSON.stringify(update('b'))}\n`);
    expect(journal.size).toBe(expected);
    await appended;
    expect(statSync(path).size).toBe(expected);
    expect(journal.size).toBe(expected);
    await journal.close();
  });

  it('refuses a malformed record as a programmer error', async () => {
    const { journal } = openJournal();
    const malformed = { v: 1, type: 'ack', framework_id: 'fw-1', task_id: 't' } as unknown as JournalRecord;
    expect(() => journal.append([malformed])).toThrow(AssertionError);
    const newer = { ...update('t'), v: 2 } as unknown as JournalRecord;
    expect(() => journal.append([newer])).toThrow(/format version 2/);
    await journal.close();
  });

  it('after a failed fdatasync rejects that append and every later one (no acknowledgement without durability)', async () => {
    const { journal } = openJournal();
    await journal.append([update('ok')]);
    const probe = await open(join(directory, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    vi.spyOn(prototype, 'datasync').mockRejectedValueOnce(new Error('EIO: i/o error'));
    await expect(journal.append([update('lost')])).rejects.toThrow(/EIO.*accepts no more records/);
    await expect(journal.append([update('later')])).rejects.toThrow(/accepts no more records/);
    await expect(journal.compact([])).rejects.toThrow(/accepts no more records/);
    await journal.close();
  });
});

describe('journal: recovery', () => {
  function writeLines(lines: readonly string[], tail = ''): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, lines.map((line) => `${line}\n`).join('') + tail);
  }

  it('drops a torn last line and truncates the file to the last complete record', async () => {
    const complete = [JSON.stringify(update('a')), JSON.stringify(update('b'))];
    writeLines(complete, JSON.stringify(update('c')).slice(0, 30));
    const completeBytes = Buffer.byteLength(complete.map((line) => `${line}\n`).join(''));
    const { journal, records, errors } = openJournal();
    expect(taskIds(records)).toEqual(['a', 'b']);
    expect(errors).toBe(0);
    expect(statSync(path).size).toBe(completeBytes);
    await journal.append([update('d')]);
    await journal.close();
    const onDisk = readJournal(path, options);
    expect(onDisk.ok && taskIds(onDisk.value.records)).toEqual(['a', 'b', 'd']);
  });

  it('strict: an unreadable line is an error naming the file and line, and the file is left as it was', () => {
    writeLines([JSON.stringify(update('a')), '{"v":1,"type":"upd', JSON.stringify(update('c'))], '{"torn');
    const before = readFileSync(path);
    const opened = Journal.open(path, { ...options, strict: true });
    expect(opened.ok).toBe(false);
    if (!opened.ok) expect(opened.error).toBe(`${path}:2: unreadable record (not JSON)`);
    expect(readFileSync(path)).toEqual(before);
  });

  it('non-strict: an unreadable line is skipped and counted', async () => {
    writeLines([JSON.stringify(update('a')), '{"v":1,"type":"upd', '{"v":1,"type":"ack"}', 'null', JSON.stringify(update('c'))]);
    const { journal, records, errors } = openJournal({ ...options, strict: false });
    expect(taskIds(records)).toEqual(['a', 'c']);
    expect(errors).toBe(3);
    await journal.close();
  });

  it('names the field of a record with the wrong shape', () => {
    writeLines(['{"v":1,"type":"ack","framework_id":"fw","task_id":"t"}']);
    const opened = Journal.open(path, options);
    expect(!opened.ok && opened.error).toBe(`${path}:1: unreadable record (uuid: Invalid input: expected string, received undefined)`);
  });

  it('refuses a record of a newer format version, strict or not, naming file, line and version', () => {
    writeLines([JSON.stringify(update('a')), JSON.stringify({ ...update('b'), v: 2 })]);
    for (const strict of [true, false]) {
      const opened = Journal.open(path, { ...options, strict });
      expect(opened.ok).toBe(false);
      if (!opened.ok) expect(opened.error).toBe(`${path}:2: record format version 2 is newer than this agent reads (1); refusing to misread it`);
    }
    const read = readJournal(path, { strict: false, codec: taskRecordCodec });
    expect(read.ok).toBe(false);
  });

  it('a journal whose only content is a torn line recovers empty', async () => {
    writeLines([], '{"v":1,"ty');
    const { journal, records } = openJournal();
    expect(records).toEqual([]);
    expect(statSync(path).size).toBe(0);
    await journal.close();
  });
});

describe('journal: compaction', () => {
  it('replaces the journal with the snapshot, and a reopen reads the same state', async () => {
    const { journal } = openJournal({ ...options, compactBytesMax: 2000 });
    for (let index = 0; index < 20; index++) await journal.append([update(`t${index}`, 100)]);
    expect(journal.compactionDue).toBe(true);
    const snapshot: JournalRecord[] = [{ v: 1, type: 'framework', framework_id: 'fw-1', info: { name: 'f' } }, update('t19')];
    const compacted = journal.compact(snapshot);
    expect(journal.compactionDue).toBe(false);
    await compacted;
    expect(journal.size).toBe(statSync(path).size);
    expect(journal.compactionDue).toBe(false);
    await journal.append([update('after')]);
    await journal.close();
    const reopened = openJournal();
    expect(taskIds(reopened.records)).toEqual(['framework', 't19', 'after']);
    await reopened.journal.close();
  });

  it('loses no append that races with compactions, and keeps append order', async () => {
    const { journal } = openJournal();
    const state: JournalRecord[] = [];
    const pending: Promise<void>[] = [];
    for (let round = 0; round < 30; round++) {
      for (let index = 0; index < 7; index++) {
        const record = update(`r${round}-${index}`, 50);
        state.push(record);
        pending.push(journal.append([record]));
      }
      // The snapshot describes every record appended so far; appends after it go after it.
      if (round % 3 === 0) pending.push(journal.compact([...state]));
      if (round % 5 === 0) await Promise.resolve();
    }
    await Promise.all(pending);
    await journal.close();
    const reopened = openJournal();
    expect(taskIds(reopened.records)).toEqual(taskIds(state));
    await reopened.journal.close();
  });

  it('appends made while a compaction runs land in the new file after the snapshot', async () => {
    const { journal } = openJournal();
    await journal.append([update('old-1'), update('old-2')]);
    const compacted = journal.compact([update('snap')]);
    const during = journal.append([update('during')]);
    await Promise.all([compacted, during]);
    const onDisk = readJournal(path, options);
    expect(onDisk.ok && taskIds(onDisk.value.records)).toEqual(['snap', 'during']);
    await journal.append([update('later')]);
    await journal.close();
    const reread = readJournal(path, options);
    expect(reread.ok && taskIds(reread.value.records)).toEqual(['snap', 'during', 'later']);
  });

  it('a compaction left half-done by a crash is ignored: the old journal stands', async () => {
    const first = openJournal();
    await first.journal.append([update('a')]);
    await first.journal.close();
    appendFileSync(`${path}.compacting`, JSON.stringify(update('partial')));
    const { journal, records } = openJournal();
    expect(taskIds(records)).toEqual(['a']);
    await journal.close();
  });
});
