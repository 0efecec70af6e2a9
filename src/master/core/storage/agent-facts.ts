/**
 * What the storage operations need to know of an agent (operations/types.ts
 * AgentFacts): its capabilities, its checkpointed resources, and what the
 * tasks and executors of every framework on it use (a volume in use cannot be
 * destroyed or resized). All but the first three are worked out only when a rule asks:
 * on an agent with a thousand volumes each is a pass over all of them, and
 * most operations need neither.
 */
import type { Resources } from '../../../resources/index.js';
import type { AgentFacts } from '../operations/index.js';
import type { Agent, MasterState } from '../state.js';
import { agentUsed } from '../../views/usage.js';
import { checkpointedResources } from './agent-resources.js';
import { volumeIdsOf } from './volume-ids.js';

export function agentFacts(state: MasterState, agent: Agent): AgentFacts {
  let checkpointed: Resources | undefined;
  let volumeIds: ReadonlySet<string> | undefined;
  let used: Resources | undefined;
  return {
    agentId: agent.id,
    hostname: agent.hostname,
    capabilities: agent.capabilities,
    get checkpointed(): Resources {
      checkpointed ??= checkpointedResources(agent);
      return checkpointed;
    },
    get volumeIds(): ReadonlySet<string> {
      volumeIds ??= volumeIdsOf(agent.totalResources);
      return volumeIds;
    },
    get used(): Resources {
      used ??= agentUsed(state, agent).unallocate();
      return used;
    },
  };
}
