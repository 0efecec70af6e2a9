/**
 * SUBSCRIBE (spec/core.md 1.4): a new framework gets an id; a known id takes
 * over (the old stream is told "Framework failed over"); an id this master has
 * never seen is accepted and recovered, since frameworks are not persisted.
 * Any refusal is an ERROR event on the stream, which is then closed.
 */
import { registrationRefusal } from './authorize.js';
import type { SubscribeCall } from '../../../protocol/scheduler.js';
import { compileOfferConstraints, OfferConstraintFilter } from '../../allocator/offer-constraints.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import { newFrameworkId, type Framework } from '../state.js';
import { frameworkRoles, validateFrameworkInfo, validateFrameworkUpdate, validateSuppressedRoles } from './framework-info.js';
import {
  activateFramework,
  allocatorPolicy,
  applyFrameworkUpdate,
  connectFramework,
  deactivateFramework,
  frameworkAddedEvent,
  newFramework,
  sendFrameworkUpdates,
  sendSubscribed,
} from './lifecycle.js';

export function onSubscribe(ctx: StepContext, connectionId: string, subscribe: SubscribeCall): Reply {
  const state = ctx.state;
  const streamId = state.random.uuid();
  let info = subscribe.framework_info;
  const resubscribing = info.id !== undefined && info.id.value !== '';
  state.counters.increment(resubscribing ? 'master/messages_reregister_framework' : 'master/messages_register_framework');

  const refuse = (message: string): Reply => {
    ctx.log('info', `Refusing subscription of framework '${info.name}': ${message}`);
    ctx.sendToConnection(connectionId, { type: 'ERROR', error: { message } });
    ctx.closeConnection(connectionId);
    return { status: 200, streamId };
  };

  const invalid = validateFrameworkInfo(state, info);
  if (invalid !== undefined) return refuse(invalid);
  const unauthorized = registrationRefusal(state, info);
  if (unauthorized !== undefined) return refuse(unauthorized);
  const roles = new Set(frameworkRoles(info));
  const suppressed = validateSuppressedRoles(roles, subscribe.suppressed_roles ?? []);
  if (!suppressed.ok) return refuse(suppressed.error);
  const constraints = compileOfferConstraints(subscribe.offer_constraints, roles);
  if (!constraints.ok) return refuse(`Offer constraints are not valid: ${constraints.error}`);
  const connection = { connectionId, streamId };

  if (!resubscribing) {
    const framework = newFramework(newFrameworkId(state), info, ctx.nowMs, false);
    framework.suppressedRoles = suppressed.value;
    framework.offerConstraints = subscribe.offer_constraints;
    state.frameworks.set(framework.id, framework);
    state.allocator.addFramework(framework.id, allocatorPolicy(framework.info, suppressed.value, constraints.value), false);
    connectFramework(ctx, framework, connection);
    framework.counters.increment('calls/subscribe');
    ctx.log('info', `Added framework ${framework.id} (${info.name})`);
    sendSubscribed(ctx, framework);
    activateFramework(ctx, framework);
    frameworkAddedEvent(ctx, framework);
    return { status: 200, streamId };
  }

  const id = (info.id as { value: string }).value;
  let framework = state.frameworks.get(id);
  if (framework === undefined) framework = recoverFramework(ctx, id, subscribe);
  // `user` and `checkpoint` cannot change on re-subscription; Mesos keeps the old values silently.
  info = { ...info, user: framework.info.user };
  if (framework.info.checkpoint !== undefined) info = { ...info, checkpoint: framework.info.checkpoint };
  else delete (info as { checkpoint?: boolean }).checkpoint;
  const updateError = validateFrameworkUpdate(framework.info, info);
  if (updateError !== undefined) return refuse(updateError);

  framework.counters.increment('calls/subscribe');
  applyFrameworkUpdate(ctx, framework, info, suppressed.value, subscribe.offer_constraints, constraints.value);
  if (!framework.recovered) {
    framework.reregisteredTimeMs = ctx.nowMs;
    // Offers made to the old instance are void: the new one gets fresh offers.
    deactivateFramework(ctx, framework, false);
  } else {
    framework.registeredTimeMs = ctx.nowMs;
    framework.reregisteredTimeMs = ctx.nowMs;
    framework.recovered = false;
  }
  connectFramework(ctx, framework, connection);
  ctx.log('info', `Framework ${framework.id} (${info.name}) subscribed again`);
  sendSubscribed(ctx, framework);
  activateFramework(ctx, framework);
  sendFrameworkUpdates(ctx, framework);
  return { status: 200, streamId };
}

/**
 * A framework id this master does not know and has not removed: typical right
 * after a master fail-over. It is recreated from the FrameworkInfo it sent.
 */
function recoverFramework(ctx: StepContext, id: string, subscribe: SubscribeCall): Framework {
  const state = ctx.state;
  const framework = newFramework(id, subscribe.framework_info, ctx.nowMs, true);
  state.frameworks.set(id, framework);
  state.allocator.addFramework(id, allocatorPolicy(framework.info, new Set(), OfferConstraintFilter.none), false);
  frameworkAddedEvent(ctx, framework);
  return framework;
}
