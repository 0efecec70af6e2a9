/**
 * Tasks an agent reports when it re-registers (spec/core.md 5.3 step 4): they
 * join the master's state with the state the agent knows, and their resources
 * count as allocated at once so offers only hold what is free.
 */
import { fromWireList, Resources } from '../../../resources/index.js';
import type { ReportedTask } from '../../../protocol/internal.js';
import type { WireTaskStatus } from '../../../protocol/outputs.js';
import type { StepContext } from '../context.js';
import { taskKey, type Agent, type Framework, type Task } from '../state.js';
import { parseTaskState, releasesResources } from './task-state.js';
import { taskV1 } from '../../views/v1.js';

/**
 * `charges`: where to add the task's resources for the caller to charge to
 * the allocator at once (an agent reporting many tasks), instead of one
 * allocation per task.
 */
export function addReportedTask(ctx: StepContext, agent: Agent, framework: Framework, reported: ReportedTask, charges?: Map<string, Resources>): Task | undefined {
  const info = reported.task;
  if (framework.tasks.has(info.task_id.value)) {
    // Reported twice, or known on another agent: counting it again would charge its resources twice.
    ctx.log('warn', `Ignoring task ${info.task_id.value} reported by agent ${agent.id}: the master knows a task of that id already`);
    return undefined;
  }
  const state = parseTaskState(reported.state);
  const resources = fromWireList(info.resources ?? []);
  if (state === undefined || !resources.ok) {
    ctx.log('warn', `Ignoring task ${info.task_id.value} reported by agent ${agent.id}: invalid state or resources`);
    return undefined;
  }
  const allocated = withAllocationRole(Resources.of(resources.value), [...framework.roles][0] ?? '*');
  const task: Task = {
    id: info.task_id.value,
    frameworkId: framework.id,
    agentId: agent.id,
    executorId: reported.executor_id?.value,
    name: info.name,
    state,
    resources: allocated,
    statuses: (reported.statuses ?? []) as WireTaskStatus[],
    statusUpdateState: parseTaskState(reported.status_update_state),
    statusUpdateUuid: reported.status_update_uuid,
    info: taskInfoFields(info),
    user: info.command?.user ?? framework.info.user,
  };
  framework.tasks.set(task.id, task);
  // The agent was unreachable: its report replaces the copy kept meanwhile (spec/core.md 5.6.3).
  framework.unreachableTasks.delete(task.id);
  agent.tasks.add(taskKey(framework.id, task.id));
  if (!releasesResources(state)) {
    if (charges === undefined) ctx.state.allocator.allocate(framework.id, agent.id, allocated);
    else charges.set(framework.id, (charges.get(framework.id) ?? Resources.empty()).plus(allocated));
  }
  ctx.sendToOperators({ type: 'TASK_ADDED', task_added: { task: taskV1(task) } });
  return task;
}

/** Resources without allocation_info (legacy reports) belong to the framework's role. */
function withAllocationRole(resources: Resources, role: string): Resources {
  if (resources.entries.every(({ resource }) => resource.allocation_info !== undefined)) return resources;
  return resources.unallocate().allocate(role);
}

/** The TaskInfo fields state endpoints show beside the task's state. */
export function taskInfoFields(info: ReportedTask['task']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['labels', 'discovery', 'container', 'health_check', 'kill_policy', 'limits'] as const) {
    if (info[key] !== undefined) out[key] = info[key];
  }
  return out;
}
