/**
 * The master's side of the agent link (docs/protocol.md) through the harness:
 * registration, epochs, sequence numbers, disconnection and removal.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../testing/harness.js';

describe('master: agent link', () => {
  it('registers an agent with id <master id>-S0 and a REGISTERED record first on its link', () => {
    const h = new Harness();
    const agent = h.addAgent();
    expect(agent.id).toBe(`${h.state.info.id}-S0`);
    expect(agent.received[0]).toMatchObject({ seq: 1, type: 'REGISTERED', registered: { reregistered: false, ping_timeout_seconds: 75 } });
  });

  it('applies a message once: a repeated sequence number is acknowledged without effect', () => {
    const h = new Harness();
    const agent = h.addAgent();
    const envelope = { agent_id: { value: agent.id ?? '' }, epoch: h.state.agents.get(agent.id ?? '')?.epoch ?? 0, seq: 1, message: { type: 'PONG' as const } };
    expect(h.step({ type: 'agent_message', envelope })?.status).toBe(202);
    expect(h.step({ type: 'agent_message', envelope })).toEqual({ status: 200, body: { duplicate: true } });
  });

  it('refuses a message after a gap in sequence numbers, and one from another epoch, with 409', () => {
    const h = new Harness();
    const agent = h.addAgent();
    const epoch = h.state.agents.get(agent.id ?? '')?.epoch ?? 0;
    const gap = h.step({ type: 'agent_message', envelope: { agent_id: { value: agent.id ?? '' }, epoch, seq: 5, message: { type: 'PONG' } } });
    expect(gap?.status).toBe(409);
    const stale = h.step({ type: 'agent_message', envelope: { agent_id: { value: agent.id ?? '' }, epoch: epoch - 1, seq: 1, message: { type: 'PONG' } } });
    expect(stale?.status).toBe(409);
  });

  it('keeps the agent id when the agent re-registers with a newer epoch after its link broke', () => {
    const h = new Harness();
    const agent = h.addAgent();
    const id = agent.id;
    agent.disconnect();
    expect(h.state.agents.get(id ?? '')?.active).toBe(false);
    h.advance(10);
    expect(agent.link()?.status).toBe(200);
    expect(agent.id).toBe(id);
    expect(agent.received.at(-1)).toMatchObject({ type: 'REGISTERED', registered: { reregistered: true } });
    expect(h.state.agents.get(id ?? '')?.active).toBe(true);
  });

  it('rescinds the offers of an agent whose link breaks', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const agent = h.addAgent();
    h.settle();
    const [offer] = framework.currentOffers();
    agent.disconnect();
    expect(framework.eventsOf('RESCIND').map((e) => e.rescind.offer_id.value)).toEqual([offer?.id.value]);
  });

  it('removes an agent that unregisters and tells frameworks with FAILURE', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const agent = h.addAgent();
    agent.send({ type: 'UNREGISTER' });
    expect(h.state.agents.size).toBe(0);
    expect(framework.eventsOf('FAILURE')[0]?.failure.agent_id?.value).toBe(agent.id);
  });

  it('refuses an unknown protocol version with 400', () => {
    const h = new Harness();
    const reply = h.step({
      type: 'agent_link',
      linkId: 'l1',
      request: { protocol_version: 2, epoch: 1, agent_info: { hostname: 'h', port: 1, ip: '127.0.0.1', resources: [] }, version: '1', capabilities: [] },
    });
    expect(reply?.status).toBe(400);
    expect(String(reply?.body)).toContain('version 2 is not supported');
  });

  it('pings a linked agent every agent_ping_timeout', () => {
    const h = new Harness();
    const agent = h.addAgent();
    h.advance(15_000);
    expect(agent.received.filter((r) => r.type === 'PING')).toHaveLength(1);
    h.advance(15_000);
    expect(agent.received.filter((r) => r.type === 'PING')).toHaveLength(2);
  });
});
