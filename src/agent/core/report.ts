/**
 * What the agent tells the master when it links (docs/protocol.md): its
 * identity and resources, and on re-registration every task it has not
 * finished with (with the state of the update in flight), its custom
 * executors and their frameworks (spec/core.md 5.3 step 4).
 */
import { internalProtocolVersion, type LinkRequest, type ReportedTask } from '../../protocol/internal.js';
import { streamKey, taskIdOf, type AgentExecutor, type AgentTask } from './model.js';
import type { AgentState } from './state.js';
import { toCanonicalJson } from '../../resources/index.js';

export function linkRequest(state: AgentState, epoch: number): LinkRequest {
  const config = state.config;
  const tasks: ReportedTask[] = [];
  const executors: LinkRequest['executors'] = [];
  const frameworks: NonNullable<LinkRequest['frameworks']> = [];
  for (const framework of state.frameworks.values()) {
    let reported = false;
    for (const executor of framework.executors.values()) {
      if (executor.stray) continue;
      for (const task of [...executor.queuedTasks.values(), ...executor.launchedTasks.values(), ...executor.terminatedTasks.values()]) {
        tasks.push(reportedTask(state, executor, task));
        reported = true;
      }
      if (executor.kind === 'custom' && executor.state !== 'terminated') {
        executors.push({ framework_id: { value: framework.id }, executor: executor.info as never });
        reported = true;
      }
    }
    if (reported) frameworks.push(framework.info as never);
  }
  return {
    protocol_version: internalProtocolVersion,
    epoch,
    ...(state.agentId !== undefined ? { agent_id: { value: state.agentId } } : {}),
    agent_info: config.info,
    version: config.version,
    capabilities: [...config.capabilities],
    ...resourceReport(state),
    ...(tasks.length > 0 ? { tasks } : {}),
    ...(executors.length > 0 ? { executors } : {}),
    ...(frameworks.length > 0 ? { frameworks } : {}),
  } as LinkRequest;
}

function reportedTask(state: AgentState, executor: AgentExecutor, task: AgentTask): ReportedTask {
  const head = state.streams.get(streamKey(task.frameworkId, taskIdOf(task)))?.pending[0];
  return {
    framework_id: { value: task.frameworkId },
    ...(executor.kind === 'custom' ? { executor_id: { value: executor.id } } : {}),
    task: task.info as never,
    state: task.state,
    ...(head !== undefined ? { status_update_state: head.state, ...(head.uuid !== undefined ? { status_update_uuid: head.uuid } : {}) } : {}),
  } as ReportedTask;
}

/** The checkpointed resources, their version and the operation updates still owed (spec/storage.md 2.9). */
function resourceReport(state: AgentState): Pick<LinkRequest, 'checkpointed_resources' | 'resource_version' | 'operation_updates'> {
  const { resources, version, operationUpdates } = state.resourceState;
  return {
    ...(resources.isEmpty() ? {} : { checkpointed_resources: resources.toList().map((r) => toCanonicalJson(r)) as LinkRequest['checkpointed_resources'] }),
    ...(version !== undefined ? { resource_version: version } : {}),
    ...(operationUpdates.length > 0 ? { operation_updates: [...operationUpdates] } : {}),
  };
}
