/**
 * What the master asks of the agent over the link (docs/protocol.md): run and
 * kill tasks, shut executors and frameworks down, acknowledge updates, pass
 * messages to executors, reconcile tasks it knows and the agent does not, and
 * drain the agent.
 */
import type { MasterToAgentRecord } from '../../protocol/internal.js';
import { launchCommandTask } from './command-executor.js';
import { launchCustomTask, shutdownExecutor } from './custom-executor.js';
import { onDrainRecord, refuseWhileDraining } from './drain.js';
import {
  agentUpdate,
  completeExecutorIfDone,
  completeTask,
  ensureFramework,
  findExecutorOfTask,
  partitionAware,
  removeFrameworkIfDone,
  unknownTaskExecutor,
} from './executors.js';
import { killTask } from './kill-task.js';
import { idValue, infoTaskId, streamKey, type Json } from './model.js';
import { onAcknowledgement, resendHeads } from './status-updates.js';
import type { AgentStep } from './step.js';
import { checkpointedKnown, resourcesOf } from './task-volumes.js';
import { dropOperationUpdates, onAcknowledgeOperationStatus, onApplyOperation, onCheckpointResources, resendOperationUpdates } from './operations.js';

export function onMasterRecord(step: AgentStep, record: MasterToAgentRecord): boolean {
  switch (record.type) {
    case 'RUN_TASK':
      runTask(step, record.run_task.framework as Json, record.run_task.task as Json);
      return true;
    case 'KILL_TASK':
      killTask(step, record.kill_task.framework_id.value, record.kill_task.task_id.value, record.kill_task.kill_policy as Json | undefined);
      return true;
    case 'SHUTDOWN_EXECUTOR': {
      const framework = step.state.frameworks.get(record.shutdown_executor.framework_id.value);
      const executor = framework?.executors.get(record.shutdown_executor.executor_id.value);
      if (executor !== undefined) shutdownExecutor(step, executor);
      return true;
    }
    case 'SHUTDOWN_FRAMEWORK':
      shutdownFramework(step, record.shutdown_framework.framework_id.value);
      return true;
    case 'UPDATE_FRAMEWORK': {
      const info = record.update_framework.framework_info as Json;
      const id = (info['id'] as { value?: string } | undefined)?.value;
      if (id !== undefined && step.state.frameworks.has(id)) {
        ensureFramework(step, id, info);
        // The framework (re-)subscribed: it should hear its pending updates now, not at the next retry.
        if (record.update_framework.resend_updates !== false) {
          resendHeads(step, id);
          resendOperationUpdates(step, id);
        }
      }
      return true;
    }
    case 'STATUS_UPDATE_ACKNOWLEDGEMENT': {
      const ack = record.status_update_acknowledgement;
      onAcknowledgement(step, ack.framework_id.value, ack.task_id.value, ack.uuid);
      return true;
    }
    case 'FRAMEWORK_TO_EXECUTOR': {
      const message = record.framework_to_executor;
      const executor = step.state.frameworks.get(message.framework_id.value)?.executors.get(message.executor_id.value);
      step.toExecutor(executor?.connectionId, { type: 'MESSAGE', message: { data: message.data } });
      return true;
    }
    case 'APPLY_OPERATION':
      onApplyOperation(step, record.apply_operation);
      return true;
    case 'CHECKPOINT_RESOURCES':
      onCheckpointResources(step, record.checkpoint_resources);
      return true;
    case 'ACKNOWLEDGE_OPERATION_STATUS':
      onAcknowledgeOperationStatus(step, record.acknowledge_operation_status.status_uuid);
      return true;
    case 'RECONCILE_TASKS':
      reconcileTasks(step, record.reconcile_tasks.framework_id.value, record.reconcile_tasks.tasks.map((t) => t.task_id.value));
      return true;
    case 'DRAIN':
      onDrainRecord(step, record.drain);
      return true;
    default:
      return false;
  }
}

