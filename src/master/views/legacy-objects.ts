/**
 * The objects of Mesos' legacy JSON endpoints (spec/core.md 6.4; Mesos'
 * readonly_handler.cpp writers and common/http.cpp json()): agents keep the
 * `slave` names, ids are plain strings, times are seconds, and resources are
 * summary objects `{"cpus": 2, "mem": 1024, "disk": 0, "gpus": 0, "ports": "[31000-32000]"}`.
 */
import type { z } from 'zod';
import { formatRanges, formatSet, legacyResourceObject, Resources } from '../../resources/index.js';
import type { ExecutorInfo, TaskStatus } from '../../protocol/mesos.js';
import type { WireAttribute, WireTaskStatus } from '../../protocol/outputs.js';
import type { Agent, Framework, MasterState, Offer, Task } from '../core/state.js';
import { everythingViewer, type Viewer } from '../core/operator/viewer.js';
import { endpointList, jsonDouble, labelList, seconds, type JsonObject } from './json.js';
import { agentDeactivated, agentDrainInfo, agentPid, estimatedDrainStartMs } from './v1.js';
import { agentOffered, agentUsed, executorResources, frameworkOffered, frameworkUsed, taskRole } from './usage.js';

type WireExecutorInfo = z.output<typeof ExecutorInfo>;
type WireContainerStatus = NonNullable<z.output<typeof TaskStatus>['container_status']>;

/** /state's drain fields: drain_info, and the start in seconds (a double). */
function legacyDrain(state: MasterState, agent: Agent): object {
  const drainInfo = agentDrainInfo(state, agent);
  const startMs = estimatedDrainStartMs(state, agent);
  return { ...(drainInfo !== undefined && { drain_info: drainInfo }), ...(startMs !== undefined && { estimated_drain_start_time_seconds: startMs / 1000 }) };
}

/** Mesos' json(Attributes): name to value, ranges and sets printed as text. */
export function attributesObject(attributes: readonly WireAttribute[]): Record<string, number | string> {
  const object: Record<string, number | string> = {};
  for (const attribute of attributes) {
    switch (attribute.type) {
      case 'SCALAR':
        object[attribute.name] = attribute.scalar?.value ?? 0;
        break;
      case 'RANGES':
        object[attribute.name] = formatRanges(attribute.ranges?.range ?? []);
        break;
      case 'SET':
        object[attribute.name] = formatSet(attribute.set?.item ?? []);
        break;
      case 'TEXT':
        object[attribute.name] = attribute.text?.value ?? '';
        break;
    }
  }
  return object;
}

/** Role name to summary object, roles in name order. */
function reservationObjects(resources: Resources): Record<string, Record<string, number | string>> {
  const reservations = resources.reservations();
  const object: Record<string, Record<string, number | string>> = {};
  for (const role of [...reservations.keys()].sort()) object[role] = legacyResourceObject(reservations.get(role) ?? Resources.empty());
  return object;
}

/** Mesos' SlaveWriter: the agent as /master/state and /master/state-summary list it. */
export function agentLegacy(state: MasterState, agent: Agent): JsonObject {
  return {
    id: agent.id,
    hostname: agent.hostname,
    port: agent.port,
    attributes: attributesObject(agent.attributes),
    ...(agent.domain !== undefined && { domain: agent.domain }),
    pid: agentPid(agent),
    registered_time: seconds(agent.registeredTimeMs),
    ...(agent.reregisteredTimeMs !== undefined && { reregistered_time: seconds(agent.reregisteredTimeMs) }),
    resources: legacyResourceObject(agent.totalResources),
    used_resources: legacyResourceObject(agentUsed(state, agent)),
    offered_resources: legacyResourceObject(agentOffered(state, agent)),
    reserved_resources: reservationObjects(agent.totalResources),
    unreserved_resources: legacyResourceObject(agent.totalResources.unreserved()),
    active: agent.active,
    deactivated: agentDeactivated(state, agent),
    version: agent.version,
    capabilities: [...agent.capabilities],
    ...legacyDrain(state, agent),
  };
}

