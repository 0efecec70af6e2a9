/**
 * The shape of a journal record, checked in two places: before a record is
 * written (a malformed one is a programmer error) and after it is read back
 * (a malformed one is an unreadable line). The schema is typed against
 * `JournalRecord`, so the two cannot drift apart silently.
 */
import type { WireResource } from '../../resources/index.js';
import { z } from 'zod';
import { err, ok, type Result } from '../../lib/result.js';
import { DrainConfig } from '../../protocol/internal.js';
import { journalFormatVersion, type JournalCodec, type JournalRecord } from './records.js';

const json = z.record(z.string(), z.unknown());
const id = z.string().min(1);
const version = z.literal(journalFormatVersion);
const exitStatus = z.union([z.strictObject({ exited: z.number().int() }), z.strictObject({ signaled: z.number().int() })]);

const recordSchema: z.ZodType<JournalRecord> = z.discriminatedUnion('type', [
  z.object({ v: version, type: z.literal('framework'), framework_id: id, info: json }),
  z.object({ v: version, type: z.literal('framework_removed'), framework_id: id }),
  z.object({
    v: version,
    type: z.literal('executor'),
    framework_id: id,
    executor_id: id,
    container_id: id,
    info: json,
    kind: z.enum(['command', 'custom']),
    directory: z.string().min(1),
  }),
  z.object({
    v: version,
    type: z.literal('container_started'),
    framework_id: id,
    executor_id: id,
    container_id: id,
    supervisor_pid: z.number().int().positive(),
    start_time: z.string(),
    started_at_ms: z.number().exactOptional(),
  }),
  z.object({
    v: version,
    type: z.literal('executor_killed'),
    framework_id: id,
    executor_id: id,
    cause: z.enum(['kill', 'health', 'completion_time', 'limitation']),
    limitation: z
      .object({
        reason: z.enum(['REASON_CONTAINER_LIMITATION_DISK', 'REASON_CONTAINER_LIMITATION_MEMORY']),
        message: z.string(),
        resources: z.array(z.custom<WireResource>((value) => typeof value === 'object' && value !== null && 'name' in value)),
      })
      .exactOptional(),
  }),
  z.object({
    v: version,
    type: z.literal('executor_terminated'),
    framework_id: id,
    executor_id: id,
    container_id: id,
    status: exitStatus.exactOptional(),
  }),
  z.object({
    v: version,
    type: z.literal('task'),
    framework_id: id,
    executor_id: id,
    task: json,
  }),
  z.object({ v: version, type: z.literal('update'), framework_id: id, task_id: id, status: json }),
  z.object({ v: version, type: z.literal('ack'), framework_id: id, task_id: id, uuid: z.string().min(1) }),
  z.object({ v: version, type: z.literal('drain'), config: DrainConfig }),
  z.object({ v: version, type: z.literal('drain_finished') }),
]);

/** Checks a parsed line of the current format version; the reason names the first field that is wrong. */
export function parseJournalRecord(value: unknown): Result<JournalRecord> {
  const parsed = recordSchema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  if (issue === undefined) return err('invalid record');
  const field = issue.path.length > 0 ? issue.path.join('.') : 'record';
  return err(`${field}: ${issue.message}`);
}

/** The task journal's lines (records.ts). */
export const taskRecordCodec: JournalCodec<JournalRecord> = { formatVersion: journalFormatVersion, parse: parseJournalRecord };
