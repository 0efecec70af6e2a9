/**
 * ACCEPT (spec/core.md 1.5.3): the offers are validated as a whole, consumed,
 * and what no operation used is declined with the call's filters. Operations
 * on the offers arrive with the running-tasks and storage work; until then an
 * ACCEPT that carries operations is answered 501 and its offers stay open.
 */
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';
import { discardOffer, removeOffer } from '../offers.js';
import { refuseSecondsDefault } from '../../allocator/allocator.js';
import { validateOffers } from './offer-validation.js';

export function onAccept(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  const accept = call.accept;
  if (accept === undefined) return { status: 400, body: "Expecting 'accept' to be present" };
  const operations = accept.operations ?? [];
  if (operations.length > 0) {
    return { status: 501, body: 'berth does not support offer operations (LAUNCH, RESERVE, CREATE, ...) yet' };
  }
  ctx.state.counters.increment('master/messages_decline_offers');
  const offerIds = (accept.offer_ids ?? []).map((id) => id.value);
  const error = validateOffers(ctx, framework, offerIds);
  if (error !== undefined) {
    ctx.log('warn', `ACCEPT of framework ${framework.id} has invalid offers: ${error}`);
    for (const id of offerIds) {
      if (ctx.state.offers.get(id)?.frameworkId === framework.id) discardOffer(ctx, id);
    }
    return { status: 202 };
  }
  const refuseSeconds = accept.filters?.refuse_seconds ?? refuseSecondsDefault;
  for (const id of offerIds) {
    const offer = removeOffer(ctx, id);
    if (offer === undefined) continue;
    framework.counters.increment('offers/accepted');
    ctx.state.allocator.recoverResources(framework.id, offer.agentId, offer.resources, refuseSeconds, ctx.nowMs);
  }
  return { status: 202 };
}