/**
 * /master/slaves adds full resource lists in endpoint format, so that operators
 * can copy reservations and volumes into /master/unreserve and /destroy-volumes.
 */
export function agentLegacyFull(state: MasterState, agent: Agent): JsonObject {
  const reservations = agent.totalResources.reservations();
  const reservedFull: Record<string, JsonObject[]> = {};
  for (const role of [...reservations.keys()].sort()) reservedFull[role] = endpointList(reservations.get(role) ?? Resources.empty());
  return {
    ...agentLegacy(state, agent),
    reserved_resources_full: reservedFull,
    unreserved_resources_full: endpointList(agent.totalResources.unreserved()),
    used_resources_full: endpointList(agentUsed(state, agent)),
    offered_resources_full: endpointList(agentOffered(state, agent)),
  };
}

function containerStatusLegacy(status: WireContainerStatus): JsonObject {
  const networkInfos = status['network_infos'];
  return {
    ...(status['container_id'] !== undefined && { container_id: status['container_id'] }),
    ...(Array.isArray(networkInfos) &&
      networkInfos.length > 0 && {
        network_infos: networkInfos.map((info: JsonObject) =>
          info['labels'] === undefined ? info : { ...info, labels: labelList(info['labels']) },
        ),
      }),
    ...(status['cgroup_info'] !== undefined && { cgroup_info: status['cgroup_info'] }),
  };
}

/** Mesos' json(TaskStatus): only state, timestamp and the fields tools display. */
export function statusLegacy(status: WireTaskStatus): JsonObject {
  return {
    state: status.state,
    timestamp: status.timestamp,
    ...(status.labels !== undefined && { labels: labelList(status.labels) }),
    ...(status.container_status !== undefined && {
      container_status: containerStatusLegacy(status.container_status as WireContainerStatus),
    }),
    ...(status.healthy !== undefined && { healthy: status.healthy }),
  };
}

