/**
 * Method: the real route on fastify's inject, a stub executor and usage on a
 * fake clock.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../lib/clock.js';
import { createHttpServer } from '../../lib/http/server.js';
import { registerAgentOperatorApi } from './operator-api.js';
import type { MonitoredExecutor } from './statistics.js';

const executor: MonitoredExecutor = {
  frameworkId: 'fw-1',
  executorId: 'ex-1',
  executorName: 'ex one',
  source: 'ex-1',
  containerId: 'c-1',
  cpusLimit: 0.5,
  memLimitBytes: 64 * 1024 * 1024,
};

function server() {
  const app = createHttpServer();
  registerAgentOperatorApi(app, {
    executors: () => [executor],
    usage: () => Promise.resolve({ cpusUserTimeSecs: 1, cpusSystemTimeSecs: 0, memRssBytes: 10, processes: 1, threads: 1, isolated: { disk_limit_bytes: 1024, disk_used_bytes: 512 } }),
    clock: new FakeClock(2_000),
  });
  return app;
}

function post(body: string, contentType = 'application/json') {
  return server().inject({ method: 'POST', url: '/api/v1', headers: { 'content-type': contentType }, payload: body });
}

describe('agent: v1 operator API', () => {
  it('answers GET_CONTAINERS with each container and its statistics, isolators\' figures included', async () => {
    const answer = await post(JSON.stringify({ type: 'GET_CONTAINERS' }));
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({
      type: 'GET_CONTAINERS',
      get_containers: {
        containers: [
          {
            framework_id: { value: 'fw-1' },
            executor_id: { value: 'ex-1' },
            executor_name: 'ex one',
            container_id: { value: 'c-1' },
            resource_statistics: expect.objectContaining({ cpus_limit: 0.5, disk_limit_bytes: 1024, disk_used_bytes: 512, timestamp: 2 }),
          },
        ],
      },
    });
  });

  it('answers GET_HEALTH', async () => {
    expect((await post(JSON.stringify({ type: 'GET_HEALTH' }))).json()).toEqual({ type: 'GET_HEALTH', get_health: { healthy: true } });
  });

  it('refuses other calls, bodies that are not JSON and other content types with a 4xx saying why', async () => {
    const other = await post(JSON.stringify({ type: 'LAUNCH_NESTED_CONTAINER' }));
    expect(other.statusCode).toBe(400);
    expect(other.body).toBe("Failed to validate agent::Call: berth's agent answers GET_HEALTH and GET_CONTAINERS, not 'LAUNCH_NESTED_CONTAINER'");
    const broken = await post('{');
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toMatch(/^Failed to parse body into JSON: /);
    const protobuf = await post('x', 'application/x-protobuf');
    expect(protobuf.statusCode).toBe(415);
  });
});
