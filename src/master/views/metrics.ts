/**
 * The master's /metrics/snapshot (and GET_METRICS) as a flat name-to-number
 * map (spec/core.md 8). Gauges are computed from the state; counters are the
 * ones the core keeps in `state.counters` (already under their Mesos names),
 * listed at zero until they first count, as Mesos registers them at start-up.
 * What only the shell can measure (allocation run timings, event queue sizes,
 * registrar timings) arrives in `extra` and wins over anything computed here.
 */
import type { TaskState } from '../../protocol/mesos.js';
import { fromFixed, toFixed, type Resources } from '../../resources/index.js';
import type { MasterState } from '../core/state.js';
import { allocatorMetrics } from './metrics-allocator.js';
import { frameworkMetrics } from './metrics-frameworks.js';
import { agentTasks, agentUsed } from './usage.js';

/** Resource names with master/<r>_total, _used and _percent gauges. */
const gaugedResourceNames = ['cpus', 'mem', 'disk', 'gpus'] as const;

/** Counters of spec/core.md 8 (Mesos master/metrics.cpp), reported at zero before they first count. */
const masterCounterNames: readonly string[] = [
  ...['finished', 'failed', 'killed', 'lost', 'error', 'dropped', 'gone', 'gone_by_operator'].map((s) => `master/tasks_${s}`),
  'master/slave_registrations',
  'master/slave_reregistrations',
  'master/slave_removals',
  'master/slave_removals/reason_unhealthy',
  'master/slave_removals/reason_unregistered',
  'master/slave_removals/reason_registered',
  'master/slave_unreachable_scheduled',
  'master/slave_unreachable_completed',
  'master/slave_unreachable_canceled',
  'master/recovery_slave_removals',
  ...[
    'register_framework',
    'reregister_framework',
    'unregister_framework',
    'deactivate_framework',
    'kill_task',
    'status_update',
    'status_update_acknowledgement',
    'launch_tasks',
    'decline_offers',
    'revive_offers',
    'suppress_offers',
    'reconcile_tasks',
    'framework_to_executor',
    'executor_to_framework',
    'exited_executor',
    'register_slave',
    'reregister_slave',
    'unregister_slave',
    'update_slave',
    'resource_request',
    'authenticate',
  ].map((message) => `master/messages_${message}`),
  ...['status_updates', 'status_update_acknowledgements', 'framework_to_executor_messages', 'executor_to_framework_messages'].flatMap(
    (what) => [`master/valid_${what}`, `master/invalid_${what}`],
  ),
  'master/dropped_messages',
];

/** Non-revocable and revocable gauges, by name suffix. */
const resourceKinds = [
  ['', (resources: Resources): Resources => resources.nonRevocable()],
  ['_revocable', (resources: Resources): Resources => resources.revocable()],
] as const;

/** Task-state gauges: tasks on registered agents in these states. */
const gaugedTaskStates: readonly TaskState[] = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'];

function count<T>(items: Iterable<T>, predicate: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (predicate(item)) n++;
  return n;
}

function clusterGauges(state: MasterState, nowMs: number, metrics: Map<string, number>): void {
  const agents = [...state.agents.values()];
  const frameworks = [...state.frameworks.values()];
  // Views are built from the leader's state: a standby has none to show.
  metrics.set('master/elected', state.electedTimeMs !== undefined ? 1 : 0);
  metrics.set('master/uptime_secs', (nowMs - state.startTimeMs) / 1000);
  metrics.set('master/slaves_active', count(agents, (a) => a.active));
  metrics.set('master/slaves_inactive', count(agents, (a) => !a.active));
  metrics.set('master/slaves_connected', count(agents, (a) => a.link !== undefined));
  metrics.set('master/slaves_disconnected', count(agents, (a) => a.link === undefined));
  metrics.set('master/slaves_unreachable', state.unreachableAgents.size);
  metrics.set('master/frameworks_active', count(frameworks, (f) => f.active));
  metrics.set('master/frameworks_inactive', count(frameworks, (f) => !f.active));
  metrics.set('master/frameworks_connected', count(frameworks, (f) => f.connection !== undefined));
  metrics.set('master/frameworks_disconnected', count(frameworks, (f) => f.connection === undefined));
  metrics.set('master/outstanding_offers', state.offers.size);
  metrics.set('master/operator_event_stream_subscribers', state.operatorSubscribers.size);
  for (const queue of ['messages', 'dispatches', 'http_requests']) metrics.set(`master/event_queue_${queue}`, 0);
}

