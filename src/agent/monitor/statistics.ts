/**
 * /monitor/statistics (Mesos' Http::statistics): one entry per running
 * executor with its container's usage, as Mesos writes ResourceStatistics in
 * JSON. An executor whose usage cannot be learnt (its container just ended,
 * or reading /proc failed) is left out, as Mesos leaves out an executor
 * without statistics.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../lib/clock.js';
import { stringifyAscii } from '../../lib/json-ascii.js';
import type { ContainerUsage } from '../containerizer/types.js';
import type { ResourceStatistics } from '../isolators/statistics.js';

/** A running executor as the monitor needs it. */
export interface MonitoredExecutor {
  readonly frameworkId: string;
  readonly executorId: string;
  readonly executorName: string;
  readonly source: string;
  readonly containerId: string;
  /** The container's cpus: the executor's and its tasks' (undefined when none were given). */
  readonly cpusLimit: number | undefined;
  /** The container's memory in bytes: the executor's and its tasks'. */
  readonly memLimitBytes: number | undefined;
}

export type UsageSource = (containerId: string) => Promise<ContainerUsage | undefined>;

/**
 * ResourceStatistics as JSON, keys in Mesos' (alphabetical) order: what
 * /proc says of the container's processes, and what its isolators measure
 * (cgroups' cpu and memory accounting, disk/du's disk use), which takes
 * precedence where both say something.
 */
export type StatisticsJson = Partial<ResourceStatistics> & {
  readonly cpus_system_time_secs: number;
  readonly cpus_user_time_secs: number;
  readonly mem_rss_bytes: number;
  readonly processes: number;
  readonly threads: number;
  /** Seconds since the epoch, when the usage was taken. */
  readonly timestamp: number;
};

export interface StatisticsEntryJson {
  readonly executor_id: string;
  readonly executor_name: string;
  readonly framework_id: string;
  readonly source: string;
  readonly statistics: StatisticsJson;
}

export function statisticsJson(usage: ContainerUsage, executor: MonitoredExecutor, timestampSeconds: number): StatisticsJson {
  const statistics: StatisticsJson = {
    ...(executor.cpusLimit !== undefined ? { cpus_limit: executor.cpusLimit } : {}),
    cpus_system_time_secs: usage.cpusSystemTimeSecs,
    cpus_user_time_secs: usage.cpusUserTimeSecs,
    ...(executor.memLimitBytes !== undefined ? { mem_limit_bytes: executor.memLimitBytes } : {}),
    mem_rss_bytes: usage.memRssBytes,
    processes: usage.processes,
    threads: usage.threads,
    ...usage.isolated,
    timestamp: timestampSeconds,
  };
  return Object.fromEntries(Object.entries(statistics).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as StatisticsJson;
}

/** Every executor's statistics, asked for at once; those whose usage could not be learnt are left out. */
export async function executorStatistics(
  executors: readonly MonitoredExecutor[],
  usage: UsageSource,
  clock: Clock,
): Promise<{ executor: MonitoredExecutor; statistics: StatisticsJson }[]> {
  const usages = await Promise.allSettled(executors.map((executor) => usage(executor.containerId)));
  const timestampSeconds = clock.nowMs() / 1000;
  const found: { executor: MonitoredExecutor; statistics: StatisticsJson }[] = [];
  usages.forEach((result, index) => {
    const executor = executors[index];
    if (executor === undefined || result.status !== 'fulfilled' || result.value === undefined) return;
    found.push({ executor, statistics: statisticsJson(result.value, executor, timestampSeconds) });
  });
  return found;
}

/** /monitor/statistics: one entry per executor that answered. */
export async function monitorStatistics(executors: readonly MonitoredExecutor[], usage: UsageSource, clock: Clock): Promise<StatisticsEntryJson[]> {
  return (await executorStatistics(executors, usage, clock)).map(({ executor, statistics }) => ({
    executor_id: executor.executorId,
    executor_name: executor.executorName,
    framework_id: executor.frameworkId,
    source: executor.source,
    statistics,
  }));
}

export interface MonitorRoutesContext {
  /** The executors running now (terminated ones are not asked about). */
  readonly executors: () => readonly MonitoredExecutor[];
  readonly usage: UsageSource;
  readonly clock: Clock;
}

const jsonpCallbackPattern = /^[A-Za-z_$][\w$.]*$/;

/** GET /monitor/statistics, its /slave(1) form and the old .json name. Supports ?jsonp=. */
export function registerMonitorRoutes(app: FastifyInstance, context: MonitorRoutesContext): void {
  for (const url of ['/monitor/statistics', '/monitor/statistics.json', '/slave(1)/monitor/statistics']) {
    app.get(url, async (request, reply) => {
      const body = stringifyAscii(await monitorStatistics(context.executors(), context.usage, context.clock));
      const jsonp = (request.query as Record<string, string | undefined>)['jsonp'];
      if (jsonp === undefined) return reply.type('application/json').send(body);
      if (!jsonpCallbackPattern.test(jsonp)) return reply.code(400).type('text/plain').send("Invalid 'jsonp' callback name");
      return reply.type('text/javascript').send(`${jsonp}(${body});`);
    });
  }
}
