/**
 * The calls every storage command makes: GET_AGENTS to look things up, and
 * one change whose 202 prints a line saying what was done. Each prints its
 * own one-line error and tells the caller it failed.
 */
import { agentsFromAnswer, findAgent, type AgentStorage } from './agent-storage.js';
import { operatorCall, type CommandIo } from './operator-client.js';
import { getAgentsCall } from './storage-requests.js';
import { fail } from './subcommands.js';

/** The agents from GET_AGENTS, or undefined once the error is printed. */
export async function fetchAgents(master: string, io: CommandIo): Promise<AgentStorage[] | undefined> {
  const answered = await operatorCall(master, getAgentsCall);
  const agents = answered.ok ? agentsFromAnswer(answered.value) : answered;
  if (agents.ok) return agents.value;
  fail(io, agents.error);
  return undefined;
}

export async function fetchAgent(master: string, agentId: string, io: CommandIo): Promise<AgentStorage | undefined> {
  const agents = await fetchAgents(master, io);
  if (agents === undefined) return undefined;
  const agent = findAgent(agents, agentId);
  if (agent.ok) return agent.value;
  fail(io, agent.error);
  return undefined;
}

/** Sends a change; 202 prints `done`, a refusal the master's text. */
export async function sendChange(master: string, change: object, io: CommandIo, done: string): Promise<number> {
  const answered = await operatorCall(master, change);
  if (!answered.ok) return fail(io, answered.error);
  io.out(`${done}\n`);
  return 0;
}
