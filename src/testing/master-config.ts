/** A MasterConfig with Mesos' defaults (berth's 5 s heartbeat), for harnesses and tests. */
import { parseMinAllocatable } from '../resources/index.js';
import type { MasterConfig } from '../master/core/config.js';

export function defaultMasterConfig(overrides: Partial<MasterConfig> = {}): MasterConfig {
  const minAllocatable = parseMinAllocatable('cpus:0.01|mem:32');
  if (!minAllocatable.ok) throw new Error(minAllocatable.error);
  const allocationIntervalMs = overrides.allocationIntervalMs ?? 1000;
  return {
    heartbeatIntervalMs: 5000,
    allocationIntervalMs,
    offerTimeoutMs: undefined,
    agentPingTimeoutMs: 15_000,
    maxAgentPingTimeouts: 5,
    agentReregisterTimeoutMs: 600_000,
    agentRemovalIntervalMs: undefined,
    recoveryAgentRemovalLimit: 1,
    maxCompletedFrameworks: 50,
    maxCompletedTasksPerFramework: 1000,
    maxUnreachableTasksPerFramework: 1000,
    maxOperatorSubscribers: 1000,
    rolesWhitelist: undefined,
    rootSubmissions: true,
    allocator: {
      allocationIntervalMs,
      minAllocatable: minAllocatable.value,
      filterGpuResources: true,
      fairnessExcludedNames: new Set(),
      roleSorter: 'drf',
      frameworkSorter: 'drf',
    },
    weights: new Map(),
    cluster: undefined,
    flags: [],
    ...overrides,
  };
}
