/**
 * A framework's life in the master: created on first SUBSCRIBE (or recovered
 * from an agent after fail-over), connected to one scheduler stream at a time,
 * disconnected when the stream closes, removed on TEARDOWN or when its
 * failover timeout passes (spec/core.md 1.4, 1.5.2).
 */
import { clearInverseOfferFilters, dropInverseOffersOf, rescindInverseOffer } from '../maintenance/inverse-offers.js';
import { checkDrained } from '../operator/agent-drain.js';
import type { FrameworkInfo } from '../../../protocol/mesos.js';
import type { OfferConstraints } from '../../../protocol/scheduler.js';
import { Counters } from '../counters.js';
import type { StepContext } from '../context.js';
import type { Connection, Framework } from '../state.js';
import { frameworkCapabilities, frameworkRoles, minAllocatableOverrides } from './framework-info.js';
import type { FrameworkPolicy } from '../../allocator/types.js';
import type { OfferConstraintFilter } from '../../allocator/offer-constraints.js';
import { frameworkEventV1 } from '../../views/v1.js';
import { discardOffer, rescindOffer } from '../offers.js';
import { killTaskForRemoval } from '../tasks/removal.js';

export function newFramework(id: string, info: FrameworkInfo, nowMs: number, recovered: boolean): Framework {
  return {
    id,
    info: { ...info, id: { value: id } },
    roles: new Set(frameworkRoles(info)),
    capabilities: frameworkCapabilities(info),
    suppressedRoles: new Set(),
    offerConstraints: undefined,
    connection: undefined,
    active: false,
    recovered,
    registeredTimeMs: nowMs,
    reregisteredTimeMs: undefined,
    unregisteredTimeMs: undefined,
    offers: new Set(),
    inverseOffers: new Set(),
    tasks: new Map(),
    unreachableTasks: new Map(),
    completedTasks: [],
    executors: new Map(),
    counters: new Counters(),
    operations: new Map(),
    reportedOperations: new Map(),
  };
}

export function allocatorPolicy(
  info: FrameworkInfo,
  suppressedRoles: ReadonlySet<string>,
  constraints: OfferConstraintFilter,
): FrameworkPolicy {
  return {
    roles: new Set(frameworkRoles(info)),
    suppressedRoles,
    capabilities: frameworkCapabilities(info),
    minAllocatable: minAllocatableOverrides(info),
    constraints,
  };
}

/** Replaces the FrameworkInfo and allocator policy; offers for roles it left are rescinded. */
export function applyFrameworkUpdate(
  ctx: StepContext,
  framework: Framework,
  info: FrameworkInfo,
  suppressedRoles: ReadonlySet<string>,
  offerConstraints: OfferConstraints | undefined,
  constraints: OfferConstraintFilter,
): void {
  const policy = allocatorPolicy(info, suppressedRoles, constraints);
  ctx.state.allocator.updateFramework(framework.id, policy);
  for (const offerId of [...framework.offers]) {
    const offer = ctx.state.offers.get(offerId);
    if (offer !== undefined && !policy.roles.has(offer.role)) rescindOffer(ctx, offerId);
  }
  framework.info = { ...info, id: { value: framework.id } };
  framework.roles = policy.roles;
  framework.capabilities = policy.capabilities;
  framework.suppressedRoles = suppressedRoles;
  framework.offerConstraints = offerConstraints;
}

/** Attaches a scheduler stream; the previous one (if any) is told it failed over and closed. */
export function connectFramework(ctx: StepContext, framework: Framework, connection: Connection): void {
  const previous = framework.connection;
  if (previous !== undefined && previous.connectionId !== connection.connectionId) {
    ctx.sendToConnection(previous.connectionId, { type: 'ERROR', error: { message: 'Framework failed over' } });
    ctx.closeConnection(previous.connectionId);
    ctx.state.timers.cancel(`heartbeat:${previous.connectionId}`);
  }
  framework.connection = connection;
  ctx.state.connections.set(connection.connectionId, framework.id);
  ctx.state.timers.cancel(`failover:${framework.id}`);
  framework.unregisteredTimeMs = undefined;
}

/** SUBSCRIBED, then a HEARTBEAT at once and every heartbeat interval (spec/core.md 1.4). */
export function sendSubscribed(ctx: StepContext, framework: Framework): void {
  const intervalMs = ctx.state.config.heartbeatIntervalMs;
  ctx.sendToFramework(framework, {
    type: 'SUBSCRIBED',
    subscribed: {
      framework_id: { value: framework.id },
      heartbeat_interval_seconds: intervalMs / 1000,
      master_info: ctx.state.info,
    },
  });
  ctx.sendToFramework(framework, { type: 'HEARTBEAT' });
  const connection = framework.connection;
  if (connection !== undefined) ctx.state.timers.set(`heartbeat:${connection.connectionId}`, ctx.nowMs + intervalMs);
}

export function onHeartbeatTimer(ctx: StepContext, connectionId: string): void {
  const frameworkId = ctx.state.connections.get(connectionId);
  const framework = frameworkId === undefined ? undefined : ctx.state.frameworks.get(frameworkId);
  if (framework?.connection?.connectionId !== connectionId) return;
  ctx.sendToFramework(framework, { type: 'HEARTBEAT' });
  ctx.state.timers.set(`heartbeat:${connectionId}`, ctx.nowMs + ctx.state.config.heartbeatIntervalMs);
}

