// Method: GET_AGENTS and GET_TASKS answers as the master prints them (one
// agent draining, one plain, one recovered from the registry) read into rows,
// then printed as `berth agents list` prints them, as a table and as JSON.
import { describe, expect, it } from 'vitest';
import { agentJson, agentStatusesFromAnswer, agentTable, taskCountsFromAnswer, type AgentStatus, type TaskCount } from './agent-views.js';

const agentsAnswer = {
  type: 'GET_AGENTS',
  get_agents: {
    agents: [
      {
        agent_info: { id: { value: 'S0' }, hostname: 'host-0', port: 5051 },
        active: false,
        deactivated: true,
        drain_info: { state: 'DRAINING', config: { max_grace_period: { nanoseconds: 30_000_000_000 }, mark_gone: false } },
        estimated_drain_start_time: { nanoseconds: 1_900_000_000_000_000_000 },
      },
      { agent_info: { id: { value: 'S1' }, hostname: 'host-1', port: 5052 }, active: true, deactivated: false },
    ],
    recovered_agents: [{ id: { value: 'S2' }, hostname: 'host-2', port: 5053 }],
  },
};

const task = (agent: string, state: string): Record<string, unknown> => ({ task_id: { value: `t-${state}` }, agent_id: { value: agent }, state });

const tasksAnswer = {
  type: 'GET_TASKS',
  get_tasks: {
    tasks: [task('S0', 'TASK_RUNNING'), task('S0', 'TASK_KILLING'), task('S0', 'TASK_KILLED'), task('S1', 'TASK_STAGING')],
    completed_tasks: [task('S1', 'TASK_FINISHED')],
  },
};

function read(): { agents: AgentStatus[]; counts: Map<string, TaskCount> } {
  const agents = agentStatusesFromAnswer(agentsAnswer);
  const counts = taskCountsFromAnswer(tasksAnswer);
  if (!agents.ok || !counts.ok) throw new Error('the answers did not parse');
  return { agents: agents.value, counts: counts.value };
}

describe('cli: agents: views', () => {
  it('cli: agents: views: registered agents then recovered ones, with their drain', () => {
    const { agents } = read();
    expect(agents.map((agent) => [agent.agentId, agent.recovered, agent.active, agent.deactivated, agent.drainState, agent.drainMaxGracePeriodMs])).toEqual([
      ['S0', false, false, true, 'DRAINING', 30_000],
      ['S1', false, true, false, undefined, undefined],
      ['S2', true, false, false, undefined, undefined],
    ]);
  });

  it('cli: agents: views: tasks are counted per agent; ended ones the master still holds are counted apart', () => {
    expect([...read().counts]).toEqual([
      ['S0', { running: 2, unacknowledged: 1 }],
      ['S1', { running: 1, unacknowledged: 0 }],
    ]);
  });

  it('cli: agents: views: the table has one line per agent; a recovered agent says so and leaves the rest empty', () => {
    const { agents, counts } = read();
    expect(agentTable(agents, counts).split('\n')).toEqual([
      'ID  HOST         REGISTERED  ACTIVE  DEACTIVATED  DRAIN     TASKS',
      'S0  host-0:5051  yes         no      yes          DRAINING  2',
      'S1  host-1:5052  yes         yes     no           -         1',
      'S2  host-2:5053  recovered   no      -            -         -',
    ]);
  });

  it('cli: agents: views: JSON spells the drain out, with durations and dates people read', () => {
    const { agents, counts } = read();
    expect(agents.map((agent) => agentJson(agent, counts))).toEqual([
      {
        agent_id: 'S0',
        hostname: 'host-0',
        port: 5051,
        recovered: false,
        active: false,
        deactivated: true,
        drain: { state: 'DRAINING', mark_gone: false, max_grace_period: '30secs', estimated_start: '2030-03-17T17:46:40.000Z' },
        tasks: 2,
        unacknowledged_tasks: 1,
      },
      { agent_id: 'S1', hostname: 'host-1', port: 5052, recovered: false, active: true, deactivated: false, drain: null, tasks: 1, unacknowledged_tasks: 0 },
      { agent_id: 'S2', hostname: 'host-2', port: 5053, recovered: true, active: false, deactivated: null, drain: null, tasks: null, unacknowledged_tasks: null },
    ]);
  });

  it('cli: agents: views: an answer of another shape is one sentence', () => {
    expect(agentStatusesFromAnswer({ type: 'GET_HEALTH' })).toEqual({ ok: false, error: 'The master answered GET_AGENTS with something that is not a GET_AGENTS response' });
    expect(taskCountsFromAnswer(undefined)).toEqual({ ok: false, error: 'The master answered GET_TASKS with something that is not a GET_TASKS response' });
    expect(agentStatusesFromAnswer({ get_agents: {} })).toEqual({ ok: true, value: [] });
  });
});
