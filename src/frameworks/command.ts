/**
 * `berth framework <name> [flags]`: the reference frameworks as commands.
 * The framework's name comes first, then its flags (flags.ts). Each run exits
 * 0 with a summary once the framework has cleaned up after itself (volumes
 * destroyed, reservations released), and otherwise prints one line on stderr
 * and exits non-zero: 1, or 130 after Ctrl-C.
 *
 *   berth framework persistent-volumes --master=host:port --role=eng
 *   berth framework dynamic-reservation --master=host:port --role=eng --tasks=3 --json
 */
import { userInfo } from 'node:os';
import { flagsUsage, parseFlags, type FlagDefinitions, type FlagValues } from '../lib/flags/index.js';
import { runDynamicReservation } from './dynamic-reservation/run.js';
import { dynamicReservationFlags, masterList, normalizeFlagNames, persistentVolumesFlags } from './flags.js';
import { oneLine } from '../lib/one-line.js';
import { processTerminal, type Terminal } from '../lib/terminal.js';
import { runPersistentVolumes } from './persistent-volumes/run.js';
import type { Reserver } from './resources.js';

export { frameworkHelpFlags } from './flags.js';

interface FrameworkCommand {
  readonly summary: string;
  readonly flags: FlagDefinitions;
  readonly run: (argv: readonly string[], terminal: Terminal) => Promise<number>;
}

const commands: Readonly<Record<string, FrameworkCommand>> = {
  'persistent-volumes': {
    summary: "Reserve disk, create volumes (some shared), run tasks that check each other's files, then destroy and unreserve.",
    flags: persistentVolumesFlags,
    run: (argv, terminal) =>
      parsed(persistentVolumesFlags, argv, 'persistent-volumes', terminal, (flags) =>
        runPersistentVolumes(
          {
            ...common(flags),
            shardCount: flags.num_shards,
            sharedShardCount: flags.shared_shards ?? (flags.num_shards > 1 ? 1 : 0),
            tasksPerShard: flags.tasks_per_shard,
          },
          terminal,
        ),
      ),
  },
  'dynamic-reservation': {
    summary: "Reserve one task's resources per agent, run the tasks on the reservations, then unreserve.",
    flags: dynamicReservationFlags,
    run: (argv, terminal) =>
      parsed(dynamicReservationFlags, argv, 'dynamic-reservation', terminal, (flags) =>
        runDynamicReservation(
          { ...common(flags), taskCount: flags.tasks, command: flags.command, taskResources: flags.resources },
          terminal,
        ),
      ),
  },
};

/** `argv`: what follows `berth framework`. */
export async function runFrameworkCommand(argv: readonly string[], terminal: Terminal = processTerminal()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    terminal.err(groupUsage());
    return 1;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    terminal.out(groupUsage());
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    return fail(terminal, `Unknown framework '${name}': expected one of ${Object.keys(commands).join(', ')} (see 'berth framework --help')`);
  }
  return command.run(normalizeFlagNames(rest), terminal);
}

function groupUsage(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((name) => name.length));
  const lines = [`Usage: berth framework <${names.join('|')}> [options]`, ''];
  for (const name of names) lines.push(`  ${name.padEnd(width)}   ${commands[name]?.summary ?? ''}`);
  lines.push(
    '',
    "'berth framework <name> --help' lists its options. Progress goes to stderr (--quiet: none),",
    'the summary to stdout (--json: one JSON object). Exit status 0 once every volume is destroyed',
    'and every reservation released; 1 with one line on stderr otherwise (130 after Ctrl-C).',
  );
  return `${lines.join('\n')}\n`;
}

async function parsed<const D extends FlagDefinitions>(
  flags: D,
  argv: readonly string[],
  name: string,
  terminal: Terminal,
  run: (values: FlagValues<D>) => Promise<number>,
): Promise<number> {
  const result = parseFlags(flags, argv);
  if (!result.ok) return fail(terminal, result.error);
  if (result.value.helpRequested) {
    terminal.out(flagsUsage(flags, `berth framework ${name}`));
    return 0;
  }
  const [extra] = result.value.positional;
  if (extra !== undefined) return fail(terminal, `Unexpected argument '${extra}': flags take the form --name=value`);
  return run(result.value.values);
}

interface CommonValues {
  readonly master: string;
  readonly role: string;
  readonly principal: string | undefined;
  readonly timeout: number;
  readonly json: boolean;
  readonly quiet: boolean;
}

function common(flags: CommonValues) {
  const principal = flags.principal === '' ? undefined : flags.principal;
  const reserver: Reserver = { role: flags.role, ...(principal === undefined ? {} : { principal }) };
  return { masters: masterList(flags.master), reserver, user: currentUser(), timeoutMs: flags.timeout, json: flags.json, quiet: flags.quiet };
}

function fail(terminal: Terminal, message: string): number {
  terminal.err(`${oneLine(message)}\n`);
  return 1;
}

/** The user this process runs as; '' (the agent's user) when the system cannot tell. */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? '';
  }
}
