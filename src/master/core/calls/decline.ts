import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';
import { discardOffer } from '../offers.js';
import { refuseSecondsDefault } from '../../allocator/allocator.js';

/**
 * DECLINE (spec/core.md 1.5.4): each offer of this framework that still exists
 * goes back with a filter (default 5 s; 0 means none). Unknown ids are ignored.
 */
export function onDecline(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  ctx.state.counters.increment('master/messages_decline_offers');
  const decline = call.decline;
  if (decline === undefined) return { status: 400, body: "Expecting 'decline' to be present" };
  const refuseSeconds = decline.filters?.refuse_seconds ?? refuseSecondsDefault;
  for (const { value } of decline.offer_ids ?? []) {
    const offer = ctx.state.offers.get(value);
    if (offer === undefined || offer.frameworkId !== framework.id) continue;
    framework.counters.increment('offers/declined');
    discardOffer(ctx, value, refuseSeconds);
  }
  return { status: 202 };
}
