/**
 * The operator's storage calls (spec/storage.md 5.1 steps 8-14, 5.2):
 * RESERVE_RESOURCES, UNRESERVE_RESOURCES, CREATE_VOLUMES, DESTROY_VOLUMES,
 * GROW_VOLUME and SHRINK_VOLUME on an agent's unallocated resources. The same
 * operations as in an ACCEPT (../operations), with the operator's answers:
 * 400 for an unknown agent or an invalid operation, 403 when not authorized,
 * 409 when the agent's available resources (after rescinding the offers that
 * hold what it needs) do not contain what it consumes, 202 once the master's
 * view has changed and the operation is on its way to the agent.
 */
import type { OfferOperation } from '../../../protocol/mesos.js';
import type { OperatorCall } from '../../../protocol/operator.js';
import {
  applyToRemaining,
  operatorErrorMessage,
  parseStorageOperation,
  validateStorageOperation,
  type OperationActor,
  type StorageOperationType,
  type ValidatedOperation,
} from '../operations/index.js';
import { refuseSecondsDefault } from '../../allocator/allocator.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import { rescindOffer } from '../offers.js';
import type { Agent } from '../state.js';
import { agentFacts } from '../storage/agent-facts.js';
import { authorizationError } from '../storage/authorize.js';
import { sendStorageOperation } from '../storage/send-operation.js';
import type { Resources } from '../../../resources/index.js';

const agentDefaultOnly: Reply = {
  status: 400,
  body: "Failed to validate master::Call: Expecting 'agent_id' to be present; only agent default resources are supported right now",
};

/** The operation an operator call asks for, on which agent; or the 400 answer for a missing field. */
export function storageCallOperation(call: OperatorCall): { agentId: string; operation: OfferOperation } | Reply {
  const missing = (field: string): Reply => ({ status: 400, body: `Failed to validate master::Call: Expecting '${field}' to be present` });
  const wire = (operation: Record<string, unknown>): OfferOperation => operation as unknown as OfferOperation;
  switch (call.type) {
    case 'RESERVE_RESOURCES': {
      const payload = call.reserve_resources;
      if (payload === undefined) return missing('reserve_resources');
      const reserve = { resources: payload.resources ?? [], ...(payload.source !== undefined ? { source: payload.source } : {}) };
      return { agentId: payload.agent_id.value, operation: wire({ type: 'RESERVE', reserve }) };
    }
    case 'UNRESERVE_RESOURCES': {
      const payload = call.unreserve_resources;
      if (payload === undefined) return missing('unreserve_resources');
      return { agentId: payload.agent_id.value, operation: wire({ type: 'UNRESERVE', unreserve: { resources: payload.resources ?? [] } }) };
    }
    case 'CREATE_VOLUMES': {
      const payload = call.create_volumes;
      if (payload === undefined) return missing('create_volumes');
      return { agentId: payload.agent_id.value, operation: wire({ type: 'CREATE', create: { volumes: payload.volumes ?? [] } }) };
    }
    case 'DESTROY_VOLUMES': {
      const payload = call.destroy_volumes;
      if (payload === undefined) return missing('destroy_volumes');
      return { agentId: payload.agent_id.value, operation: wire({ type: 'DESTROY', destroy: { volumes: payload.volumes ?? [] } }) };
    }
    case 'GROW_VOLUME': {
      const payload = call.grow_volume;
      if (payload === undefined) return missing('grow_volume');
      if (payload.agent_id === undefined) return agentDefaultOnly;
      return { agentId: payload.agent_id.value, operation: wire({ type: 'GROW_VOLUME', grow_volume: { volume: payload.volume, addition: payload.addition } }) };
    }
    case 'SHRINK_VOLUME': {
      const payload = call.shrink_volume;
      if (payload === undefined) return missing('shrink_volume');
      if (payload.agent_id === undefined) return agentDefaultOnly;
      return { agentId: payload.agent_id.value, operation: wire({ type: 'SHRINK_VOLUME', shrink_volume: { volume: payload.volume, subtract: payload.subtract } }) };
    }
    default:
      return { status: 500, body: `${call.type ?? 'UNKNOWN'} is not a storage call` };
  }
}

/** Steps 8-14 of spec/storage.md 5.1 for one operation; `principal` is the authenticated operator's, if any. */
export function operatorStorageOperation(ctx: StepContext, agentId: string, wire: OfferOperation, principal: string | undefined): Reply {
  const agent = ctx.state.agents.get(agentId);
  if (agent === undefined) return { status: 400, body: 'No agent found with specified ID' };
  const actor: OperationActor = { kind: 'operator', ...(principal !== undefined ? { principal } : {}) };
  const facts = agentFacts(ctx.state, agent);
  const parsed = parseStorageOperation(wire, actor);
  if (!parsed.ok) return { status: 400, body: parsed.error.message };
  const type = parsed.value.type as StorageOperationType;
  const validated = validateStorageOperation(parsed.value, actor, facts);
  if (!validated.ok) return { status: 400, body: operatorErrorMessage(type, validated.error, facts) };
  if (authorizationError(ctx.state, actor, validated.value.authorization) !== undefined) return { status: 403 };
  rescindOverlappingOffers(ctx, agent, validated.value);
  const applied = applyToRemaining(ctx.state.allocator.agent(agent.id).available, validated.value);
  if (!applied.ok) return { status: 409, body: operatorErrorMessage(type, applied.error, facts) };
  ctx.state.allocator.convertAvailable(agent.id, validated.value.conversions);
  sendStorageOperation(ctx, agent, validated.value, { kind: 'operator' });
  ctx.requestAllocation([agent.id]);
  return { status: 202 };
}

/**
 * Offers holding what the operation consumes are rescinded one at a time
 * (their frameworks get the default 5 s filter) until the agent's available
 * resources hold it; other offers stay (spec 5.1 step 12).
 */
function rescindOverlappingOffers(ctx: StepContext, agent: Agent, validated: ValidatedOperation): void {
  const consumed = validated.conversions.reduce<Resources | undefined>((sum, { consumed: c }) => (sum === undefined ? c : sum.plus(c)), undefined);
  if (consumed === undefined) return;
  for (const offerId of [...agent.offers]) {
    if (ctx.state.allocator.agent(agent.id).available.contains(consumed)) return;
    const offered = ctx.state.offers.get(offerId)?.resources.unallocate();
    if (offered === undefined || offered.minus(consumed).equals(offered)) continue;
    rescindOffer(ctx, offerId, refuseSecondsDefault);
  }
}
