/**
 * The agent's machinery besides its core, built from its flags: the fetcher
 * and the containerizer that runs tasks, the health checker, sandbox garbage
 * collection, the rotation of sandbox logs, and what /files serves.
 */
import type { Logger } from 'pino';
import { Agent as HttpAgent } from 'undici';
import type { AgentFlags } from '../../cli/flags/agent-flags.js';
import type { Clock } from '../../lib/clock.js';
import { err, ok, type Result } from '../../lib/result.js';
import { LinuxContainerizer } from '../containerizer/linux-containerizer.js';
import { defaultVolumeIsolation } from '../containerizer/volume-mounts.js';
import { parseIsolation } from '../isolators/names.js';
import { buildIsolation, type BuiltIsolation } from '../isolators/registry.js';
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
  /** Logs the isolators the agent runs, and those it runs without (once it has started). */
  readonly announce: () => void;
  /** Closes what the runtime does not (the fetcher's HTTP connections). */
  readonly close: () => Promise<void>;
}

/** How often a container's memory cgroup is checked for OOM kills while it runs. */
const oomCheckMs = 250;

/**
 * The isolators of --isolation, or the one line why the agent cannot start.
 * Isolators the host cannot run (no cgroup controller) are left out with a
 * warning. For an agent that is not root, `--isolation=filesystem/linux`
 * alone (the default) means filesystem/posix; filesystem/linux named with
 * other isolators is refused.
 */
export function isolationFromFlags(flags: AgentFlags, workDir: string, warn: (message: string) => void): Result<BuiltIsolation> {
  const fallback = defaultVolumeIsolation();
  const defaulted = flags.isolation === 'filesystem/linux' ? fallback : flags.isolation;
  const names = parseIsolation(defaulted, fallback);
  if (!names.ok) return names;
  if (names.value.includes('filesystem/linux') && fallback !== 'filesystem/linux') {
    return err('--isolation: filesystem/linux needs root with CAP_SYS_ADMIN (use filesystem/posix)');
  }
  const root = flags.cgroups_root;
  if (root === '' || root.startsWith('/') || root.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    return err(`--cgroups_root: '${root}' must be a relative cgroup path without empty, '.' or '..' components`);
  }
  return buildIsolation(names.value, {
    workDir,
    enforceDiskQuota: flags.enforce_container_disk_quota,
    diskWatchIntervalMs: flags.container_disk_watch_interval,
    diskScanners: flags.container_disk_scanners,
    cgroupsRoot: root,
    enableCfs: flags.cgroups_enable_cfs,
    oomCheckMs,
    warn,
  });
}

export function buildServices(flags: AgentFlags, workDir: string, clock: Clock, logger: Logger): Result<BuiltServices> {
  const isolation = isolationFromFlags(flags, workDir, (message) => logger.warn(message));
  if (!isolation.ok) return isolation;
  const downloads = new HttpAgent({ keepAliveTimeout: 10_000, connections: 16 });
  const fetcher = new AgentFetcher(fetchCacheDir(workDir), flags.fetcher_cache_size, downloads, { stallTimeoutMs: flags.fetcher_stall_timeout });
  const containerizer = new LinuxContainerizer({
    workDir,
    fetcher,
    isolation: isolation.value.isolation,
  });
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
  const announce = (): void => {
    for (const warning of isolation.value.warnings) logger.warn(warning);
    logger.info(`Isolation: ${containerizer.isolation.names.join(', ')}`);
  };
  return ok({ containerizer, health, gc, fileRoots, logs, announce, close: () => downloads.close() });
}

/** The files of a sandbox that grow without bound: the task's stdout and stderr. */
export function sandboxLogPaths(sandbox: string): readonly string[] {
  return [sandboxStdoutPath(sandbox), sandboxStderrPath(sandbox)];
}
