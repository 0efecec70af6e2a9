/**
 * Mesos' legacy JSON endpoints (spec/core.md 6.4): /master/state,
 * /master/state-summary, /master/frameworks, /master/slaves, /master/tasks,
 * /master/roles, /master/flags, /master/weights and /master/quota. Each
 * function returns the response body; the HTTP layer adds `?jsonp=` wrapping.
 * With --acls the HTTP layer passes the operator's Viewer: frameworks, tasks,
 * executors and roles it may not view are left out, as Mesos does.
 */
import type { TaskState } from '../../protocol/mesos.js';
import type { Framework, MasterState, Task } from '../core/state.js';
import { berthBuildInfo, legacyBuildFields, type BuildInfo } from './build-info.js';
import { fixedQuantitiesObject, quantitiesObject, seconds, type JsonObject } from './json.js';
import {
  agentLegacy,
  agentLegacyFull,
  frameworkLegacy,
  frameworkSummaryLegacy,
  taskLegacy,
} from './legacy-objects.js';
import { knownRoles, roleBreakdown, roleFrameworks, roleUsage, roleWeight } from './roles.js';
import { quotaStatus, type V1QuotaStatus } from './v1-policy.js';
import { everythingViewer, type Viewer } from '../core/operator/viewer.js';

/** Query parameters as the HTTP layer decoded them. */
export type Query = Readonly<Record<string, string | undefined>>;

export interface LegacyStateOptions {
  readonly build?: BuildInfo;
  /** Flags, cluster and log paths need VIEW_FLAGS; the HTTP layer decides. */
  readonly showFlags?: boolean;
  /** What the operator may view (--acls view_*); everything when not given. */
  readonly viewer?: Viewer;
}

/** Default page size of /master/tasks (Mesos' TASK_LIMIT). */
export const tasksLimitDefault = 100;

function flagsObject(state: MasterState): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const { name, value } of state.config.flags) flags[name] = value;
  return flags;
}

function flagValue(state: MasterState, name: string): string | undefined {
  return state.config.flags.find((flag) => flag.name === name)?.value;
}

function flagFields(state: MasterState): JsonObject {
  const logDir = flagValue(state, 'log_dir');
  const externalLogFile = flagValue(state, 'external_log_file');
  return {
    ...(state.config.cluster !== undefined && { cluster: state.config.cluster }),
    ...(logDir !== undefined && { log_dir: logDir }),
    ...(externalLogFile !== undefined && { external_log_file: externalLogFile }),
    flags: flagsObject(state),
  };
}

