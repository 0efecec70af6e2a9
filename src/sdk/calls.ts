/**
 * Builders for the scheduler calls (spec 1.5): plain functions from friendly
 * arguments to the wire `SchedulerCall`, without `framework_id` (the session
 * fills it in). Kept apart from the session so that they can be tested, and
 * reused by a re-subscribing client, without any network.
 */
import type { FrameworkInfo, OfferOperation } from '../protocol/mesos.js';
import type { OfferConstraints, SchedulerCall } from '../protocol/scheduler.js';
import { toId, type IdLike } from './types.js';

export type Filters = NonNullable<NonNullable<SchedulerCall['decline']>['filters']>;
export type KillPolicy = NonNullable<NonNullable<SchedulerCall['kill']>['kill_policy']>;

export interface ReconcileTask {
  readonly task_id: IdLike;
  readonly agent_id?: IdLike;
}

export interface ReconcileOperation {
  readonly operation_id: IdLike;
  readonly agent_id?: IdLike;
  readonly resource_provider_id?: IdLike;
}

export function subscribeCall(
  frameworkInfo: FrameworkInfo,
  suppressedRoles?: readonly string[],
  offerConstraints?: OfferConstraints,
): SchedulerCall {
  const subscribe: NonNullable<SchedulerCall['subscribe']> = { framework_info: frameworkInfo };
  if (suppressedRoles !== undefined) subscribe.suppressed_roles = [...suppressedRoles];
  if (offerConstraints !== undefined) subscribe.offer_constraints = offerConstraints;
  // Spec 1.2 step 6: a re-subscription's top-level framework_id must equal framework_info.id.
  const call: SchedulerCall = { type: 'SUBSCRIBE', subscribe };
  if (frameworkInfo.id !== undefined) call.framework_id = frameworkInfo.id;
  return call;
}

export function acceptCall(offerIds: readonly IdLike[], operations: readonly OfferOperation[], filters?: Filters): SchedulerCall {
  const accept: NonNullable<SchedulerCall['accept']> = { offer_ids: offerIds.map(toId), operations: [...operations] };
  if (filters !== undefined) accept.filters = filters;
  return { type: 'ACCEPT', accept };
}

export function declineCall(offerIds: readonly IdLike[], filters?: Filters): SchedulerCall {
  const decline: NonNullable<SchedulerCall['decline']> = { offer_ids: offerIds.map(toId) };
  if (filters !== undefined) decline.filters = filters;
  return { type: 'DECLINE', decline };
}

/** No roles (or an empty list) means every role of the framework (spec 1.5.5). */
export function reviveCall(roles?: readonly string[]): SchedulerCall {
  return roles === undefined ? { type: 'REVIVE' } : { type: 'REVIVE', revive: { roles: [...roles] } };
}

/** No roles (or an empty list) means every role of the framework (spec 1.5.6). */
export function suppressCall(roles?: readonly string[]): SchedulerCall {
  return roles === undefined ? { type: 'SUPPRESS' } : { type: 'SUPPRESS', suppress: { roles: [...roles] } };
}

export function teardownCall(): SchedulerCall {
  return { type: 'TEARDOWN' };
}

/** An empty list asks for every task the master knows of (implicit reconciliation). */
export function reconcileCall(tasks: readonly ReconcileTask[] = []): SchedulerCall {
  return {
    type: 'RECONCILE',
    reconcile: {
      tasks: tasks.map((task) =>
        task.agent_id === undefined
          ? { task_id: toId(task.task_id) }
          : { task_id: toId(task.task_id), agent_id: toId(task.agent_id) },
      ),
    },
  };
}

/** `uuid` is the base64 text found in the UPDATE's `status.uuid`. */
export function acknowledgeCall(agentId: IdLike, taskId: IdLike, uuid: string): SchedulerCall {
  return { type: 'ACKNOWLEDGE', acknowledge: { agent_id: toId(agentId), task_id: toId(taskId), uuid } };
}

export function killCall(taskId: IdLike, agentId?: IdLike, killPolicy?: KillPolicy): SchedulerCall {
  const kill: NonNullable<SchedulerCall['kill']> = { task_id: toId(taskId) };
  if (agentId !== undefined) kill.agent_id = toId(agentId);
  if (killPolicy !== undefined) kill.kill_policy = killPolicy;
  return { type: 'KILL', kill };
}

export function shutdownCall(executorId: IdLike, agentId: IdLike): SchedulerCall {
  return { type: 'SHUTDOWN', shutdown: { executor_id: toId(executorId), agent_id: toId(agentId) } };
}

/** `data` is sent as base64 (spec 0.2); a string is taken as UTF-8 text. */
export function messageCall(agentId: IdLike, executorId: IdLike, data: Uint8Array | string): SchedulerCall {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  return {
    type: 'MESSAGE',
    message: { agent_id: toId(agentId), executor_id: toId(executorId), data: bytes.toString('base64') },
  };
}

/** `frameworkInfo.id` must be the framework's id; the session fills it in when absent. */
export function updateFrameworkCall(
  frameworkInfo: FrameworkInfo,
  suppressedRoles?: readonly string[],
  offerConstraints?: OfferConstraints,
): SchedulerCall {
  const update: NonNullable<SchedulerCall['update_framework']> = { framework_info: frameworkInfo };
  if (suppressedRoles !== undefined) update.suppressed_roles = [...suppressedRoles];
  if (offerConstraints !== undefined) update.offer_constraints = offerConstraints;
  return { type: 'UPDATE_FRAMEWORK', update_framework: update };
}

/** `uuid` is the base64 text of the UPDATE_OPERATION_STATUS's `status.uuid.value`. */
export function acknowledgeOperationStatusCall(
  agentId: IdLike | undefined,
  operationId: IdLike,
  uuid: string,
  resourceProviderId?: IdLike,
): SchedulerCall {
  const acknowledge: NonNullable<SchedulerCall['acknowledge_operation_status']> = { operation_id: toId(operationId), uuid };
  if (agentId !== undefined) acknowledge.agent_id = toId(agentId);
  if (resourceProviderId !== undefined) acknowledge.resource_provider_id = toId(resourceProviderId);
  return { type: 'ACKNOWLEDGE_OPERATION_STATUS', acknowledge_operation_status: acknowledge };
}

/** An empty list asks about every operation of the framework. */
export function reconcileOperationsCall(operations: readonly ReconcileOperation[] = []): SchedulerCall {
  return {
    type: 'RECONCILE_OPERATIONS',
    reconcile_operations: {
      operations: operations.map((operation) => {
        const out: { operation_id: { value: string }; agent_id?: { value: string }; resource_provider_id?: { value: string } } = {
          operation_id: toId(operation.operation_id),
        };
        if (operation.agent_id !== undefined) out.agent_id = toId(operation.agent_id);
        if (operation.resource_provider_id !== undefined) out.resource_provider_id = toId(operation.resource_provider_id);
        return out;
      }),
    },
  };
}

/** Adds `framework_id` to a call that lacks one; an explicit one (e.g. a test's wrong id) is kept. */
export function withFrameworkId(call: SchedulerCall, frameworkId: string): SchedulerCall {
  return call.framework_id === undefined ? { ...call, framework_id: { value: frameworkId } } : call;
}
