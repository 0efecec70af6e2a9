/**
 * `berth local [flags]` runs a cluster on this machine; `berth local restart
 * <name> [--work_dir=...]` restarts one process of the cluster running there.
 */
import { localFlags } from '../cli/flags/local-flags.js';
import { flagsUsage, parseFlags } from '../lib/flags/index.js';
import { runLocalCluster } from './local-cluster.js';
import { processIo, type LocalIo } from './local-io.js';
import { runLocalRestart } from './restart-command.js';

const usageLine = 'usage: berth local [flags] | berth local restart <master|agent1|agent2|...> [--work_dir=DIR]';

const restartUsage =
  '\nRestart one process of the berth local running in --work_dir (from another terminal):\n' +
  '  berth local restart <master|agent1|agent2|...> [--work_dir=VALUE]\n' +
  '\nThe master listens on --port, agent i on --port + i, all on 127.0.0.1. Each agent\n' +
  'has its own work directory, an equal share of the CPUs, memory and free disk,\n' +
  'its own task port range, and reports --hostname=agent<i>: frameworks place\n' +
  'tasks by hostname (e.g. one per host), so each agent must look like a host.\n';

export async function runLocal(argv: readonly string[], io: LocalIo = processIo()): Promise<number> {
  const parsed = parseFlags(localFlags, argv);
  if (!parsed.ok) {
    io.error(parsed.error);
    return 1;
  }
  if (parsed.value.helpRequested) {
    process.stdout.write(flagsUsage(localFlags, 'berth local') + restartUsage);
    return 0;
  }
  const { values: flags, positional } = parsed.value;
  const [subcommand, ...rest] = positional;
  if (subcommand === 'restart') {
    const [name, ...extra] = rest;
    if (name === undefined || extra.length > 0) {
      io.error(`berth local restart: name one process; ${usageLine}`);
      return 1;
    }
    return runLocalRestart(flags.work_dir, name, io);
  }
  if (subcommand !== undefined) {
    io.error(`berth local: unknown argument '${subcommand}'; ${usageLine}`);
    return 1;
  }
  return runLocalCluster(flags, io);
}
