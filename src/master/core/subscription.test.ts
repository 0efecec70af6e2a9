/**
 * The subscription life cycle of spec/core.md 1.4, through the deterministic
 * harness: simulated schedulers subscribe, fail over, disconnect and come back
 * while a fake clock moves; assertions look at the events each stream got.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../testing/harness.js';

describe('master: subscription', () => {
  it('sends SUBSCRIBED with a new framework id, then a HEARTBEAT at once and every 5 seconds', () => {
    const h = new Harness();
    const framework = h.subscribe();
    expect(framework.events.map((e) => e.type).slice(0, 2)).toEqual(['SUBSCRIBED', 'HEARTBEAT']);
    const [subscribed] = framework.eventsOf('SUBSCRIBED');
    expect(subscribed?.subscribed.framework_id.value).toMatch(/-0000$/);
    expect(subscribed?.subscribed.heartbeat_interval_seconds).toBe(5);
    h.advance(4_999);
    expect(framework.eventsOf('HEARTBEAT')).toHaveLength(1);
    h.advance(1);
    expect(framework.eventsOf('HEARTBEAT')).toHaveLength(2);
    h.advance(10_000);
    expect(framework.eventsOf('HEARTBEAT')).toHaveLength(4);
  });

  it('numbers framework ids <master id>-0000, -0001, ...', () => {
    const h = new Harness();
    const a = h.subscribe();
    const b = h.subscribe();
    expect(a.id).toBe(`${h.state.info.id}-0000`);
    expect(b.id).toBe(`${h.state.info.id}-0001`);
  });

  it('tells the old stream "Framework failed over" and closes it when the same id subscribes again', () => {
    const h = new Harness();
    const first = h.subscribe({ info: { failover_timeout: 3600 } });
    const second = h.subscribe({ info: { id: { value: first.id ?? '' }, failover_timeout: 3600 } });
    expect(first.eventsOf('ERROR').map((e) => e.error.message)).toEqual(['Framework failed over']);
    expect(first.closed).toBe(true);
    expect(second.eventsOf('SUBSCRIBED')[0]?.subscribed.framework_id.value).toBe(first.id);
    expect(h.state.frameworks.get(first.id ?? '')?.connection?.connectionId).toBe(second.connectionId);
    // The old stream id is no longer valid for calls.
    expect(first.call({ type: 'REVIVE' })?.status).toBe(400);
  });

  it('removes a framework with failover_timeout 0 as soon as its stream closes', () => {
    const h = new Harness();
    const framework = h.subscribe();
    framework.disconnect();
    expect(h.state.frameworks.has(framework.id ?? '')).toBe(false);
    expect(h.state.completedFrameworks.map((f) => f.id)).toEqual([framework.id]);
  });

  it('keeps a disconnected framework for its failover timeout, then removes it', () => {
    const h = new Harness();
    const framework = h.subscribe({ info: { failover_timeout: 10 } });
    framework.disconnect();
    h.advance(9_999);
    const kept = h.state.frameworks.get(framework.id ?? '');
    expect(kept?.connection).toBeUndefined();
    expect(kept?.active).toBe(false);
    h.advance(1);
    expect(h.state.frameworks.has(framework.id ?? '')).toBe(false);
  });

  it('cancels the failover timeout when the framework subscribes again in time', () => {
    const h = new Harness();
    const framework = h.subscribe({ info: { failover_timeout: 10 } });
    framework.disconnect();
    h.advance(5_000);
    framework.subscribe();
    h.advance(60_000);
    expect(h.state.frameworks.get(framework.id ?? '')?.connection).toBeDefined();
  });

  it('refuses a subscription with the id of a removed framework: "Framework has been removed"', () => {
    const h = new Harness();
    const framework = h.subscribe();
    expect(framework.call({ type: 'TEARDOWN' })?.status).toBe(202);
    framework.subscribe();
    const errors = framework.eventsOf('ERROR');
    expect(errors.at(-1)?.error.message).toBe('Framework has been removed');
    expect(framework.closed).toBe(true);
  });

  it('accepts an id it has never seen (after a fail-over) and keeps that id', () => {
    const h = new Harness();
    const framework = h.subscribe({ info: { id: { value: 'elsewhere-0007' } } });
    expect(framework.eventsOf('SUBSCRIBED')[0]?.subscribed.framework_id.value).toBe('elsewhere-0007');
    expect(h.state.frameworks.get('elsewhere-0007')?.recovered).toBe(false);
  });

  it('refuses a change of principal on re-subscription', () => {
    const h = new Harness();
    const framework = h.subscribe({ info: { principal: 'p1', failover_timeout: 60 } });
    const again = h.subscribe({ info: { id: { value: framework.id ?? '' }, principal: 'p2' } });
    expect(again.eventsOf('ERROR')[0]?.error.message).toBe("Changing framework's principal is not allowed.");
  });

  it('refuses an invalid role with an ERROR event and keeps no framework', () => {
    const h = new Harness();
    const framework = h.subscribe({ roles: ['/x'] });
    expect(framework.eventsOf('ERROR')[0]?.error.message).toContain("'FrameworkInfo.roles' contains invalid role");
    expect(framework.eventsOf('SUBSCRIBED')).toHaveLength(0);
    expect(h.state.frameworks.size).toBe(0);
  });

  it('refuses a failover timeout that is not a duration (1e17 seconds)', () => {
    const h = new Harness();
    const framework = h.subscribe({ info: { failover_timeout: 1e17 } });
    expect(framework.eventsOf('ERROR')[0]?.error.message).toContain('failover_timeout');
  });

  it('refuses suppressed roles that are not the framework\'s roles', () => {
    const h = new Harness();
    const framework = h.subscribe({ roles: ['a'], suppressedRoles: ['b'] });
    expect(framework.eventsOf('ERROR')[0]?.error.message).toContain('Suppressed roles');
  });
});

describe('master: scheduler calls', () => {
  it('answers 400 "Framework cannot be found" for an unknown framework id', () => {
    const h = new Harness();
    const reply = h.step({ type: 'scheduler_call', call: { type: 'REVIVE', framework_id: { value: 'nope' } }, streamId: 'x' });
    expect(reply).toEqual({ status: 400, body: 'Framework cannot be found' });
  });

  it('answers 403 for a known framework that is disconnected', () => {
    const h = new Harness();
    const framework = h.subscribe({ info: { failover_timeout: 60 } });
    framework.disconnect();
    expect(framework.call({ type: 'REVIVE' })).toEqual({ status: 403, body: 'Framework is not subscribed' });
  });

  it('answers 400 for a missing or a different Mesos-Stream-Id', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const call = { type: 'REVIVE' as const, framework_id: { value: framework.id ?? '' } };
    expect(h.step({ type: 'scheduler_call', call, streamId: undefined })?.status).toBe(400);
    const wrong = h.step({ type: 'scheduler_call', call, streamId: 'not-the-stream' });
    expect(wrong?.status).toBe(400);
    expect(String(wrong?.body)).toContain("didn't match the stream ID");
  });

  it('answers 501 for an UNKNOWN call type', () => {
    const h = new Harness();
    const framework = h.subscribe();
    expect(framework.call({ type: 'UNKNOWN' })?.status).toBe(501);
  });

  it('rescinds offers for roles a framework leaves with UPDATE_FRAMEWORK', () => {
    const h = new Harness();
    const framework = h.subscribe({ roles: ['a', 'b'] });
    h.addAgent({ resources: 'cpus(b):1;mem(b):256' });
    h.settle();
    const [offer] = framework.currentOffers();
    expect(offer?.allocation_info?.role).toBe('b');
    const info = { ...framework.info(), roles: ['a'] };
    expect(framework.call({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: info } })?.status).toBe(200);
    expect(framework.eventsOf('RESCIND').map((e) => e.rescind.offer_id.value)).toEqual([offer?.id.value]);
  });

  it('refuses an UPDATE_FRAMEWORK that changes the user with 400', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const reply = framework.call({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: { ...framework.info(), user: 'someone' } } });
    expect(reply?.status).toBe(400);
    expect(String(reply?.body)).toContain("Updating 'FrameworkInfo.user' is unsupported");
  });
});

describe('master: reconciliation', () => {
  it('answers an explicit reconciliation of an unknown task on a registered agent with TASK_LOST (TASK_GONE when partition aware)', () => {
    const h = new Harness();
    const agent = h.addAgent();
    const plain = h.subscribe({ name: 'plain' });
    const aware = h.subscribe({ name: 'aware', capabilities: ['MULTI_ROLE', 'PARTITION_AWARE'] });
    for (const framework of [plain, aware]) {
      framework.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: { value: agent.id ?? '' } }] } });
    }
    const plainStatus = plain.eventsOf('UPDATE')[0]?.update.status;
    const awareStatus = aware.eventsOf('UPDATE')[0]?.update.status;
    expect(plainStatus).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(awareStatus).toMatchObject({ state: 'TASK_GONE', reason: 'REASON_RECONCILIATION' });
    expect(plainStatus?.uuid).toBeUndefined();
  });

  it('answers an unknown task without an agent with TASK_UNKNOWN when partition aware', () => {
    const h = new Harness();
    const aware = h.subscribe({ capabilities: ['MULTI_ROLE', 'PARTITION_AWARE'] });
    aware.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 't1' } }] } });
    expect(aware.eventsOf('UPDATE')[0]?.update.status.state).toBe('TASK_UNKNOWN');
  });

  it('sends nothing for an implicit reconciliation when the framework has no tasks', () => {
    const h = new Harness();
    const framework = h.subscribe();
    framework.call({ type: 'RECONCILE', reconcile: {} });
    expect(framework.eventsOf('UPDATE')).toHaveLength(0);
  });
});
