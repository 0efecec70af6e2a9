/**
 * The master's pure core: `step(event, nowMs)` changes the state and returns a
 * reply and effects; `nextDeadlineMs()` tells the shell when to send the next
 * `tick`. No I/O, no clock, no randomness but the injected Random: the same
 * events at the same times give the same effects.
 */
import { onInverseOfferTimer } from './maintenance/inverse-offers.js';
import { assertNever } from '../../lib/assert.js';
import type { Random } from '../../lib/random.js';
import type { WireMasterInfo } from '../../protocol/outputs.js';
import { onAgentLink } from './agents/register.js';
import { onAgentLinkClosed } from './agents/removal.js';
import { onAgentMessage } from './agents/messages.js';
import { onPingTimer } from './agents/pings.js';
import { grantUnreachablePermits, onReregisterTimer } from './agents/unreachable.js';
import { onRecoveredAgentsDeadline, scheduleRecoveredAgentsDeadline } from './agents/recovered.js';
import type { RegistrySnapshot } from '../registry/registry.js';
import { onEventAllocation, onPeriodicAllocation, schedulePeriodicAllocation } from './allocation.js';
import { onSchedulerCall } from './calls/dispatch.js';
import { settleAccepts } from './calls/accept.js';
import type { MasterConfig } from './config.js';
import { StepContext } from './context.js';
import type { MasterEvent, Reply, StepOutput } from './events.js';
import { onConnectionClosed, onFailoverTimer, onHeartbeatTimer } from './frameworks/lifecycle.js';
import { onSubscribe } from './frameworks/subscribe.js';
import { onOfferTimer } from './offers.js';
import { onOperatorCall } from './operator/dispatch.js';
import { onOperatorHeartbeat, onOperatorSubscribe, onOperatorClosed } from './operator/subscribe.js';
import { createMasterState, type MasterState } from './state.js';

export class MasterCore {
  readonly state: MasterState;

  /** `registry`: what the registry held at start; `registryDurable`: it outlives this master. */
  constructor(config: MasterConfig, info: WireMasterInfo, random: Random, nowMs: number, registry?: RegistrySnapshot, registryDurable = false) {
    this.state = createMasterState(config, info, random, nowMs, registry, registryDurable);
    const ctx = new StepContext(this.state, nowMs);
    schedulePeriodicAllocation(ctx);
    scheduleRecoveredAgentsDeadline(ctx);
  }

  step(event: MasterEvent, nowMs: number): StepOutput {
    const ctx = new StepContext(this.state, nowMs);
    // Work an earlier step left for after its messages: done before anything else sees the state.
    settleAccepts(ctx);
    const reply = this.dispatch(ctx, event);
    // Timers due by now fire after every event, so a shell that ticks late never loses one.
    this.fireTimers(ctx);
    return { reply, effects: ctx.effects };
  }

  nextDeadlineMs(): number | undefined {
    return this.state.timers.nextDeadlineMs();
  }

  private dispatch(ctx: StepContext, event: MasterEvent): Reply | undefined {
    switch (event.type) {
      case 'subscribe':
        return onSubscribe(ctx, event.connectionId, event.subscribe);
      case 'scheduler_call':
        return onSchedulerCall(ctx, event.call, event.streamId);
      case 'connection_closed':
        onConnectionClosed(ctx, event.connectionId);
        onOperatorClosed(ctx, event.connectionId);
        return undefined;
      case 'agent_link':
        return onAgentLink(ctx, event.linkId, event.request);
      case 'agent_message':
        return onAgentMessage(ctx, event.envelope);
      case 'agent_link_closed':
        onAgentLinkClosed(ctx, event.linkId);
        return undefined;
      case 'operator_call':
        return onOperatorCall(ctx, event.call, event.principal);
      case 'operator_subscribe':
        return onOperatorSubscribe(ctx, event.connectionId, event.principal);
      case 'tick':
        return undefined;
      default:
        return assertNever(event, 'master event');
    }
  }

  private fireTimers(ctx: StepContext): void {
    for (const key of ctx.state.timers.popDue(ctx.nowMs)) {
      const colon = key.indexOf(':');
      const kind = key.slice(0, colon);
      const subject = key.slice(colon + 1);
      switch (kind) {
        case 'allocation':
          if (subject === 'periodic') onPeriodicAllocation(ctx);
          else onEventAllocation(ctx);
          break;
        case 'heartbeat':
          onHeartbeatTimer(ctx, subject);
          break;
        case 'failover':
          onFailoverTimer(ctx, subject);
          break;
        case 'offer':
          onOfferTimer(ctx, subject);
          break;
        case 'inverse':
          onInverseOfferTimer(ctx, subject);
          break;
        case 'ping':
          onPingTimer(ctx, subject);
          break;
        case 'reregister':
          onReregisterTimer(ctx, subject);
          break;
        case 'recovered':
          onRecoveredAgentsDeadline(ctx);
          break;
        case 'unreachable':
          grantUnreachablePermits(ctx);
          break;
        case 'operator-heartbeat':
          onOperatorHeartbeat(ctx, subject);
          break;
        default:
          ctx.log('error', `unknown timer ${key}`);
      }
    }
  }
}
