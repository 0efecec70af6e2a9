import { masterMetrics } from '../views/metrics.js';
import type { MasterRuntime } from '../shell/runtime.js';
import { systemMetrics } from '../../lib/system-metrics.js';

/** The flat metrics object of /metrics/snapshot and GET_METRICS: state-derived, shell-measured and system. */
export function metricsSnapshot(runtime: MasterRuntime): Record<string, number> {
  return masterMetrics(runtime.core.state, runtime.clock.nowMs(), {
    ...runtime.allocationRunTimes.metrics('allocator/mesos/allocation_run_ms'),
    ...systemMetrics(),
  });
}
