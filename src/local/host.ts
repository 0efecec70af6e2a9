/** Reads what this machine has, for shares.ts to divide. */
import { statfsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { HostCapacity } from './shares.js';

/** `workDir` must exist: its filesystem is the one the agents' disks live on. */
export function readHostCapacity(workDir: string): HostCapacity {
  const filesystem = statfsSync(workDir);
  return {
    // os.cpus() is empty on some containers where /proc/cpuinfo is hidden.
    cpuCount: Math.max(1, cpus().length),
    memoryBytes: totalmem(),
    diskFreeBytes: filesystem.bavail * filesystem.bsize,
  };
}
