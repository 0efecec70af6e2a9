/**
 * Hands one subscription's events to the Scheduler's handlers, in order, one
 * at a time, then reports its end: the offers it delivered that are still
 * outstanding (as rescinds: offers do not survive a disconnection) and
 * `onDisconnected`. The Scheduler chains these, one subscription after the
 * other, so handlers see a single ordered story across re-subscriptions.
 */
import type { WireTaskStatus } from '../protocol/outputs.js';
import type { SchedulerEvent } from '../protocol/scheduler.js';
import { HandlerError, MasterError } from './errors.js';
import type { SchedulerConfig } from './scheduler-options.js';
import type { SchedulerSession } from './session.js';
import type { Awaitable } from './types.js';

export interface DispatchContext {
  readonly config: SchedulerConfig;
  /** Shared with the Scheduler, which removes the offers it accepts or declines. */
  readonly outstandingOffers: Set<string>;
  /** Acknowledges a handled UPDATE (on the subscription that delivered it). */
  readonly acknowledge: (status: WireTaskStatus) => Promise<void>;
  readonly reportError: (error: Error) => void;
}

/** Reads `session` to its end, dispatching every event; never rejects. */
export async function dispatchSession(session: SchedulerSession, isResubscription: boolean, context: DispatchContext): Promise<void> {
  const delivered = new Set<string>();
  try {
    for await (const event of session.events()) await dispatchEvent(event, isResubscription, delivered, context);
  } catch (error) {
    // EventsDroppedError: the handlers fell too far behind. The subscription is
    // closed so that re-subscription and reconciliation rebuild what was lost.
    context.reportError(error instanceof Error ? error : new Error(String(error)));
    await session.close();
  }
  const handlers = context.config.handlers;
  for (const offerId of delivered) {
    if (!context.outstandingOffers.delete(offerId)) continue;
    await runHandler(context, 'onRescind', () => handlers.onRescind?.(offerId));
  }
  const end = await session.closed;
  await runHandler(context, 'onDisconnected', () => handlers.onDisconnected?.(end));
}

async function dispatchEvent(event: SchedulerEvent, isResubscription: boolean, delivered: Set<string>, context: DispatchContext): Promise<void> {
  const handlers = context.config.handlers;
  await runHandler(context, 'onEvent', () => handlers.onEvent?.(event));
  switch (event.type) {
    case 'SUBSCRIBED': {
      const subscribed = event.subscribed;
      await runHandler(context, 'onSubscribed', () => handlers.onSubscribed?.(subscribed.framework_id.value, isResubscription, subscribed));
      return;
    }
    case 'OFFERS': {
      for (const offer of event.offers.offers) {
        delivered.add(offer.id.value);
        context.outstandingOffers.add(offer.id.value);
      }
      await runHandler(context, 'onOffers', () => handlers.onOffers?.(event.offers.offers));
      return;
    }
    case 'RESCIND': {
      const offerId = event.rescind.offer_id.value;
      delivered.delete(offerId);
      context.outstandingOffers.delete(offerId);
      await runHandler(context, 'onRescind', () => handlers.onRescind?.(offerId));
      return;
    }
    case 'UPDATE':
      return onUpdate(event.update.status, context);
    case 'MESSAGE': {
      const { agent_id, executor_id, data } = event.message;
      const message = { agentId: agent_id.value, executorId: executor_id.value, data: Buffer.from(data, 'base64') };
      await runHandler(context, 'onMessage', () => handlers.onMessage?.(message));
      return;
    }
    case 'FAILURE': {
      const { agent_id, executor_id, status } = event.failure;
      const failure = {
        ...(agent_id === undefined ? {} : { agentId: agent_id.value }),
        ...(executor_id === undefined ? {} : { executorId: executor_id.value }),
        ...(status === undefined ? {} : { status }),
      };
      await runHandler(context, 'onFailure', () => handlers.onFailure?.(failure));
      return;
    }
    case 'ERROR':
      context.reportError(new MasterError(event.error?.message ?? ''));
      return;
    default:
      // HEARTBEAT, inverse offers, operation updates: onEvent only.
      return;
  }
}

async function onUpdate(status: WireTaskStatus, context: DispatchContext): Promise<void> {
  const handled = await runHandler(context, 'onUpdate', () => context.config.handlers.onUpdate?.(status));
  // A failed handler did not take the update in: leave it unacknowledged so that it comes again.
  if (!handled || !context.config.autoAcknowledge || status.uuid === undefined) return;
  await context.acknowledge(status).catch((error: unknown) => {
    context.reportError(error instanceof Error ? error : new Error(String(error)));
  });
}

/** Runs a handler and waits for it; true when it returned or resolved, false when it threw or rejected. */
async function runHandler(context: DispatchContext, name: string, handler: () => Awaitable): Promise<boolean> {
  try {
    await handler();
    return true;
  } catch (error) {
    const wrapped = new HandlerError(name, error);
    if (context.config.handlers.onError === undefined) {
      // No one to tell: a bug in the framework's code surfaces as an uncaught exception.
      queueMicrotask(() => {
        throw wrapped;
      });
    } else {
      context.reportError(wrapped);
    }
    return false;
  }
}
