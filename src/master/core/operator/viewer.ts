/**
 * The view ACLs (spec/core.md 7.2: view_frameworks, view_tasks,
 * view_executors, view_roles, view_flags), as Mesos' local authorizer decides them for
 * the state endpoints and the operator event stream. What a principal may not
 * view is left out, never refused. The objects are OS users and roles:
 *
 * - a framework: FrameworkInfo.user;
 * - a task: the user it runs as (its command's, else its executor's, else the
 *   framework's; berth stores it as Task.user), else the framework's;
 * - an executor: its command's user, else the framework's;
 * - a role: its name (hierarchical `/%` ACLs apply).
 *
 * The subject is the operator's authenticated principal; undefined when the
 * endpoint is open (then only ACLs whose principals are ANY match).
 */
import { isAuthorized, type LocalAuthorizer } from '../../auth/local-authorizer.js';
import type { FrameworkInfo } from '../../../protocol/mesos.js';
import type { OperatorEvent } from '../../../protocol/operator.js';
import type { Framework, MasterState, Task } from '../state.js';

/** What one principal may view; built once per request or per event. */
export interface Viewer {
  mayViewFramework(info: FrameworkInfo): boolean;
  mayViewTask(task: Pick<Task, 'user'>, framework: FrameworkInfo): boolean;
  /** `executor` is the ExecutorInfo as the master stores it. */
  mayViewExecutor(executor: object, framework: FrameworkInfo): boolean;
  mayViewRole(role: string): boolean;
  /** view_flags: the master's flags (an implicit object: ANY or NONE decides). */
  mayViewFlags(): boolean;
  /** get_quotas: a role's quota. */
  mayViewQuota(role: string): boolean;
}

/** Without --acls: everything is visible, at no cost. */
export const everythingViewer: Viewer = {
  mayViewFramework: () => true,
  mayViewTask: () => true,
  mayViewExecutor: () => true,
  mayViewRole: () => true,
  mayViewFlags: () => true,
  mayViewQuota: () => true,
};

function executorUser(executor: object): string | undefined {
  // The master stores the ExecutorInfo it was given (executorInfoFor): `command.user` is optional there.
  return (executor as { command?: { user?: string } }).command?.user;
}

/** The viewer of `principal` under the master's --acls; everythingViewer without them. */
export function viewerFor(acls: LocalAuthorizer | undefined, principal: string | undefined): Viewer {
  if (acls === undefined) return everythingViewer;
  return {
    mayViewFramework: (info) => isAuthorized(acls, 'view_frameworks', principal, info.user),
    mayViewTask: (task, framework) => isAuthorized(acls, 'view_tasks', principal, task.user ?? framework.user),
    mayViewExecutor: (executor, framework) => isAuthorized(acls, 'view_executors', principal, executorUser(executor) ?? framework.user),
    mayViewRole: (role) => isAuthorized(acls, 'view_roles', principal, role),
    mayViewFlags: () => isAuthorized(acls, 'view_flags', principal, undefined),
    mayViewQuota: (role) => isAuthorized(acls, 'get_quotas', principal, role),
  };
}

/** Registered or completed: the framework an event names by id. */
function findFramework(state: MasterState, id: string): Framework | undefined {
  return state.frameworks.get(id) ?? state.completedFrameworks.find((framework) => framework.id === id);
}

function findTask(framework: Framework, id: string): Task | undefined {
  return framework.tasks.get(id) ?? framework.unreachableTasks.get(id) ?? framework.completedTasks.find((task) => task.id === id);
}

/** A task the viewer may see, and its framework too (as Mesos sends task events). */
function mayViewTaskOf(state: MasterState, viewer: Viewer, frameworkId: string, user: string | undefined): boolean {
  const framework = findFramework(state, frameworkId);
  // Every task event is sent while its framework is known; without it there is no object to decide on.
  if (framework === undefined) return false;
  return viewer.mayViewFramework(framework.info) && viewer.mayViewTask({ user }, framework.info);
}

/**
 * Whether an operator stream event may go to this viewer: framework events by
 * view_frameworks, task events by view_tasks and view_frameworks; agent
 * events and heartbeats go to everyone. SUBSCRIBED is filtered when built.
 */
export function mayViewOperatorEvent(state: MasterState, viewer: Viewer, event: OperatorEvent): boolean {
  // The event payloads are typed loosely (object); their builders are frameworkEventV1 and taskV1.
  switch (event.type) {
    case 'FRAMEWORK_ADDED':
      return viewer.mayViewFramework((event.framework_added.framework as { framework_info: FrameworkInfo }).framework_info);
    case 'FRAMEWORK_UPDATED':
      return viewer.mayViewFramework((event.framework_updated.framework as { framework_info: FrameworkInfo }).framework_info);
    case 'FRAMEWORK_REMOVED':
      return viewer.mayViewFramework(event.framework_removed.framework_info as FrameworkInfo);
    case 'TASK_ADDED': {
      const task = event.task_added.task as { framework_id: { value: string }; user?: string };
      return mayViewTaskOf(state, viewer, task.framework_id.value, task.user);
    }
    case 'TASK_UPDATED': {
      const frameworkId = event.task_updated.framework_id.value;
      const taskId = (event.task_updated.status as { task_id?: { value: string } }).task_id?.value;
      const framework = findFramework(state, frameworkId);
      const task = framework === undefined || taskId === undefined ? undefined : findTask(framework, taskId);
      return mayViewTaskOf(state, viewer, frameworkId, task?.user);
    }
    case 'SUBSCRIBED':
    case 'HEARTBEAT':
    case 'AGENT_ADDED':
    case 'AGENT_REMOVED':
      return true;
  }
}
