/**
 * The agent's own HTTP endpoints (spec/core.md 6.4): /state and
 * /slave(1)/state, /health, /flags, /version. The executor API
 * (executor-route.ts), /files (files/routes.ts) and /monitor/statistics
 * (monitor/statistics.ts) are registered beside them in main.ts.
 */
import type { FastifyInstance } from 'fastify';
import { stringifyAscii } from '../../lib/json-ascii.js';
import { agentStateJson } from '../views/state.js';
import type { AgentRuntime } from './runtime.js';

export interface AgentEndpointsContext {
  readonly runtime: () => AgentRuntime | undefined;
  readonly pid: () => string;
  readonly flags: Record<string, string>;
}

export function registerAgentRoutes(app: FastifyInstance, context: AgentEndpointsContext): void {
  for (const prefix of ['', '/slave(1)']) {
    app.get(`${prefix}/state`, (request, reply) => {
      const runtime = context.runtime();
      if (runtime === undefined) return void reply.code(503).type('text/plain').send('Agent has not finished recovery');
      const body = agentStateJson({ state: runtime.core.state, pid: context.pid(), flags: context.flags, nowMs: runtime.clock.nowMs() });
      const jsonp = (request.query as Record<string, string | undefined>).jsonp;
      if (jsonp !== undefined) return void reply.type('text/javascript').send(`${jsonp}(${stringifyAscii(body)});`);
      void reply.type('application/json').send(stringifyAscii(body));
    });
    app.get(`${prefix}/health`, (_request, reply) => void reply.code(200).send());
    app.get(`${prefix}/flags`, (_request, reply) => void reply.type('application/json').send(stringifyAscii({ flags: context.flags })));
  }
  app.get('/version', (_request, reply) => {
    void reply.type('application/json').send(stringifyAscii({ version: '1.11.0', berth_version: '0.1.0' }));
  });
}
