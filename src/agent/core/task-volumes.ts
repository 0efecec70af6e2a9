/**
 * Persistent volumes on the task side of the agent (spec/storage.md 2.7,
 * 3.4): a task may only use reservations and volumes the agent has
 * checkpointed (an operation that never arrived would otherwise go unnoticed),
 * and each volume it uses is handed to its container, which makes it appear
 * at `<sandbox>/<container_path>`.
 */
import { fromWireList, isPersistentVolume, needsCheckpointing, Resources } from '../../resources/index.js';
import type { ContainerVolume } from '../containerizer/types.js';
import { volumePath } from '../volumes/volume-path.js';
import type { AgentExecutor, Json } from './model.js';
import type { AgentState } from './state.js';

/** The resources a TaskInfo or ExecutorInfo lists, unallocated; invalid ones count as none (the master validated them). */
export function resourcesOf(info: Json | undefined): Resources {
  const parsed = fromWireList(((info?.['resources'] as unknown[] | undefined) ?? []) as Parameters<typeof fromWireList>[0]);
  return parsed.ok ? Resources.of(parsed.value).unallocate() : Resources.empty();
}

/** Whether every reservation and volume in `resources` is among the agent's checkpointed resources. */
export function checkpointedKnown(state: AgentState, resources: Resources): boolean {
  return state.resourceState.resources.contains(resources.filter(needsCheckpointing));
}

/** The volumes a container is given: where each lives on the agent, and where and how the task sees it. */
export function containerVolumes(state: AgentState, resources: Resources): ContainerVolume[] {
  const volumes: ContainerVolume[] = [];
  for (const volume of resources.toList()) {
    if (!isPersistentVolume(volume) || volume.disk?.volume === undefined) continue;
    volumes.push({
      source: volumePath(state.config.workDir, volume),
      containerPath: volume.disk.volume.container_path,
      readOnly: volume.disk.volume.mode === 'RO',
      giveToUser: volume.shared === undefined,
    });
  }
  return volumes;
}

/**
 * What an executor's container holds: the resources of its ExecutorInfo and
 * of every task it was given. A container gets its volumes when it starts
 * (those of ExecutorInfo and of the first task), a later task only uses
 * volumes already there, and nothing is unmounted while the container runs:
 * a volume stays in the container after the task that used it ended. (A task
 * evicted from the executor's bounded list of completed ones is forgotten.)
 */
export function containerResources(executor: AgentExecutor): Resources {
  let resources = resourcesOf(executor.info);
  for (const task of [...executor.queuedTasks.values(), ...executor.launchedTasks.values(), ...executor.terminatedTasks.values(), ...executor.completedTasks]) {
    resources = resources.plus(resourcesOf(task.info));
  }
  return resources;
}

/**
 * The persistent volumes mounted in containers that still run: those of
 * every executor not yet terminated (containerResources). With bind mounts
 * in the tasks' own namespaces the agent cannot see them in its mount table,
 * so this is what keeps it from deleting a volume in use.
 */
export function volumesInUse(state: AgentState): Resources {
  let inUse = Resources.empty();
  for (const framework of state.frameworks.values()) {
    for (const executor of framework.executors.values()) {
      if (executor.state !== 'terminated') inUse = inUse.plus(containerResources(executor).persistentVolumes());
    }
  }
  return inUse;
}
