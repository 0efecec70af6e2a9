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
import type { JournalCodec, JournalRecovery } from './records.js';

const newline = 0x0a;

export interface JournalContents<R> extends JournalRecovery<R> {
  /** Bytes of complete lines: what the file is truncated to when its tail is torn. */
  readonly completeBytes: number;
  /** Bytes in the file as read (completeBytes plus the torn tail). */
  readonly fileBytes: number;
}

/** Reads and checks a journal's bytes; changes nothing on disk. */
export function parseJournal<R extends { readonly v: number }>(path: string, content: Buffer, strict: boolean, codec: JournalCodec<R>): Result<JournalContents<R>> {
  const completeBytes = content.lastIndexOf(newline) + 1;
  const lines = content.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // the empty string after the last newline
  const records: R[] = [];
  let errors = 0;
  for (let index = 0; index < lines.length; index++) {
    const where = `${path}:${index + 1}`;
    const parsed = parseJournalLine(lines[index] ?? '', codec);
    if (parsed.kind === 'record') {
      records.push(parsed.record);
    } else if (parsed.kind === 'newer') {
      return err(`${where}: record format version ${parsed.version} is newer than this agent reads (${codec.formatVersion}); refusing to misread it`);
    } else if (strict) {
      return err(`${where}: unreadable record (${parsed.reason})`);
    } else {
      errors++;
    }
  }
  return ok({ records, errors, completeBytes, fileBytes: content.length });
}

/** `readJournal` for tools and tests: the records of a journal file, without repairing it. */
export function readJournal<R extends { readonly v: number }>(path: string, options: { readonly strict: boolean; readonly codec: JournalCodec<R> }): Result<JournalRecovery<R>> {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    return err(`Failed to read journal ${path}: ${(error as Error).message}`);
  }
  const parsed = parseJournal(path, content, options.strict, options.codec);
  if (!parsed.ok) return parsed;
  return ok({ records: parsed.value.records, errors: parsed.value.errors });
}

type ParsedLine<R> =
  | { readonly kind: 'record'; readonly record: R }
  | { readonly kind: 'newer'; readonly version: number }
  | { readonly kind: 'unreadable'; readonly reason: string };

function parseJournalLine<R extends { readonly v: number }>(line: string, codec: JournalCodec<R>): ParsedLine<R> {
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
  if (version > codec.formatVersion) return { kind: 'newer', version };
  const record = codec.parse(value);
  if (!record.ok) return { kind: 'unreadable', reason: record.error };
  return { kind: 'record', record: record.value };
}
