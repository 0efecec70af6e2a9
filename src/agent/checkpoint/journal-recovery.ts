/**
 * Reading a journal back: one JSON record per line, each with a format
 * version `v`.
 *
 * - A record of a newer format version is always an error (never misread),
 *   whatever `strict` says: this agent is older than the one that wrote it.
 * - An unreadable line (not JSON, no usable `v`, a wrong shape) is an error
 *   with `strict`, and is skipped and counted without.
 * - Bytes after the last newline are a torn tail: an append that a crash cut
 *   short. Every append writes its records and their newlines in one write and
 *   is acknowledged only after the fdatasync that follows, so a torn tail was
 *   never acknowledged: it is dropped, not an error.
 */
import { readFileSync } from 'node:fs';
import { err, ok, type Result } from '../../lib/result.js';
import { parseJournalRecord } from './record-schema.js';
import { journalFormatVersion, type JournalRecord, type JournalRecovery } from './records.js';

const newline = 0x0a;

export interface JournalContents extends JournalRecovery {
  /** Bytes of complete lines: what the file is truncated to when its tail is torn. */
  readonly completeBytes: number;
  /** Bytes in the file as read (completeBytes plus the torn tail). */
  readonly fileBytes: number;
}

/** Reads and checks a journal's bytes; changes nothing on disk. */
export function parseJournal(path: string, content: Buffer, strict: boolean): Result<JournalContents> {
  const completeBytes = content.lastIndexOf(newline) + 1;
  const lines = content.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // the empty string after the last newline
  const records: JournalRecord[] = [];
  let errors = 0;
  for (let index = 0; index < lines.length; index++) {
    const where = `${path}:${index + 1}`;
    const parsed = parseJournalLine(lines[index] ?? '');
    if (parsed.kind === 'record') {
      records.push(parsed.record);
    } else if (parsed.kind === 'newer') {
      return err(`${where}: record format version ${parsed.version} is newer than this agent reads (${journalFormatVersion}); refusing to misread it`);
    } else if (strict) {
      return err(`${where}: unreadable record (${parsed.reason})`);
    } else {
      errors++;
    }
  }
  return ok({ records, errors, completeBytes, fileBytes: content.length });
}

/** `readJournal` for tools and tests: the records of a journal file, without repairing it. */
export function readJournal(path: string, options: { readonly strict: boolean } = { strict: true }): Result<JournalRecovery> {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    return err(`Failed to read journal ${path}: ${(error as Error).message}`);
  }
  const parsed = parseJournal(path, content, options.strict);
  if (!parsed.ok) return parsed;
  return ok({ records: parsed.value.records, errors: parsed.value.errors });
}

type ParsedLine =
  | { readonly kind: 'record'; readonly record: JournalRecord }
  | { readonly kind: 'newer'; readonly version: number }
  | { readonly kind: 'unreadable'; readonly reason: string };

function parseJournalLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'unreadable', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'unreadable', reason: 'not an object' };
  const version = (value as { v?: unknown }).v;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { kind: 'unreadable', reason: 'no format version v' };
  }
  if (version > journalFormatVersion) return { kind: 'newer', version };
  const record = parseJournalRecord(value);
  if (!record.ok) return { kind: 'unreadable', reason: record.error };
  return { kind: 'record', record: record.value };
}
