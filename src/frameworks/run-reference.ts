/**
 * What every reference framework's command does once its machine is built:
 * drives it against the master (driver.ts) and prints the outcome
 * (output.ts): the failure line, or the summary with the framework id and
 * the elapsed time (a table and a closing line, or JSON with --json).
 */
import type { Terminal } from '../lib/terminal.js';
import type { FrameworkInfo } from '../protocol/mesos.js';
import { runFramework } from './driver.js';
import type { FrameworkMachine } from './machine.js';
import { driverIo, reportFailure, reportSuccess, type OutputOptions } from './output.js';

export interface ReferenceRun<Summary> {
  readonly masters: readonly string[];
  readonly frameworkInfo: FrameworkInfo;
  readonly machine: FrameworkMachine<Summary>;
  readonly timeoutMs: number;
  /** The summary for people: a header row, then the rows. */
  readonly table: (summary: Summary) => string[][];
  readonly closing: (summary: Summary, elapsedMs: number) => string;
}

/** Runs the framework and prints how it went; returns the exit status. */
export async function runReferenceFramework<Summary extends object>(terminal: Terminal, output: OutputOptions, run: ReferenceRun<Summary>): Promise<number> {
  const result = await runFramework({
    masters: run.masters,
    frameworkInfo: run.frameworkInfo,
    machine: run.machine,
    timeoutMs: run.timeoutMs,
    io: driverIo(terminal, output),
  });
  if (!result.ok) return reportFailure(terminal, output, result.error, result.exitCode);
  const { summary, frameworkId, elapsedMs } = result;
  return reportSuccess(terminal, output, { ...summary, framework_id: frameworkId, elapsed_ms: elapsedMs }, run.table(summary), run.closing(summary, elapsedMs));
}
