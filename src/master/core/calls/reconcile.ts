/**
 * RECONCILE (spec/core.md 3.4): answers are UPDATE events from the master with
 * REASON_RECONCILIATION and no uuid. Implicit (no tasks listed): one per task
 * the master knows on registered agents. Explicit: the rules 1-6 in order,
 * with Mesos' texts. Rules 4 and 5 use the unreachable and gone agents this
 * master knows, from the registry.
 */
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { TaskState } from '../../../protocol/mesos.js';
import type { WireTaskStatus } from '../../../protocol/outputs.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework, Task } from '../state.js';
import { masterStatus } from '../tasks/master-update.js';
import { stateForFramework } from '../tasks/task-state.js';

export function onReconcile(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  ctx.state.counters.increment('master/messages_reconcile_tasks');
  const listed = call.reconcile?.tasks ?? [];
  if (listed.length === 0) {
    for (const task of framework.tasks.values()) {
      if (ctx.state.agents.get(task.agentId) !== undefined) sendStatus(ctx, framework, knownTaskStatus(ctx, framework, task));
    }
    return { status: 202 };
  }
  for (const { task_id, agent_id } of listed) {
    const status = reconcileOne(ctx, framework, task_id.value, agent_id?.value);
    if (status !== undefined) sendStatus(ctx, framework, status);
  }
  return { status: 202 };
}

function sendStatus(ctx: StepContext, framework: Framework, status: WireTaskStatus): void {
  ctx.sendToFramework(framework, { type: 'UPDATE', update: { status } });
}

/** The reconciliation answer for one task, or undefined when the master must stay silent (rule 2). */
export function reconcileOne(ctx: StepContext, framework: Framework, taskId: string, agentId: string | undefined): WireTaskStatus | undefined {
  const task = framework.tasks.get(taskId);
  if (task !== undefined) return knownTaskStatus(ctx, framework, task);
  if (agentId !== undefined ? mayBeRecovered(ctx, agentId) : mayHaveRecoveredAgents(ctx, framework)) {
    ctx.log(
      'info',
      `Dropping reconciliation of task ${taskId} for framework ${framework.id} because ` +
        `${agentId !== undefined ? `agent ${agentId} has` : 'some agents have'} not yet reregistered with the master`,
    );
    return undefined;
  }
  const unknown = (state: TaskState, message: string): WireTaskStatus =>
    masterStatus(ctx, framework, taskId, agentId, { state, reason: 'REASON_RECONCILIATION', message });
  if (agentId !== undefined && ctx.state.agents.has(agentId)) return unknown('TASK_GONE', 'Reconciliation: Task is unknown to the agent');
  const unreachable = agentId === undefined ? undefined : ctx.state.unreachableAgents.get(agentId);
  if (unreachable !== undefined) {
    return masterStatus(ctx, framework, taskId, agentId, {
      state: 'TASK_UNREACHABLE',
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: Task is unreachable',
      unreachableTimeMs: unreachable.unreachableTimeMs,
    });
  }
  if (agentId !== undefined && ctx.state.goneAgents.has(agentId)) return unknown('TASK_GONE_BY_OPERATOR', 'Reconciliation: Task is gone');
  return unknown('TASK_UNKNOWN', 'Reconciliation: Task is unknown');
}

/**
 * Rule 2 stands for Mesos' "recovered" agents: listed in the registry, not yet
 * re-registered after a fail-over. With a durable registry they are exactly
 * state.recoveredAgents. With --registry=in_memory a restarted master cannot
 * list them; it tells them by what it can know. Within
 * --agent_reregister_timeout of this master's election (after which Mesos
 * would have marked them unreachable), an agent id it neither knows nor
 * removed, and did not give out itself (`<master id>-S<n>`), may be an agent
 * of an earlier master that has yet to come back.
 */
function mayBeRecovered(ctx: StepContext, agentId: string): boolean {
  const state = ctx.state;
  if (state.registryDurable) return state.recoveredAgents.has(agentId);
  return (
    withinReregisterWindow(ctx) &&
    !state.agents.has(agentId) &&
    !state.removedAgents.has(agentId) &&
    !state.unreachableAgents.has(agentId) &&
    !state.goneAgents.has(agentId) &&
    !agentId.startsWith(`${state.info.id}-S`)
  );
}

/**
 * Without an agent id Mesos stays silent while any agent is still recovered.
 * berth cannot know whether one is, but it knows which frameworks could have
 * tasks on one: those whose id an earlier master gave out. A framework of this
 * master launched every task it has through it, on agents it knows.
 */
function mayHaveRecoveredAgents(ctx: StepContext, framework: Framework): boolean {
  if (ctx.state.registryDurable) return ctx.state.recoveredAgents.size > 0;
  return withinReregisterWindow(ctx) && !framework.id.startsWith(`${ctx.state.info.id}-`);
}

function withinReregisterWindow(ctx: StepContext): boolean {
  const state = ctx.state;
  return ctx.nowMs < (state.electedTimeMs ?? state.startTimeMs) + state.config.agentReregisterTimeoutMs;
}

/** Rule 1: the latest state the framework was sent (status_update_state), else the task's state. */
function knownTaskStatus(ctx: StepContext, framework: Framework, task: Task): WireTaskStatus {
  const state = task.statusUpdateState ?? task.state;
  const last = [...task.statuses].reverse().find((s) => s.state === state);
  return {
    task_id: { value: task.id },
    state: stateForFramework(framework, state),
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    message: 'Reconciliation: Latest task state',
    agent_id: { value: task.agentId },
    ...(task.executorId !== undefined ? { executor_id: { value: task.executorId } } : {}),
    ...(last?.healthy !== undefined ? { healthy: last.healthy } : {}),
    ...(last?.check_status !== undefined ? { check_status: last.check_status } : {}),
    ...(last?.container_status !== undefined ? { container_status: last.container_status } : {}),
    timestamp: ctx.nowMs / 1000,
  };
}
