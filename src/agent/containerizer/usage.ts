/**
 * A container's resource usage, summed over its processes from /proc (CPU
 * times from /proc/<pid>/stat, resident memory from /proc/<pid>/status). A
 * process that exits while it is read is left out.
 */
import { readFile } from 'node:fs/promises';
import { clockTicksPerSecond, parseProcessStat, residentBytes } from './proc.js';
import type { ContainerUsage } from './types.js';

interface ProcessUsage {
  readonly userTicks: number;
  readonly systemTicks: number;
  readonly threads: number;
  readonly rssBytes: number;
}

async function processUsage(pid: number): Promise<ProcessUsage | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const stat = parseProcessStat(text);
  const rssBytes = await residentBytes(pid);
  if (stat === undefined || rssBytes === undefined) return undefined;
  return { userTicks: stat.userTicks, systemTicks: stat.systemTicks, threads: stat.threads, rssBytes };
}

export async function usageOf(pids: readonly number[]): Promise<ContainerUsage> {
  const found = (await Promise.all(pids.map(processUsage))).filter((usage) => usage !== undefined);
  const sum = (pick: (usage: ProcessUsage) => number): number => found.reduce((total, usage) => total + pick(usage), 0);
  return {
    cpusUserTimeSecs: sum((usage) => usage.userTicks) / clockTicksPerSecond,
    cpusSystemTimeSecs: sum((usage) => usage.systemTicks) / clockTicksPerSecond,
    memRssBytes: sum((usage) => usage.rssBytes),
    processes: found.length,
    threads: sum((usage) => usage.threads),
  };
}
