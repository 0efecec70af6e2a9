/**
 * Offers: made from an allocation plan, one per (framework, agent, role), and
 * removed when accepted, declined, rescinded or discarded. Removing an offer
 * returns its resources to the allocator, with a filter when it was refused.
 */
import { assert } from '../../lib/assert.js';
import type { WireOffer } from '../../protocol/outputs.js';
import type { AllocationPlan } from '../allocator/types.js';
import type { StepContext } from './context.js';
import { newOfferId, type Agent, type Framework, type MasterState, type Offer } from './state.js';
import { unavailabilityOf } from './maintenance/inverse-offers.js';
import { resourcesForFramework } from './resources-out.js';

export function createOffers(ctx: StepContext, plan: AllocationPlan): void {
  const state = ctx.state;
  // One OFFERS event per framework, sent after every offer of the plan is in the state.
  const byFramework = new Map<Framework, WireOffer[]>();
  for (const planned of plan.offers) {
    const framework = state.frameworks.get(planned.frameworkId);
    const agent = state.agents.get(planned.agentId);
    assert(framework !== undefined && agent !== undefined, 'offers: plan names an unknown framework or agent');
    const offer: Offer = {
      id: newOfferId(state),
      frameworkId: framework.id,
      agentId: agent.id,
      role: planned.role,
      resources: planned.resources,
      createdMs: ctx.nowMs,
    };
    state.offers.set(offer.id, offer);
    framework.offers.add(offer.id);
    agent.offers.add(offer.id);
    if (state.config.offerTimeoutMs !== undefined) state.timers.set(`offer:${offer.id}`, ctx.nowMs + state.config.offerTimeoutMs);
    let list = byFramework.get(framework);
    if (list === undefined) {
      list = [];
      byFramework.set(framework, list);
    }
    list.push(wireOffer(state, framework, agent, offer));
  }
  for (const [framework, offers] of byFramework) {
    framework.counters.increment('offers/sent', offers.length);
    ctx.sendToFramework(framework, { type: 'OFFERS', offers: { offers } });
  }
}

function wireOffer(state: MasterState, framework: Framework, agent: Agent, offer: Offer): WireOffer {
  const multiRole = framework.capabilities.has('MULTI_ROLE');
  const executors = framework.executors.get(agent.id);
  const executorIds = executors === undefined ? [] : [...executors.keys()].map((value) => ({ value }));
  return {
    id: { value: offer.id },
    framework_id: { value: framework.id },
    agent_id: { value: agent.id },
    hostname: agent.hostname,
    url: { scheme: 'http', address: { hostname: agent.hostname, ip: agent.ip, port: agent.port }, path: '/slave(1)' },
    ...(agent.domain !== undefined ? { domain: agent.domain } : {}),
    resources: resourcesForFramework(framework, offer.resources),
    attributes: agent.attributes,
    executor_ids: executorIds,
    ...unavailabilityOf(state, agent),
    ...(multiRole ? { allocation_info: { role: offer.role } } : {}),
  };
}

/** Forgets an offer and returns its resources (no filter, no message to the framework). */
export function discardOffer(ctx: StepContext, offerId: string, refuseSeconds?: number): void {
  const offer = removeOffer(ctx, offerId);
  if (offer === undefined) return;
  ctx.state.allocator.recoverResources(offer.frameworkId, offer.agentId, offer.resources, refuseSeconds, ctx.nowMs);
}

/**
 * Withdraws an offer from its framework with a RESCIND event (spec/core.md
 * 4.9); with `refuseSeconds` its resources come back with that filter.
 */
export function rescindOffer(ctx: StepContext, offerId: string, refuseSeconds?: number): void {
  const offer = ctx.state.offers.get(offerId);
  if (offer === undefined) return;
  const framework = ctx.state.frameworks.get(offer.frameworkId);
  if (framework !== undefined) {
    ctx.sendToFramework(framework, { type: 'RESCIND', rescind: { offer_id: { value: offerId } } });
    framework.counters.increment('offers/rescinded');
  }
  discardOffer(ctx, offerId, refuseSeconds);
}

/** Removes the offer from every index and returns it (its resources are still allocated). */
export function removeOffer(ctx: StepContext, offerId: string): Offer | undefined {
  const state = ctx.state;
  const offer = state.offers.get(offerId);
  if (offer === undefined) return undefined;
  state.offers.delete(offerId);
  state.frameworks.get(offer.frameworkId)?.offers.delete(offerId);
  state.agents.get(offer.agentId)?.offers.delete(offerId);
  state.timers.cancel(`offer:${offerId}`);
  return offer;
}

export function onOfferTimer(ctx: StepContext, offerId: string): void {
  if (ctx.state.offers.has(offerId)) rescindOffer(ctx, offerId);
}
