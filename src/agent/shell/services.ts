/**
 * The agent's machinery besides its core, built from its flags: the fetcher
 * and the containerizer that runs tasks, the health checker, sandbox garbage
 * collection, the rotation of sandbox logs, and what /files serves.
 */
import type { Logger } from 'pino';
import { Agent as HttpAgent } from 'undici';
import type { AgentFlags } from '../../cli/flags/agent-flags.js';
import type { Clock } from '../../lib/clock.js';
import { LinuxContainerizer } from '../containerizer/linux-containerizer.js';
import { AgentFetcher } from '../fetcher/fetcher.js';
import { SandboxGc } from '../gc/sandbox-gc.js';
import { TaskHealthChecker } from '../health/task-health-checker.js';
import { systemTimers } from '../health/timers.js';
import { LogRotator } from '../logs/log-rotator.js';
import { fetchCacheDir, sandboxStderrPath, sandboxStdoutPath } from '../paths.js';

export interface BuiltServices {
  readonly containerizer: LinuxContainerizer;
  readonly health: TaskHealthChecker;
  readonly gc: SandboxGc;
  readonly fileRoots: Map<string, string>;
  readonly logs: LogRotator;
  /** Closes what the runtime does not (the fetcher's HTTP connections). */
  readonly close: () => Promise<void>;
}

export function buildServices(flags: AgentFlags, workDir: string, clock: Clock, logger: Logger): BuiltServices {
  const downloads = new HttpAgent({ keepAliveTimeout: 10_000, connections: 16 });
  const fetcher = new AgentFetcher(fetchCacheDir(workDir), flags.fetcher_cache_size, downloads, { stallTimeoutMs: flags.fetcher_stall_timeout });
  const containerizer = new LinuxContainerizer({ workDir, fetcher });
  const health = new TaskHealthChecker({ clock, timers: systemTimers, log: (message) => logger.warn(message) });
  const gc = new SandboxGc({
    workDir,
    gcDelayMs: flags.gc_delay,
    diskWatchIntervalMs: flags.disk_watch_interval,
    gcDiskHeadroom: flags.gc_disk_headroom,
    clock,
    timers: systemTimers,
  });
  const fileRoots = new Map<string, string>();
  const logs = new LogRotator({
    timers: systemTimers,
    maxSizeBytes: flags.sandbox_log_max_size,
    maxFiles: flags.sandbox_log_max_files,
    checkIntervalMs: flags.sandbox_log_rotation_interval,
  });
  logs.onEvent((event) => {
    if (event.type === 'rotated') logger.info(`Rotated ${event.path} at ${event.sizeBytes} bytes`);
    else if (event.type === 'failed') logger.warn(`Failed to rotate ${event.path}: ${event.message}`);
  });
  gc.onEvent((event) => {
    switch (event.type) {
      case 'removed':
        for (const [virtual, real] of fileRoots) if (real === event.path) fileRoots.delete(virtual);
        for (const path of sandboxLogPaths(event.path)) logs.unregister(path);
        logger.info(`Removed ${event.path} (garbage collection)`);
        return;
      case 'refused':
        logger.warn(`Not removing ${event.path}: ${event.reason}`);
        return;
      case 'failed':
        logger.warn(`Failed to remove ${event.path}: ${event.message}`);
        return;
      case 'disk_check_failed':
        logger.warn(`Failed to check the disk usage: ${event.message}`);
        return;
      case 'disk_checked':
        return;
    }
  });
  return { containerizer, health, gc, fileRoots, logs, close: () => downloads.close() };
}

/** The files of a sandbox that grow without bound: the task's stdout and stderr. */
export function sandboxLogPaths(sandbox: string): readonly string[] {
  return [sandboxStdoutPath(sandbox), sandboxStderrPath(sandbox)];
}
