/**
 * Inverse offers (spec/core.md 1.5.13; Mesos' allocator maintenance): an
 * agent on a machine scheduled for maintenance is asked back from every
 * active framework that holds offers, tasks or executors on it, one inverse
 * offer per (framework, agent) at a time. A framework answers ACCEPT or
 * DECLINE; the answer is recorded for GET_MAINTENANCE_STATUS, and its filter
 * (5 s unless given; 0: none) says when the next inverse offer may come.
 * Nothing is killed: inverse offers only inform.
 */
import { refuseSecondsDefault, refuseTimeoutMs } from '../../allocator/allocator.js';
import type { WireInverseOffer } from '../../../protocol/outputs.js';
import type { Unavailability } from '../../registry/registry.js';
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import { newOfferId, type Agent, type Framework, type InverseOffer, type MasterState } from '../state.js';
import { machineOfAgent } from './machines.js';

/** Frameworks with something on the agent: an offer, a task or an executor. */
function frameworksOnAgent(state: MasterState, agent: Agent): Set<string> {
  const ids = new Set<string>();
  for (const offerId of agent.offers) {
    const offer = state.offers.get(offerId);
    if (offer !== undefined) ids.add(offer.frameworkId);
  }
  for (const key of agent.tasks) ids.add(key.slice(0, key.indexOf('\u0000')));
  for (const framework of state.frameworks.values()) if (framework.executors.has(agent.id)) ids.add(framework.id);
  return ids;
}

function filtered(state: MasterState, frameworkId: string, agentId: string, nowMs: number): boolean {
  const filters = state.inverseOfferFilters.get(frameworkId);
  const untilMs = filters?.get(agentId);
  if (untilMs === undefined) return false;
  if (untilMs > nowMs) return true;
  filters?.delete(agentId);
  return false;
}

export function wireInverseOffer(agent: Agent, inverseOffer: InverseOffer): WireInverseOffer {
  return {
    id: { value: inverseOffer.id },
    url: { scheme: 'http', address: { hostname: agent.hostname, ip: agent.ip, port: agent.port }, path: '/slave(1)' },
    framework_id: { value: inverseOffer.frameworkId },
    agent_id: { value: agent.id },
    unavailability: inverseOffer.unavailability,
  };
}

/** After an allocation run over `agentIds` (undefined: all): inverse offers where they are due, one event per framework. */
export function sendInverseOffers(ctx: StepContext, agentIds: Iterable<string> | undefined): void {
  const state = ctx.state;
  if (state.agentMaintenance.size === 0) return;
  const byFramework = new Map<Framework, WireInverseOffer[]>();
  for (const agentId of agentIds ?? state.agentMaintenance.keys()) {
    const maintenance = state.agentMaintenance.get(agentId);
    const agent = state.agents.get(agentId);
    if (maintenance === undefined || agent === undefined || !agent.active) continue;
    const unavailability = machineOfAgent(state, agent)?.unavailability;
    if (unavailability === undefined) continue;
    for (const frameworkId of frameworksOnAgent(state, agent)) {
      const framework = state.frameworks.get(frameworkId);
      if (framework === undefined || !framework.active || framework.connection === undefined) continue;
      if (maintenance.outstanding.has(frameworkId) || filtered(state, frameworkId, agentId, ctx.nowMs)) continue;
      const inverseOffer: InverseOffer = { id: newOfferId(state), frameworkId, agentId, unavailability };
      state.inverseOffers.set(inverseOffer.id, inverseOffer);
      framework.inverseOffers.add(inverseOffer.id);
      agent.inverseOffers.add(inverseOffer.id);
      maintenance.outstanding.add(frameworkId);
      if (state.config.offerTimeoutMs !== undefined) state.timers.set(inverseOfferTimerKey(inverseOffer.id), ctx.nowMs + state.config.offerTimeoutMs);
      const list = byFramework.get(framework) ?? [];
      list.push(wireInverseOffer(agent, inverseOffer));
      byFramework.set(framework, list);
    }
  }
  for (const [framework, inverseOffers] of byFramework) {
    ctx.sendToFramework(framework, { type: 'INVERSE_OFFERS', inverse_offers: { inverse_offers: inverseOffers } });
  }
}

