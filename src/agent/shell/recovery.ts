/**
 * What a (re)starting agent does before it links to the master (spec/core.md
 * 5.5): read its journal, learn whether the host rebooted, hand the
 * containers it knew to the containerizer (which reports those that ended
 * while the agent was down), kill processes no known container owns, and
 * schedule the sandboxes of executors that completed before the restart for
 * garbage collection.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { Journal, type TaskJournal } from '../checkpoint/journal.js';
import type { JournalRecord } from '../checkpoint/records.js';
import { taskRecordCodec } from '../checkpoint/record-schema.js';
import { agentsMetaDir, bootIdPath, journalPath } from '../paths.js';

/** The journal is rewritten from a snapshot once it grows past this. */
export const journalCompactBytesMax = 64 * 1024 * 1024;

const bootIdSource = '/proc/sys/kernel/random/boot_id';

export interface BootCheck {
  readonly bootId: string;
  /** The work directory was last used under another boot of the host. */
  readonly rebooted: boolean;
}

/** Compares the host's boot id with the one recorded at the last start. */
export function checkBoot(workDir: string): BootCheck {
  const bootId = readFileSync(bootIdSource, 'utf8').trim();
  const recorded = bootIdPath(workDir);
  const previous = existsSync(recorded) ? readFileSync(recorded, 'utf8').trim() : undefined;
  return { bootId, rebooted: previous !== undefined && previous !== bootId };
}

export function recordBoot(workDir: string, bootId: string): void {
  writeFileAtomic(bootIdPath(workDir), `${bootId}\n`);
}

export function openJournal(workDir: string, agentId: string, strict: boolean): Result<{ journal: TaskJournal; records: readonly JournalRecord[]; errors: number }> {
  const opened = Journal.open(journalPath(workDir, agentId), { strict, compactBytesMax: journalCompactBytesMax, codec: taskRecordCodec });
  if (!opened.ok) return err(strict ? `${opened.error} (start with --no-strict to skip unreadable records)` : opened.error);
  return ok({ journal: opened.value.journal, records: opened.value.recovery.records, errors: opened.value.recovery.errors });
}

/**
 * Run directories under `<work_dir>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/`
 * (sandboxes) and their twins under `<work_dir>/meta/slaves/...` (the
 * containers' run files) that no executor the agent still knows uses: those
 * completed before the restart, and are collected as if they had completed
 * when they were last modified.
 */
export function completedSandboxes(workDir: string, known: ReadonlySet<string>): { path: string; completedAtMs: number }[] {
  const found: { path: string; completedAtMs: number }[] = [];
  for (const agents of [join(workDir, 'slaves'), agentsMetaDir(workDir)]) {
    for (const agent of list(agents)) {
      const frameworks = join(agents, agent, 'frameworks');
      for (const framework of list(frameworks)) {
        const executors = join(frameworks, framework, 'executors');
        for (const executor of list(executors)) {
          const runs = join(executors, executor, 'runs');
          for (const run of list(runs)) {
            const path = join(runs, run);
            if (run === 'latest' || known.has(path)) continue;
            const completedAtMs = modifiedAtMs(path);
            if (completedAtMs !== undefined) found.push({ path, completedAtMs });
          }
        }
      }
    }
  }
  return found;
}

function modifiedAtMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function list(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
