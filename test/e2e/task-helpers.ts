/**
 * Helpers shared by the tasks-*.test.ts files: one master and one agent per
 * file (started in beforeAll, every framework of a test closed after it),
 * TaskInfo builders for command tasks, launching on an offer, reading the
 * status updates of one task, and reading files of a task's sandbox through
 * the agent's /files endpoints.
 *
 * As in helpers.ts, nothing here hides an assertion: helpers build, send,
 * fetch and wait; the tests assert.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TERMINAL_TASK_STATES, type FrameworkInfo, type OfferOperation, type TaskState } from '../../src/protocol/mesos.js';
import type { WireOffer, WireTaskStatus } from '../../src/protocol/outputs.js';
import type { SchedulerEvent } from '../../src/protocol/scheduler.js';
import { createHttpTransport, type SchedulerSession } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, stopAll, waitFor, type ProcessHandle } from '../support/cluster.js';
import { rawRequest, type RawResponse } from '../support/http.js';
import { agentResources, fastMasterFlags, legacyFrameworks, subscribeFramework, waitForActiveAgents } from './helpers.js';

/** Terminal states (spec/core.md 3.1). */
export const terminalStates: ReadonlySet<TaskState> = TERMINAL_TASK_STATES;

/** Agent flags for task tests: registering fast, shutting executors down within a second. */
export const taskAgentFlags: readonly string[] = [
  '--registration_backoff_factor=10ms',
  `--resources=${agentResources}`,
  '--executor_shutdown_grace_period=1secs',
];

export interface TaskCluster {
  readonly master: ProcessHandle;
  readonly agent: ProcessHandle;
  readonly agentId: string;
  /** Subscribes a framework; it is closed (and so removed, failover_timeout 0) after the test. */
  open(info: FrameworkInfo): Promise<SchedulerSession>;
}

export interface TaskClusterOptions {
  readonly masterFlags?: readonly string[];
  /** Added to taskAgentFlags (a flag given here wins). */
  readonly agentFlags?: readonly string[];
}

/**
 * One master and one agent for the calling file, started in beforeAll and
 * stopped in afterAll; after each test its frameworks are closed and the test
 * waits until the master has removed them (their tasks' resources are back).
 */
export function useTaskCluster(options: TaskClusterOptions = {}): TaskCluster {
  const transport = createHttpTransport();
  const sessions: SchedulerSession[] = [];
  let master: ProcessHandle | undefined;
  let agent: ProcessHandle | undefined;
  let agentId = '';

  beforeAll(async () => {
    master = await startMaster({ flags: options.masterFlags ?? fastMasterFlags });
    agent = await startAgent(master.url, { flags: mergeFlags(taskAgentFlags, options.agentFlags ?? []) });
    const agents = await waitForActiveAgents(master.url, 1);
    agentId = agents[0]?.id ?? '';
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.close()));
    if (master === undefined) return;
    const url = master.url;
    await waitFor(async () => (await legacyFrameworks(url)).frameworks.length === 0, {
      message: 'every framework of the test to be removed',
    });
  });

  afterAll(async () => {
    await transport.close();
    await stopAll();
  });

  return {
    get master() {
      if (master === undefined) throw new Error('the master is started in beforeAll');
      return master;
    },
    get agent() {
      if (agent === undefined) throw new Error('the agent is started in beforeAll');
      return agent;
    },
    get agentId() {
      return agentId;
    },
    async open(info: FrameworkInfo) {
      if (master === undefined) throw new Error('the master is started in beforeAll');
      const session = await subscribeFramework(master.url, info, { transport });
      sessions.push(session);
      return session;
    },
  };
}

function mergeFlags(base: readonly string[], extra: readonly string[]): string[] {
  const name = (flag: string): string => flag.split('=')[0] ?? flag;
  const overridden = new Set(extra.map(name));
  return [...base.filter((flag) => !overridden.has(name(flag))), ...extra];
}

/** A framework that runs its tasks as `user` (the agent runs as root and switches users). */
export function taskFramework(user: 'root' | 'nobody', overrides: Partial<FrameworkInfo> = {}): FrameworkInfo {
  return { user, name: 'tasks-e2e', ...overrides };
}

export function scalar(name: string, value: number): Record<string, unknown> {
  return { name, type: 'SCALAR', scalar: { value } };
}

export function portRange(begin: number, end: number): Record<string, unknown> {
  return { name: 'ports', type: 'RANGES', ranges: { range: [{ begin, end }] } };
}

/** The small resources most tasks ask for: 0.1 cpus, 32 MB. */
export function smallResources(): Record<string, unknown>[] {
  return [scalar('cpus', 0.1), scalar('mem', 32)];
}

