/**
 * `berth framework persistent-volumes`: options checked, the machine built,
 * driven against the master, and the summary printed (a table of shards, or
 * JSON with --json).
 */
import { systemRandom, type Random } from '../../lib/random.js';
import { runReferenceFramework } from '../run-reference.js';
import { referenceFrameworkInfo } from '../framework-info.js';
import { formatElapsed, reportFailure, type OutputOptions } from '../output.js';
import { processTerminal, type Terminal } from '../../lib/terminal.js';
import type { Reserver } from '../resources.js';
import { PersistentVolumeMachine, type PersistentVolumeSummary } from './machine.js';

export const persistentVolumesCommand = 'berth framework persistent-volumes';

export interface PersistentVolumeOptions {
  readonly masters: readonly string[];
  readonly reserver: Reserver;
  readonly user: string;
  readonly shardCount: number;
  readonly sharedShardCount: number;
  readonly tasksPerShard: number;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly quiet: boolean;
}

export async function runPersistentVolumes(
  options: PersistentVolumeOptions,
  terminal: Terminal = processTerminal(),
  random: Random = systemRandom,
): Promise<number> {
  const output: OutputOptions = { command: persistentVolumesCommand, json: options.json, quiet: options.quiet };
  if (options.sharedShardCount > options.shardCount) {
    return reportFailure(terminal, output, `--shared-shards (${options.sharedShardCount}) cannot exceed --num-shards (${options.shardCount})`);
  }
  const machine = new PersistentVolumeMachine({
    reserver: options.reserver,
    shardCount: options.shardCount,
    sharedShardCount: options.sharedShardCount,
    tasksPerShard: options.tasksPerShard,
    runId: `pv-${random.uuid().slice(0, 8)}`,
  });
  return runReferenceFramework(terminal, output, {
    masters: options.masters,
    frameworkInfo: referenceFrameworkInfo({
      name: 'Persistent Volume Framework (berth)',
      user: options.user,
      reserver: options.reserver,
      sharedResources: options.sharedShardCount > 0,
    }),
    machine,
    timeoutMs: options.timeoutMs,
    table,
    closing,
  });
}

function table(summary: PersistentVolumeSummary): string[][] {
  const rows = summary.shards.map((shard) => [shard.name, shard.shared ? 'shared' : 'regular', shard.volume_id, shard.agent_id, String(shard.tasks.length)]);
  return [['SHARD', 'VOLUME KIND', 'VOLUME', 'AGENT', 'TASKS'], ...rows];
}

function closing(summary: PersistentVolumeSummary, elapsedMs: number): string {
  const shared = summary.shards.filter((shard) => shard.shared).length;
  return (
    `${summary.shards.length} shards (${shared} shared), ${summary.tasks_finished} tasks finished in ${formatElapsed(elapsedMs)}; ` +
    `every volume destroyed and every reservation of role '${summary.role}' released`
  );
}