export function activateFramework(ctx: StepContext, framework: Framework): void {
  if (framework.active) return;
  framework.active = true;
  ctx.state.allocator.activateFramework(framework.id);
  ctx.requestAllocation('all');
}

/** Stops offers to the framework; its outstanding offers go back to the allocator. */
export function deactivateFramework(ctx: StepContext, framework: Framework, rescind: boolean): void {
  if (framework.active) {
    framework.active = false;
    ctx.state.allocator.deactivateFramework(framework.id);
  }
  for (const offerId of [...framework.offers]) {
    if (rescind) rescindOffer(ctx, offerId);
    else discardOffer(ctx, offerId);
  }
  if (rescind) for (const id of [...framework.inverseOffers]) rescindInverseOffer(ctx, id);
  else dropInverseOffersOf(ctx.state, framework);
}

/**
 * The stream of a framework closed. A stream that was already replaced by a
 * newer subscription is ignored; otherwise the framework is disconnected and
 * gets `failover_timeout` to come back (0: removed at once).
 */
export function onConnectionClosed(ctx: StepContext, connectionId: string): void {
  const state = ctx.state;
  const frameworkId = state.connections.get(connectionId);
  state.connections.delete(connectionId);
  state.timers.cancel(`heartbeat:${connectionId}`);
  if (frameworkId === undefined) return;
  const framework = state.frameworks.get(frameworkId);
  if (framework?.connection?.connectionId !== connectionId) return;
  ctx.log('info', `Framework ${framework.id} (${framework.info.name}) disconnected`);
  framework.connection = undefined;
  framework.unregisteredTimeMs = ctx.nowMs;
  deactivateFramework(ctx, framework, true);
  const timeoutMs = Math.max(0, (framework.info.failover_timeout ?? 0) * 1000);
  if (timeoutMs === 0) {
    removeFramework(ctx, framework);
    return;
  }
  ctx.log('info', `Giving framework ${framework.id} ${timeoutMs} ms to fail over`);
  state.timers.set(`failover:${framework.id}`, ctx.nowMs + timeoutMs);
}

export function onFailoverTimer(ctx: StepContext, frameworkId: string): void {
  const framework = ctx.state.frameworks.get(frameworkId);
  if (framework === undefined || framework.connection !== undefined) return;
  ctx.log('info', `Framework failover timeout, removing framework ${framework.id}`);
  removeFramework(ctx, framework);
}

/**
 * Removes a framework for good (TEARDOWN, failover timeout, operator teardown):
 * agents shut it down, its tasks become TASK_KILLED (REASON_FRAMEWORK_REMOVED,
 * recorded, not sent), its resources return, and it joins the bounded list of
 * completed frameworks so a later SUBSCRIBE with its id is refused.
 */
export function removeFramework(ctx: StepContext, framework: Framework): void {
  const state = ctx.state;
  ctx.log('info', `Removing framework ${framework.id} (${framework.info.name})`);
  for (const agent of state.agents.values()) {
    ctx.sendToAgent(agent, { type: 'SHUTDOWN_FRAMEWORK', shutdown_framework: { framework_id: { value: framework.id } } });
  }
  deactivateFramework(ctx, framework, false);
  for (const task of [...framework.tasks.values()]) killTaskForRemoval(ctx, framework, task);
  for (const task of [...framework.unreachableTasks.values()]) killTaskForRemoval(ctx, framework, task);
  framework.unreachableTasks.clear();
  framework.executors.clear();
  // Reported operations wait for an acknowledgement that will not come; pending ones go when their agent reports.
  for (const uuid of framework.operations.values()) if (state.operations.get(uuid)?.state !== 'OPERATION_PENDING') state.operations.delete(uuid);
  framework.operations.clear();
  state.allocator.removeFramework(framework.id);
  clearInverseOfferFilters(state, framework.id);
  // Its tasks are gone from their agents: a drain may be complete now.
  for (const agentId of [...state.drainingAgents.keys()]) checkDrained(ctx, agentId);
  const connection = framework.connection;
  if (connection !== undefined) {
    ctx.closeConnection(connection.connectionId);
    state.timers.cancel(`heartbeat:${connection.connectionId}`);
    framework.connection = undefined;
  }
  state.timers.cancel(`failover:${framework.id}`);
  framework.unregisteredTimeMs ??= ctx.nowMs;
  state.frameworks.delete(framework.id);
  state.completedFrameworks.push(framework);
  const excess = state.completedFrameworks.length - state.config.maxCompletedFrameworks;
  if (excess > 0) state.completedFrameworks.splice(0, excess);
  ctx.sendToOperators({ type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: framework.info } });
}

export function frameworkAddedEvent(ctx: StepContext, framework: Framework): void {
  ctx.sendToOperators({ type: 'FRAMEWORK_ADDED', framework_added: { framework: frameworkEventV1(framework) } });
}

/** Tells operators and agents about a changed FrameworkInfo (Mesos' sendFrameworkUpdates). */
export function sendFrameworkUpdates(ctx: StepContext, framework: Framework): void {
  ctx.sendToOperators({ type: 'FRAMEWORK_UPDATED', framework_updated: { framework: frameworkEventV1(framework) } });
  for (const agent of ctx.state.agents.values()) {
    ctx.sendToAgent(agent, { type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: framework.info } });
  }
}
