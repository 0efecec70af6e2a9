/**
 * Storage operations on the agent (spec/storage.md 2.9, 3.2): the master sends
 * each operation with the complete checkpointed resources after it and a
 * resource version. The agent takes them at once (a task sent next may use the
 * new volume), asks the shell to make them durable (the checkpoint, and the
 * volumes on disk), and reports to the master once the shell says how that
 * went: OPERATION_FINISHED, or OPERATION_FAILED with the resources it still
 * has. A report the framework asked for (the operation has an id) is kept in
 * the checkpoint and sent again on every link until it is acknowledged.
 */
import type { OperationStatusMessage, MasterToAgentMessage } from '../../protocol/internal.js';
import {
  applyCheckpointedResources,
  fromWireList,
  needsCheckpointing,
  reservationRole,
  Resources,
  resourceToString,
  toCanonicalJson,
  validatePersistenceId,
  validateRole,
} from '../../resources/index.js';
import type { ResourceState } from '../volumes/checkpointed-resources.js';
import type { AgentStep } from './step.js';
import { newUpdateUuid } from './status-updates.js';
import { volumesInUse } from './task-volumes.js';

type ApplyOperation = Extract<MasterToAgentMessage, { type: 'APPLY_OPERATION' }>['apply_operation'];
type CheckpointResources = Extract<MasterToAgentMessage, { type: 'CHECKPOINT_RESOURCES' }>['checkpoint_resources'];

export function onApplyOperation(step: AgentStep, operation: ApplyOperation): void {
  const state = step.state;
  if (operation.resource_version === state.resourceState.version) {
    // Sent again after a re-registration: done already; its report is pending (feedback) or was sent.
    const pending = state.resourceState.operationUpdates.find((update) => update.operation_uuid === operation.operation_uuid);
    if (pending !== undefined) step.sendToMaster({ type: 'OPERATION_STATUS', operation_status: pending });
    return;
  }
  const next = checkpointedOf(step, operation.checkpointed_resources);
  if (typeof next === 'string') {
    report(step, operation, 'OPERATION_FAILED', next);
    return;
  }
  const finished = statusOf(step, operation, 'OPERATION_FINISHED', undefined, operation.resource_version, next.total);
  takeResources(step, next.resources, next.total, operation.resource_version, finished);
}

/** The master's view, after a re-registration that found the agent behind: no operation to report on. */
export function onCheckpointResources(step: AgentStep, message: CheckpointResources): void {
  if (message.resource_version === step.state.resourceState.version) return;
  const next = checkpointedOf(step, message.checkpointed_resources);
  if (typeof next === 'string') {
    step.log('error', `The master's checkpointed resources do not fit this agent: ${next}`);
    return;
  }
  takeResources(step, next.resources, next.total, message.resource_version, undefined);
}

/**
 * The shell committed (or failed to commit) `attempted`, the resource state an
 * operation led to; `onDisk` is what the checkpoint holds now.
 */
export function onResourcesCommitted(
  step: AgentStep,
  report: OperationStatusMessage | undefined,
  attempted: ResourceState,
  onDisk: ResourceState,
  error: string | undefined,
): void {
  const state = step.state;
  if (error === undefined) {
    if (report !== undefined) step.sendToMaster({ type: 'OPERATION_STATUS', operation_status: report });
    return;
  }
  step.log('error', `Failed to apply checkpointed resources: ${error}`);
  const updates = state.resourceState.operationUpdates.filter((update) => update.status_uuid !== report?.status_uuid);
  if (state.resourceState.version === attempted.version) {
    // The failed change is the newest taken: the agent has what is on disk.
    state.resourceState = { ...onDisk, operationUpdates: updates };
    state.totalResources = totalOrDeclared(step, onDisk.resources);
  } else {
    // A later change was taken since (the master sent it built on this one): its
    // commit brings the disk to the state the core holds; going back to the disk
    // here would undo it, and the next commit would delete its volumes.
    state.resourceState = { ...state.resourceState, operationUpdates: updates };
  }
  if (report === undefined) return;
  const failed: OperationStatusMessage = {
    ...report,
    state: 'OPERATION_FAILED',
    message: error,
    status_uuid: newUpdateUuid(step),
    resource_version: state.resourceState.version ?? '',
    total_resources: wire(state.totalResources),
  };
  if (failed.operation_id !== undefined) keepUpdate(step, failed);
  step.sendToMaster({ type: 'OPERATION_STATUS', operation_status: failed });
}

export function onAcknowledgeOperationStatus(step: AgentStep, statusUuid: string): void {
  keepUpdatesWhere(step, (update) => update.status_uuid !== statusUuid);
}

/** The framework is gone: no acknowledgement will come for its operation updates. */
export function dropOperationUpdates(step: AgentStep, frameworkId: string): void {
  keepUpdatesWhere(step, (update) => update.framework_id?.value !== frameworkId);
}