export type TaskInfoJson = Record<string, unknown>;

/**
 * A command task on the offer's agent: `command` is a shell command, or a
 * whole CommandInfo; `extra` adds or replaces TaskInfo fields.
 */
export function commandTask(offer: WireOffer, taskId: string, command: string | Record<string, unknown>, extra: TaskInfoJson = {}): TaskInfoJson {
  return {
    name: `task ${taskId}`,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    resources: smallResources(),
    command: typeof command === 'string' ? { value: command } : command,
    ...extra,
  };
}

export function launchOperation(tasks: readonly TaskInfoJson[]): OfferOperation {
  return { type: 'LAUNCH', launch: { task_infos: tasks } } as unknown as OfferOperation;
}

/** The first offer of the next OFFERS event. */
export async function nextOffer(session: SchedulerSession, timeoutMs = 10_000): Promise<WireOffer> {
  const event = await session.nextEvent('OFFERS', timeoutMs);
  const offer = event.offers.offers[0];
  if (offer === undefined) throw new Error('an OFFERS event without offers');
  return offer;
}

/** ACCEPTs `offer` with one LAUNCH of `tasks`; answers the HTTP status (202). */
export async function launch(session: SchedulerSession, offer: WireOffer, tasks: readonly TaskInfoJson[], refuseSeconds?: number): Promise<number> {
  const answer = await session.accept([offer.id], [launchOperation(tasks)], refuseSeconds === undefined ? undefined : { refuse_seconds: refuseSeconds });
  return answer.status;
}

function isUpdateFor(taskId: string) {
  return (event: SchedulerEvent): event is Extract<SchedulerEvent, { type: 'UPDATE' }> =>
    event.type === 'UPDATE' && event.update.status.task_id.value === taskId;
}

/** The next UPDATE of `taskId` (not acknowledged). */
export async function nextUpdate(session: SchedulerSession, taskId: string, timeoutMs = 15_000): Promise<WireTaskStatus> {
  const event = await session.nextEvent(isUpdateFor(taskId), timeoutMs);
  return event.update.status;
}

/** The next UPDATE of `taskId`, acknowledged if it carries a uuid. */
export async function nextUpdateAcked(session: SchedulerSession, taskId: string, timeoutMs = 15_000): Promise<WireTaskStatus> {
  const status = await nextUpdate(session, taskId, timeoutMs);
  await session.acknowledgeStatus(status);
  return status;
}

/**
 * Acknowledges each update of `taskId` until one in `until` (default: any
 * terminal state) arrives; returns every update seen, that one last.
 */
export async function updatesUntil(
  session: SchedulerSession,
  taskId: string,
  until: (status: WireTaskStatus) => boolean = (status) => terminalStates.has(status.state),
  timeoutMs = 20_000,
): Promise<WireTaskStatus[]> {
  const seen: WireTaskStatus[] = [];
  const deadlineMs = Date.now() + timeoutMs;
  for (;;) {
    const status = await nextUpdateAcked(session, taskId, Math.max(1, deadlineMs - Date.now()));
    seen.push(status);
    if (until(status)) return seen;
  }
}

/** Acknowledges the updates of `taskId` before its terminal one, which it returns unacknowledged (a drain waits for that acknowledgement). */
export async function terminalUnacknowledged(session: SchedulerSession, taskId: string, timeoutMs = 15_000): Promise<WireTaskStatus> {
  for (;;) {
    const status = await nextUpdate(session, taskId, timeoutMs);
    if (terminalStates.has(status.state)) return status;
    await session.acknowledgeStatus(status);
  }
}

/** Acknowledges updates of `taskId` until it reports `state`; returns that update. */
export async function untilState(session: SchedulerSession, taskId: string, state: TaskState, timeoutMs = 20_000): Promise<WireTaskStatus> {
  const seen = await updatesUntil(session, taskId, (status) => status.state === state || terminalStates.has(status.state), timeoutMs);
  const last = seen[seen.length - 1] as WireTaskStatus;
  if (last.state !== state) throw new Error(`task ${taskId} reached ${last.state} (${last.message ?? ''}) while waiting for ${state}`);
  return last;
}

/** The sandbox of a command task as /files names it (executor id = task id). */
export function sandboxPath(frameworkId: string, taskId: string): string {
  return `/frameworks/${frameworkId}/executors/${taskId}/runs/latest`;
}

export async function filesGet(agentUrl: string, endpoint: 'read' | 'browse' | 'download', query: Record<string, string | number>): Promise<RawResponse> {
  const search = new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]));
  return rawRequest(`${agentUrl}/files/${endpoint}?${search.toString()}`);
}