function limitsLegacy(limits: unknown): Record<string, number | string> | undefined {
  if (limits === null || typeof limits !== 'object') return undefined;
  const out: Record<string, number | string> = {};
  for (const [name, scalar] of Object.entries(limits as Record<string, { value?: unknown }>)) {
    if (typeof scalar.value === 'number') out[name] = jsonDouble(scalar.value);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Mesos' json(Task). `executor_id` is "" for command tasks; `role` is the allocation role. */
export function taskLegacy(task: Task): JsonObject {
  const info = task.info;
  const limits = limitsLegacy(info['limits']);
  return {
    id: task.id,
    name: task.name,
    framework_id: task.frameworkId,
    executor_id: task.executorId ?? '',
    slave_id: task.agentId,
    state: task.state,
    resources: legacyResourceObject(task.resources),
    ...(limits !== undefined && { limits }),
    role: taskRole(task) ?? '*',
    statuses: task.statuses.map(statusLegacy),
    ...(task.user !== undefined && { user: task.user }),
    ...(info['labels'] !== undefined && { labels: labelList(info['labels']) }),
    ...(info['discovery'] !== undefined && { discovery: info['discovery'] }),
    ...(info['container'] !== undefined && { container: info['container'] }),
    ...(info['health_check'] !== undefined && { health_check: info['health_check'] }),
  };
}

/** Mesos' json(Offer). */
export function offerLegacy(offer: Offer): JsonObject {
  return {
    id: offer.id,
    framework_id: offer.frameworkId,
    allocation_info: { role: offer.role },
    slave_id: offer.agentId,
    resources: legacyResourceObject(offer.resources),
  };
}

function commandLegacy(command: NonNullable<WireExecutorInfo['command']>): JsonObject {
  return {
    ...(command.shell !== undefined && { shell: command.shell }),
    ...(command.value !== undefined && { value: command.value }),
    argv: command.arguments ?? [],
    ...(command.environment !== undefined && { environment: command.environment }),
    uris: (command.uris ?? []).map((uri) => ({ value: uri.value, executable: uri.executable ?? false })),
  };
}

/** Mesos' json(ExecutorInfo) plus the agent it runs on. */
export function executorLegacy(framework: Framework, agentId: string, stored: object): JsonObject {
  const info = stored as WireExecutorInfo;
  const resources = executorResources(info);
  return {
    executor_id: info.executor_id.value,
    name: info.name ?? '',
    framework_id: info.framework_id?.value ?? framework.id,
    command: commandLegacy(info.command ?? {}),
    resources: legacyResourceObject(resources),
    ...(!resources.isEmpty() && { role: resources.entries[0]?.resource.allocation_info?.role ?? '' }),
    ...(info.labels !== undefined && { labels: labelList(info.labels) }),
    ...(info.type !== undefined && { type: info.type }),
    slave_id: agentId,
  };
}

function capabilityNames(framework: Framework): string[] {
  const names: string[] = [];
  for (const capability of framework.info.capabilities ?? []) if (capability.type !== undefined) names.push(capability.type);
  return names;
}

/** Mesos' Summary<Framework>; `pid` is left out, as for every HTTP framework. */
export function frameworkSummaryLegacy(state: MasterState, framework: Framework): JsonObject {
  return {
    id: framework.id,
    name: framework.info.name,
    used_resources: legacyResourceObject(frameworkUsed(framework)),
    offered_resources: legacyResourceObject(frameworkOffered(state, framework)),
    capabilities: capabilityNames(framework),
    hostname: framework.info.hostname ?? '',
    webui_url: framework.info.webui_url ?? '',
    active: framework.active,
    connected: framework.connection !== undefined,
    recovered: framework.recovered,
  };
}

/** The framework's tasks of one kind that the viewer may view (--acls view_tasks). */
function visibleTasksLegacy(viewer: Viewer, framework: Framework, tasks: Iterable<Task>): JsonObject[] {
  const out: JsonObject[] = [];
  for (const task of tasks) if (viewer.mayViewTask(task, framework.info)) out.push(taskLegacy(task));
  return out;
}

/**
 * Mesos' FullFrameworkWriter: the summary plus settings, tasks, offers and
 * executors; of tasks and executors only those the viewer may view.
 */
export function frameworkLegacy(state: MasterState, framework: Framework, viewer: Viewer = everythingViewer): JsonObject {
  const info = framework.info;
  const reregisteredMs = framework.reregisteredTimeMs;
  const offers: JsonObject[] = [];
  for (const offerId of framework.offers) {
    const offer = state.offers.get(offerId);
    if (offer !== undefined) offers.push(offerLegacy(offer));
  }
  const executors: JsonObject[] = [];
  for (const [agentId, byId] of framework.executors) {
    for (const stored of byId.values()) {
      if (viewer.mayViewExecutor(stored, info)) executors.push(executorLegacy(framework, agentId, stored));
    }
  }
  return {
    ...frameworkSummaryLegacy(state, framework),
    user: info.user,
    failover_timeout: info.failover_timeout ?? 0,
    checkpoint: info.checkpoint ?? false,
    registered_time: seconds(framework.registeredTimeMs),
    unregistered_time: seconds(framework.unregisteredTimeMs ?? 0),
    ...(info.principal !== undefined && { principal: info.principal }),
    resources: legacyResourceObject(frameworkUsed(framework).plus(frameworkOffered(state, framework))),
    ...(reregisteredMs !== undefined && reregisteredMs !== framework.registeredTimeMs && { reregistered_time: seconds(reregisteredMs) }),
    ...(framework.capabilities.has('MULTI_ROLE') ? { roles: info.roles ?? [] } : { role: info.role ?? '*' }),
    tasks: visibleTasksLegacy(viewer, framework, framework.tasks.values()),
    unreachable_tasks: visibleTasksLegacy(viewer, framework, framework.unreachableTasks.values()),
    completed_tasks: visibleTasksLegacy(viewer, framework, framework.completedTasks),
    offers,
    executors,
    ...(info.labels !== undefined && { labels: labelList(info.labels) }),
    offer_constraints: framework.offerConstraints ?? {},
  };
}
