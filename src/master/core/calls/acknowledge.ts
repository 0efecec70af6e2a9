/**
 * ACKNOWLEDGE (spec/core.md 1.5.9): forwarded to the agent, whose status
 * update stream then releases the task's next update. The acknowledgement of a
 * terminal update removes the task from the master's active tasks.
 */
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';
import { completeTask } from '../tasks/removal.js';
import { checkDrained } from '../operator/agent-drain.js';
import { isTerminalState } from '../tasks/task-state.js';

export function onAcknowledge(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  const counters = ctx.state.counters;
  counters.increment('master/messages_status_update_acknowledgement');
  const acknowledge = call.acknowledge;
  if (acknowledge === undefined) return { status: 400, body: "Expecting 'acknowledge' to be present" };
  const agent = ctx.state.agents.get(acknowledge.agent_id.value);
  if (agent === undefined || agent.link === undefined) {
    counters.increment('master/invalid_status_update_acknowledgements');
    ctx.log('warn', `Cannot send the acknowledgement of task ${acknowledge.task_id.value} to agent ${acknowledge.agent_id.value}: not connected`);
    return { status: 202 };
  }
  const task = framework.tasks.get(acknowledge.task_id.value);
  if (task !== undefined && task.agentId === agent.id) {
    if (task.statusUpdateState === undefined) {
      // Not forwarded by this master (an acknowledgement meant for an earlier one): the agent will retry.
      counters.increment('master/invalid_status_update_acknowledgements');
      return { status: 202 };
    }
    if (isTerminalState(task.statusUpdateState) && task.statusUpdateUuid === acknowledge.uuid) completeTask(ctx, framework, task);
  }
  ctx.sendToAgent(agent, {
    type: 'STATUS_UPDATE_ACKNOWLEDGEMENT',
    status_update_acknowledgement: { framework_id: { value: framework.id }, task_id: acknowledge.task_id, uuid: acknowledge.uuid },
  });
  // A drained agent is one whose every terminal update was acknowledged.
  checkDrained(ctx, agent.id);
  counters.increment('master/valid_status_update_acknowledgements');
  return { status: 202 };
}
