/**
 * From `berth agent` flags to the core's AgentConfig: the declared resources
 * (flag text or JSON, plus detected cpus/mem/disk/ports where absent), the
 * attributes, and the start-up checks on disk sources (spec/storage.md 1.8).
 * Every error is one line naming the flag.
 */
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { readMountTable } from '../../lib/mountinfo.js';
import { isAbsolute, join, resolve } from 'node:path';
import { err, ok, type Result } from '../../lib/result.js';
import {
  applyCheckpointedResources,
  namesPresent,
  parseAgentResourcesFlag,
  parseResourceText,
  Resources,
  toCanonicalJson,
  type Resource,
} from '../../resources/index.js';
import type { AgentFlags } from '../../cli/flags/agent-flags.js';
import type { AgentConfig } from '../core/config.js';
import { parseAttributes } from './attributes.js';
import { defaultPorts, detectCpus, detectDiskMb, detectMemMb } from './detect.js';
import { agentCapabilities, agentVersion } from './identity.js';
import { emptyResourceState, type ResourceState } from '../volumes/resource-state.js';
import { mountDiskResource, type LoopDiskSpec } from '../disks/loop-disk.js';

/**
 * `recovered`: the dynamic reservations and volumes the agent kept
 * (spec/storage.md 3.2); they replace the declared resources they were made
 * from, which must still be declared. `mountDiskImages`: the images of
 * --mount_disk_images, mounted by now, each declared a MOUNT disk of its size.
 */
export function compileAgentConfig(
  flags: AgentFlags,
  ip: string,
  port: number,
  hostname: string,
  recovered: ResourceState = emptyResourceState,
  mountDiskImages: readonly LoopDiskSpec[] = [],
): Result<AgentConfig> {
  const resources = declaredResources(flags, mountDiskImages);
  if (!resources.ok) return resources;
  const attributes = parseAttributes(flags.attributes);
  if (!attributes.ok) return err(`Invalid value for flag 'attributes': ${attributes.error}`);
  const declared = Resources.of(resources.value);
  const checkpointed = recovered.resources;
  const applied = applyCheckpointedResources(declared, checkpointed);
  if (!applied.ok) return err(`Checkpointed resources ${checkpointed.toString()} are incompatible with agent resources ${declared.toString()}: ${applied.error}`);
  return ok({
    info: {
      hostname,
      port,
      ip,
      resources: declared.toList().map((r) => toCanonicalJson(r)) as AgentConfig['info']['resources'],
      attributes: attributes.value as AgentConfig['info']['attributes'],
    },
    declared,
    recoveredResources: recovered,
    version: agentVersion,
    capabilities: agentCapabilities,
    registrationBackoffFactorMs: flags.registration_backoff_factor,
    registrationBackoffMaxMs: 60_000,
    defaultPingTimeoutMs: 75_000,
    workDir: resolve(flags.work_dir),
    endpoint: `${ip}:${port}`,
    // Mesos switches users only when it can: as root.
    switchUser: flags.switch_user && process.getuid?.() === 0,
    executorRegistrationTimeoutMs: flags.executor_registration_timeout,
    executorReregistrationTimeoutMs: flags.executor_reregistration_timeout,
    executorShutdownGracePeriodMs: flags.executor_shutdown_grace_period,
    recoveryTimeoutMs: flags.recovery_timeout,
    maxCompletedExecutorsPerFramework: flags.max_completed_executors_per_framework,
    statusUpdateRetryInitialMs: flags.status_update_retry_interval,
    statusUpdateRetryMaxMs,
    recover: flags.recover,
    baseEnvironment: executorBaseEnvironment(process.env),
  });
}

/** Mesos' cap on the status update retry interval (spec/core.md 2.4). */
const statusUpdateRetryMaxMs = 10 * 60 * 1000;

/**
 * Executors inherit the agent's environment, as in Mesos without
 * --executor_environment_variables.
 */
function executorBaseEnvironment(environment: NodeJS.ProcessEnv): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) if (value !== undefined) base[name] = value;
  return base;
}

function declaredResources(flags: AgentFlags, mountDiskImages: readonly LoopDiskSpec[]): Result<Resource[]> {
  const role = flags.default_role;
  const given = flags.resources === undefined ? ok<Resource[]>([]) : parseAgentResourcesFlag(flags.resources, role);
  if (!given.ok) return err(`Invalid value for flag 'resources': ${given.error}`);
  // Detected below unless --resources names them: an image's disk does not stand for the host's own.
  const present = namesPresent(given.value);
  for (const spec of mountDiskImages) {
    const disk = parseAgentResourcesFlag(mountDiskResource(spec, role), role);
    if (!disk.ok) return err(`Invalid value for flag 'mount_disk_images': ${disk.error}`);
    given.value.push(...disk.value);
  }
  const detected: string[] = [];
  if (!present.has('cpus')) detected.push(`cpus:${detectCpus()}`);
  if (!present.has('mem')) detected.push(`mem:${detectMemMb()}`);
  if (!present.has('disk')) detected.push(`disk:${detectDiskMb(flags.work_dir)}`);
  if (!present.has('ports')) detected.push(`ports:${defaultPorts}`);
  const extra = parseResourceText(detected.join(';'), role);
  if (!extra.ok) return err(`Failed to detect resources: ${extra.error}`);
  const all = [...given.value, ...extra.value];
  const diskError = checkDiskSources(all, flags.work_dir);
  return diskError === undefined ? ok(all) : err(diskError);
}

/**
 * PATH roots are created when missing; a MOUNT root must be a real mount point
 * (its real path listed in /proc/mounts). Relative roots are under the work dir.
 */
function checkDiskSources(resources: readonly Resource[], workDir: string): string | undefined {
  for (const resource of resources) {
    const source = resource.disk?.source;
    if (source === undefined) continue;
    const root = source.type === 'PATH' ? source.path?.root : source.mount?.root;
    if (root === undefined) continue;
    const absolute = isAbsolute(root) ? root : join(workDir, root);
    if (source.type === 'PATH') {
      try {
        mkdirSync(absolute, { recursive: true });
      } catch (error) {
        return `Invalid value for flag 'resources': cannot create the root '${absolute}' of a PATH disk: ${(error as Error).message}`;
      }
      continue;
    }
    if (source.type === 'MOUNT' && !isMountPoint(absolute)) return `Failed to find mount '${absolute}' in /proc/mounts`;
  }
  return undefined;
}

function isMountPoint(path: string): boolean {
  if (!existsSync(path)) return false;
  const real = realpathSync(path);
  return readMountTable().some((entry) => entry.mountPoint === real);
}
