/**
 * `berth agents list|drain|deactivate|reactivate`: taking agents out of
 * service through the v1 operator API (docs/maintenance.md). Agents are named
 * by id, as `list` shows them; `drain --wait` follows the drain until the
 * agent is DRAINED, a line each time what is left on it changes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../../lib/duration.js';
import { flag } from '../../lib/flags/index.js';
import { err, ok, type Result } from '../../lib/result.js';
import { processTerminal } from '../../lib/terminal.js';
import { sendChange } from '../storage/cluster-calls.js';
import { operatorCall, type CommandIo } from '../storage/operator-client.js';
import { jsonFlag, masterFlag } from '../storage/storage-flags.js';
import { getAgentsCall } from '../storage/storage-requests.js';
import { fail, runGroup, subcommand, type CommandGroup } from '../storage/subcommands.js';
import { deactivateAgentCall, drainAgentCall, getTasksCall, reactivateAgentCall } from './agent-requests.js';
import { agentJson, agentStatusesFromAnswer, agentTable, taskCountsFromAnswer, type AgentStatus, type TaskCount } from './agent-views.js';
import { doneLine, drainPollIntervalMs, drainSnapshot, drainWaitTimeoutDefaultMs, waitForDrain } from './drain-wait.js';

const agentArgument = { usage: '<agent-id>', what: 'the agent id', min: 1, max: 1 };

const list = subcommand(
  "One row per agent: activation, drain, tasks; recovered agents the registry expects too.",
  { master: masterFlag, json: jsonFlag },
  async (flags, io) => {
    const fetched = await fetchAgentStatuses(flags.master);
    if (!fetched.ok) return fail(io, fetched.error);
    const { agents, counts } = fetched.value;
    io.out(flags.json ? `${JSON.stringify(agents.map((agent) => agentJson(agent, counts)), null, 2)}\n` : `${agentTable(agents, counts)}\n`);
    return 0;
  },
);

const drain = subcommand(
  'Deactivate an agent and kill its tasks (DRAIN_AGENT); --wait follows it to DRAINED.',
  {
    master: masterFlag,
    max_grace_period: flag.duration({ help: "The longest grace period a task's kill gets, e.g. 30secs; 0secs kills at once.\n(default: each task's own)" }),
    mark_gone: flag.bool({ default: false, help: 'Mark the agent gone once drained: it may never register again under this id.' }),
    wait: flag.bool({ default: false, help: 'Wait until the agent is DRAINED (or gone, with --mark_gone), printing\na line each time the number of tasks left on it changes.' }),
    timeout: flag.duration({ help: `With --wait: how long to wait, e.g. 5mins. (default: ${formatDuration(drainWaitTimeoutDefaultMs)})` }),
  },
  async (flags, io, [agentId = '']) => {
    if (flags.timeout !== undefined && !flags.wait) return fail(io, '--timeout applies only with --wait');
    const answered = await operatorCall(flags.master, drainAgentCall(agentId, { maxGracePeriodMs: flags.max_grace_period, markGone: flags.mark_gone }));
    if (!answered.ok) return fail(io, answered.error);
    const started = `Draining agent ${agentId} (${graceText(flags.max_grace_period)}${flags.mark_gone ? ', then marked gone' : ''})`;
    if (!flags.wait) {
      io.out(`${started}; 'berth agents list' shows when it is ${flags.mark_gone ? 'gone' : 'DRAINED'}\n`);
      return 0;
    }
    io.out(`${started}\n`);
    const waited = await waitForDrain({
      agentId,
      markGone: flags.mark_gone,
      timeoutMs: flags.timeout ?? drainWaitTimeoutDefaultMs,
      intervalMs: drainPollIntervalMs,
      poll: async () => {
        const fetched = await fetchAgentStatuses(flags.master);
        return fetched.ok ? ok(drainSnapshot(agentId, fetched.value.agents, fetched.value.counts)) : fetched;
      },
      sleep: (ms) => sleep(ms),
      nowMs: () => Date.now(),
      progress: (line) => io.out(`${line}\n`),
    });
    if (!waited.ok) return fail(io, waited.error);
    io.out(`${doneLine(agentId, flags.mark_gone)}\n`);
    return 0;
  },
  { arguments: agentArgument },
);

const deactivate = subcommand(
  'Offer the agent to no one (DEACTIVATE_AGENT); its tasks keep running.',
  { master: masterFlag },
  async (flags, io, [agentId = '']) => {
    const done = `Deactivated agent ${agentId}: it is offered to no one, and its tasks keep running`;
    return sendChange(flags.master, deactivateAgentCall(agentId), io, done);
  },
  { arguments: agentArgument },
);

const reactivate = subcommand(
  'Offer a deactivated or DRAINED agent again (REACTIVATE_AGENT).',
  { master: masterFlag },
  async (flags, io, [agentId = '']) => {
    return sendChange(flags.master, reactivateAgentCall(agentId), io, `Reactivated agent ${agentId}: it is offered again`);
  },
  { arguments: agentArgument },
);

export const agentsGroup: CommandGroup = {
  name: 'agents',
  subcommands: { list, drain, deactivate, reactivate },
  trailer:
    "A drain is DRAINED once every task on the agent has ended and its framework acknowledged\n" +
    'the terminal update; the agent then stays deactivated until reactivated. An agent on a\n' +
    "machine in a maintenance schedule cannot be drained ('berth maintenance' handles those).\n" +
    'TASKS counts the tasks on an agent that have not ended. A refusal is printed as the master\n' +
    'words it, and the exit status is 1.\n',
};

export function runAgents(argv: readonly string[], io: CommandIo = processTerminal()): Promise<number> {
  return runGroup(agentsGroup, argv, io);
}

function graceText(maxGracePeriodMs: number | undefined): string {
  if (maxGracePeriodMs === undefined) return "each task's own kill grace period";
  return maxGracePeriodMs === 0 ? 'tasks killed at once' : `kill grace period at most ${formatDuration(maxGracePeriodMs)}`;
}

interface AgentStatuses {
  readonly agents: AgentStatus[];
  readonly counts: Map<string, TaskCount>;
}

/** GET_AGENTS and GET_TASKS, asked at once. */
async function fetchAgentStatuses(master: string): Promise<Result<AgentStatuses, string>> {
  const [agentsAnswer, tasksAnswer] = await Promise.all([operatorCall(master, getAgentsCall), operatorCall(master, getTasksCall)]);
  const agents = agentsAnswer.ok ? agentStatusesFromAnswer(agentsAnswer.value) : agentsAnswer;
  if (!agents.ok) return err(agents.error);
  const counts = tasksAnswer.ok ? taskCountsFromAnswer(tasksAnswer.value) : tasksAnswer;
  if (!counts.ok) return err(counts.error);
  return ok({ agents: agents.value, counts: counts.value });
}
