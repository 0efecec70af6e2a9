/**
 * --acls for frameworks, as Mesos' local authorizer decides them (spec/core.md
 * 7.2), with Mesos' texts: `register_frameworks` for every role a framework
 * subscribes or updates with (SUBSCRIBE: an ERROR event; UPDATE_FRAMEWORK:
 * 403), and `run_tasks` for the OS user each launched task runs as (TASK_ERROR,
 * REASON_TASK_UNAUTHORIZED). The subject is FrameworkInfo.principal.
 */
import { isAuthorized, isFrameworkRegistrationAuthorized } from '../../auth/local-authorizer.js';
import type { z } from 'zod';
import type { FrameworkInfo, TaskInfo } from '../../../protocol/mesos.js';
import type { MasterState } from '../state.js';
import { frameworkRoles } from './framework-info.js';

type WireTask = z.output<typeof TaskInfo>;

/** Why `info` may not register with its roles, or undefined. */
export function registrationRefusal(state: MasterState, info: FrameworkInfo): string | undefined {
  if (state.acls === undefined) return undefined;
  const roles = [...new Set(frameworkRoles(info))].sort();
  if (isFrameworkRegistrationAuthorized(state.acls, info.principal, roles)) return undefined;
  // Mesos prints the id (empty for a new framework) and the role set as stout's stringify does.
  return `Not authorized to register framework ${info.id?.value ?? ''} with roles { ${roles.join(', ')} }`;
}

/** The OS user a task runs as: its command's, its executor's, else the framework's. */
function taskUser(task: WireTask, framework: FrameworkInfo): string {
  return task.command?.user ?? task.executor?.command?.user ?? framework.user;
}

/** Why the framework may not launch `task`, or undefined. */
export function launchRefusal(state: MasterState, framework: { readonly id: string; readonly info: FrameworkInfo }, task: WireTask): string | undefined {
  if (state.acls === undefined) return undefined;
  const user = taskUser(task, framework.info);
  if (isAuthorized(state.acls, 'run_tasks', framework.info.principal, user)) return undefined;
  return `Principal '${framework.info.principal ?? ''}' no authorized to launch task ${task.task_id.value} of framework ${framework.id} under user '${user}'`;
}
