/**
 * Frameworks, executors and tasks in the agent's /state, shaped as Mesos'
 * agent writes them (slave/http.cpp): each framework with its executors and
 * completed executors; each executor with its queued, running and completed
 * tasks (a task ended but not yet acknowledged counts as running, as in Mesos).
 */
import { fromWireList, legacyResourceObject, Resources } from '../../resources/index.js';
import type { AgentExecutor, AgentFramework, AgentTask, Json } from '../core/model.js';
import type { AgentState } from '../core/state.js';

export function frameworksJson(state: AgentState): { frameworks: Json[]; completed_frameworks: Json[] } {
  return {
    frameworks: [...state.frameworks.values()].map((framework) => frameworkJson(state, framework)),
    completed_frameworks: state.completedFrameworks.map((framework) => frameworkJson(state, framework)),
  };
}

function frameworkJson(state: AgentState, framework: AgentFramework): Json {
  const info = framework.info;
  const roles = (info['roles'] as string[] | undefined) ?? [];
  return {
    id: framework.id,
    name: info['name'] ?? '',
    user: info['user'] ?? '',
    failover_timeout: info['failover_timeout'] ?? 0,
    checkpoint: info['checkpoint'] === true,
    hostname: info['hostname'] ?? state.config.info.hostname,
    role: info['role'] ?? roles[0] ?? '*',
    roles,
    capabilities: ((info['capabilities'] as { type?: string }[] | undefined) ?? []).map((c) => c.type),
    // Placeholders for updates about tasks the agent never ran are not executors.
    executors: [...framework.executors.values()].filter((executor) => !executor.stray).map((executor) => executorJson(state, executor)),
    completed_executors: framework.completedExecutors.map((executor) => executorJson(state, executor)),
  };
}

function executorJson(state: AgentState, executor: AgentExecutor): Json {
  const info = executor.info;
  return {
    id: executor.id,
    name: info['name'] ?? '',
    source: info['source'] ?? '',
    container: executor.containerId,
    directory: executor.directory,
    resources: legacyResources(info['resources']),
    type: executor.kind === 'command' ? 'COMMAND' : 'CUSTOM',
    ...(info['labels'] !== undefined ? { labels: info['labels'] } : {}),
    tasks: [...executor.launchedTasks.values(), ...executor.terminatedTasks.values()].map((task) => taskJson(state, task)),
    queued_tasks: [...executor.queuedTasks.values()].map((task) => taskJson(state, task)),
    completed_tasks: executor.completedTasks.map((task) => taskJson(state, task)),
  };
}

function taskJson(state: AgentState, task: AgentTask): Json {
  const info = task.info;
  return {
    id: (info['task_id'] as { value?: string } | undefined)?.value ?? '',
    name: info['name'] ?? '',
    framework_id: task.frameworkId,
    executor_id: task.executorId,
    slave_id: state.agentId ?? '',
    state: task.state,
    resources: legacyResources(info['resources']),
    statuses: task.statuses,
    ...(info['labels'] !== undefined ? { labels: info['labels'] } : {}),
    ...(info['discovery'] !== undefined ? { discovery: info['discovery'] } : {}),
    ...(info['health_check'] !== undefined ? { health_check: info['health_check'] } : {}),
  };
}

/** Resources in the legacy object form (`{"cpus": 1, "mem": 128, ...}`) that Mesos' endpoints use. */
function legacyResources(wire: unknown): Record<string, number | string> {
  const parsed = fromWireList((wire as never[] | undefined) ?? []);
  return legacyResourceObject(parsed.ok ? Resources.of(parsed.value) : Resources.empty());
}
