/**
 * Scheduler calls other than SUBSCRIBE, after the HTTP pipeline (spec/core.md
 * 1.2 step 9): the framework must be known, connected and on this stream; then
 * the call goes to its handler. Every call type has a handler, checked by the
 * compiler.
 */
import type { SchedulerCall, SchedulerCallType } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';
import { onAccept } from './accept.js';
import { onAcknowledge } from './acknowledge.js';
import { onMessage, onShutdown } from './executor-calls.js';
import { onDecline } from './decline.js';
import { onKill } from './kill.js';
import { onAcknowledgeOperationStatus, onReconcileOperations } from './operations.js';
import { onReconcile } from './reconcile.js';
import { onRevive, onSuppress } from './revive-suppress.js';
import { onTeardown } from './teardown.js';
import { onUpdateFramework } from './update-framework.js';
import { onInverseOfferAnswer } from '../maintenance/inverse-offers.js';

type Handler = (ctx: StepContext, framework: Framework, call: SchedulerCall) => Reply;

const accepted: Reply = { status: 202 };

const handlers: Record<Exclude<SchedulerCallType, 'SUBSCRIBE'>, Handler> = {
  UNKNOWN: () => ({ status: 501 }),
  TEARDOWN: onTeardown,
  ACCEPT: onAccept,
  DECLINE: onDecline,
  ACCEPT_INVERSE_OFFERS: (ctx, framework, call) => onInverseOfferAnswer(ctx, framework, call, 'ACCEPT'),
  DECLINE_INVERSE_OFFERS: (ctx, framework, call) => onInverseOfferAnswer(ctx, framework, call, 'DECLINE'),
  REVIVE: onRevive,
  SUPPRESS: onSuppress,
  KILL: onKill,
  SHUTDOWN: onShutdown,
  ACKNOWLEDGE: onAcknowledge,
  ACKNOWLEDGE_OPERATION_STATUS: onAcknowledgeOperationStatus,
  RECONCILE: onReconcile,
  RECONCILE_OPERATIONS: onReconcileOperations,
  MESSAGE: onMessage,
  // Accepted and ignored, as by Mesos' default allocator.
  REQUEST: (ctx) => {
    ctx.state.counters.increment('master/messages_resource_request');
    return accepted;
  },
  UPDATE_FRAMEWORK: onUpdateFramework,
};

export function onSchedulerCall(ctx: StepContext, call: SchedulerCall, streamId: string | undefined): Reply {
  const type = call.type;
  if (type === undefined || type === 'SUBSCRIBE') return { status: 400, body: 'Expecting a non-SUBSCRIBE call' };
  const frameworkId = call.framework_id?.value ?? '';
  const framework = ctx.state.frameworks.get(frameworkId);
  if (framework === undefined) return { status: 400, body: 'Framework cannot be found' };
  framework.counters.increment('calls');
  framework.counters.increment(`calls/${type.toLowerCase()}`);
  if (framework.connection === undefined) return { status: 403, body: 'Framework is not subscribed' };
  if (streamId === undefined) {
    return { status: 400, body: "All non-subscribe calls should include the 'Mesos-Stream-Id' header" };
  }
  if (streamId !== framework.connection.streamId) {
    return {
      status: 400,
      body: `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${framework.id}`,
    };
  }
  return handlers[type](ctx, framework, call);
}
