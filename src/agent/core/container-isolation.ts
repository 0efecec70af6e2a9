/**
 * What a container's isolators limit (src/agent/isolators): the resources of
 * its executor and of its live tasks, the limits those tasks set above their
 * requests (TaskInfo.limits), and their labels (for cgroups/blkio).
 *
 * A limit, as Mesos computes it: once any task sets a limit for cpus or mem,
 * the container's limit is the sum over the executor and the tasks of each
 * one's limit, or its request where it sets none; an infinite limit anywhere
 * makes the container's infinite (no quota, no hard memory limit).
 */
import type { ContainerIsolationSpec } from '../isolators/isolator.js';
import type { AgentExecutor, Json } from './model.js';
import { resourcesOf } from './task-volumes.js';

const limitedResources = ['cpus', 'mem'] as const;

/** `extraTasks`: tasks about to join the executor, not yet among its own. */
export function containerIsolation(executor: AgentExecutor, extraTasks: readonly Json[] = []): ContainerIsolationSpec {
  const tasks = [...executor.queuedTasks.values(), ...executor.launchedTasks.values()].map((task) => task.info).concat(extraTasks);
  const infos = [executor.info, ...tasks];
  let resources = resourcesOf(executor.info);
  for (const task of tasks) resources = resources.plus(resourcesOf(task));
  const limits: { cpus?: number; mem?: number } = {};
  for (const name of limitedResources) {
    if (!tasks.some((task) => limitOf(task, name) !== undefined)) continue;
    limits[name] = infos.reduce((sum, info) => sum + (limitOf(info, name) ?? resourcesOf(info).scalarValue(name)), 0);
  }
  const labels: Record<string, string> = {};
  for (const info of infos) {
    for (const label of ((info['labels'] as Json | undefined)?.['labels'] as { key?: string; value?: string }[] | undefined) ?? []) {
      if (label.key !== undefined) labels[label.key] = label.value ?? '';
    }
  }
  return { resources, limits, labels };
}

/** TaskInfo.limits[name].value: a number, or Infinity (JSON writes it "Infinity"). */
function limitOf(info: Json, name: string): number | undefined {
  const value = ((info['limits'] as Json | undefined)?.[name] as { value?: unknown } | undefined)?.value;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\+?inf(inity)?$/i.test(value)) return Infinity;
  return undefined;
}
