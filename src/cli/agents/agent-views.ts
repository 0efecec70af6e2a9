/**
 * What `berth agents` reads from the master (docs/maintenance.md): each
 * agent's activation, deactivation and drain from GET_AGENTS, the agents the
 * registry expects that have not re-registered yet (`recovered_agents`), and
 * how many tasks each agent runs from GET_TASKS; then the rows `list` prints,
 * as a table or JSON. Pure.
 */
import { z } from 'zod';
import { formatDuration } from '../../lib/duration.js';
import { err, ok, type Result } from '../../lib/result.js';
import { formatTable } from '../../lib/text-table.js';
import { TERMINAL_TASK_STATES } from '../../protocol/mesos.js';

export type DrainState = 'DRAINING' | 'DRAINED';

/** One agent as GET_AGENTS lists it; a recovered agent has only its id, hostname and port. */
export interface AgentStatus {
  readonly agentId: string;
  readonly hostname: string;
  readonly port: number | undefined;
  /** Listed under `recovered_agents`: the registry expects it, it has not re-registered with this master. */
  readonly recovered: boolean;
  readonly active: boolean;
  readonly deactivated: boolean;
  readonly drainState: DrainState | undefined;
  readonly drainMarkGone: boolean;
  /** The drain's cap on kill grace periods; undefined: each task's own. */
  readonly drainMaxGracePeriodMs: number | undefined;
  readonly estimatedDrainStartMs: number | undefined;
}

/** The tasks the master holds for one agent. */
export interface TaskCount {
  /** Not in a terminal state. */
  readonly running: number;
  /** Ended, but the terminal update is not acknowledged by the framework yet: a drain waits for these too. */
  readonly unacknowledged: number;
}

const nanosecondsPerMs = 1_000_000;

const AgentId = z.object({ value: z.string() });
const Nanoseconds = z.object({ nanoseconds: z.number() });

const GetAgentsAnswer = z.object({
  get_agents: z.object({
    agents: z
      .array(
        z.object({
          agent_info: z.object({ id: AgentId, hostname: z.string(), port: z.number().optional() }),
          active: z.boolean(),
          deactivated: z.boolean().optional(),
          drain_info: z
            .object({
              state: z.enum(['DRAINING', 'DRAINED']),
              config: z.object({ max_grace_period: Nanoseconds.optional(), mark_gone: z.boolean().optional() }).optional(),
            })
            .optional(),
          estimated_drain_start_time: Nanoseconds.optional(),
        }),
      )
      .optional(),
    recovered_agents: z.array(z.object({ id: AgentId, hostname: z.string(), port: z.number().optional() })).optional(),
  }),
});

const GetTasksAnswer = z.object({
  get_tasks: z.object({
    tasks: z.array(z.object({ agent_id: AgentId, state: z.string() })).optional(),
  }),
});

/** Registered agents first, then the recovered ones, as GET_AGENTS orders them. */
export function agentStatusesFromAnswer(answer: unknown): Result<AgentStatus[], string> {
  const parsed = GetAgentsAnswer.safeParse(answer);
  if (!parsed.success) return err('The master answered GET_AGENTS with something that is not a GET_AGENTS response');
  const { agents = [], recovered_agents: recovered = [] } = parsed.data.get_agents;
  const registered = agents.map(
    (agent): AgentStatus => ({
      agentId: agent.agent_info.id.value,
      hostname: agent.agent_info.hostname,
      port: agent.agent_info.port,
      recovered: false,
      active: agent.active,
      deactivated: agent.deactivated ?? false,
      drainState: agent.drain_info?.state,
      drainMarkGone: agent.drain_info?.config?.mark_gone ?? false,
      drainMaxGracePeriodMs: msOf(agent.drain_info?.config?.max_grace_period),
      estimatedDrainStartMs: msOf(agent.estimated_drain_start_time),
    }),
  );
  const expected = recovered.map(
    (agent): AgentStatus => ({
      agentId: agent.id.value,
      hostname: agent.hostname,
      port: agent.port,
      recovered: true,
      active: false,
      deactivated: false,
      drainState: undefined,
      drainMarkGone: false,
      drainMaxGracePeriodMs: undefined,
      estimatedDrainStartMs: undefined,
    }),
  );
  return ok([...registered, ...expected]);
}

/** GET_TASKS' `tasks` (the ones the master still holds) counted per agent. */
export function taskCountsFromAnswer(answer: unknown): Result<Map<string, TaskCount>, string> {
  const parsed = GetTasksAnswer.safeParse(answer);
  if (!parsed.success) return err('The master answered GET_TASKS with something that is not a GET_TASKS response');
  const counts = new Map<string, TaskCount>();
  for (const task of parsed.data.get_tasks.tasks ?? []) {
    const count = counts.get(task.agent_id.value) ?? { running: 0, unacknowledged: 0 };
    const ended = (TERMINAL_TASK_STATES as ReadonlySet<string>).has(task.state);
    counts.set(task.agent_id.value, ended ? { ...count, unacknowledged: count.unacknowledged + 1 } : { ...count, running: count.running + 1 });
  }
  return ok(counts);
}

function msOf(time: { nanoseconds: number } | undefined): number | undefined {
  return time === undefined ? undefined : time.nanoseconds / nanosecondsPerMs;
}

export function hostText(agent: Pick<AgentStatus, 'hostname' | 'port'>): string {
  return agent.port === undefined ? agent.hostname : `${agent.hostname}:${agent.port}`;
}

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/** One line per agent; a recovered agent says so and leaves what the master cannot know yet empty. */
export function agentTable(agents: readonly AgentStatus[], counts: ReadonlyMap<string, TaskCount>): string {
  const header = ['ID', 'HOST', 'REGISTERED', 'ACTIVE', 'DEACTIVATED', 'DRAIN', 'TASKS'];
  return formatTable(
    header,
    agents.map((agent) => {
      if (agent.recovered) return [agent.agentId, hostText(agent), 'recovered', 'no', undefined, undefined, undefined];
      const tasks = String(counts.get(agent.agentId)?.running ?? 0);
      return [agent.agentId, hostText(agent), 'yes', yesNo(agent.active), yesNo(agent.deactivated), agent.drainState, tasks];
    }),
  );
}

export function agentJson(agent: AgentStatus, counts: ReadonlyMap<string, TaskCount>): Record<string, unknown> {
  const count = agent.recovered ? undefined : (counts.get(agent.agentId) ?? { running: 0, unacknowledged: 0 });
  const drain =
    agent.drainState === undefined
      ? null
      : {
          state: agent.drainState,
          mark_gone: agent.drainMarkGone,
          max_grace_period: agent.drainMaxGracePeriodMs === undefined ? null : formatDuration(agent.drainMaxGracePeriodMs),
          estimated_start: agent.estimatedDrainStartMs === undefined ? null : new Date(agent.estimatedDrainStartMs).toISOString(),
        };
  return {
    agent_id: agent.agentId,
    hostname: agent.hostname,
    port: agent.port ?? null,
    recovered: agent.recovered,
    active: agent.active,
    deactivated: agent.recovered ? null : agent.deactivated,
    drain,
    tasks: count?.running ?? null,
    unacknowledged_tasks: count?.unacknowledged ?? null,
  };
}
