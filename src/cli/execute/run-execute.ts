/**
 * `berth execute [flags]`: runs one task as mesos-execute does, prints its
 * state changes and its output, and exits with its exit status. See
 * execute-run.ts for the run itself. Flag errors and an unreachable master
 * are one line on stderr and exit status 1.
 */
import { flagsUsage, parseFlags } from '../../lib/flags/index.js';
import { systemRandom } from '../../lib/random.js';
import { parseResourcesString } from '../../resources/index.js';
import { ExecuteRun, type ExecuteIo, type ExecuteTuning } from './execute-run.js';
import { processTerminal } from '../../lib/terminal.js';
import { oneLine } from '../../lib/one-line.js';
import { executeFlags } from './flags.js';
import { newTaskId } from './task.js';

const helpTrailer =
  '\nThe task runs once on the first offer holding --resources; its state changes and\n' +
  "its stdout go to stdout, its stderr to stderr. The exit status is the command's\n" +
  '(128+N when killed by signal N, 1 when it could not run); Ctrl-C kills it (130).\n';

export async function runExecute(argv: readonly string[], io: ExecuteIo = processTerminal(), tuning: ExecuteTuning = {}): Promise<number> {
  const parsed = parseFlags(executeFlags, argv);
  if (!parsed.ok) return fail(io, parsed.error);
  if (parsed.value.helpRequested) {
    io.out(flagsUsage(executeFlags, 'berth execute') + helpTrailer);
    return 0;
  }
  const { values: flags, positional } = parsed.value;
  if (positional.length > 0) return fail(io, `Unexpected argument '${positional[0] ?? ''}': flags take the form --name=value`);
  const required = parseResourcesString(flags.resources);
  // The flag's own check parsed it already.
  if (!required.ok) return fail(io, required.error);
  const taskId = newTaskId(flags.name, tuning.random ?? systemRandom);
  return new ExecuteRun(flags, required.value, taskId, io, tuning).run();
}

function fail(io: ExecuteIo, message: string): number {
  io.err(`${oneLine(message)}\n`);
  return 1;
}
