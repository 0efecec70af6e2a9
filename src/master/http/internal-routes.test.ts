/**
 * POST /internal/v1/messages (docs/protocol.md) through fastify's inject, on a
 * real master core: a batch stops only at a 409; any other refusal is logged
 * and the messages after it are applied, their sequence numbers intact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { FakeClock } from '../../lib/clock.js';
import { SeededRandom } from '../../lib/random.js';
import { createHttpServer } from '../../lib/http/server.js';
import { MasterCore } from '../core/master-core.js';
import { masterInfo } from '../shell/master-info.js';
import { MasterRuntime } from '../shell/runtime.js';
import { defaultMasterConfig } from '../../testing/master-config.js';
import type { AgentToMasterMessage, LinkRequest } from '../../protocol/internal.js';
import { registerInternalRoutes } from './internal-routes.js';

const epoch = 7;

interface Fixture {
  readonly app: FastifyInstance;
  readonly runtime: MasterRuntime;
  readonly agentId: string;
  readonly logs: string[];
}

let fixture: Fixture | undefined;

afterEach(async () => {
  fixture?.runtime.stop();
  await fixture?.app.close();
  fixture = undefined;
});

/** A master with one agent linked at `epoch` (its link stream is never opened: records go nowhere). */
function start(): Fixture {
  const clock = new FakeClock();
  const random = new SeededRandom(1);
  const core = new MasterCore(defaultMasterConfig(), masterInfo(random.uuid(), '127.0.0.1', 5050, 'm'), random, clock.nowMs());
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  const runtime = new MasterRuntime(core, clock, logger);
  const request: LinkRequest = {
    protocol_version: 1,
    epoch,
    agent_info: { hostname: 'a', port: 5051, ip: '127.0.0.1', resources: [] },
    version: '1.11.0',
    capabilities: [],
  } as LinkRequest;
  expect(runtime.dispatch({ type: 'agent_link', linkId: 'l1', request }).reply?.status).toBe(200);
  const agentId = [...core.state.agents.keys()][0] ?? '';
  const app = createHttpServer();
  registerInternalRoutes(app, () => runtime);
  fixture = { app, runtime, agentId, logs };
  return fixture;
}

const pong: AgentToMasterMessage = { type: 'PONG' };
/** Refused by the core with 400 (a negative scalar), after its sequence number was taken. */
const invalid: AgentToMasterMessage = {
  type: 'UPDATE_AGENT',
  update_agent: { resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: -1 } }] },
} as AgentToMasterMessage;

async function post(f: Fixture, path: string, body: object): Promise<{ status: number; text: string }> {
  const response = await f.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  return { status: response.statusCode, text: response.body };
}

function batch(f: Fixture, messages: [number, AgentToMasterMessage][]): Promise<{ status: number; text: string }> {
  return post(f, '/internal/v1/messages', { agent_id: { value: f.agentId }, epoch, messages: messages.map(([seq, message]) => ({ seq, message })) });
}

function lastSeqIn(f: Fixture): number | undefined {
  return f.runtime.core.state.agents.get(f.agentId)?.link?.lastSeqIn;
}

describe('POST /internal/v1/messages', () => {
  it('applies the messages after one the core refused with 400, logs the refusal and answers 202', async () => {
    const f = start();
    const single = await post(f, '/internal/v1/message', { agent_id: { value: f.agentId }, epoch, seq: 1, message: invalid });
    expect(single.status).toBe(400);
    const reply = await batch(f, [[2, pong], [3, invalid], [4, pong]]);
    expect(reply.status).toBe(202);
    expect(lastSeqIn(f)).toBe(4);
    expect(f.logs.join('\n')).toContain('Message 3 (UPDATE_AGENT) of agent');
    // Sequence numbers go on from the batch: the next message is 5, and 4 again is a duplicate.
    expect((await batch(f, [[4, pong], [5, pong]])).status).toBe(202);
    expect(lastSeqIn(f)).toBe(5);
  });

  it('stops at a gap with 409 and applies nothing after it', async () => {
    const f = start();
    const reply = await batch(f, [[1, pong], [3, pong], [4, pong]]);
    expect(reply.status).toBe(409);
    expect(reply.text).toContain('Message 3 follows 1');
    expect(lastSeqIn(f)).toBe(1);
  });

  it('answers 409 for a stale epoch without applying anything', async () => {
    const f = start();
    const reply = await post(f, '/internal/v1/messages', { agent_id: { value: f.agentId }, epoch: epoch - 1, messages: [{ seq: 1, message: pong }] });
    expect(reply.status).toBe(409);
    expect(lastSeqIn(f)).toBe(0);
  });
});
