/**
 * Allocator behaviour through the deterministic harness: a real master core,
 * simulated agents and frameworks, a fake clock and a seeded random source.
 * Each test builds a tiny cluster, lets time pass, and inspects what offers
 * each framework received.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../testing/harness.js';
import type { SimFramework } from '../../testing/sim-framework.js';
import type { WireOffer } from '../../protocol/outputs.js';

function scalar(offer: WireOffer, name: string): number {
  let total = 0;
  for (const resource of offer.resources) {
    if (resource['name'] === name) total += (resource['scalar'] as { value: number }).value;
  }
  return total;
}

function offeredAgents(framework: SimFramework): string[] {
  return framework.eventsOf('OFFERS').flatMap((event) => event.offers.offers.map((offer) => offer.agent_id.value));
}

describe('allocator: DRF', () => {
  it('offers each agent to the framework with the lowest dominant share first', () => {
    const h = new Harness({ seed: 7 });
    const a = h.subscribe({ name: 'a' });
    const b = h.subscribe({ name: 'b' });
    h.addAgent({ resources: 'cpus:4;mem:4096' });
    h.settle();
    // One agent: exactly one of the two gets it, the other gets nothing yet.
    const first = a.eventsOf('OFFERS').length === 1 ? a : b;
    const second = first === a ? b : a;
    expect(first.eventsOf('OFFERS')).toHaveLength(1);
    expect(second.eventsOf('OFFERS')).toHaveLength(0);
    // A second agent goes to the framework holding nothing (share 0 < share of the first).
    h.addAgent({ resources: 'cpus:4;mem:4096' });
    h.settle();
    expect(second.eventsOf('OFFERS')).toHaveLength(1);
    expect(first.eventsOf('OFFERS')).toHaveLength(1);
  });

  it('gives a framework a whole agent per offer (offers are coarse)', () => {
    const h = new Harness();
    const framework = h.subscribe();
    h.addAgent({ resources: 'cpus:2;mem:1024;disk:1024;ports:[31000-32000]' });
    h.settle();
    const [offer] = framework.eventsOf('OFFERS')[0]?.offers.offers ?? [];
    expect(offer).toBeDefined();
    expect(scalar(offer as WireOffer, 'cpus')).toBe(2);
    expect(scalar(offer as WireOffer, 'mem')).toBe(1024);
    expect(scalar(offer as WireOffer, 'disk')).toBe(1024);
  });

  it('orders roles by weighted share: a role of weight 3 gets three agents for every one of weight 1', () => {
    const h = new Harness({ seed: 3 });
    h.step({ type: 'operator_call', call: { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'heavy', weight: 3 }] } } });
    const heavy = h.subscribe({ name: 'heavy', roles: ['heavy'] });
    const light = h.subscribe({ name: 'light', roles: ['light'] });
    for (let i = 0; i < 8; i++) h.addAgent({ resources: 'cpus:1;mem:1024' });
    h.settle();
    expect(offeredAgents(heavy)).toHaveLength(6);
    expect(offeredAgents(light)).toHaveLength(2);
  });
});

describe('allocator: filters', () => {
  it('keeps declined resources from the framework until the filter expires, then offers them again', () => {
    const h = new Harness();
    const framework = h.subscribe();
    h.addAgent({ resources: 'cpus:2;mem:1024' });
    h.settle();
    expect(framework.eventsOf('OFFERS')).toHaveLength(1);
    framework.declineAll(10);
    h.advance(9_000);
    expect(framework.eventsOf('OFFERS')).toHaveLength(1);
    h.advance(2_000);
    expect(framework.eventsOf('OFFERS')).toHaveLength(2);
  });

  it('uses a 5 second filter when a decline gives none', () => {
    const h = new Harness();
    const framework = h.subscribe();
    h.addAgent({ resources: 'cpus:2;mem:1024' });
    h.settle();
    framework.declineAll();
    h.advance(4_500);
    expect(framework.eventsOf('OFFERS')).toHaveLength(1);
    h.advance(1_000);
    expect(framework.eventsOf('OFFERS')).toHaveLength(2);
  });

  it('re-offers at the next allocation when the decline says refuse_seconds 0', () => {
    const h = new Harness();
    const framework = h.subscribe();
    h.addAgent({ resources: 'cpus:2;mem:1024' });
    h.settle();
    framework.declineAll(0);
    h.advance(1_000);
    expect(framework.eventsOf('OFFERS')).toHaveLength(2);
  });

  it('passes a filtered agent to the next framework in line', () => {
    const h = new Harness();
    const a = h.subscribe({ name: 'a' });
    const b = h.subscribe({ name: 'b' });
    h.addAgent({ resources: 'cpus:2;mem:1024' });
    h.settle();
    const holder = a.offers.size === 1 ? a : b;
    const other = holder === a ? b : a;
    holder.declineAll(3600);
    h.advance(1_000);
    expect(other.eventsOf('OFFERS')).toHaveLength(1);
  });
});

describe('allocator: suppress and revive', () => {
  it('sends no offers to a suppressed framework and offers again after REVIVE', () => {
    const h = new Harness();
    const framework = h.subscribe();
    h.addAgent({ resources: 'cpus:2;mem:1024' });
    h.settle();
    framework.declineAll(0);
    expect(framework.call({ type: 'SUPPRESS', suppress: {} })?.status).toBe(202);
    h.advance(60_000);
    expect(framework.eventsOf('OFFERS')).toHaveLength(1);
    expect(framework.call({ type: 'REVIVE', revive: {} })?.status).toBe(202);
    h.settle();
    expect(framework.eventsOf('OFFERS')).toHaveLength(2);
  });

  it('clears filters on REVIVE', () => {
    const h = new Harness();
    const framework = h.subscribe();
    h.addAgent({ resources: 'cpus:2;mem:1024' });
    h.settle();
    framework.declineAll(3600);
    h.advance(5_000);
    expect(framework.eventsOf('OFFERS')).toHaveLength(1);
    framework.call({ type: 'REVIVE', revive: {} });
    h.settle();
    expect(framework.eventsOf('OFFERS')).toHaveLength(2);
  });

  it('drops a REVIVE naming a role the framework does not have', () => {
    const h = new Harness();
    const framework = h.subscribe({ roles: ['a'] });
    h.addAgent({ resources: 'cpus:2;mem:1024' });
    h.settle();
    framework.call({ type: 'SUPPRESS', suppress: {} });
    framework.declineAll(0);
    framework.call({ type: 'REVIVE', revive: { roles: ['a', 'elsewhere'] } });
    h.advance(3_000);
    expect(framework.eventsOf('OFFERS')).toHaveLength(1);
  });
});

describe('allocator: reservations', () => {
  it('offers resources reserved to a role only to that role and its sub-roles', () => {
    const h = new Harness({ seed: 11 });
    const eng = h.subscribe({ name: 'eng', roles: ['eng'] });
    const frontend = h.subscribe({ name: 'frontend', roles: ['eng/frontend'] });
    const dev = h.subscribe({ name: 'dev', roles: ['dev'] });
    h.addAgent({ resources: 'cpus(eng):2;mem(eng):512' });
    h.settle();
    expect(dev.eventsOf('OFFERS')).toHaveLength(0);
    const holder = eng.eventsOf('OFFERS').length === 1 ? eng : frontend;
    const other = holder === eng ? frontend : eng;
    expect(holder.eventsOf('OFFERS')).toHaveLength(1);
    holder.declineAll(3600);
    h.advance(1_000);
    expect(other.eventsOf('OFFERS')).toHaveLength(1);
    other.declineAll(3600);
    h.advance(10_000);
    expect(dev.eventsOf('OFFERS')).toHaveLength(0);
  });
});

describe('allocator: quota', () => {
  it('never offers a role more unreserved cpus than its quota limit', () => {
    const h = new Harness();
    const reply = h.step({
      type: 'operator_call',
      call: { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'dev', limits: { cpus: { value: 1 } } }] } },
    });
    expect(reply?.status).toBe(200);
    const framework = h.subscribe({ roles: ['dev'] });
    h.addAgent({ resources: 'cpus:4;mem:4096' });
    h.addAgent({ resources: 'cpus:4;mem:4096' });
    h.settle();
    const offered = framework.eventsOf('OFFERS').flatMap((e) => e.offers.offers);
    expect(offered.reduce((sum, offer) => sum + scalar(offer, 'cpus'), 0)).toBe(1);
  });

  it('holds back headroom for another role\'s unmet guarantee', () => {
    const h = new Harness();
    h.addAgent({ resources: 'cpus:2;mem:2048' });
    h.step({
      type: 'operator_call',
      call: { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'prod', guarantees: { cpus: { value: 1 } }, limits: { cpus: { value: 1 } } }] } },
    });
    const other = h.subscribe({ roles: ['other'] });
    h.settle();
    const offered = other.eventsOf('OFFERS').flatMap((e) => e.offers.offers);
    expect(offered.reduce((sum, offer) => sum + scalar(offer, 'cpus'), 0)).toBe(1);
  });

  it('refuses quota on a nested role with 400', () => {
    const h = new Harness();
    const reply = h.step({
      type: 'operator_call',
      call: { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'a/b', limits: { cpus: { value: 1 } } }] } },
    });
    expect(reply?.status).toBe(400);
  });
});

describe('allocator: minimum allocatable resources', () => {
  it('does not offer an agent whose free resources are below every minimum', () => {
    const h = new Harness();
    const framework = h.subscribe();
    h.addAgent({ resources: 'cpus:0.001;mem:16' });
    h.addAgent({ resources: 'cpus:1;mem:16' });
    h.settle();
    const offered = framework.eventsOf('OFFERS').flatMap((e) => e.offers.offers);
    expect(offered).toHaveLength(1);
    expect(scalar(offered[0] as WireOffer, 'cpus')).toBe(1);
  });
});
