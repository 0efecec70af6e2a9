/**
 * What the isolation benchmarks (cpu-shares.ts, disk-quota-detection.ts)
 * share: a framework's view of its tasks' status updates, each stamped with
 * its arrival on the wall clock (to compare with times a task or the agent
 * wrote) and acknowledged at once; the next offer that holds what a step
 * needs; resource builders; reading an agent's JSON endpoints.
 */
import { TERMINAL_TASK_STATES, type TaskState } from '../src/protocol/mesos.js';
import type { WireOffer, WireTaskStatus } from '../src/protocol/outputs.js';
import type { SchedulerSession } from '../src/sdk/index.js';

/** Longest wait for any one offer or status update: a stuck run fails instead of hanging. */
export const eventTimeoutMs = 30_000;

export interface Arrival {
  readonly status: WireTaskStatus;
  /**
   * When the framework received it: Date.now(), the wall clock that `date`
   * in a task and the agent's log read (performance.timeOrigin + now() would
   * drift from it by however much the clock was slewed since this process
   * started, which in a long `npm run bench` may be more than a millisecond).
   */
  readonly atMs: number;
}

/** Every status update of the framework's tasks, by task, stamped on arrival and acknowledged. */
export class TaskWatch {
  private readonly arrivals = new Map<string, Arrival[]>();
  private readonly waiters = new Set<() => void>();

  constructor(session: SchedulerSession) {
    session.on('UPDATE', (event) => {
      const arrival: Arrival = { status: event.update.status, atMs: Date.now() };
      const taskId = arrival.status.task_id.value;
      const list = this.arrivals.get(taskId) ?? [];
      list.push(arrival);
      this.arrivals.set(taskId, list);
      void session.acknowledgeStatus(arrival.status).catch(() => undefined);
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  /**
   * The first update of `taskId` in `state`; rejects if the task ends in
   * another state, or nothing comes within `timeoutMs`.
   */
  until(taskId: string, state: TaskState, timeoutMs = eventTimeoutMs): Promise<Arrival> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (const arrival of this.arrivals.get(taskId) ?? []) {
          if (arrival.status.state === state) {
            resolve(arrival);
            return true;
          }
          if (TERMINAL_TASK_STATES.has(arrival.status.state)) {
            reject(new Error(`task ${taskId} ended ${arrival.status.state} (${arrival.status.reason ?? ''}: ${arrival.status.message ?? ''}) while waiting for ${state}`));
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`task ${taskId} did not reach ${state} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }
}

/** The next offer that `holds` accepts; others are declined at once (without a filter). */
export async function offerWith(session: SchedulerSession, holds: (offer: WireOffer) => boolean): Promise<WireOffer> {
  const deadlineMs = performance.now() + eventTimeoutMs;
  for (;;) {
    const event = await session.nextEvent('OFFERS', Math.max(1, deadlineMs - performance.now()));
    const wanted = event.offers.offers.find(holds);
    const others = event.offers.offers.filter((offer) => offer !== wanted).map((offer) => offer.id);
    if (others.length > 0) await session.decline(others, { refuse_seconds: 0 });
    if (wanted !== undefined) return wanted;
  }
}

export function scalar(name: string, value: number): Record<string, unknown> {
  return { name, type: 'SCALAR', scalar: { value } };
}

export async function fetchJson<T>(url: string): Promise<T> {
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(`GET ${url} answered ${answer.status}`);
  return (await answer.json()) as T;
}

/** One /monitor/statistics entry, the fields the benchmarks read. */
export interface StatisticsEntry {
  readonly executor_id: string;
  readonly statistics: {
    readonly timestamp: number;
    readonly cpus_user_time_secs: number;
    readonly cpus_system_time_secs: number;
    readonly disk_used_bytes?: number;
    readonly disk_statistics?: readonly { readonly used_bytes?: number; readonly persistence?: { readonly id: string } }[];
  };
}

export function monitorStatistics(agentUrl: string): Promise<StatisticsEntry[]> {
  return fetchJson<StatisticsEntry[]>(`${agentUrl}/monitor/statistics`);
}

interface StateExecutor {
  readonly id: string;
  readonly directory: string;
  readonly container: string;
}

interface StateFramework {
  readonly id: string;
  readonly executors: readonly StateExecutor[];
}

/** A running executor of the framework, as the agent's /state shows it (sandbox directory, container id). */
export async function agentExecutor(agentUrl: string, frameworkId: string, executorId: string): Promise<StateExecutor> {
  const state = await fetchJson<{ frameworks: readonly StateFramework[] }>(`${agentUrl}/state`);
  const found = state.frameworks.find((framework) => framework.id === frameworkId)?.executors.find((executor) => executor.id === executorId);
  if (found === undefined) throw new Error(`the agent runs no executor ${executorId} of framework ${frameworkId}`);
  return found;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
