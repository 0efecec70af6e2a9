/**
 * Method: stub executors and a stub usage source (answers, missing answers,
 * failures) behind the real routes, through fastify's inject, on a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../lib/clock.js';
import { createHttpServer } from '../../lib/http/server.js';
import type { ContainerUsage } from '../containerizer/types.js';
import { monitorStatistics, registerMonitorRoutes, type MonitoredExecutor, type UsageSource } from './statistics.js';

function executor(id: string, overrides: Partial<MonitoredExecutor> = {}): MonitoredExecutor {
  return {
    frameworkId: 'fw-1',
    executorId: id,
    executorName: `Command Executor (Task: ${id}) (Command: sh -c 'sleep 100')`,
    source: id,
    containerId: `container-${id}`,
    cpusLimit: 1.1,
    memLimitBytes: 160 * 1024 * 1024,
    ...overrides,
  };
}

const usage: ContainerUsage = { cpusUserTimeSecs: 1.25, cpusSystemTimeSecs: 0.5, memRssBytes: 4096, processes: 2, threads: 3 };

const stub: UsageSource = async (containerId) => {
  if (containerId === 'container-gone') return undefined;
  if (containerId === 'container-broken') throw new Error('cannot read /proc');
  return usage;
};

describe('monitor: /monitor/statistics', () => {
  it('answers Mesos JSON per executor with its usage and limits', async () => {
    const clock = new FakeClock(1_700_000_000_500);
    expect(await monitorStatistics([executor('a')], stub, clock)).toEqual([
      {
        executor_id: 'a',
        executor_name: "Command Executor (Task: a) (Command: sh -c 'sleep 100')",
        framework_id: 'fw-1',
        source: 'a',
        statistics: {
          cpus_limit: 1.1,
          cpus_system_time_secs: 0.5,
          cpus_user_time_secs: 1.25,
          mem_limit_bytes: 167_772_160,
          mem_rss_bytes: 4096,
          processes: 2,
          threads: 3,
          timestamp: 1_700_000_000.5,
        },
      },
    ]);
  });

  it('leaves out executors whose usage is unknown or failed, and limits that are not set', async () => {
    const entries = await monitorStatistics(
      [executor('gone', { containerId: 'container-gone' }), executor('broken', { containerId: 'container-broken' }), executor('b', { cpusLimit: undefined, memLimitBytes: undefined })],
      stub,
      new FakeClock(),
    );
    expect(entries.map((entry) => entry.executor_id)).toEqual(['b']);
    expect(Object.keys(entries[0]?.statistics ?? {})).toEqual(['cpus_system_time_secs', 'cpus_user_time_secs', 'mem_rss_bytes', 'processes', 'threads', 'timestamp']);
  });

  it('is served at /monitor/statistics, /monitor/statistics.json and /slave(1)/monitor/statistics, with ?jsonp=', async () => {
    const app = createHttpServer();
    registerMonitorRoutes(app, { executors: () => [executor('a')], usage: stub, clock: new FakeClock() });
    for (const url of ['/monitor/statistics', '/monitor/statistics.json', '/slave(1)/monitor/statistics']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      expect((response.json() as unknown[]).length).toBe(1);
    }
    const wrapped = await app.inject({ method: 'GET', url: '/monitor/statistics?jsonp=cb' });
    expect(wrapped.body).toMatch(/^cb\(\[.*\]\);$/);
    const empty = createHttpServer();
    registerMonitorRoutes(empty, { executors: () => [], usage: stub, clock: new FakeClock() });
    expect((await empty.inject({ method: 'GET', url: '/monitor/statistics' })).json()).toEqual([]);
    await app.close();
    await empty.close();
  });
});
