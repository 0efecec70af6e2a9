/**
 * The agent's checkpoint, as an append-only journal of records (one JSON
 * object per line, each with a format version). Replaying the journal rebuilds
 * the agent's frameworks, executors, tasks and unacknowledged status updates
 * after a restart. Records are written durably (fsync) before the agent acts on
 * them: a status update is in the journal before it is acknowledged to the
 * executor or forwarded to the master.
 *
 * One journal for everything means one fsync per batch of records, whatever the
 * number of tasks (group commit), where Mesos fsyncs a file per task.
 */
import type { ExitStatus } from '../containerizer/types.js';
import type { Limitation } from '../isolators/isolator.js';
import type { KillCause } from '../core/model.js';
import type { Result } from '../../lib/result.js';
import type { DrainConfig } from '../../protocol/internal.js';

export const journalFormatVersion = 1;

/** FrameworkInfo, ExecutorInfo, TaskInfo and TaskStatus are kept as their wire JSON. */
type Json = Record<string, unknown>;

export type JournalRecord =
  | { readonly v: 1; readonly type: 'framework'; readonly framework_id: string; readonly info: Json }
  | { readonly v: 1; readonly type: 'framework_removed'; readonly framework_id: string }
  | {
      readonly v: 1;
      readonly type: 'executor';
      readonly framework_id: string;
      readonly executor_id: string;
      readonly container_id: string;
      /** ExecutorInfo; for command tasks the one the agent made up. */
      readonly info: Json;
      readonly kind: 'command' | 'custom';
      readonly directory: string;
    }
  | {
      readonly v: 1;
      readonly type: 'container_started';
      readonly framework_id: string;
      readonly executor_id: string;
      readonly container_id: string;
      readonly supervisor_pid: number;
      readonly start_time: string;
      /** The agent's clock when the container started: a command task's max_completion_time counts from it. */
      readonly started_at_ms?: number;
    }
  /** The agent began killing a command task's container: how its end is read, also after a restart. */
  | {
      readonly v: 1;
      readonly type: 'executor_killed';
      readonly framework_id: string;
      readonly executor_id: string;
      readonly cause: KillCause;
      /** With cause 'limitation': the limit an isolator saw the container pass. */
      readonly limitation?: Limitation;
    }
  | {
      readonly v: 1;
      readonly type: 'executor_terminated';
      readonly framework_id: string;
      readonly executor_id: string;
      readonly container_id: string;
      readonly status?: ExitStatus;
    }
  | {
      readonly v: 1;
      readonly type: 'task';
      readonly framework_id: string;
      readonly executor_id: string;
      readonly task: Json;
    }
  /** A status update accepted for a task (its uuid identifies it). */
  | { readonly v: 1; readonly type: 'update'; readonly framework_id: string; readonly task_id: string; readonly status: Json }
  /** The master acknowledged the update with this uuid. */
  | { readonly v: 1; readonly type: 'ack'; readonly framework_id: string; readonly task_id: string; readonly uuid: string }
  /**
   * The agent began draining (Mesos' drain.config): a restarted agent drains
   * on. The latest one holds until a `drain_finished` follows it.
   */
  | { readonly v: 1; readonly type: 'drain'; readonly config: DrainConfig }
  /** Nothing was left to drain: the drain is over (Mesos deletes drain.config). */
  | { readonly v: 1; readonly type: 'drain_finished' };

export type JournalRecordType = JournalRecord['type'];

export interface JournalRecovery<R = JournalRecord> {
  readonly records: readonly R[];
  /** Records skipped because they were unreadable (only with strict: false). */
  readonly errors: number;
}

/**
 * What a journal's lines are: its format version, and the check of a parsed
 * line of that version (the reason names the first field that is wrong). The
 * journal machinery (journal.ts) is the same for every kind of record.
 */
export interface JournalCodec<R extends { readonly v: number }> {
  readonly formatVersion: number;
  readonly parse: (value: unknown) => Result<R>;
}

export interface JournalOptions<R extends { readonly v: number } = JournalRecord> {
  /** `--strict`: an unreadable record aborts recovery instead of being skipped and counted. */
  readonly strict: boolean;
  /** Rewrite the journal from a snapshot when it grows past this many bytes. */
  readonly compactBytesMax: number;
  readonly codec: JournalCodec<R>;
}
