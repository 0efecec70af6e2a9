/**
 * A command group such as `berth volumes <list|create|...> [flags]`: the
 * subcommand's name comes first, then its own flags, parsed with berth's flag
 * parser (so `--help`, `file://` values and the one-line errors are the same
 * as everywhere else). Every failure is one line on stderr and exit status 1.
 */
import { flagsUsage, parseFlags, type FlagDefinitions, type FlagValues } from '../../lib/flags/index.js';
import type { CommandIo } from './operator-client.js';
import { oneLine } from '../../lib/one-line.js';
import { normalizeFlagNames } from './storage-flags.js';

export interface Subcommand {
  /** One line for the group's usage. */
  readonly summary: string;
  readonly flags: FlagDefinitions;
  /** Parses `argv` (the flags after the subcommand's name) and runs it. */
  readonly invoke: (argv: readonly string[], io: CommandIo, usageName: string) => Promise<number>;
}

export interface CommandGroup {
  /** `volumes` in `berth volumes`. */
  readonly name: string;
  readonly subcommands: Readonly<Record<string, Subcommand>>;
  /** Printed after the list of subcommands: what people should know before using them. */
  readonly trailer: string;
}

export function subcommand<const D extends FlagDefinitions>(
  summary: string,
  flags: D,
  run: (values: FlagValues<D>, io: CommandIo) => Promise<number>,
): Subcommand {
  const invoke = async (argv: readonly string[], io: CommandIo, usageName: string): Promise<number> => {
    const parsed = parseFlags(flags, argv);
    if (!parsed.ok) return fail(io, parsed.error);
    if (parsed.value.helpRequested) {
      io.out(flagsUsage(flags, usageName));
      return 0;
    }
    const [extra] = parsed.value.positional;
    if (extra !== undefined) return fail(io, `Unexpected argument '${extra}': flags take the form --name=value`);
    return run(parsed.value.values, io);
  };
  return { summary, flags, invoke };
}

export async function runGroup(group: CommandGroup, argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(groupUsage(group));
    return 1;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    io.out(groupUsage(group));
    return 0;
  }
  const chosen = Object.hasOwn(group.subcommands, name) ? group.subcommands[name] : undefined;
  if (chosen === undefined) {
    const names = Object.keys(group.subcommands).join(', ');
    return fail(io, `Unknown command 'berth ${group.name} ${name}': expected one of ${names} (see 'berth ${group.name} --help')`);
  }
  return chosen.invoke(normalizeFlagNames(rest), io, `berth ${group.name} ${name}`);
}

export function groupUsage(group: CommandGroup): string {
  const names = Object.keys(group.subcommands);
  const width = Math.max(...names.map((name) => name.length));
  const lines = [`Usage: berth ${group.name} <${names.join('|')}> [options]`, ''];
  for (const name of names) lines.push(`  ${name.padEnd(width)}   ${group.subcommands[name]?.summary ?? ''}`);
  lines.push('', `'berth ${group.name} <command> --help' lists the command's options.`, '', group.trailer.trimEnd());
  return `${lines.join('\n')}\n`;
}

/**
 * All the group's flags, for `berth help <group>` (which prints one flag
 * list): each says which subcommands take it, and none is marked required,
 * since that depends on the subcommand.
 */
export function groupHelpFlags(group: CommandGroup): FlagDefinitions {
  const merged: Record<string, FlagDefinitions[string]> = {};
  const users = new Map<string, string[]>();
  for (const [name, sub] of Object.entries(group.subcommands)) {
    for (const [flagName, definition] of Object.entries(sub.flags)) {
      // A flag some subcommand requires is described as there (`--agent`), not as a list filter.
      const kept = merged[flagName];
      if (kept === undefined || (kept.presence !== 'required' && definition.presence === 'required')) merged[flagName] = definition;
      users.set(flagName, [...(users.get(flagName) ?? []), name]);
    }
  }
  const described: Record<string, FlagDefinitions[string]> = {};
  for (const [flagName, definition] of Object.entries(merged)) {
    const help = `${definition.help.trimEnd()}\n(${(users.get(flagName) ?? []).join(', ')})`;
    described[flagName] = { ...definition, help, presence: definition.presence === 'required' ? 'optional' : definition.presence };
  }
  return described;
}

export function fail(io: CommandIo, message: string): number {
  io.err(`${oneLine(message)}\n`);
  return 1;
}
