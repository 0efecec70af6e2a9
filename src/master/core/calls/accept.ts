/**
 * ACCEPT (spec/core.md 1.5.3, spec/storage.md 2.0): the offers are validated
 * as a whole and consumed; operations run in order against what remains, each
 * seeing the results of the ones before; what no operation used is declined
 * with the call's filters. An ACCEPT is not atomic: an invalid operation is
 * dropped and the rest go on.
 */
import { launchRefusal } from '../frameworks/authorize.js';
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { OfferOperation } from '../../../protocol/mesos.js';
import { Resources } from '../../../resources/index.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Agent, Framework } from '../state.js';
import { discardOffer, removeOffer } from '../offers.js';
import { refuseSecondsDefault } from '../../allocator/allocator.js';
import { validateOffers } from './offer-validation.js';
import { failTasks, tasksOf } from './launch-failures.js';
import { launchTask } from '../tasks/launch.js';
import { validateLaunch } from '../tasks/launch-validation.js';
import { isStorageOperationType } from '../operations/index.js';
import { acceptStorageOperation } from './accept-storage.js';

export function onAccept(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  const accept = call.accept;
  if (accept === undefined) return { status: 400, body: "Expecting 'accept' to be present" };
  const operations = accept.operations ?? [];
  ctx.state.counters.increment(operations.some((op) => op.type === 'LAUNCH' || op.type === 'LAUNCH_GROUP') ? 'master/messages_launch_tasks' : 'master/messages_decline_offers');
  const offerIds = (accept.offer_ids ?? []).map((id) => id.value);
  const error = validateOffers(ctx, framework, offerIds);
  if (error !== undefined) {
    ctx.log('warn', `ACCEPT of framework ${framework.id} has invalid offers: ${error}`);
    for (const id of offerIds) if (ctx.state.offers.get(id)?.frameworkId === framework.id) discardOffer(ctx, id);
    failWithInvalidOffers(ctx, framework, operations, error);
    return { status: 202 };
  }
  const first = ctx.state.offers.get(offerIds[0] as string);
  const agent = first === undefined ? undefined : ctx.state.agents.get(first.agentId);
  const role = first?.role ?? '*';
  let offered = Resources.empty();
  for (const id of offerIds) {
    const offer = removeOffer(ctx, id);
    if (offer === undefined) continue;
    offered = offered.plus(offer.resources);
    framework.counters.increment('offers/accepted');
  }
  if (agent === undefined || agent.link === undefined) {
    // The agent left between the offer and the accept (its offers should have been rescinded).
    const reason = agent === undefined ? 'REASON_AGENT_REMOVED' : 'REASON_AGENT_DISCONNECTED';
    failTasks(ctx, framework, tasksOf(operations), first?.agentId, { state: 'TASK_LOST', reason, message: 'Agent is no longer available' });
    if (agent !== undefined) ctx.state.allocator.recoverResources(framework.id, agent.id, offered, undefined, ctx.nowMs);
    return { status: 202 };
  }
  const { remaining, resized } = applyOperations(ctx, framework, agent, role, operations, offered);
  // Returning what is left to the allocator works on every resource of the
  // offers (a thousand volumes, say): it waits until this step's messages, the
  // operations to the agent first, are out.
  ctx.state.unsettledAccepts.push({
    frameworkId: framework.id,
    agentId: agent.id,
    offered,
    left: remaining.plus(resized),
    refuseSeconds: accept.filters?.refuse_seconds ?? refuseSecondsDefault,
  });
  ctx.settleSoon();
  return { status: 202 };
}

/**
 * What the ACCEPTs of the last step left of their offers goes back to the
 * allocator (spec 2.0.6): what the operations made (reservations, volumes,
 * resized volumes) without a filter, so that the framework is offered it
 * promptly; the rest declined with the call's filters.
 */
export function settleAccepts(ctx: StepContext): void {
  const unsettled = ctx.state.unsettledAccepts.splice(0);
  for (const { frameworkId, agentId, offered, left, refuseSeconds } of unsettled) {
    const converted = left.minus(offered);
    ctx.state.allocator.recoverResources(frameworkId, agentId, converted, undefined, ctx.nowMs);
    ctx.state.allocator.recoverResources(frameworkId, agentId, left.minus(converted), refuseSeconds, ctx.nowMs);
    if (!converted.isEmpty()) ctx.requestAllocation([agentId]);
  }
}

/**
 * Offers that fail validation (spec/core.md 1.5.3): in operation order, each
 * task of a launch is lost (TASK_DROPPED for partition-aware frameworks) and
 * every other operation is dropped, with OPERATION_ERROR if it has an id.
 */
