/**
 * KILL (spec/core.md 1.5.7). A task the master does not know is answered by
 * reconciliation of that one task (spec/core.md 3.4: no answer while its
 * agent may still re-register after a master restart). A known task's kill
 * goes to its agent, again on every KILL; an agent that is disconnected gets
 * it when it comes back (the master remembers the kill).
 */
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';
import { reconcileOne } from './reconcile.js';

export function onKill(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  ctx.state.counters.increment('master/messages_kill_task');
  const kill = call.kill;
  if (kill === undefined) return { status: 400, body: "Expecting 'kill' to be present" };
  const task = framework.tasks.get(kill.task_id.value);
  if (task === undefined) {
    // Mesos answers with a reconciliation of that one task, counted as one (rule 2 may keep it silent).
    ctx.log('warn', `Cannot kill task ${kill.task_id.value} of framework ${framework.id} because it is unknown; performing reconciliation`);
    ctx.state.counters.increment('master/messages_reconcile_tasks');
    const status = reconcileOne(ctx, framework, kill.task_id.value, kill.agent_id?.value);
    if (status !== undefined) ctx.sendToFramework(framework, { type: 'UPDATE', update: { status } });
    return { status: 202 };
  }
  if (kill.agent_id !== undefined && kill.agent_id.value !== task.agentId) return { status: 202 };
  const agent = ctx.state.agents.get(task.agentId);
  if (agent === undefined) return { status: 202 };
  agent.killedTasks.add(`${framework.id}\u0000${task.id}`);
  ctx.sendToAgent(agent, {
    type: 'KILL_TASK',
    kill_task: { framework_id: { value: framework.id }, task_id: { value: task.id }, ...(kill.kill_policy !== undefined ? { kill_policy: kill.kill_policy } : {}) },
  });
  return { status: 202 };
}
