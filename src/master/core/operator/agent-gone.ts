/**
 * MARK_AGENT_GONE (spec/core.md 5.7): an operator asserts an agent is
 * permanently dead. Its tasks end TASK_GONE_BY_OPERATOR with
 * REASON_AGENT_REMOVED_BY_OPERATOR for partition-aware frameworks, TASK_LOST
 * with REASON_AGENT_REMOVED for the others; every framework gets FAILURE.
 * A registered agent is told to shut down and removed (FAILURE to every
 * framework); an unreachable one's kept tasks get the same updates. The agent is never admitted again under
 * that id: one that links anyway is refused with 410 and, as berth agents
 * do, kills what it runs and registers anew. 200 also when already gone,
 * 404 for an agent this master does not know.
 */
import type { OperatorCall } from '../../../protocol/operator.js';
import { removeAgent } from '../agents/removal.js';
import { forbidden, operatorMay } from './authorize.js';
import { knownAgent } from './agent-activation.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework, Task } from '../state.js';
import { applyMasterUpdate } from '../tasks/master-update.js';
import { completeTask } from '../tasks/removal.js';

function goneByOperator(ctx: StepContext, framework: Framework, task: Task): void {
  const partitionAware = framework.capabilities.has('PARTITION_AWARE');
  applyMasterUpdate(ctx, framework, task, {
    state: 'TASK_GONE_BY_OPERATOR',
    reason: partitionAware ? 'REASON_AGENT_REMOVED_BY_OPERATOR' : 'REASON_AGENT_REMOVED',
    message: 'Agent marked gone by an operator',
  });
  completeTask(ctx, framework, task);
}

export function onMarkAgentGone(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const agentId = call.mark_agent_gone?.agent_id.value;
  if (agentId === undefined) return { status: 400, body: "Failed to validate master::Call: Expecting 'mark_agent_gone' to be present" };
  const state = ctx.state;
  if (!operatorMay(state, 'mark_agents_gone', principal)) return forbidden;
  if (state.goneAgents.has(agentId)) return { status: 200 };
  if (!knownAgent(state, agentId)) return { status: 404, body: `Agent ${agentId} is not known to this master` };
  markAgentGone(ctx, agentId, 'An operator marked');
  return { status: 200 };
}

/** Records the agent as gone and ends what it ran (MARK_AGENT_GONE, and a drain with mark_gone). */
export function markAgentGone(ctx: StepContext, agentId: string, who: string): void {
  const state = ctx.state;
  const agent = state.agents.get(agentId);
  ctx.log('info', `${who} agent ${agentId} gone`);
  ctx.registry({ type: 'mark_agent_gone', agentId, goneTimeMs: ctx.nowMs });
  state.deactivatedAgents.delete(agentId);
  state.drainingAgents.delete(agentId);
  state.recoveredAgents.delete(agentId);
  for (const framework of state.frameworks.values()) {
    for (const task of [...framework.tasks.values(), ...framework.unreachableTasks.values()]) {
      if (task.agentId === agentId) goneByOperator(ctx, framework, task);
    }
  }
  if (agent !== undefined) {
    if (agent.link !== undefined) ctx.sendToAgent(agent, { type: 'SHUTDOWN', shutdown: { message: 'Agent has been marked gone' } });
    removeAgent(ctx, agent, 'gone');
  } else {
    // Its frameworks heard FAILURE when it became unreachable; a recovered one is only recorded as gone (spec 5.7).
    state.unreachableAgents.delete(agentId);
  }
  state.goneAgents.add(agentId);
  state.counters.increment('master/slaves_gone');
}