/** GET /master/state. */
export function masterStateJson(state: MasterState, options: LegacyStateOptions = {}): JsonObject {
  const info = state.info;
  const agents = [...state.agents.values()];
  const viewer = options.viewer ?? everythingViewer;
  const visible = (framework: Framework): boolean => viewer.mayViewFramework(framework.info);
  return {
    ...legacyBuildFields(options.build ?? berthBuildInfo),
    start_time: seconds(state.startTimeMs),
    ...(state.electedTimeMs !== undefined && { elected_time: seconds(state.electedTimeMs) }),
    id: info.id,
    pid: info.pid,
    hostname: info.hostname,
    capabilities: info.capabilities.map((capability) => capability.type),
    activated_slaves: agents.filter((agent) => agent.active).length,
    deactivated_slaves: agents.filter((agent) => !agent.active).length,
    unreachable_slaves: state.unreachableAgents.size,
    ...(info.domain !== undefined && { domain: info.domain }),
    leader: info.pid,
    leader_info: {
      id: info.id,
      pid: info.pid,
      port: info.port,
      hostname: info.hostname,
      ...(info.domain !== undefined && { domain: info.domain }),
    },
    ...((options.showFlags ?? true) && flagFields(state)),
    slaves: agents.map((agent) => agentLegacy(state, agent)),
    recovered_slaves: recoveredSlaves(state),
    frameworks: [...state.frameworks.values()].filter(visible).map((framework) => frameworkLegacy(state, framework, viewer)),
    completed_frameworks: state.completedFrameworks.filter(visible).map((framework) => frameworkLegacy(state, framework, viewer)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

/** Task-state counts in the summary: Mesos prints these ten, in this order. */
const summaryStates: readonly TaskState[] = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_KILLED',
  'TASK_FAILED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_UNREACHABLE',
];

/** Every task a registered framework knows of: active, unreachable and completed. */
function frameworkAllTasks(framework: Framework): Task[] {
  return [...framework.tasks.values(), ...framework.unreachableTasks.values(), ...framework.completedTasks];
}

function stateCounts(tasks: readonly Task[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of summaryStates) counts[name] = 0;
  for (const task of tasks) if (counts[task.state] !== undefined) counts[task.state] = (counts[task.state] ?? 0) + 1;
  return counts;
}

/**
 * GET /master/state-summary: agents and frameworks with task counts and who
 * runs where. Frameworks the viewer may not view are left out of `frameworks`
 * (Mesos filters nothing else here).
 */
export function stateSummaryJson(state: MasterState, viewer: Viewer = everythingViewer): JsonObject {
  const tasksByAgent = new Map<string, Task[]>();
  const frameworksByAgent = new Map<string, Set<string>>();
  const agentsByFramework = new Map<string, Set<string>>();
  for (const framework of state.frameworks.values()) {
    const agentIds = new Set<string>();
    for (const task of frameworkAllTasks(framework)) {
      agentIds.add(task.agentId);
      const onAgent = tasksByAgent.get(task.agentId) ?? [];
      onAgent.push(task);
      tasksByAgent.set(task.agentId, onAgent);
      frameworksByAgent.set(task.agentId, (frameworksByAgent.get(task.agentId) ?? new Set<string>()).add(framework.id));
    }
    agentsByFramework.set(framework.id, agentIds);
  }
  return {
    hostname: state.info.hostname,
    ...(state.config.cluster !== undefined && { cluster: state.config.cluster }),
    slaves: [...state.agents.values()].map((agent) => ({
      ...agentLegacy(state, agent),
      ...stateCounts(tasksByAgent.get(agent.id) ?? []),
      framework_ids: [...(frameworksByAgent.get(agent.id) ?? [])],
    })),
    frameworks: [...state.frameworks.values()].filter((framework) => viewer.mayViewFramework(framework.info)).map((framework) => ({
      ...frameworkSummaryLegacy(state, framework),
      ...stateCounts(frameworkAllTasks(framework)),
      slave_ids: [...(agentsByFramework.get(framework.id) ?? [])],
    })),
  };
}

/** Mesos' IDAcceptor: no parameter accepts everything. */
function accepts(wanted: string | undefined, id: string): boolean {
  return wanted === undefined || wanted === id;
}

/** GET /master/frameworks[?framework_id=]: of the frameworks, tasks and executors the viewer may view. */
export function frameworksJson(state: MasterState, query: Query = {}, viewer: Viewer = everythingViewer): JsonObject {
  const selected = (framework: Framework): boolean => accepts(query['framework_id'], framework.id) && viewer.mayViewFramework(framework.info);
  return {
    frameworks: [...state.frameworks.values()].filter(selected).map((framework) => frameworkLegacy(state, framework, viewer)),
    completed_frameworks: state.completedFrameworks.filter(selected).map((framework) => frameworkLegacy(state, framework, viewer)),
    unregistered_frameworks: [],
  };
}

/** Agents the registry names that have not re-registered yet, as Mesos models their SlaveInfo (what the registry keeps of it). */
function recoveredSlaves(state: MasterState): JsonObject[] {
  return [...state.recoveredAgents].map(([id, agent]) => ({ id, hostname: agent.hostname, port: agent.port }));
}

/** GET /master/slaves[?slave_id=]: agents with their full resource lists. */
export function slavesJson(state: MasterState, query: Query = {}): JsonObject {
  return {
    slaves: [...state.agents.values()]
      .filter((agent) => accepts(query['slave_id'], agent.id))
      .map((agent) => agentLegacyFull(state, agent)),
    recovered_slaves: recoveredSlaves(state),
  };
}

/** Mesos reads limit and offset with numify<int> into a size_t: garbage means the default, negatives wrap. */
function sizeParameter(text: string | undefined, fallback: number): number {
  if (text === undefined || !/^\s*[-+]?\d+\s*$/.test(text)) return fallback;
  const value = Number.parseInt(text, 10);
  return value < 0 ? Number.POSITIVE_INFINITY : value;
}

/** The earliest status's time orders tasks; tasks without statuses sort first ascending, last descending. */
function firstStatusTime(task: Task): number | undefined {
  return task.statuses[0]?.timestamp;
}

function compareTasks(ascending: boolean): (a: Task, b: Task) => number {
  return (a, b) => {
    const left = firstStatusTime(a);
    const right = firstStatusTime(b);
    if (left === undefined || right === undefined) {
      if (left === right) return 0;
      return (left === undefined) === ascending ? -1 : 1;
    }
    return ascending ? left - right : right - left;
  };
}

/**
 * GET /master/tasks[?limit=100&offset=0&order=asc|desc&framework_id=&task_id=]:
 * of the frameworks and tasks the viewer may view, filtered before paging.
 */
export function tasksJson(state: MasterState, query: Query = {}, viewer: Viewer = everythingViewer): { tasks: JsonObject[] } {
  const limit = sizeParameter(query['limit'], tasksLimitDefault);
  const offset = sizeParameter(query['offset'], 0);
  const ascending = query['order'] === 'asc';
  const frameworks = [...state.frameworks.values(), ...state.completedFrameworks].filter(
    (framework) => accepts(query['framework_id'], framework.id) && viewer.mayViewFramework(framework.info),
  );
  const tasks = frameworks
    .flatMap((framework) => frameworkAllTasks(framework).filter((task) => viewer.mayViewTask(task, framework.info)))
    .filter((task) => accepts(query['task_id'], task.id))
    .sort(compareTasks(ascending));
  return { tasks: tasks.slice(offset, offset + limit).map(taskLegacy) };
}

/**
 * GET /master/roles, of the roles the viewer may view (--acls view_roles).
 * `quota` uses singular guarantee/limit, unlike QuotaConfig (Appendix C 13).
 */
export function rolesJson(state: MasterState, viewer: Viewer = everythingViewer): { roles: JsonObject[] } {
  const usage = roleUsage(state);
  const frameworks = roleFrameworks(state, usage);
  const roles = knownRoles(state, usage).filter((name) => viewer.mayViewRole(name)).map((name) => {
    const breakdown = roleBreakdown(state, usage, name);
    const quota = state.allocator.roles.quota(name);
    return {
      name,
      weight: roleWeight(state, name),
      quota: {
        role: name,
        guarantee: fixedQuantitiesObject(quota.guarantees),
        limit: fixedQuantitiesObject(quota.limits),
        consumed: quantitiesObject(breakdown.consumed),
      },
      resources: quantitiesObject(breakdown.allocated.plus(breakdown.offered)),
      allocated: quantitiesObject(breakdown.allocated),
      offered: quantitiesObject(breakdown.offered),
      reserved: quantitiesObject(breakdown.reserved),
      frameworks: frameworks.get(name) ?? [],
    };
  });
  return { roles };
}

/** GET /master/flags. */
export function flagsJson(state: MasterState): { flags: Record<string, string> } {
  return { flags: flagsObject(state) };
}

/** GET /master/weights: a bare list of WeightInfo, of the roles the viewer may view. */
export function weightsJson(state: MasterState, viewer: Viewer = everythingViewer): { role: string; weight: number }[] {
  return [...state.allocator.weights.keys()]
    .filter((role) => viewer.mayViewRole(role))
    .sort()
    .map((role) => ({ role, weight: roleWeight(state, role) }));
}

/** GET /master/quota: the QuotaStatus itself, as GET_QUOTA's `status`, of the roles `viewer` may see (get_quotas). */
export function quotaJson(state: MasterState, viewer: Viewer = everythingViewer): V1QuotaStatus {
  return quotaStatus(state, (role) => viewer.mayViewQuota(role));
}