/**
 * Mesos' _resources_*: totals over registered agents, used over what their
 * frameworks hold on each (summed per agent so a shared volume counts once).
 * Sums are fixed point so that many agents add up without drift.
 */
function resourceGauges(state: MasterState, metrics: Map<string, number>): void {
  const sums = new Map<string, number>();
  const add = (name: string, value: number): void => {
    sums.set(name, (sums.get(name) ?? 0) + toFixed(value));
  };
  for (const agent of state.agents.values()) {
    const used = agentUsed(state, agent);
    for (const [suffix, select] of resourceKinds) {
      for (const name of gaugedResourceNames) {
        add(`master/${name}${suffix}_total`, select(agent.totalResources).scalarValue(name));
        add(`master/${name}${suffix}_used`, select(used).scalarValue(name));
      }
    }
  }
  for (const [suffix] of resourceKinds) {
    for (const name of gaugedResourceNames) {
      const total = fromFixed(sums.get(`master/${name}${suffix}_total`) ?? 0);
      const used = fromFixed(sums.get(`master/${name}${suffix}_used`) ?? 0);
      metrics.set(`master/${name}${suffix}_total`, total);
      metrics.set(`master/${name}${suffix}_used`, used);
      metrics.set(`master/${name}${suffix}_percent`, total === 0 ? 0 : used / total);
    }
  }
}

function taskGauges(state: MasterState, metrics: Map<string, number>): void {
  const counts = new Map<TaskState, number>(gaugedTaskStates.map((s) => [s, 0]));
  for (const agent of state.agents.values()) {
    for (const task of agentTasks(state, agent)) {
      const current = counts.get(task.state);
      if (current !== undefined) counts.set(task.state, current + 1);
    }
  }
  for (const [taskState, n] of counts) metrics.set(`master/tasks_${taskState.slice('TASK_'.length).toLowerCase()}`, n);
  let unreachable = 0;
  for (const framework of state.frameworks.values()) {
    unreachable += count(framework.unreachableTasks.values(), (task) => task.state === 'TASK_UNREACHABLE');
  }
  metrics.set('master/tasks_unreachable', unreachable);
}

/**
 * Every master and allocator metric berth can compute, plus `extra` from the
 * shell. `nowMs` is the time of the snapshot (for uptime).
 */
export function masterMetrics(
  state: MasterState,
  nowMs: number,
  extra: Readonly<Record<string, number>> = {},
): Record<string, number> {
  const metrics = new Map<string, number>();
  clusterGauges(state, nowMs, metrics);
  resourceGauges(state, metrics);
  taskGauges(state, metrics);
  for (const name of masterCounterNames) metrics.set(name, 0);
  for (const [name, value] of allocatorMetrics(state)) metrics.set(name, value);
  for (const [name, value] of state.counters.entries()) metrics.set(name, value);
  for (const framework of state.frameworks.values()) {
    for (const [name, value] of frameworkMetrics(framework)) metrics.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) metrics.set(name, value);
  const snapshot: Record<string, number> = {};
  for (const name of [...metrics.keys()].sort()) snapshot[name] = metrics.get(name) ?? 0;
  return snapshot;
}

/** GET_METRICS payload: the snapshot as a list of {name, value}. */
export function getMetrics(snapshot: Readonly<Record<string, number>>): { metrics: { name: string; value: number }[] } {
  return { metrics: Object.entries(snapshot).map(([name, value]) => ({ name, value })) };
}
