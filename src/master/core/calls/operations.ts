/**
 * ACKNOWLEDGE_OPERATION_STATUS and RECONCILE_OPERATIONS (spec/core.md 1.5.14,
 * 1.5.15). The master tracks no operations with feedback yet (storage
 * operations bring them), so every operation asked about is unknown: each gets
 * an UPDATE_OPERATION_STATUS with OPERATION_UNKNOWN, and an acknowledgement has
 * nothing to release.
 */
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';

export function onAcknowledgeOperationStatus(ctx: StepContext, _framework: Framework, _call: SchedulerCall): Reply {
  ctx.state.counters.increment('master/messages_operation_status_update_acknowledgement');
  return { status: 202 };
}

export function onReconcileOperations(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  for (const operation of call.reconcile_operations?.operations ?? []) {
    ctx.sendToFramework(framework, {
      type: 'UPDATE_OPERATION_STATUS',
      update_operation_status: {
        status: {
          operation_id: operation.operation_id,
          state: 'OPERATION_UNKNOWN',
          message: 'Reconciliation: operation is unknown',
          ...(operation.agent_id !== undefined ? { agent_id: operation.agent_id } : {}),
          ...(operation.resource_provider_id !== undefined ? { resource_provider_id: operation.resource_provider_id } : {}),
        },
      },
    });
  }
  return { status: 202 };
}