/** An offer of an agent on a scheduled machine carries the machine's window. */
export function unavailabilityOf(state: MasterState, agent: Agent | undefined): { unavailability?: Unavailability } {
  // agentMaintenance holds exactly the agents on machines with a window: one lookup per offer, no machine key.
  const unavailability = agent === undefined ? undefined : state.agentMaintenance.get(agent.id)?.unavailability;
  return unavailability === undefined ? {} : { unavailability };
}

export function inverseOfferTimerKey(id: string): string {
  return `inverse:${id}`;
}

/** Forgets an inverse offer; its framework may be asked again (no message). */
function removeInverseOffer(state: MasterState, id: string): InverseOffer | undefined {
  const inverseOffer = state.inverseOffers.get(id);
  if (inverseOffer === undefined) return undefined;
  state.inverseOffers.delete(id);
  state.frameworks.get(inverseOffer.frameworkId)?.inverseOffers.delete(id);
  state.agents.get(inverseOffer.agentId)?.inverseOffers.delete(id);
  state.agentMaintenance.get(inverseOffer.agentId)?.outstanding.delete(inverseOffer.frameworkId);
  state.timers.cancel(inverseOfferTimerKey(id));
  return inverseOffer;
}

/** Withdraws an inverse offer with RESCIND_INVERSE_OFFER. */
export function rescindInverseOffer(ctx: StepContext, id: string): void {
  const inverseOffer = removeInverseOffer(ctx.state, id);
  if (inverseOffer === undefined) return;
  const framework = ctx.state.frameworks.get(inverseOffer.frameworkId);
  if (framework !== undefined) ctx.sendToFramework(framework, { type: 'RESCIND_INVERSE_OFFER', rescind_inverse_offer: { inverse_offer_id: { value: id } } });
}

/** The agent is deactivated, unreachable or removed, or its machine's window changed. */
export function rescindInverseOffersOn(ctx: StepContext, agent: Agent): void {
  for (const id of [...agent.inverseOffers]) rescindInverseOffer(ctx, id);
}

/** The framework disconnected, failed over or was removed: its inverse offers are dropped without a word, as offers are. */
export function dropInverseOffersOf(state: MasterState, framework: Framework): void {
  for (const id of [...framework.inverseOffers]) removeInverseOffer(state, id);
}

/** --offer_timeout applies to inverse offers too. */
export function onInverseOfferTimer(ctx: StepContext, id: string): void {
  rescindInverseOffer(ctx, id);
}

/** ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS: recorded, filtered, always 202; unknown ids are logged and ignored. */
export function onInverseOfferAnswer(ctx: StepContext, framework: Framework, call: SchedulerCall, answer: 'ACCEPT' | 'DECLINE'): Reply {
  const state = ctx.state;
  const body = answer === 'ACCEPT' ? call.accept_inverse_offers : call.decline_inverse_offers;
  const ids = body?.inverse_offer_ids ?? [];
  if (ids.length === 0) ctx.log('warn', `No inverse offers specified by framework ${framework.id}`);
  const refuseMs = refuseTimeoutMs(body?.filters?.refuse_seconds ?? refuseSecondsDefault);
  for (const { value } of ids) {
    const inverseOffer = state.inverseOffers.get(value);
    if (inverseOffer === undefined || inverseOffer.frameworkId !== framework.id) {
      ctx.log('warn', `Inverse offer ${value} is no longer valid`);
      continue;
    }
    state.agentMaintenance.get(inverseOffer.agentId)?.statuses.set(framework.id, { status: answer, timestampMs: ctx.nowMs });
    if (refuseMs > 0) {
      const filters = state.inverseOfferFilters.get(framework.id) ?? new Map<string, number>();
      filters.set(inverseOffer.agentId, ctx.nowMs + refuseMs);
      state.inverseOfferFilters.set(framework.id, filters);
    }
    removeInverseOffer(state, value);
  }
  return { status: 202 };
}

/** REVIVE, and the framework's removal, clear its inverse offer filters. */
export function clearInverseOfferFilters(state: MasterState, frameworkId: string): void {
  state.inverseOfferFilters.delete(frameworkId);
}
