/**
 * What the storage operations need to know of an agent (operations/types.ts
 * AgentFacts): its capabilities, its checkpointed resources, and what the
 * tasks and executors of every framework on it use (a volume in use cannot be
 * destroyed or resized).
 */
import { fromWireList, Resources } from '../../../resources/index.js';
import type { AgentFacts } from '../operations/index.js';
import type { Agent, MasterState } from '../state.js';
import { checkpointedResources } from './agent-resources.js';

export function agentFacts(state: MasterState, agent: Agent): AgentFacts {
  return {
    agentId: agent.id,
    hostname: agent.hostname,
    capabilities: agent.capabilities,
    checkpointed: checkpointedResources(agent),
    used: usedResources(state, agent),
  };
}

/** The resources of the agent's live tasks and of the custom executors on it, unallocated. */
export function usedResources(state: MasterState, agent: Agent): Resources {
  let used = Resources.empty();
  for (const framework of state.frameworks.values()) {
    for (const task of framework.tasks.values()) if (task.agentId === agent.id) used = used.plus(task.resources.unallocate());
    for (const executor of framework.executors.get(agent.id)?.values() ?? []) {
      const resources = fromWireList(((executor as { resources?: unknown[] }).resources ?? []) as Parameters<typeof fromWireList>[0]);
      if (resources.ok) used = used.plus(Resources.of(resources.value).unallocate());
    }
  }
  return used;
}