/** A whole (small) sandbox file, read through /files/read from offset 0. */
export async function readSandboxFile(agentUrl: string, frameworkId: string, taskId: string, name: string): Promise<string> {
  const answer = await fetchJson<{ offset: number; data: string }>(
    `${agentUrl}/files/read?path=${encodeURIComponent(`${sandboxPath(frameworkId, taskId)}/${name}`)}&offset=0`,
  );
  return answer.data;
}

/** Waits until the sandbox file holds text matching `pattern` (a task's output arrives while it runs). */
export async function waitForSandboxText(agentUrl: string, frameworkId: string, taskId: string, name: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  return waitFor(
    async () => {
      const text = await readSandboxFile(agentUrl, frameworkId, taskId, name);
      return pattern.test(text) ? text : undefined;
    },
    { message: `${name} of task ${taskId} to match ${String(pattern)}`, timeoutMs },
  );
}

/** Whether a process with this pid exists (signal 0). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LegacyTask {
  id: string;
  name: string;
  framework_id: string;
  executor_id: string;
  slave_id: string;
  state: TaskState;
  statuses: WireTaskStatus[];
  [key: string]: unknown;
}

/** /master/tasks (or /tasks) entries of one framework. */
export async function masterTasks(masterUrl: string, frameworkId: string, path = '/master/tasks'): Promise<LegacyTask[]> {
  return (await fetchJson<{ tasks: LegacyTask[] }>(`${masterUrl}${path}?framework_id=${frameworkId}`)).tasks;
}

export interface AgentStateExecutor {
  id: string;
  directory: string;
  container: string;
  tasks: LegacyTask[];
  queued_tasks: LegacyTask[];
  completed_tasks: LegacyTask[];
  [key: string]: unknown;
}

interface AgentStateFramework {
  id: string;
  executors: AgentStateExecutor[];
  completed_executors: AgentStateExecutor[];
  [key: string]: unknown;
}

export interface AgentTaskView {
  /** 'tasks' (running, or ended but unacknowledged), 'queued_tasks' or 'completed_tasks'. */
  list: 'tasks' | 'queued_tasks' | 'completed_tasks';
  /** Whether its executor is under `completed_executors`. */
  completedExecutor: boolean;
  task: LegacyTask;
}

/** Where the agent's /state shows a task, if it does. */
export async function agentTask(agentUrl: string, frameworkId: string, taskId: string): Promise<AgentTaskView | undefined> {
  const state = await fetchJson<{ frameworks: AgentStateFramework[]; completed_frameworks: AgentStateFramework[] }>(`${agentUrl}/state`);
  for (const framework of [...state.frameworks, ...state.completed_frameworks]) {
    if (framework.id !== frameworkId) continue;
    for (const [completedExecutor, executors] of [
      [false, framework.executors],
      [true, framework.completed_executors],
    ] as const) {
      for (const executor of executors) {
        for (const list of ['tasks', 'queued_tasks', 'completed_tasks'] as const) {
          const task = executor[list].find((entry) => entry.id === taskId);
          if (task !== undefined) return { list, completedExecutor, task };
        }
      }
    }
  }
  return undefined;
}

/** The executor of a framework in the agent's /state (running or completed), if it is listed. */
export async function agentExecutor(agentUrl: string, frameworkId: string, executorId: string): Promise<AgentStateExecutor | undefined> {
  const state = await fetchJson<{ frameworks: AgentStateFramework[]; completed_frameworks: AgentStateFramework[] }>(`${agentUrl}/state`);
  for (const framework of [...state.frameworks, ...state.completed_frameworks]) {
    if (framework.id !== frameworkId) continue;
    const found = [...framework.executors, ...framework.completed_executors].find((executor) => executor.id === executorId);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The framework's `tasks` (active) and `completed_tasks` in the master's /master/state. */
export async function masterStateTasks(masterUrl: string, frameworkId: string): Promise<{ tasks: LegacyTask[]; completed_tasks: LegacyTask[] }> {
  const state = await fetchJson<{ frameworks: { id: string; tasks: LegacyTask[]; completed_tasks: LegacyTask[] }[] }>(`${masterUrl}/master/state`);
  const framework = state.frameworks.find((entry) => entry.id === frameworkId);
  return { tasks: framework?.tasks ?? [], completed_tasks: framework?.completed_tasks ?? [] };
}

/** An offer's scalar quantity of `name` (0 when absent). */
export function offered(offer: WireOffer, name: string): number {
  let total = 0;
  for (const resource of offer.resources) {
    if (resource['name'] === name) total += (resource['scalar'] as { value: number } | undefined)?.value ?? 0;
  }
  return total;
}
