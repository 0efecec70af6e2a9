/**
 * Storage operations on the agent (spec/storage.md 2.9, 3.2): the master sends
 * each operation with its conversions, the resource version they build on
 * and the one they give. The agent takes them at once (a task sent next may
 * use the new volume), asks the shell to make them durable (the journal, and
 * the volumes on disk), and reports to the master once the shell says how
 * that went: OPERATION_FINISHED, or OPERATION_FAILED with the resources it
 * still has. An operation sent again after a re-registration carries the
 * master's whole checkpointed set instead. A report the framework asked for
 * (the operation has an id) is kept in the journal and sent again on every
 * link until it is acknowledged.
 */
import type { OperationStatusMessage, MasterToAgentMessage } from '../../protocol/internal.js';
import {
  applyCheckpointedResources,
  fromWireList,
  isPersistentVolume,
  needsCheckpointing,
  reservationRole,
  Resources,
  resourceToString,
  toCanonicalJson,
  validatePersistenceId,
  validateRole,
} from '../../resources/index.js';
import { applyResourceChange, versionAfter, type CheckpointedStep, type ResourceChange, type ResourceConversion, type ResourceState } from '../volumes/resource-state.js';
import { volumePath } from '../volumes/volume-path.js';
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
  const taken = operation.checkpointed_resources !== undefined ? replacementOf(step, operation.checkpointed_resources, operation.resource_version) : conversionOf(step, operation);
  if (typeof taken === 'string') {
    report(step, operation, taken);
    return;
  }
  const finished = statusOf(step, operation, 'OPERATION_FINISHED', undefined, operation.resource_version);
  const kept = finished.operation_id !== undefined ? finished : undefined;
  takeChange(step, { ...taken.change, kept }, taken.total, finished);
}

/** The master's view, after a re-registration that found the agent behind: no operation to report on. */
export function onCheckpointResources(step: AgentStep, message: CheckpointResources): void {
  if (message.resource_version === step.state.resourceState.version) return;
  const taken = replacementOf(step, message.checkpointed_resources, message.resource_version);
  if (typeof taken === 'string') {
    step.log('error', `The master's checkpointed resources do not fit this agent: ${taken}`);
    return;
  }
  takeChange(step, taken.change, taken.total, undefined);
}

/**
 * The shell committed (or failed to commit) `attempted`, a change an
 * operation led to; `onDisk` is what the journal holds now.
 */
