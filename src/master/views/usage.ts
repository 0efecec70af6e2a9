/**
 * Resources in use and on offer, derived from the master's state the way Mesos
 * keeps them in Slave::usedResources and Framework::totalUsedResources: a task
 * holds its resources until it reaches a terminal (or unreachable) state, and
 * an executor the master knows of holds its own for as long as it is known.
 *
 * The master state does not store these sums, so each view derives them; the
 * cost is proportional to the object shown (an agent's tasks, a framework's
 * tasks), never to the whole cluster per object.
 */
import { assert } from '../../lib/assert.js';
import {
  fromWireList,
  isDynamicallyReserved,
  popReservation,
  Resources,
  stripVolume,
  type Resource,
  type WireResource,
} from '../../resources/index.js';
import type { Agent, Framework, MasterState, Task } from '../core/state.js';
import { releasesResources } from '../core/tasks/task-state.js';

/** Whether a task still holds its resources (Mesos recovers them on the first terminal or unreachable update). */
export function taskHoldsResources(task: Task): boolean {
  return !releasesResources(task.state);
}

/**
 * An executor's resources from its stored ExecutorInfo (wire JSON). Anything
 * that does not decode counts as nothing: a view must not fail on it.
 */
export function executorResources(executorInfo: object): Resources {
  const list = (executorInfo as { resources?: unknown }).resources;
  if (!Array.isArray(list) || list.length === 0) return Resources.empty();
  const decoded = fromWireList(list as WireResource[]);
  return decoded.ok ? Resources.of(decoded.value) : Resources.empty();
}

/** Splits a key of `Agent.tasks` (state.ts taskKey: framework id, NUL, task id). */
function splitTaskKey(key: string): [frameworkId: string, taskId: string] {
  const separator = key.indexOf('\u0000');
  assert(separator >= 0, `views: malformed task key '${key}'`);
  return [key.slice(0, separator), key.slice(separator + 1)];
}

/** The tasks on an agent, found through its (framework, task) index. */
export function agentTasks(state: MasterState, agent: Agent): Task[] {
  const tasks: Task[] = [];
  for (const key of agent.tasks) {
    const [frameworkId, taskId] = splitTaskKey(key);
    const framework = state.frameworks.get(frameworkId);
    const task = framework?.tasks.get(taskId) ?? framework?.unreachableTasks.get(taskId);
    if (task !== undefined) tasks.push(task);
  }
  return tasks;
}

function addTo(map: Map<string, Resources>, key: string, resources: Resources): void {
  if (resources.isEmpty()) return;
  map.set(key, (map.get(key) ?? Resources.empty()).plus(resources));
}

/** Mesos' Slave::usedResources: per framework, what its tasks and executors hold on the agent. */
export function agentUsedByFramework(state: MasterState, agent: Agent): Map<string, Resources> {
  const used = new Map<string, Resources>();
  for (const task of agentTasks(state, agent)) {
    if (taskHoldsResources(task)) addTo(used, task.frameworkId, task.resources);
  }
  for (const framework of state.frameworks.values()) {
    for (const info of framework.executors.get(agent.id)?.values() ?? []) {
      addTo(used, framework.id, executorResources(info));
    }
  }
  return used;
}

/** Everything used on an agent, summed over frameworks (shared volumes counted once per entry). */
export function agentUsed(state: MasterState, agent: Agent): Resources {
  let total = Resources.empty();
  for (const resources of agentUsedByFramework(state, agent).values()) total = total.plus(resources);
  return total;
}

/** Mesos' Slave::offeredResources: the resources of the agent's outstanding offers. */
export function agentOffered(state: MasterState, agent: Agent): Resources {
  let total = Resources.empty();
  for (const offerId of agent.offers) {
    const offer = state.offers.get(offerId);
    if (offer !== undefined) total = total.plus(offer.resources);
  }
  return total;
}

/** Mesos' Framework::totalUsedResources: the framework's tasks and executors over all agents. */
export function frameworkUsed(framework: Framework): Resources {
  let total = Resources.empty();
  for (const task of framework.tasks.values()) {
    if (taskHoldsResources(task)) total = total.plus(task.resources);
  }
  for (const executors of framework.executors.values()) {
    for (const info of executors.values()) total = total.plus(executorResources(info));
  }
  return total;
}

/** Mesos' Framework::totalOfferedResources. */
export function frameworkOffered(state: MasterState, framework: Framework): Resources {
  let total = Resources.empty();
  for (const offerId of framework.offers) {
    const offer = state.offers.get(offerId);
    if (offer !== undefined) total = total.plus(offer.resources);
  }
  return total;
}

/**
 * What the agent declared (AgentInfo.resources: unreserved and static only),
 * rebuilt from its total: dynamic reservations are popped and volumes
 * stripped. Revocable resources are estimates, never declared.
 */
export function declaredResources(total: Resources): Resources {
  const declared: Resource[] = [];
  for (const original of total.toDistinctList()) {
    if (original.revocable !== undefined) continue;
    let resource = original.disk?.persistence !== undefined ? stripVolume(original) : original;
    while (isDynamicallyReserved(resource)) resource = popReservation(resource);
    declared.push(resource);
  }
  return Resources.of(declared);
}

/** The role a task's resources are allocated to (tasks never mix roles, MESOS-6636). */
export function taskRole(task: Task): string | undefined {
  return task.resources.entries[0]?.resource.allocation_info?.role;
}
