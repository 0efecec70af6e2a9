/**
 * Tasks and executors in the v1 operator API (mesos.v1.Task, GET_TASKS,
 * GET_EXECUTORS). Task resources are shown as stored: canonical reservations
 * and the allocation role, as Mesos copies its Task message unchanged.
 */
import type { TaskState } from '../../protocol/mesos.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import type { Framework, MasterState, Task } from '../core/state.js';
import { everythingViewer, type Viewer } from '../core/operator/viewer.js';
import { canonicalList, jsonDouble, type JsonObject } from './json.js';

export interface V1Task {
  name: string;
  task_id: { value: string };
  framework_id: { value: string };
  executor_id?: { value: string };
  agent_id: { value: string };
  state: TaskState;
  resources: JsonObject[];
  statuses: WireTaskStatus[];
  status_update_state?: TaskState;
  /** Base64, as every bytes field. */
  status_update_uuid?: string;
  labels?: unknown;
  discovery?: unknown;
  container?: unknown;
  health_check?: unknown;
  user?: string;
  kill_policy?: unknown;
  limits?: Record<string, { value: number | string }>;
}

export interface GetTasks {
  tasks: V1Task[];
  unreachable_tasks: V1Task[];
  completed_tasks: V1Task[];
}

export interface V1Executor {
  executor_info: object;
  agent_id: { value: string };
}

/** TaskInfo.limits as stored ({name: {value}}), with infinities spelt out. */
function limitsV1(limits: unknown): Record<string, { value: number | string }> | undefined {
  if (limits === null || typeof limits !== 'object') return undefined;
  const out: Record<string, { value: number | string }> = {};
  for (const [name, scalar] of Object.entries(limits as Record<string, { value?: unknown }>)) {
    if (typeof scalar.value === 'number') out[name] = { value: jsonDouble(scalar.value) };
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The mesos.v1.Task message of a task (GET_TASKS, TASK_ADDED). */
export function taskV1(task: Task): V1Task {
  const info = task.info;
  const limits = limitsV1(info['limits']);
  return {
    name: task.name,
    task_id: { value: task.id },
    framework_id: { value: task.frameworkId },
    ...(task.executorId !== undefined && { executor_id: { value: task.executorId } }),
    agent_id: { value: task.agentId },
    state: task.state,
    resources: canonicalList(task.resources),
    // A copy: events are serialised after the step, and later updates append to the stored list.
    statuses: [...task.statuses],
    ...(task.statusUpdateState !== undefined && { status_update_state: task.statusUpdateState }),
    ...(task.statusUpdateUuid !== undefined && { status_update_uuid: task.statusUpdateUuid }),
    ...(info['labels'] !== undefined && { labels: info['labels'] }),
    ...(info['discovery'] !== undefined && { discovery: info['discovery'] }),
    ...(info['container'] !== undefined && { container: info['container'] }),
    ...(info['health_check'] !== undefined && { health_check: info['health_check'] }),
    ...(task.user !== undefined && { user: task.user }),
    ...(info['kill_policy'] !== undefined && { kill_policy: info['kill_policy'] }),
    ...(limits !== undefined && { limits }),
  };
}

/**
 * Registered frameworks first, then completed ones (Mesos' order for GET_TASKS
 * and GET_EXECUTORS); only those the viewer may view, as Mesos skips the rest.
 */
function visibleFrameworks(state: MasterState, viewer: Viewer): Framework[] {
  return [...state.frameworks.values(), ...state.completedFrameworks].filter((framework) => viewer.mayViewFramework(framework.info));
}

/** The framework's tasks of one kind that the viewer may view, as v1 Tasks. */
function visibleTasks(viewer: Viewer, framework: Framework, tasks: Iterable<Task>): V1Task[] {
  const out: V1Task[] = [];
  for (const task of tasks) if (viewer.mayViewTask(task, framework.info)) out.push(taskV1(task));
  return out;
}

/**
 * GET_TASKS payload, of the tasks the viewer may view (--acls view_frameworks,
 * view_tasks). The deprecated pending_tasks and orphan_tasks are always empty and left out.
 */
export function getTasks(state: MasterState, viewer: Viewer = everythingViewer): GetTasks {
  const frameworks = visibleFrameworks(state, viewer);
  return {
    tasks: frameworks.flatMap((f) => visibleTasks(viewer, f, f.tasks.values())),
    unreachable_tasks: frameworks.flatMap((f) => visibleTasks(viewer, f, f.unreachableTasks.values())),
    completed_tasks: frameworks.flatMap((f) => visibleTasks(viewer, f, f.completedTasks)),
  };
}

/** GET_EXECUTORS payload: the custom executors the master knows of that the viewer may view, with their agents. */
export function getExecutors(state: MasterState, viewer: Viewer = everythingViewer): { executors: V1Executor[] } {
  const executors: V1Executor[] = [];
  for (const framework of visibleFrameworks(state, viewer)) {
    for (const [agentId, byId] of framework.executors) {
      for (const info of byId.values()) {
        if (viewer.mayViewExecutor(info, framework.info)) executors.push({ executor_info: info, agent_id: { value: agentId } });
      }
    }
  }
  return { executors };
}
