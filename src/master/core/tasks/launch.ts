/**
 * Launching a validated task (spec/core.md 1.5.3 step 3): the master records
 * it as TASK_STAGING, remembers a new custom executor, and sends the task to
 * its agent. The resources were already the framework's (offered); they stay
 * allocated until the task ends.
 */
import { toCanonicalJson, type Resources } from '../../../resources/index.js';
import type { TaskInfo } from '../../../protocol/mesos.js';
import type { z } from 'zod';
import type { StepContext } from '../context.js';
import { taskKey, type Agent, type Framework, type Task } from '../state.js';
import { taskV1 } from '../../views/v1.js';
import { taskInfoFields } from './reported.js';

type WireTask = z.output<typeof TaskInfo>;

export function launchTask(
  ctx: StepContext,
  framework: Framework,
  agent: Agent,
  info: WireTask,
  resources: Resources,
  executorResources: Resources | undefined,
): void {
  const executorId = info.executor?.executor_id.value;
  let executor: object | undefined;
  if (info.executor !== undefined && executorId !== undefined) {
    const executors = framework.executors.get(agent.id) ?? new Map<string, object>();
    executor = executors.get(executorId) ?? executorInfoFor(framework, info.executor, executorResources);
    executors.set(executorId, executor);
    framework.executors.set(agent.id, executors);
  }
  const wireTask = {
    ...info,
    resources: resources.toList().map((r) => toCanonicalJson(r)),
    ...(executor !== undefined ? { executor } : {}),
  };
  const task: Task = {
    id: info.task_id.value,
    frameworkId: framework.id,
    agentId: agent.id,
    executorId: info.executor?.executor_id.value,
    name: info.name,
    state: 'TASK_STAGING',
    resources,
    statuses: [],
    statusUpdateState: undefined,
    statusUpdateUuid: undefined,
    info: taskInfoFields(info),
    user: info.command?.user ?? info.executor?.command?.user ?? framework.info.user,
  };
  framework.tasks.set(task.id, task);
  agent.tasks.add(taskKey(framework.id, task.id));
  ctx.sendToOperators({ type: 'TASK_ADDED', task_added: { task: taskV1(task) } });
  ctx.sendToAgent(agent, {
    type: 'RUN_TASK',
    run_task: { framework: framework.info, task: wireTask as z.input<typeof TaskInfo> },
  });
  ctx.log('info', `Launching task ${task.id} of framework ${framework.id} on agent ${agent.id} (${agent.hostname})`);
}

/** The ExecutorInfo as the master keeps and sends it: framework id filled in, resources allocated. */
/** The ExecutorInfo the master keeps and sends: its framework id set, its resources allocated to the role. */
export function executorInfoFor(framework: Framework, executor: NonNullable<WireTask['executor']>, resources: Resources | undefined): object {
  return {
    ...executor,
    framework_id: { value: framework.id },
    resources: (resources?.toList() ?? []).map((r) => toCanonicalJson(r)),
  };
}
