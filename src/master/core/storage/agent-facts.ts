/**
 * What the storage operations need to know of an agent (operations/types.ts
 * AgentFacts): its capabilities, its checkpointed resources, and what the
 * tasks and executors of every framework on it use (a volume in use cannot be
 * destroyed or resized).
 */
import type { AgentFacts } from '../operations/index.js';
import type { Agent, MasterState } from '../state.js';
import { agentUsed } from '../../views/usage.js';
import { checkpointedResources } from './agent-resources.js';

export function agentFacts(state: MasterState, agent: Agent): AgentFacts {
  return {
    agentId: agent.id,
    hostname: agent.hostname,
    capabilities: agent.capabilities,
    checkpointed: checkpointedResources(agent),
    used: agentUsed(state, agent).unallocate(),
  };
}