function failWithInvalidOffers(ctx: StepContext, framework: Framework, operations: readonly OfferOperation[], error: string): void {
  for (const operation of operations) {
    if (operation.type !== 'LAUNCH' && operation.type !== 'LAUNCH_GROUP') {
      dropOperation(ctx, framework, operation, `Operation attempted with invalid offers: ${error}`);
      continue;
    }
    failTasks(ctx, framework, tasksOf([operation]), undefined, {
      state: 'TASK_LOST',
      reason: 'REASON_INVALID_OFFERS',
      message: `Task launched with invalid offers: ${error}`,
    });
  }
}

/**
 * Runs the operations in order (spec 2.0.5); returns what remains of the
 * offers and the resized volumes withheld from it.
 */
function applyOperations(
  ctx: StepContext,
  framework: Framework,
  agent: Agent,
  role: string,
  operations: readonly OfferOperation[],
  offered: Resources,
): { remaining: Resources; resized: Resources } {
  let remaining = offered;
  // Every offered copy of a shared volume stays usable by any number of tasks of
  // this call: those of the offers, or of what a storage operation changed them
  // into. Worked out for a launch only (it is a pass over every volume offered).
  let sharedFrom = offered;
  let resized = Resources.empty();
  for (const operation of operations) {
    switch (operation.type) {
      case 'LAUNCH':
        remaining = launch(ctx, framework, agent, role, operation, remaining, sharedFrom.shared());
        break;
      case 'LAUNCH_GROUP':
        failTasks(ctx, framework, tasksOf([operation]), agent.id, {
          state: 'TASK_ERROR',
          reason: 'REASON_TASK_GROUP_INVALID',
          message: 'berth does not run task groups (LAUNCH_GROUP) yet',
        });
        break;
      default: {
        if (!isStorageOperationType(operation.type)) {
          dropOperation(ctx, framework, operation, `berth does not support ${operation.type ?? 'UNKNOWN'} operations`);
          break;
        }
        const step = acceptStorageOperation(ctx, framework, agent, role, operation, remaining, (message) =>
          dropOperation(ctx, framework, operation, message),
        );
        if (step === undefined) break;
        remaining = step.remaining;
        resized = resized.plus(step.resized);
        if (step.sharedChanged) sharedFrom = remaining;
      }
    }
  }
  return { remaining, resized };
}

function launch(
  ctx: StepContext,
  framework: Framework,
  agent: Agent,
  role: string,
  operation: OfferOperation,
  remaining: Resources,
  remainingShared: Resources,
): Resources {
  const tasks = operation.launch?.task_infos ?? [];
  if (operation.id !== undefined) {
    failTasks(ctx, framework, tasks, agent.id, {
      state: 'TASK_ERROR',
      reason: 'REASON_TASK_INVALID',
      message: 'The `id` field cannot be set on LAUNCH operations',
    });
    return remaining;
  }
  let left = remaining;
  for (const task of tasks) {
    // Authorized before it is validated, as in Mesos.
    const unauthorized = launchRefusal(ctx.state, framework, task);
    if (unauthorized !== undefined) {
      failTasks(ctx, framework, [task], agent.id, { state: 'TASK_ERROR', reason: 'REASON_TASK_UNAUTHORIZED', message: unauthorized });
      continue;
    }
    const validated = validateLaunch(framework, agent, task, role, left.nonShared().plus(remainingShared));
    if (!validated.ok) {
      failTasks(ctx, framework, [task], agent.id, { state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', message: validated.error });
      continue;
    }
    const { resources, executorResources } = validated.value;
    const used = executorResources === undefined ? resources : resources.plus(executorResources);
    // A shared volume's copy may serve several tasks: each one beyond the copies offered is allocated to the framework too.
    const additional = used.shared().minus(left.shared());
    if (!additional.isEmpty()) ctx.state.allocator.allocate(framework.id, agent.id, additional);
    left = left.minus(used.minus(additional));
    launchTask(ctx, framework, agent, task, resources, executorResources);
  }
  return left;
}

/**
 * An operation that cannot run is dropped: the framework learns of it only if
 * it asked for feedback (an operation id), with OPERATION_ERROR.
 */
function dropOperation(ctx: StepContext, framework: Framework, operation: OfferOperation, message: string): void {
  ctx.state.counters.increment('master/operations/error');
  ctx.log('warn', `Dropping ${operation.type ?? 'UNKNOWN'} operation of framework ${framework.id}: ${message}`);
  if (operation.id === undefined) return;
  ctx.sendToFramework(framework, {
    type: 'UPDATE_OPERATION_STATUS',
    update_operation_status: { status: { operation_id: { value: operation.id.value }, state: 'OPERATION_ERROR', message } },
  });
}
