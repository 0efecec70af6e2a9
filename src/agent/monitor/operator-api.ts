/**
 * The agent's v1 operator API (POST /api/v1, spec/core.md 6.4), as far as
 * berth's agent answers it: GET_HEALTH, and GET_CONTAINERS with each running
 * container's ResourceStatistics (the same figures as /monitor/statistics:
 * /proc, cgroups, disk/du). JSON only. Any other call is refused with 400
 * naming the calls answered, rather than half answered.
 */
import type { FastifyInstance } from 'fastify';
import { bodyText } from '../../lib/http/server.js';
import { stringifyAscii } from '../../lib/json-ascii.js';
import { executorStatistics, type MonitorRoutesContext } from './statistics.js';

const answered = ['GET_HEALTH', 'GET_CONTAINERS'] as const;

export async function getContainers(context: MonitorRoutesContext): Promise<object> {
  const found = await executorStatistics(context.executors(), context.usage, context.clock);
  return {
    type: 'GET_CONTAINERS',
    get_containers: {
      containers: found.map(({ executor, statistics }) => ({
        framework_id: { value: executor.frameworkId },
        executor_id: { value: executor.executorId },
        executor_name: executor.executorName,
        container_id: { value: executor.containerId },
        resource_statistics: statistics,
      })),
    },
  };
}

export function registerAgentOperatorApi(app: FastifyInstance, context: MonitorRoutesContext): void {
  for (const url of ['/api/v1', '/slave(1)/api/v1']) {
    app.post(url, async (request, reply) => {
      const contentType = request.headers['content-type'] ?? '';
      if (!contentType.startsWith('application/json')) {
        return reply.code(415).type('text/plain').send("Expecting 'Content-Type' of application/json (berth's agent API speaks JSON only)");
      }
      let type: unknown;
      try {
        const call = JSON.parse(bodyText(request.body)) as unknown;
        type = typeof call === 'object' && call !== null ? (call as { type?: unknown }).type : undefined;
      } catch (error) {
        return reply.code(400).type('text/plain').send(`Failed to parse body into JSON: ${(error as Error).message}`);
      }
      if (type === 'GET_HEALTH') return reply.type('application/json').send(stringifyAscii({ type: 'GET_HEALTH', get_health: { healthy: true } }));
      if (type === 'GET_CONTAINERS') return reply.type('application/json').send(stringifyAscii(await getContainers(context)));
      const named = typeof type === 'string' ? `'${type}'` : 'a call without a string type';
      return reply.code(400).type('text/plain').send(`Failed to validate agent::Call: berth's agent answers ${answered.join(' and ')}, not ${named}`);
    });
  }
}
