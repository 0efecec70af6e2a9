/**
 * The executors /monitor/statistics reports on: every executor whose
 * container runs, with the limits of its container (the executor's resources
 * and its tasks', as Mesos sums them).
 */
import type { AgentState } from '../core/state.js';
import type { Json } from '../core/model.js';
import type { MonitoredExecutor } from '../monitor/statistics.js';

export function monitoredExecutors(state: AgentState): MonitoredExecutor[] {
  const monitored: MonitoredExecutor[] = [];
  for (const framework of state.frameworks.values()) {
    for (const executor of framework.executors.values()) {
      if (executor.state === 'terminated' || executor.state === 'launching') continue;
      const infos = [executor.info, ...[...executor.launchedTasks.values()].map((task) => task.info)];
      monitored.push({
        frameworkId: framework.id,
        executorId: executor.id,
        executorName: (executor.info['name'] as string | undefined) ?? '',
        source: (executor.info['source'] as string | undefined) ?? '',
        containerId: executor.containerId,
        cpusLimit: scalarSum(infos, 'cpus'),
        memLimitBytes: mebibytes(scalarSum(infos, 'mem')),
      });
    }
  }
  return monitored;
}

function scalarSum(infos: readonly Json[], name: string): number | undefined {
  let total: number | undefined;
  for (const info of infos) {
    for (const resource of (info['resources'] as { name?: string; scalar?: { value?: number } }[] | undefined) ?? []) {
      if (resource.name === name && resource.scalar?.value !== undefined) total = (total ?? 0) + resource.scalar.value;
    }
  }
  return total;
}

function mebibytes(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 1024 * 1024);
}
