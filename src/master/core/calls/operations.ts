/**
 * ACKNOWLEDGE_OPERATION_STATUS and RECONCILE_OPERATIONS (spec/core.md 1.5.14,
 * 1.5.15): storage operations with feedback are tracked until their update is
 * acknowledged (../storage/operation-status.ts). Reconciliation answers with
 * the latest status of each operation asked about, OPERATION_UNKNOWN for one
 * this master does not know; asked about none, it answers for every operation
 * of the framework it tracks.
 */
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';
import { acknowledgeOperationStatus, operationStatusOf } from '../storage/operation-status.js';

export function onAcknowledgeOperationStatus(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  const acknowledge = call.acknowledge_operation_status;
  if (acknowledge === undefined) return { status: 400, body: "Expecting 'acknowledge_operation_status' to be present" };
  if (Buffer.from(acknowledge.uuid, 'base64').length !== 16) {
    return { status: 400, body: "'acknowledge_operation_status.uuid' is not a valid UUID" };
  }
  ctx.state.counters.increment('master/messages_operation_status_update_acknowledgement');
  acknowledgeOperationStatus(ctx, framework, acknowledge.operation_id.value, acknowledge.agent_id?.value, acknowledge.uuid);
  return { status: 202 };
}

export function onReconcileOperations(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  const asked = call.reconcile_operations?.operations ?? [];
  const ids = asked.length > 0 ? asked.map((operation) => operation.operation_id.value) : [...framework.operations.keys(), ...framework.reportedOperations.keys()];
  for (const id of ids) {
    const requested = asked.find((operation) => operation.operation_id.value === id);
    const status = operationStatusOf(ctx, framework, id) ?? {
      operation_id: { value: id },
      state: 'OPERATION_UNKNOWN' as const,
      message: 'Reconciliation: operation is unknown',
      ...(requested?.agent_id !== undefined ? { agent_id: requested.agent_id } : {}),
      ...(requested?.resource_provider_id !== undefined ? { resource_provider_id: requested.resource_provider_id } : {}),
    };
    ctx.sendToFramework(framework, { type: 'UPDATE_OPERATION_STATUS', update_operation_status: { status } });
  }
  return { status: 202 };
}
