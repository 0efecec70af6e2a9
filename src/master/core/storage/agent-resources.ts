/**
 * An agent's resources as the master keeps them across (re-)registrations
 * (spec/storage.md 2.9, 3.7): the total is the agent's declared resources with
 * its checkpointed ones applied, under a resource version. A new agent, and
 * any agent a failed-over master learns of, is taken at its word. An agent
 * this master already knows keeps the master's view, which already holds the
 * operations in flight to it; the agent is brought up to date after its
 * REGISTERED.
 */
import { err, ok, type Result } from '../../../lib/result.js';
import { applyCheckpointedResources, fromWireList, needsCheckpointing, Resources, toCanonicalJson } from '../../../resources/index.js';
import type { z } from 'zod';
import type { LinkRequest } from '../../../protocol/internal.js';
import type { Resource as ResourceSchema } from '../../../protocol/mesos.js';
import type { StepContext } from '../context.js';
import type { Agent, Operation } from '../state.js';

type WireResource = z.input<typeof ResourceSchema>;

/** The total an agent reports: its declared resources with its checkpointed ones applied. */
export function reportedTotal(request: LinkRequest): Result<Resources> {
  const declared = fromWireList(request.agent_info.resources);
  if (!declared.ok) return err(`Invalid agent resources: ${declared.error}`);
  const checkpointed = fromWireList(request.checkpointed_resources ?? []);
  if (!checkpointed.ok) return err(`Invalid checkpointed resources: ${checkpointed.error}`);
  const total = applyCheckpointedResources(Resources.of(declared.value), Resources.of(checkpointed.value));
  return total.ok ? ok(total.value) : err(`Invalid checkpointed resources: ${total.error}`);
}

/** The agent's dynamic reservations and persistent volumes, unallocated. */
export function checkpointedResources(agent: Agent): Resources {
  return agent.totalResources.filter(needsCheckpointing);
}

/** The wire form of the checkpointed resources in `resources`, as agents are sent them. */
export function checkpointedWire(resources: Resources): WireResource[] {
  return wireOf(resources.filter(needsCheckpointing));
}

export function wireOf(resources: Resources): WireResource[] {
  return resources.toList().map((r) => toCanonicalJson(r)) as WireResource[];
}

/**
 * A known agent re-registers. With the version the master holds (or the same
 * checkpointed resources, under the agent's version from now on) it has
 * everything the master sent: its report is the master's view, and
 * operations without feedback that it has not reported on are done (one with
 * feedback is reported in its link request).
 * Otherwise the master's checkpointed resources are applied to what the agent
 * now declares (its --resources may have changed), and the agent must be
 * sent them (`true`). When they no longer fit what it declares, the agent's
 * own view is adopted: it refused to start with incompatible ones, so what it
 * reports is what it has.
 */
export function reconcileCheckpointedResources(ctx: StepContext, agent: Agent, request: LinkRequest, reported: Resources): boolean {
  const inSync = request.resource_version === agent.resourceVersion || reported.filter(needsCheckpointing).equals(checkpointedResources(agent));
  if (inSync) {
    agent.totalResources = reported;
    // The next operation names the version it builds on: the agent's.
    if (request.resource_version !== undefined) agent.resourceVersion = request.resource_version;
    for (const operation of pendingOperations(ctx, agent)) if (operation.operationId === undefined) ctx.state.operations.delete(operation.uuid);
    return false;
  }
  const declared = fromWireList(request.agent_info.resources);
  const total = declared.ok ? applyCheckpointedResources(Resources.of(declared.value), checkpointedResources(agent)) : declared;
  if (!total.ok) {
    ctx.log('warn', `Adopting the checkpointed resources agent ${agent.id} reports: the master's do not fit its resources: ${total.error}`);
    agent.totalResources = reported;
    agent.resourceVersion = request.resource_version ?? ctx.state.random.uuid();
    return false;
  }
  agent.totalResources = total.value;
  return true;
}

/**
 * Brings a re-registered agent up to date with the master's latest view, never
 * an older one: the last operation it has not reported on is sent again, with
 * the master's whole checkpointed set after it in place of its conversions
 * (the agent may be several operations behind; its report on this one then
 * settles every earlier one, see operation-status.ts); without one, the
 * master's checkpointed resources are sent as they are.
 */
export function resendCheckpointedResources(ctx: StepContext, agent: Agent): void {
  const last = pendingOperations(ctx, agent).at(-1);
  if (last !== undefined && last.resourceVersion === agent.resourceVersion) {
    const { conversions: _conversions, base_resource_version: _base, ...operation } = last.sent;
    ctx.sendToAgent(agent, { type: 'APPLY_OPERATION', apply_operation: { ...operation, checkpointed_resources: checkpointedWire(agent.totalResources) } });
    return;
  }
  ctx.sendToAgent(agent, {
    type: 'CHECKPOINT_RESOURCES',
    checkpoint_resources: { resource_version: agent.resourceVersion, checkpointed_resources: checkpointedWire(agent.totalResources) },
  });
}

/** Operations sent to the agent that it has not reported on, oldest first. */
export function pendingOperations(ctx: StepContext, agent: Agent): Operation[] {
  return [...ctx.state.operations.values()].filter((op) => op.agentId === agent.id && op.state === 'OPERATION_PENDING');
}
