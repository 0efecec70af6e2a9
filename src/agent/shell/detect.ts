/**
 * Resources the agent finds out for itself when `--resources` leaves them out
 * (spec/storage.md 1.8): CPUs, memory, the disk of the work directory, and the
 * default port range.
 */
import { cpus, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';

const mib = 1024 * 1024;
const gib = 1024 * mib;

export function detectCpus(): number {
  return cpus().length;
}

/** Total memory minus 1 GB (half when there is less than 2 GB), in MB. */
export function detectMemMb(): number {
  const total = totalmem();
  return Math.floor((total >= 2 * gib ? total - gib : total / 2) / mib);
}

/** Size of the work directory's filesystem minus 5 GB (half when under 10 GB), in MB. */
export function detectDiskMb(workDir: string): number {
  const stats = statfsSync(workDir);
  const total = stats.blocks * stats.bsize;
  return Math.floor((total >= 10 * gib ? total - 5 * gib : total / 2) / mib);
}

export const defaultPorts = '[31000-32000]';
