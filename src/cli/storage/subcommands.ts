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

/** The words a subcommand takes besides its flags (`berth agents drain <agent-id>`); none unless given. */
export interface SubcommandArguments {
  /** As the usage line shows them: `<agent-id>`, `<hostname>@<ip> [...]`. */
  readonly usage: string;
  /** What is missing when too few are given: `an agent id`. */
  readonly what: string;
  readonly min: number;
  readonly max: number;
}

export interface SubcommandOptions {
  readonly arguments?: SubcommandArguments;
  /**
   * Flags that may be given more than once (`--machine=a --machine=b`): their
   * values reach the flag's parser joined with ',' (`a,b`), so it must split them.
   */
  readonly repeatable?: readonly string[];
  /** Printed after the flags by `--help`: what the flags alone do not say. */
  readonly notes?: string;
}

export function subcommand<const D extends FlagDefinitions>(
  summary: string,
  flags: D,
  run: (values: FlagValues<D>, io: CommandIo, args: readonly string[]) => Promise<number>,
  options: SubcommandOptions = {},
): Subcommand {
  const { arguments: taken, repeatable = [], notes } = options;
  const invoke = async (argv: readonly string[], io: CommandIo, usageName: string): Promise<number> => {
    const parsed = parseFlags(flags, joinRepeatedFlags(argv, repeatable));
    if (!parsed.ok) return fail(io, parsed.error);
    const usage = taken === undefined ? usageName : `${usageName} ${taken.usage}`;
    const usageText = `(usage: ${usage} [options])`;
    if (parsed.value.helpRequested) {
      io.out(notes === undefined ? flagsUsage(flags, usage) : `${flagsUsage(flags, usage)}\n${notes.trimEnd()}\n`);
      return 0;
    }
    const args = parsed.value.positional;
    const [extra] = args.slice(taken?.max ?? 0);
    if (extra !== undefined) {
      return fail(io, taken === undefined ? `Unexpected argument '${extra}': flags take the form --name=value` : `Unexpected argument '${extra}' ${usageText}`);
    }
    if (taken !== undefined && args.length < taken.min) return fail(io, `Missing ${taken.what} ${usageText}`);
    return run(parsed.value.values, io, args);
  };
  return { summary, flags, invoke };
}

/**
 * `--name=a --name b` as one `--name=a,b` (where the first stood) for each
 * repeatable name; other tokens, and everything after a lone `--`, are kept.
 */
export function joinRepeatedFlags(argv: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  /** Each repeatable flag seen: where its one token goes in `out`, and its values. */
  const seen = new Map<string, { position: number; values: string[] }>();
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? '';
    if (token === '--') {
      out.push(...argv.slice(index));
      break;
    }
    const match = /^--([^=]*)(?:=(.*))?$/s.exec(token);
    // Names are matched as the flag parser reads them: lowercased.
    const name = match?.[1]?.toLowerCase();
    if (match === null || name === undefined || !names.includes(name)) {
      out.push(token);
      continue;
    }
    let value = match[2];
    const next = argv[index + 1];
    if (value === undefined && next !== undefined && !next.startsWith('--')) {
      value = next;
      index += 1;
    }
    const flag = seen.get(name) ?? { position: out.push('') - 1, values: [] };
    flag.values.push(value ?? '');
    seen.set(name, flag);
  }
  for (const [name, flag] of seen) out[flag.position] = `--${name}=${flag.values.join(',')}`;
  return out;
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
