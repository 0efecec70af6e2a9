/**
 * From `berth master` flags to the core's MasterConfig (the "compiled options"
 * stage): parses what the flag parser keeps as text and checks how flags
 * relate. Errors are one line naming the flag.
 */
import { parseDuration } from '../../lib/duration.js';
import { err, ok, type Result } from '../../lib/result.js';
import { flagsAsStrings } from '../../lib/flags/index.js';
import { parseMinAllocatable, validateRole } from '../../resources/index.js';
import { masterFlags, type MasterFlags } from '../../cli/flags/master-flags.js';
import type { MasterConfig } from '../core/config.js';

export function compileMasterConfig(flags: MasterFlags): Result<MasterConfig> {
  const minAllocatable = parseMinAllocatable(flags.min_allocatable_resources);
  if (!minAllocatable.ok) {
    return err(`Invalid value for flag 'min_allocatable_resources': ${minAllocatable.error}`);
  }
  let rolesWhitelist: Set<string> | undefined;
  if (flags.roles !== undefined) {
    rolesWhitelist = new Set(flags.roles.split(',').map((r) => r.trim()).filter((r) => r !== ''));
    for (const role of rolesWhitelist) {
      const error = validateRole(role);
      if (error !== undefined) return err(`Invalid value for flag 'roles': '${role}': ${error}`);
    }
  }
  const weights = flags.weights ?? new Map<string, number>();
  for (const role of weights.keys()) {
    const error = validateRole(role);
    if (error !== undefined) return err(`Invalid value for flag 'weights': '${role}': ${error}`);
    if (rolesWhitelist !== undefined && !rolesWhitelist.has(role)) {
      return err(`Invalid value for flag 'weights': role '${role}' is not in --roles`);
    }
  }
  const excluded = new Set(
    (flags.fair_sharing_excluded_resource_names ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
  );
  const removalInterval = parseRemovalRate(flags.agent_removal_rate_limit);
  if (!removalInterval.ok) return removalInterval;
  const removalLimit = /^(\d+(?:\.\d+)?)%$/.exec(flags.recovery_agent_removal_limit);
  const removalFraction = removalLimit === null ? Number.NaN : Number(removalLimit[1]) / 100;
  if (!(removalFraction >= 0 && removalFraction <= 1)) {
    return err(`Invalid value for flag 'recovery_agent_removal_limit': '${flags.recovery_agent_removal_limit}' is not a percentage from 0% to 100%`);
  }
  return ok({
    heartbeatIntervalMs: flags.heartbeat_interval,
    allocationIntervalMs: flags.allocation_interval,
    offerTimeoutMs: flags.offer_timeout,
    agentPingTimeoutMs: flags.agent_ping_timeout,
    maxAgentPingTimeouts: flags.max_agent_ping_timeouts,
    agentReregisterTimeoutMs: flags.agent_reregister_timeout,
    agentRemovalIntervalMs: removalInterval.value,
    recoveryAgentRemovalLimit: removalFraction,
    maxCompletedFrameworks: flags.max_completed_frameworks,
    maxCompletedTasksPerFramework: flags.max_completed_tasks_per_framework,
    maxUnreachableTasksPerFramework: flags.max_unreachable_tasks_per_framework,
    maxOperatorSubscribers: flags.max_operator_event_stream_subscribers,
    rolesWhitelist,
    rootSubmissions: flags.root_submissions,
    allocator: {
      allocationIntervalMs: flags.allocation_interval,
      minAllocatable: minAllocatable.value,
      filterGpuResources: flags.filter_gpu_resources,
      fairnessExcludedNames: excluded,
      roleSorter: flags.role_sorter,
      frameworkSorter: flags.framework_sorter,
    },
    weights,
    cluster: flags.cluster,
    acls: flags.acls,
    flags: flagsAsStrings(masterFlags, flags),
  });
}

/** --agent_removal_rate_limit `N/<duration>` as the time between two markings (Mesos: 1/1mins is one a minute). */
function parseRemovalRate(value: string | undefined): Result<number | undefined> {
  if (value === undefined) return ok(undefined);
  const [count, period, extra] = value.split('/');
  const permits = Number(count);
  const duration = period === undefined ? undefined : parseDuration(period);
  if (extra !== undefined || !Number.isInteger(permits) || permits < 1 || duration === undefined || !duration.ok || duration.value <= 0) {
    return err(`Invalid value for flag 'agent_removal_rate_limit': '${value}' is not N/<duration> with N a positive whole number (e.g. 1/1mins)`);
  }
  return ok(duration.value / permits);
}
