/**
 * Feedback on storage operations (spec/storage.md 2.0.7; better than Mesos,
 * which gives it only with resource providers): the agent reports each
 * operation it was sent once its result is durable; the master forwards a
 * report on an operation with an id to its framework as
 * UPDATE_OPERATION_STATUS, and the agent sends it again (on every link) until
 * the framework's ACKNOWLEDGE_OPERATION_STATUS reaches it through the master.
 */
import type { OperationStatusMessage } from '../../../protocol/internal.js';
import type { WireOperationStatus } from '../../../protocol/outputs.js';
import { fromWireList, Resources } from '../../../resources/index.js';
import { checkDrained } from '../operator/agent-drain.js';
import type { StepContext } from '../context.js';
import { rescindOffer } from '../offers.js';
import type { Agent, Framework, Operation, OperationState } from '../state.js';
import { pendingOperations } from './agent-resources.js';
import { placement } from '../agents/register.js';

export function onOperationStatus(ctx: StepContext, agent: Agent, report: OperationStatusMessage): void {
  const operation = ctx.state.operations.get(report.operation_uuid);
  // Only a failure of the newest operation sent and not yet reported on tells
  // the master what the agent has now. A later operation already carries the
  // failed one's result (the agent will report on it), and a report sent again
  // after a re-registration or a fail-over is old news: adopting its total
  // would roll the agent back and delete newer volumes.
  if (report.state === 'OPERATION_FAILED' && operation !== undefined && pendingOperations(ctx, agent).at(-1) === operation) {
    adoptAgentTotal(ctx, agent, report);
  }
  if (operation === undefined) {
    // Acknowledged already (a report sent again) or never known here (a failed-over master): still passed on.
    forwardUnknown(ctx, agent, report);
    return;
  }
  if (report.state === 'OPERATION_FINISHED') {
    // The link is ordered and each operation carries the whole set: an agent that finished this one has what every earlier one made.
    for (const earlier of pendingOperations(ctx, agent)) {
      if (earlier === operation) break;
      settle(ctx, agent, earlier, 'OPERATION_FINISHED', undefined, Buffer.from(ctx.state.random.uuidBytes()).toString('base64'));
    }
  }
  settle(ctx, agent, operation, report.state, report.message, report.status_uuid);
}

function settle(ctx: StepContext, agent: Agent, operation: Operation, state: OperationState, message: string | undefined, statusUuid: string): void {
  operation.state = state;
  operation.message = message;
  operation.statusUuid = statusUuid;
  ctx.state.counters.increment(state === 'OPERATION_FINISHED' ? 'master/operations/finished' : 'master/operations/failed');
  const framework = operation.frameworkId === undefined ? undefined : ctx.state.frameworks.get(operation.frameworkId);
  if (operation.operationId === undefined || framework === undefined) {
    ctx.state.operations.delete(operation.uuid);
    checkDrained(ctx, agent.id);
    return;
  }
  ctx.sendToFramework(framework, { type: 'UPDATE_OPERATION_STATUS', update_operation_status: { status: wireStatus(operation, agent.id) } });
}

/**
 * A framework acknowledges the update with `uuid` of one of its operations:
 * the agent forgets it, and so does the master. An update the master no
 * longer tracks (a failed-over master) is passed to the agent all the same.
 */
export function acknowledgeOperationStatus(ctx: StepContext, framework: Framework, operationId: string, agentId: string | undefined, uuid: string): void {
  const operationUuid = framework.operations.get(operationId);
  const operation = operationUuid === undefined ? undefined : ctx.state.operations.get(operationUuid);
  if (operation !== undefined && operation.statusUuid === uuid) {
    ctx.state.operations.delete(operation.uuid);
    framework.operations.delete(operationId);
  }
  if (framework.reportedOperations.get(operationId)?.uuid?.value === uuid) framework.reportedOperations.delete(operationId);
  const agent = ctx.state.agents.get(operation?.agentId ?? agentId ?? '');
  if (agent === undefined) return;
  ctx.sendToAgent(agent, {
    type: 'ACKNOWLEDGE_OPERATION_STATUS',
    acknowledge_operation_status: { status_uuid: uuid },
  });
  checkDrained(ctx, agent.id);
}

