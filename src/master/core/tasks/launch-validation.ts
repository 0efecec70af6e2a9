/**
 * Task validation at LAUNCH (spec/core.md 1.5.3 step 2; Mesos'
 * validation::task), in Mesos' order with Mesos' texts, each naming the field
 * at fault. A failure is TASK_ERROR with REASON_TASK_INVALID.
 */
import { err, ok, type Result } from '../../../lib/result.js';
import {
  fromWireList,
  isPersistentVolume,
  isRevocable,
  reservationRole,
  Resources,
  validateId,
  validateMasterResources,
} from '../../../resources/index.js';
import type { TaskInfo } from '../../../protocol/mesos.js';
import type { z } from 'zod';
import type { Agent, Framework } from '../state.js';
import { validateHealthCheck } from './health-check-validation.js';
import { executorInfoFor } from './launch.js';
import { containerPathError } from '../operations/rules.js';

type WireTask = z.output<typeof TaskInfo>;

export interface ValidatedLaunch {
  /** The task's resources, allocated to the offers' role. */
  readonly resources: Resources;
  /** The executor's resources when this launch starts a new custom executor (charged once). */
  readonly executorResources: Resources | undefined;
}

export function validateLaunch(
  framework: Framework,
  agent: Agent,
  task: WireTask,
  role: string,
  remaining: Resources,
): Result<ValidatedLaunch> {
  const checks: (() => string | undefined)[] = [
    () => prefixed("'TaskInfo.task_id' is invalid", validateId(task.task_id.value)),
    () => uniqueId(framework, task.task_id.value),
    () => (task.agent_id.value === agent.id ? undefined : `Task uses invalid agent ${task.agent_id.value} while agent ${agent.id} is expected`),
    () => ((task.kill_policy?.grace_period?.nanoseconds ?? 0) < 0 ? "Task's 'kill_policy.grace_period' must be non-negative" : undefined),
    () => ((task.max_completion_time?.nanoseconds ?? 0) < 0 ? "Task's `max_completion_time` must be non-negative" : undefined),
    () => prefixed('Task uses invalid health check', task.health_check === undefined ? undefined : validateHealthCheck(task.health_check)),
    () => containerError(task),
    () => (task.limits !== undefined && Object.keys(task.limits).length > 0 && !agent.capabilities.has('TASK_RESOURCE_LIMITS')
      ? 'Agent is not capable of handling task resource limits'
      : undefined),
    () => ((task.command === undefined) === (task.executor === undefined)
      ? 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present'
      : undefined),
  ];
  for (const check of checks) {
    const error = check();
    if (error !== undefined) return err(error);
  }
  const resources = taskResources(task.resources ?? [], role, 'Task');
  if (!resources.ok) return resources;
  const taskDuplicate = duplicatePersistenceId(resources.value);
  if (taskDuplicate !== undefined) return err(`Task uses duplicate persistence ID: ${taskDuplicate}`);
  const taskPath = invalidContainerPath(resources.value, 'TaskInfo.resources');
  if (taskPath !== undefined) return err(taskPath);
  let executorResources: Resources | undefined;
  if (task.executor !== undefined) {
    const executor = validateExecutor(framework, agent, task.executor, role);
    if (!executor.ok) return executor;
    executorResources = executor.value;
  }
  const total = executorResources === undefined ? resources.value : resources.value.plus(executorResources);
  const mixing = mixedRevocable(total);
  if (mixing !== undefined) return err(`Task and its executor mix revocable and non-revocable resources: ${mixing}`);
  const duplicate = duplicatePersistenceId(total);
  if (duplicate !== undefined) return err(`Task and its executor use duplicate persistence ID: ${duplicate}`);
  if (!remaining.contains(total)) {
    return err(`Total resources ${total.toString()} required by task and its executor is more than available ${remaining.toString()}`);
  }
  return ok({ resources: resources.value, executorResources });
}

function prefixed(prefix: string, error: string | undefined): string | undefined {
  return error === undefined ? undefined : `${prefix}: ${error}`;
}

function uniqueId(framework: Framework, taskId: string): string | undefined {
  if (framework.tasks.has(taskId)) return `Task has duplicate ID: ${taskId}`;
  if (framework.unreachableTasks.has(taskId)) return `Task reuses the ID of an unreachable task: ${taskId}`;
  return undefined;
}