export function onResourcesCommitted(
  step: AgentStep,
  report: OperationStatusMessage | undefined,
  attempted: ResourceChange,
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
  if (state.resourceState.version === versionAfter(attempted)) {
    // The failed change is the newest taken: the agent has what is on disk.
    state.resourceState = { ...onDisk, operationUpdates: updates };
    state.totalResources = totalOrDeclared(step, onDisk.resources);
  } else {
    // A later change was taken since. It builds on the failed one, so the shell
    // refuses it too, and that failure, the newest, brings the core back to the disk.
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
  forgetUpdatesWhere(step, (update) => update.status_uuid === statusUuid);
}

/** The framework is gone: no acknowledgement will come for its operation updates. */
export function dropOperationUpdates(step: AgentStep, frameworkId: string): void {
  forgetUpdatesWhere(step, (update) => update.framework_id?.value === frameworkId);
}

/** Forgets the updates `forget` picks, durably. */
function forgetUpdatesWhere(step: AgentStep, forget: (update: OperationStatusMessage) => boolean): void {
  const statusUuids = step.state.resourceState.operationUpdates.filter(forget).map((update) => update.status_uuid);
  if (statusUuids.length > 0) commit(step, { kind: 'forget', statusUuids }, undefined);
}

/** A framework (re-)subscribed: it hears its pending operation updates now. */
export function resendOperationUpdates(step: AgentStep, frameworkId: string): void {
  for (const update of step.state.resourceState.operationUpdates) {
    if (update.framework_id?.value === frameworkId) step.sendToMaster({ type: 'OPERATION_STATUS', operation_status: update });
  }
}

function takeChange(step: AgentStep, change: ResourceChange, total: Resources, report: OperationStatusMessage | undefined): void {
  step.state.totalResources = total;
  commit(step, change, report);
}

function keepUpdate(step: AgentStep, update: OperationStatusMessage): void {
  commit(step, { kind: 'keep', update }, undefined);
}

/** The core takes `change` now; the shell makes it durable and answers with resources_committed. */
function commit(step: AgentStep, change: ResourceChange, report: OperationStatusMessage | undefined): void {
  step.state.resourceState = applyResourceChange(step.state.resourceState, change);
  step.effects.push({ type: 'commit_resources', change, report });
}

interface Taken {
  readonly change: ResourceConversion;
  /** The agent's total after the change. */
  readonly total: Resources;
}

/**
 * An operation's conversions, as the agent takes them: each must find what it
 * consumes in the agent's total; the checkpointed resources change by the
 * checkpointed parts of each (a RESERVE of unreserved disk adds a
 * reservation and removes nothing the journal holds).
 */
function conversionOf(step: AgentStep, operation: ApplyOperation): Taken | string {
  const state = step.state;
  if (operation.base_resource_version !== state.resourceState.version) {
    return `The operation builds on resource version '${operation.base_resource_version ?? ''}', but this agent's is '${state.resourceState.version ?? ''}'`;
  }
  let total = state.totalResources;
  const steps: CheckpointedStep[] = [];
  for (const conversion of operation.conversions ?? []) {
    const consumed = resourcesOf(conversion.consumed);
    if (typeof consumed === 'string') return consumed;
    const converted = resourcesOf(conversion.converted);
    if (typeof converted === 'string') return converted;
    const invalid = invalidVolume(converted);
    if (invalid !== undefined) return invalid;
    if (!total.contains(consumed)) return `Agent resources ${total.toString()} do not contain ${consumed.toString()}`;
    total = total.minus(consumed).plus(converted);
    steps.push({ removed: consumed.filter(needsCheckpointing), added: converted.filter(needsCheckpointing) });
  }
  const removed = steps.reduce((sum, { removed: stepRemoved }) => sum.plus(stepRemoved), Resources.empty());
  const added = steps.reduce((sum, { added: stepAdded }) => sum.plus(stepAdded), Resources.empty());
  const busy = busyVolume(step, removed, added);
  if (busy !== undefined) return busy;
  return { change: { kind: 'convert', base: state.resourceState.version, version: operation.resource_version, steps, kept: undefined }, total };
}

/** The master's whole checkpointed set, as the agent takes it, and the total it gives. */
function replacementOf(step: AgentStep, wireResources: readonly unknown[], version: string): Taken | string {
  const parsed = resourcesOf(wireResources);
  if (typeof parsed === 'string') return `Invalid checkpointed resources: ${parsed}`;
  const unexpected = parsed.filter((resource) => !needsCheckpointing(resource));
  if (!unexpected.isEmpty()) return `Unexpected checkpointed resources ${unexpected.toString()}`;
  const invalid = invalidVolume(parsed);
  if (invalid !== undefined) return invalid;
  const busy = busyVolume(step, step.state.resourceState.resources, parsed);
  if (busy !== undefined) return busy;
  const total = applyCheckpointedResources(step.state.config.declared, parsed);
  if (!total.ok) return `Checkpointed resources ${parsed.toString()} are incompatible with agent resources ${step.state.config.declared.toString()}: ${total.error}`;
  return { change: { kind: 'replace', version, resources: parsed, kept: undefined }, total: total.value };
}

function resourcesOf(wireResources: readonly unknown[]): Resources | string {
  const parsed = fromWireList(wireResources as Parameters<typeof fromWireList>[0]);
  return parsed.ok ? Resources.of(parsed.value).unallocate() : parsed.error;
}

/** A volume's directory is built from its role and id: never from ones the master should have refused. */
function invalidVolume(resources: Resources): string | undefined {
  for (const volume of resources.persistentVolumes().toDistinctList()) {
    const invalid = validatePersistenceId(volume.disk?.persistence?.id ?? '') ?? validateRole(reservationRole(volume));
    if (invalid !== undefined) return `Invalid persistent volume ${resourceToString(volume)}: ${invalid}`;
  }
  return undefined;
}

/** A volume that going from `before` to `after` deletes while a task uses it. */
function busyVolume(step: AgentStep, before: Resources, after: Resources): string | undefined {
  const workDir = step.state.config.workDir;
  const kept = new Set(after.toList().filter(isPersistentVolume).map((volume) => volumePath(workDir, volume)));
  const deleted = before.persistentVolumes().filter((volume) => !kept.has(volumePath(workDir, volume)));
  if (deleted.isEmpty()) return undefined;
  const inUse = volumesInUse(step.state);
  const busy = deleted.toDistinctList().find((volume) => inUse.contains(volume));
  return busy === undefined ? undefined : `Persistent volume ${resourceToString(busy)} is in use by a running task; it is not deleted`;
}

function totalOrDeclared(step: AgentStep, checkpointed: Resources): Resources {
  const total = applyCheckpointedResources(step.state.config.declared, checkpointed);
  return total.ok ? total.value : step.state.config.declared;
}

/** Reports on an operation the agent could not take; kept until acknowledged when the framework asked for feedback. */
function report(step: AgentStep, operation: ApplyOperation, message: string): void {
  step.log('error', `Refusing ${operation.operation_type} operation ${operation.operation_uuid}: ${message}`);
  const update = statusOf(step, operation, 'OPERATION_FAILED', message, step.state.resourceState.version ?? '');
  const failed = { ...update, total_resources: wire(step.state.totalResources) };
  if (failed.operation_id !== undefined) keepUpdate(step, failed);
  step.sendToMaster({ type: 'OPERATION_STATUS', operation_status: failed });
}

function statusOf(
  step: AgentStep,
  operation: ApplyOperation,
  state: OperationStatusMessage['state'],
  message: string | undefined,
  version: string,
): OperationStatusMessage {
  return {
    operation_uuid: operation.operation_uuid,
    ...(operation.framework_id !== undefined ? { framework_id: operation.framework_id } : {}),
    ...(operation.operation_id !== undefined ? { operation_id: operation.operation_id } : {}),
    state,
    ...(message !== undefined ? { message } : {}),
    status_uuid: newUpdateUuid(step),
    resource_version: version,
  };
}

function wire(resources: Resources): OperationStatusMessage['total_resources'] {
  return resources.toList().map((r) => toCanonicalJson(r)) as OperationStatusMessage['total_resources'];
}
