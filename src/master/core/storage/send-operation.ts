/**
 * What the master does once a storage operation passed (spec/storage.md 2.9):
 * its agent model takes the conversions at once (later operations and offers
 * see them), under a new resource version, and the agent is sent the
 * operation as its own message on the ordered link: its conversions, the
 * version they build on and the one they give, so that the message is as
 * small as the operation, however many volumes the agent holds. The
 * operation is tracked until the agent reports on it, and, when the
 * framework asked for feedback, until the framework acknowledges that report.
 */
import type { ValidatedOperation } from '../operations/index.js';
import type { StepContext } from '../context.js';
import type { Agent, Framework, Operation } from '../state.js';
import { wireOf } from './agent-resources.js';
import { deriveVolumeIds } from './volume-ids.js';
import { rescindOffer } from '../offers.js';

/** Who asked: a framework (with an operation id when it wants feedback), or an operator. */
export type OperationOrigin =
  | { readonly kind: 'framework'; readonly framework: Framework; readonly operationId: string | undefined }
  | { readonly kind: 'operator' };

export function sendStorageOperation(ctx: StepContext, agent: Agent, validated: ValidatedOperation, origin: OperationOrigin): Operation {
  const conversions = validated.conversions.map(({ consumed, converted }) => ({ consumed: consumed.unallocate(), converted: converted.unallocate() }));
  let total = agent.totalResources;
  for (const { consumed, converted } of conversions) {
    const next = total.minus(consumed).plus(converted);
    deriveVolumeIds(total, next, consumed, converted);
    total = next;
  }
  agent.totalResources = total;
  const baseVersion = agent.resourceVersion;
  agent.resourceVersion = ctx.state.random.uuid();
  const framework = origin.kind === 'framework' ? origin.framework : undefined;
  const operationId = origin.kind === 'framework' ? origin.operationId : undefined;
  const uuid = ctx.state.random.uuid();
  const operation: Operation = {
    uuid,
    type: validated.operation.type,
    agentId: agent.id,
    frameworkId: framework?.id,
    operationId,
    state: 'OPERATION_PENDING',
    message: undefined,
    statusUuid: undefined,
    resourceVersion: agent.resourceVersion,
    sent: {
      operation_uuid: uuid,
      operation_type: validated.operation.type,
      ...(framework !== undefined ? { framework_id: { value: framework.id } } : {}),
      ...(operationId !== undefined ? { operation_id: { value: operationId } } : {}),
      resource_version: agent.resourceVersion,
      base_resource_version: baseVersion,
      conversions: conversions.map(({ consumed, converted }) => ({ consumed: wireOf(consumed), converted: wireOf(converted) })),
    },
  };
  if (validated.operation.type === 'DESTROY') rescindOffersHolding(ctx, agent, validated);
  ctx.state.operations.set(uuid, operation);
  if (framework !== undefined && operationId !== undefined) framework.operations.set(operationId, uuid);
  ctx.state.counters.increment(`master/operations/${validated.operation.type.toLowerCase()}`);
  ctx.sendToAgent(agent, { type: 'APPLY_OPERATION', apply_operation: operation.sent });
  ctx.log('info', `Sent ${validated.operation.type} operation ${uuid}${operationId !== undefined ? ` (${operationId})` : ''} to agent ${agent.id}`);
  return operation;
}

/**
 * A destroyed volume must not stay in anybody's offer (spec/storage.md 2.4):
 * a shared volume may sit in several frameworks' offers at once, and a launch
 * on one of them would use a volume that no longer exists.
 */
function rescindOffersHolding(ctx: StepContext, agent: Agent, validated: ValidatedOperation): void {
  const destroyed = validated.conversions.map(({ consumed }) => consumed.unallocate());
  for (const offerId of [...agent.offers]) {
    const offered = ctx.state.offers.get(offerId)?.resources.unallocate();
    if (offered === undefined) continue;
    if (destroyed.some((volume) => !offered.minus(volume).equals(offered))) rescindOffer(ctx, offerId);
  }
}