/** berth runs commands in sandboxes; images and the Docker containerizer are not supported yet. */
function containerError(task: WireTask): string | undefined {
  const container = task.container ?? task.executor?.container;
  if (container === undefined) return undefined;
  if (container.type === 'DOCKER' || container.docker !== undefined) {
    return "berth runs no container images yet: 'TaskInfo.container' asks for the Docker containerizer";
  }
  if (container.mesos !== undefined && (container.mesos as Record<string, unknown>)['image'] !== undefined) {
    return "berth runs no container images yet: 'TaskInfo.container.mesos.image' is set";
  }
  return undefined;
}

/** Wire resources to canonical ones allocated to `role`, with the master's resource validation. */
function taskResources(wire: readonly unknown[], role: string, what: 'Task' | 'Executor'): Result<Resources> {
  if (wire.length === 0 && what === 'Task') return err('Task uses no resources');
  const parsed = fromWireList(wire as Parameters<typeof fromWireList>[0]);
  if (!parsed.ok) return err(`${what} uses invalid resources: ${parsed.error}`);
  const invalid = validateMasterResources(parsed.value);
  if (invalid !== undefined) return err(`${what} uses invalid resources: ${invalid}`);
  const resources = Resources.of(parsed.value);
  const allocated = resources.entries.every(({ resource }) => resource.allocation_info !== undefined)
    ? resources
    : resources.unallocate().allocate(role);
  return ok(allocated);
}

function validateExecutor(framework: Framework, agent: Agent, executor: NonNullable<WireTask['executor']>, role: string): Result<Resources | undefined> {
  const idError = validateId(executor.executor_id.value);
  if (idError !== undefined) return err(`'ExecutorInfo.executor_id' is invalid: ${idError}`);
  const frameworkId = executor.framework_id?.value ?? framework.id;
  if (frameworkId !== framework.id) {
    return err(`ExecutorInfo has an invalid FrameworkID (Actual: ${frameworkId} vs Expected: ${framework.id})`);
  }
  if (executor.type !== undefined && executor.type !== 'CUSTOM') return err("'ExecutorInfo.type' must be 'CUSTOM'");
  if (executor.command === undefined) return err("'ExecutorInfo.command' must be set");
  const resources = taskResources(executor.resources ?? [], role, 'Executor');
  if (!resources.ok) return resources;
  const executorPath = invalidContainerPath(resources.value, 'ExecutorInfo.resources');
  if (executorPath !== undefined) return err(executorPath);
  if (!resources.value.shared().isEmpty()) {
    return err(`Executor resources ${resources.value.toString()} should not contain any shared resources`);
  }
  const existing = framework.executors.get(agent.id)?.get(executor.executor_id.value);
  if (existing !== undefined) {
    // Compared in the form the master keeps: framework id set, resources allocated to the role.
    const candidate = executorInfoFor(framework, executor, resources.value);
    if (JSON.stringify(normalizeExecutor(existing)) !== JSON.stringify(normalizeExecutor(candidate))) {
      return err('ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID');
    }
    // An executor that already runs is not charged again.
    return ok(undefined);
  }
  return ok(resources.value);
}

/** Key order must not decide compatibility: compare with sorted keys. */
function normalizeExecutor(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeExecutor);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = normalizeExecutor((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function mixedRevocable(resources: Resources): string | undefined {
  const revocable = new Set<string>();
  const regular = new Set<string>();
  for (const { resource } of resources.entries) (isRevocable(resource) ? revocable : regular).add(resource.name);
  for (const name of revocable) if (regular.has(name)) return `'${name}'`;
  return undefined;
}

function duplicatePersistenceId(resources: Resources): string | undefined {
  const seen = new Set<string>();
  for (const { resource } of resources.entries) {
    if (!isPersistentVolume(resource)) continue;
    const key = `${reservationRole(resource)}\u0000${resource.disk?.persistence?.id ?? ''}`;
    if (seen.has(key)) return `Persistence ID '${resource.disk?.persistence?.id ?? ''}' is not unique`;
    seen.add(key);
  }
  return undefined;
}

/** The first persistent volume whose container path is not one relative path component, as an error naming the field. */
function invalidContainerPath(resources: Resources, field: string): string | undefined {
  for (const { resource } of resources.entries) {
    const error = isPersistentVolume(resource) ? containerPathError(resource) : undefined;
    if (error !== undefined) return `'${field}': ${error}`;
  }
  return undefined;
}
