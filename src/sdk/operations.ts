/**
 * Builders for offer operations (the `operations` of an ACCEPT, spec 1.5.3).
 * Pure, like calls.ts: a task is described without its agent, which the offer
 * it runs on decides.
 */
import type { OfferOperation } from '../protocol/mesos.js';
import { toId, type IdLike, type TaskInfo } from './types.js';

/** A task to launch: a TaskInfo whose `agent_id` may be left out (the offer's agent is used). */
export type LaunchTask = Omit<TaskInfo, 'agent_id'> & { readonly agent_id?: TaskInfo['agent_id'] };

type ExecutorInfo = NonNullable<OfferOperation['launch_group']>['executor'];

/** The tasks with `agent_id` filled in where it was left out. */
export function tasksOnAgent(agentId: IdLike, tasks: readonly LaunchTask[]): TaskInfo[] {
  return tasks.map((task) => ({ ...task, agent_id: task.agent_id ?? toId(agentId) }));
}

/** A LAUNCH operation for tasks on `agentId`. */
export function launchOperation(agentId: IdLike, tasks: readonly LaunchTask[]): OfferOperation {
  return { type: 'LAUNCH', launch: { task_infos: tasksOnAgent(agentId, tasks) } };
}

/** A LAUNCH_GROUP operation: the tasks run together under `executor` (a DEFAULT executor, usually). */
export function launchGroupOperation(agentId: IdLike, executor: ExecutorInfo, tasks: readonly LaunchTask[]): OfferOperation {
  return { type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: tasksOnAgent(agentId, tasks) } } };
}