/** The latest status of a framework's operation, or undefined when this master does not know it. */
export function operationStatusOf(ctx: StepContext, framework: Framework, operationId: string): WireOperationStatus | undefined {
  const uuid = framework.operations.get(operationId);
  const operation = uuid === undefined ? undefined : ctx.state.operations.get(uuid);
  return operation === undefined ? framework.reportedOperations.get(operationId) : wireStatus(operation, operation.agentId);
}

function wireStatus(operation: Operation, agentId: string): WireOperationStatus {
  return {
    ...(operation.operationId !== undefined ? { operation_id: { value: operation.operationId } } : {}),
    state: operation.state,
    ...(operation.message !== undefined ? { message: operation.message } : {}),
    ...(operation.statusUuid !== undefined ? { uuid: { value: operation.statusUuid } } : {}),
    agent_id: { value: agentId },
  };
}

/**
 * A report on an operation this master does not track: after a fail-over the
 * framework still learns the outcome of an operation with an id, and can
 * acknowledge it, so that the agent stops sending it.
 */
function forwardUnknown(ctx: StepContext, agent: Agent, report: OperationStatusMessage): void {
  const framework = report.framework_id === undefined ? undefined : ctx.state.frameworks.get(report.framework_id.value);
  if (framework === undefined || report.operation_id === undefined) return;
  const status: WireOperationStatus = {
    operation_id: { value: report.operation_id.value },
    state: report.state,
    ...(report.message !== undefined ? { message: report.message } : {}),
    uuid: { value: report.status_uuid },
    agent_id: { value: agent.id },
  };
  // Kept until acknowledged, so that RECONCILE_OPERATIONS knows it after a fail-over.
  framework.reportedOperations.set(report.operation_id.value, status);
  ctx.sendToFramework(framework, { type: 'UPDATE_OPERATION_STATUS', update_operation_status: { status } });
}

/**
 * The agent could not make an operation durable: what it has is what counts.
 * Offers built on the master's view are rescinded.
 */
function adoptAgentTotal(ctx: StepContext, agent: Agent, report: OperationStatusMessage): void {
  if (report.total_resources === undefined) {
    ctx.log('error', `Agent ${agent.id} reported failed operation ${report.operation_uuid} without its resources: keeping the master's view`);
    return;
  }
  const total = fromWireList(report.total_resources);
  if (!total.ok) {
    ctx.log('error', `Agent ${agent.id} reported invalid resources after a failed operation: ${total.error}`);
    return;
  }
  ctx.log('warn', `Agent ${agent.id} failed operation ${report.operation_uuid}: ${report.message ?? 'no reason given'}`);
  for (const offerId of [...agent.offers]) rescindOffer(ctx, offerId);
  agent.totalResources = Resources.of(total.value);
  agent.resourceVersion = report.resource_version;
  ctx.state.allocator.updateAgent(agent.id, agent.totalResources, agent.capabilities, placement(agent));
  ctx.requestAllocation([agent.id]);
}

/**
 * The agent is gone before it reported on its operations: each is dropped,
 * with OPERATION_DROPPED to a framework that asked for feedback (made by the
 * master, so without a uuid to acknowledge, as Mesos' own drops). What
 * reports it made and the framework has not acknowledged are forgotten.
 */
/** `outcome`: OPERATION_DROPPED for an agent removed, OPERATION_UNREACHABLE for one marked unreachable. */
export function dropOperationsOf(ctx: StepContext, agent: Agent, message: string, outcome: 'OPERATION_DROPPED' | 'OPERATION_UNREACHABLE' = 'OPERATION_DROPPED'): void {
  for (const operation of [...ctx.state.operations.values()]) {
    if (operation.agentId !== agent.id) continue;
    ctx.state.operations.delete(operation.uuid);
    const framework = operation.frameworkId === undefined ? undefined : ctx.state.frameworks.get(operation.frameworkId);
    if (framework === undefined || operation.operationId === undefined) continue;
    framework.operations.delete(operation.operationId);
    if (operation.state !== 'OPERATION_PENDING') continue;
    ctx.state.counters.increment(outcome === 'OPERATION_DROPPED' ? 'master/operations/dropped' : 'master/operations/unreachable');
    ctx.sendToFramework(framework, {
      type: 'UPDATE_OPERATION_STATUS',
      update_operation_status: {
        status: { operation_id: { value: operation.operationId }, state: outcome, message, agent_id: { value: agent.id } },
      },
    });
  }
}
