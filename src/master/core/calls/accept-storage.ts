/**
 * One storage operation of an ACCEPT (spec/storage.md 2.0.2-2.0.5): the
 * feedback check, the structural step, the offers' allocation, the
 * operation's validation against the agent as the master sees it now (with
 * the results of the operations before it), authorization, and applying it to
 * what remains of the offers. Passed, it changes the agent model and the
 * framework's allocation and goes to the agent; failed, it is dropped with
 * its reason.
 */
import type { OfferOperation } from '../../../protocol/mesos.js';
import type { Resources } from '../../../resources/index.js';
import {
  acceptErrorMessage,
  allocateStorageOperation,
  applyToRemaining,
  parseStorageOperation,
  validateStorageOperation,
  type OperationActor,
} from '../operations/index.js';
import type { StepContext } from '../context.js';
import type { Agent, Framework } from '../state.js';
import { agentFacts } from '../storage/agent-facts.js';
import { authorizationError } from '../storage/authorize.js';
import { sendStorageOperation } from '../storage/send-operation.js';

export interface StorageStep {
  readonly remaining: Resources;
  /** GROW_VOLUME and SHRINK_VOLUME results, withheld from `remaining` for the rest of the ACCEPT. */
  readonly resized: Resources;
  readonly sharedChanged: boolean;
}

/** Undefined when the operation was dropped (`drop` was called with why). */
export function acceptStorageOperation(
  ctx: StepContext,
  framework: Framework,
  agent: Agent,
  role: string,
  wire: OfferOperation,
  remaining: Resources,
  drop: (message: string) => void,
): StorageStep | undefined {
  if (wire.id !== undefined && !agent.capabilities.has('AGENT_OPERATION_FEEDBACK')) {
    drop(`Operation on agent default resources requested feedback, but agent ${agent.id} does not have the required AGENT_OPERATION_FEEDBACK capability`);
    return undefined;
  }
  const actor: OperationActor = {
    kind: 'framework',
    frameworkId: framework.id,
    principal: framework.info.principal,
    roles: framework.roles,
    capabilities: framework.capabilities,
  };
  const facts = agentFacts(ctx.state, agent);
  const parsed = parseStorageOperation(wire, actor);
  if (!parsed.ok) {
    drop(acceptErrorMessage(parsed.error, facts));
    return undefined;
  }
  const validated = validateStorageOperation(allocateStorageOperation(parsed.value, role), actor, facts);
  if (!validated.ok) {
    drop(acceptErrorMessage(validated.error, facts));
    return undefined;
  }
  const denied = authorizationError(ctx.state, actor, validated.value.authorization);
  if (denied !== undefined) {
    drop(denied);
    return undefined;
  }
  const applied = applyToRemaining(remaining, validated.value);
  if (!applied.ok) {
    drop(acceptErrorMessage(applied.error, facts));
    return undefined;
  }
  ctx.state.allocator.convertAllocation(framework.id, agent.id, validated.value.conversions);
  sendStorageOperation(ctx, agent, validated.value, { kind: 'framework', framework, operationId: wire.id?.value });
  return applied.value;
}
