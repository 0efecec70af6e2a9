#!/usr/bin/env node
/**
 * The `berth` command. `master`, `agent`, `local`, `execute`, `volumes`,
 * `reservations`, `agents`, `maintenance`, `disk` and `framework` take Mesos-style flags
 * (`--name=value`, `--no-name`), which their own parsers read: commander hands
 * them every argument untouched. commander handles the rest: `--version`,
 * `help [command]`, and unknown commands or options. Every user error is one
 * line on stderr and exit code 1; the process exits with the command's result.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { runAgent } from '../agent/shell/main.js';
import { agentsGroup, runAgents } from './agents/agents.js';
import { frameworkHelpFlags, runFrameworkCommand } from '../frameworks/command.js';
import { flagsUsage, type FlagDefinitions } from '../lib/flags/index.js';
import { runLocal } from '../local/run-local.js';
import { runMaster } from '../master/shell/main.js';
import { diskGroup, runDisk } from './disk/disk.js';
import { executeFlags } from './execute/flags.js';
import { runExecute } from './execute/run-execute.js';
import { agentFlags } from './flags/agent-flags.js';
import { localFlags } from './flags/local-flags.js';
import { masterFlags } from './flags/master-flags.js';
import { maintenanceGroup, runMaintenance } from './maintenance/maintenance.js';
import { reservationsGroup, runReservations } from './storage/reservations.js';
import { groupHelpFlags } from './storage/subcommands.js';
import { runVolumes, volumesGroup } from './storage/volumes.js';

type FlagCommand = (argv: readonly string[]) => Promise<number>;

interface FlagCommandEntry {
  readonly run: FlagCommand;
  readonly flags: FlagDefinitions;
  readonly description: string;
}

const flagCommands: Readonly<Record<string, FlagCommandEntry>> = {
  master: {
    run: runMaster,
    flags: masterFlags,
    description: "Run a master (Mesos' flags; see 'berth help master')",
  },
  agent: {
    run: runAgent,
    flags: agentFlags,
    description: "Run an agent (Mesos' flags; see 'berth help agent')",
  },
  local: {
    run: runLocal,
    flags: localFlags,
    description: "Run a master and agents on this machine; 'berth local restart <name>' restarts one",
  },
  execute: {
    run: (argv) => runExecute(argv),
    flags: executeFlags,
    description: "Run one task as mesos-execute does and exit with its status (see 'berth help execute')",
  },
  volumes: {
    run: (argv) => runVolumes(argv),
    flags: groupHelpFlags(volumesGroup),
    description: "Persistent volumes: list, create, destroy, grow, shrink (see 'berth volumes --help')",
  },
  reservations: {
    run: (argv) => runReservations(argv),
    flags: groupHelpFlags(reservationsGroup),
    description: "Dynamic reservations: list, reserve, unreserve (see 'berth reservations --help')",
  },
  agents: {
    run: (argv) => runAgents(argv),
    flags: groupHelpFlags(agentsGroup),
    description: "Agents: list, drain (--wait follows it), deactivate, reactivate (see 'berth agents --help')",
  },
  maintenance: {
    run: (argv) => runMaintenance(argv),
    flags: groupHelpFlags(maintenanceGroup),
    description: "Maintenance of machines: status, schedule, down, up (see 'berth maintenance --help')",
  },
  disk: {
    run: (argv) => runDisk(argv),
    flags: groupHelpFlags(diskGroup),
    description: "MOUNT disks from loop images on this machine: make-mount, release (see 'berth disk --help')",
  },
  framework: {
    run: (argv) => runFrameworkCommand(argv),
    flags: frameworkHelpFlags(),
    description: "Run a reference framework: persistent-volumes, dynamic-reservation (see 'berth framework --help')",
  },
};

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('berth')
    .description('A cluster resource manager for stateful services, compatible with the Apache Mesos v1 HTTP APIs')
    .version(packageVersion(), '-V, --version')
    .enablePositionalOptions()
    .helpCommand(false)
    .exitOverride()
    // commander's own error lines are replaced by berth's one line below.
    .configureOutput({ outputError: () => undefined });

  for (const [name, entry] of Object.entries(flagCommands)) {
    program
      .command(name)
      .description(entry.description)
      .argument('[flags...]')
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .action(async (_flags: string[], _options: unknown, command: Command) => {
        exitCode = await entry.run(command.args);
      });
  }
  program
    .command('help')
    .description('Show this help, or the flags of a command')
    .argument('[command]')
    .action((name: string | undefined) => {
      exitCode = printHelp(program, name);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --version and an explicit --help have printed already and exit 0; a bare
    // `berth` has printed help on stderr and exits 1.
    if (error.code !== 'commander.version' && error.code !== 'commander.help' && error.code !== 'commander.helpDisplayed') {
      process.stderr.write(`berth: ${oneLine(error.message)}; see 'berth help'\n`);
    }
    return error.exitCode;
  }
  return exitCode;
}

/** commander's `error: unknown command 'x'\n(Did you mean y?)` as `unknown command 'x' (did you mean y?)`. */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean/, ' (did you mean')
    .replace(/\s*\n\s*/g, ' ');
}

function printHelp(program: Command, name: string | undefined): number {
  if (name === undefined) {
    process.stdout.write(program.helpInformation());
    return 0;
  }
  const entry = flagCommands[name];
  if (entry === undefined) {
    process.stderr.write(`berth: unknown command '${name}'; see 'berth help'\n`);
    return 1;
  }
  process.stdout.write(flagsUsage(entry.flags, `berth ${name}`));
  return 0;
}

/** The version in package.json: two levels up from src/cli, three from dist/src/cli. */
function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4; level += 1) {
    try {
      const manifest: unknown = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
      if (isBerthManifest(manifest)) return manifest.version;
    } catch {
      // Not here; look one directory up.
    }
    directory = dirname(directory);
  }
  return 'unknown';
}

function isBerthManifest(manifest: unknown): manifest is { version: string } {
  return (
    typeof manifest === 'object' &&
    manifest !== null &&
    'name' in manifest &&
    manifest.name === 'berth' &&
    'version' in manifest &&
    typeof manifest.version === 'string'
  );
}

/** Programmer errors reach here; a user still gets one line (BERTH_DEBUG=1 shows the stack). */
function reportCrash(error: unknown): number {
  const stack = error instanceof Error ? error.stack : undefined;
  if (process.env['BERTH_DEBUG'] === '1' && stack !== undefined) process.stderr.write(`${stack}\n`);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`berth: ${message.split('\n')[0] ?? ''}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(reportCrash(error)),
);