/** Forgets the updates `keep` refuses, durably. */
function keepUpdatesWhere(step: AgentStep, keep: (update: OperationStatusMessage) => boolean): void {
  const state = step.state;
  const updates = state.resourceState.operationUpdates.filter(keep);
  if (updates.length === state.resourceState.operationUpdates.length) return;
  state.resourceState = { ...state.resourceState, operationUpdates: updates };
  step.effects.push({ type: 'commit_resources', next: state.resourceState, report: undefined });
}

/** A framework (re-)subscribed: it hears its pending operation updates now. */
export function resendOperationUpdates(step: AgentStep, frameworkId: string): void {
  for (const update of step.state.resourceState.operationUpdates) {
    if (update.framework_id?.value === frameworkId) step.sendToMaster({ type: 'OPERATION_STATUS', operation_status: update });
  }
}

function takeResources(step: AgentStep, resources: Resources, total: Resources, version: string, report: OperationStatusMessage | undefined): void {
  const state = step.state;
  const updates = report?.operation_id !== undefined ? [...state.resourceState.operationUpdates, report] : state.resourceState.operationUpdates;
  state.resourceState = { resources, version, operationUpdates: updates };
  state.totalResources = total;
  step.effects.push({ type: 'commit_resources', next: state.resourceState, report });
}

function keepUpdate(step: AgentStep, update: OperationStatusMessage): void {
  const state = step.state;
  state.resourceState = { ...state.resourceState, operationUpdates: [...state.resourceState.operationUpdates, update] };
  step.effects.push({ type: 'commit_resources', next: state.resourceState, report: undefined });
}

/** The checkpointed resources a message carries and the total they give, or why they cannot be taken. */
function checkpointedOf(step: AgentStep, wireResources: readonly unknown[]): { resources: Resources; total: Resources } | string {
  const parsed = fromWireList(wireResources as Parameters<typeof fromWireList>[0]);
  if (!parsed.ok) return `Invalid checkpointed resources: ${parsed.error}`;
  const resources = Resources.of(parsed.value).unallocate();
  const unexpected = resources.filter((resource) => !needsCheckpointing(resource));
  if (!unexpected.isEmpty()) return `Unexpected checkpointed resources ${unexpected.toString()}`;
  // A volume's directory is built from its role and id: never from ones the master should have refused.
  for (const volume of resources.persistentVolumes().toDistinctList()) {
    const invalid = validatePersistenceId(volume.disk?.persistence?.id ?? '') ?? validateRole(reservationRole(volume));
    if (invalid !== undefined) return `Invalid persistent volume ${resourceToString(volume)}: ${invalid}`;
  }
  const destroyed = step.state.resourceState.resources.persistentVolumes().filter((volume) => !resources.contains(volume));
  const inUse = destroyed.isEmpty() ? destroyed : volumesInUse(step.state);
  const busy = destroyed.toDistinctList().find((volume) => inUse.contains(volume));
  if (busy !== undefined) return `Persistent volume ${resourceToString(busy)} is in use by a running task; it is not deleted`;
  const total = applyCheckpointedResources(step.state.config.declared, resources);
  if (!total.ok) return `Checkpointed resources ${resources.toString()} are incompatible with agent resources ${step.state.config.declared.toString()}: ${total.error}`;
  return { resources, total: total.value };
}

function totalOrDeclared(step: AgentStep, checkpointed: Resources): Resources {
  const total = applyCheckpointedResources(step.state.config.declared, checkpointed);
  return total.ok ? total.value : step.state.config.declared;
}

/** Reports on an operation the agent could not take; kept until acknowledged when the framework asked for feedback. */
function report(step: AgentStep, operation: ApplyOperation, state: OperationStatusMessage['state'], message: string): void {
  step.log('error', `Refusing ${operation.operation_type} operation ${operation.operation_uuid}: ${message}`);
  const current = step.state.resourceState.version ?? '';
  const update = statusOf(step, operation, state, message, current, step.state.totalResources);
  if (update.operation_id !== undefined) keepUpdate(step, update);
  step.sendToMaster({ type: 'OPERATION_STATUS', operation_status: update });
}

function statusOf(
  step: AgentStep,
  operation: ApplyOperation,
  state: OperationStatusMessage['state'],
  message: string | undefined,
  version: string,
  total: Resources,
): OperationStatusMessage {
  return {
    operation_uuid: operation.operation_uuid,
    ...(operation.framework_id !== undefined ? { framework_id: operation.framework_id } : {}),
    ...(operation.operation_id !== undefined ? { operation_id: operation.operation_id } : {}),
    state,
    ...(message !== undefined ? { message } : {}),
    status_uuid: newUpdateUuid(step),
    resource_version: version,
    total_resources: wire(total),
  };
}

function wire(resources: Resources): OperationStatusMessage['total_resources'] {
  return resources.toList().map((r) => toCanonicalJson(r)) as OperationStatusMessage['total_resources'];
}