function runTask(step: AgentStep, frameworkInfo: Json, task: Json): void {
  const frameworkId = idValue(frameworkInfo['id']);
  const framework = step.state.frameworks.get(frameworkId);
  if (framework?.terminating === true) {
    step.log('warn', `Dropping a task of framework ${frameworkId}, which is shutting down`);
    return;
  }
  // The id may be one of an ended task (the master allows that once its end was acknowledged):
  // the new task gets a fresh stream, so that its updates are not taken for the old one's.
  const key = streamKey(frameworkId, infoTaskId(task));
  if (step.state.streams.get(key)?.terminated === true) step.state.streams.delete(key);
  if (step.state.drain !== undefined) {
    refuseWhileDraining(step, frameworkInfo, task);
    return;
  }
  const unknown = unknownCheckpointed(step, task);
  if (unknown !== undefined) {
    const framework = ensureFramework(step, frameworkId, frameworkInfo);
    const executor = unknownTaskExecutor(step, frameworkId, infoTaskId(task));
    agentUpdate(step, executor, infoTaskId(task), {
      state: partitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST',
      source: 'SOURCE_AGENT',
      reason: 'REASON_RESOURCES_UNKNOWN',
      message: `The checkpointed resources being used by the ${unknown} are unknown to the agent`,
    });
    completeExecutorIfDone(step, executor);
    return;
  }
  if (task['executor'] !== undefined) launchCustomTask(step, frameworkInfo, task);
  else launchCommandTask(step, frameworkInfo, task);
}

/**
 * A task may use only reservations and volumes this agent has made durable
 * (spec/storage.md 2.7): one that is missing means an operation never arrived.
 */
function unknownCheckpointed(step: AgentStep, task: Json): 'task or task group' | 'executor' | undefined {
  if (!checkpointedKnown(step.state, resourcesOf(task))) return 'task or task group';
  const executor = task['executor'] as Json | undefined;
  if (executor !== undefined && !checkpointedKnown(step.state, resourcesOf(executor))) return 'executor';
  return undefined;
}

/**
 * SHUTDOWN_FRAMEWORK: every executor is shut down and the framework's updates
 * are dropped (no acknowledgement will come for them); the framework goes once
 * its executors are done.
 */
export function shutdownFramework(step: AgentStep, frameworkId: string): void {
  const framework = step.state.frameworks.get(frameworkId);
  if (framework === undefined) return;
  framework.terminating = true;
  for (const stream of [...step.state.streams.values()]) {
    if (stream.frameworkId === frameworkId) step.state.streams.delete(streamKey(frameworkId, stream.taskId));
  }
  dropOperationUpdates(step, frameworkId);
  for (const executor of [...framework.executors.values()]) {
    for (const [taskId, task] of [...executor.terminatedTasks]) {
      executor.terminatedTasks.delete(taskId);
      completeTask(step.state, executor, task);
    }
    if (executor.state === 'terminated') completeExecutorIfDone(step, executor);
    else shutdownExecutor(step, executor);
  }
  removeFrameworkIfDone(step, framework);
}

/**
 * Tasks the master knows and the agent does not (spec/core.md 5.6.1): each is
 * answered TASK_LOST (TASK_DROPPED), REASON_RECONCILIATION, reliably.
 */
function reconcileTasks(step: AgentStep, frameworkId: string, taskIds: readonly string[]): void {
  for (const taskId of taskIds) {
    if (findExecutorOfTask(step.state, frameworkId, taskId) !== undefined) continue;
    const executor = unknownTaskExecutor(step, frameworkId, taskId);
    const framework = step.state.frameworks.get(frameworkId);
    agentUpdate(step, executor, taskId, {
      state: partitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST',
      source: 'SOURCE_AGENT',
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: task unknown to the agent',
    });
    completeExecutorIfDone(step, executor);
  }
}
