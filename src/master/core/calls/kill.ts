/**
 * KILL (spec/core.md 1.5.7). A task the master does not know is answered by
 * reconciliation of that one task. Killing known tasks arrives with the
 * running-tasks work.
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
    const status = reconcileOne(ctx, framework, kill.task_id.value, kill.agent_id?.value);
    if (status !== undefined) ctx.sendToFramework(framework, { type: 'UPDATE', update: { status } });
    return { status: 202 };
  }
  return { status: 501, body: 'berth does not support killing tasks yet' };
}
