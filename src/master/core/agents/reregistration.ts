/**
 * Reconciling a re-registering agent's report with what the master knows
 * (spec/core.md 5.6.1): tasks only the master knows are handed to the agent to
 * answer (TASK_LOST/TASK_DROPPED, REASON_RECONCILIATION, reliably); executors
 * only the master knows are forgotten; kills sent while the agent was away are
 * sent again; tasks only the agent knows join the master; frameworks the
 * master removed are shut down on the agent. Nothing is killed and no update is
 * made up for tasks both sides know.
 */
import { fromWireList, Resources } from '../../../resources/index.js';
import type { LinkRequest } from '../../../protocol/internal.js';
import type { StepContext } from '../context.js';
import { taskKey, type Agent, type Framework } from '../state.js';
import { addReportedTask } from '../tasks/reported.js';
import { isTerminalState, parseTaskState } from '../tasks/task-state.js';
import { forgetExecutor } from './executors.js';

export function reconcileReport(ctx: StepContext, agent: Agent, request: LinkRequest): void {
  const state = ctx.state;
  const reported = new Set((request.tasks ?? []).map((t) => taskKey(t.framework_id.value, t.task.task_id.value)));
  const reportedExecutors = new Set((request.executors ?? []).map((e) => `${e.framework_id.value}\u0000${e.executor.executor_id.value}`));
  const missing = new Map<Framework, { task_id: { value: string }; state: string }[]>();
  for (const framework of state.frameworks.values()) {
    for (const task of framework.tasks.values()) {
      if (task.agentId !== agent.id || reported.has(taskKey(framework.id, task.id))) continue;
      const list = missing.get(framework) ?? [];
      list.push({ task_id: { value: task.id }, state: task.state });
      missing.set(framework, list);
    }
    forgetExecutorsNotReported(ctx, framework, agent, reportedExecutors);
  }
  for (const [framework, tasks] of missing) {
    ctx.sendToAgent(agent, { type: 'RECONCILE_TASKS', reconcile_tasks: { framework_id: { value: framework.id }, tasks } });
  }
  for (const item of request.tasks ?? []) {
    const framework = state.frameworks.get(item.framework_id.value);
    if (framework === undefined) continue;
    const known = framework.tasks.get(item.task.task_id.value);
    if (known === undefined) {
      addReportedTask(ctx, agent, framework, item);
      continue;
    }
    const key = taskKey(framework.id, known.id);
    const reportedState = parseTaskState(item.state);
    // The kill may not have reached the agent: what the agent says it runs decides (spec/core.md 5.6.1).
    if (agent.killedTasks.has(key) && reportedState !== undefined && !isTerminalState(reportedState)) {
      ctx.sendToAgent(agent, { type: 'KILL_TASK', kill_task: { framework_id: { value: framework.id }, task_id: { value: known.id } } });
    }
  }
  shutDownCompletedFrameworks(ctx, agent, request);
}

function forgetExecutorsNotReported(ctx: StepContext, framework: Framework, agent: Agent, reported: ReadonlySet<string>): void {
  for (const executorId of [...(framework.executors.get(agent.id)?.keys() ?? [])]) {
    if (!reported.has(`${framework.id}\u0000${executorId}`)) forgetExecutor(ctx, framework, agent.id, executorId);
  }
}

/** Frameworks the master removed while the agent was away are shut down there. */
export function shutDownCompletedFrameworks(ctx: StepContext, agent: Agent, request: LinkRequest): void {
  const completed = new Set(ctx.state.completedFrameworks.map((f) => f.id));
  const reportedFrameworks = new Set([
    ...(request.tasks ?? []).map((t) => t.framework_id.value),
    ...(request.executors ?? []).map((e) => e.framework_id.value),
  ]);
  for (const id of reportedFrameworks) {
    if (completed.has(id)) ctx.sendToAgent(agent, { type: 'SHUTDOWN_FRAMEWORK', shutdown_framework: { framework_id: { value: id } } });
  }
}

/** Executors an agent reports after a master fail-over: known again, their resources allocated. */
export function adoptReportedExecutors(ctx: StepContext, agent: Agent, request: LinkRequest): void {
  for (const { framework_id, executor } of request.executors ?? []) {
    const framework = ctx.state.frameworks.get(framework_id.value);
    if (framework === undefined) continue;
    const executors = framework.executors.get(agent.id) ?? new Map<string, object>();
    if (executors.has(executor.executor_id.value)) continue;
    const resources = fromWireList((executor.resources ?? []) as Parameters<typeof fromWireList>[0]);
    if (!resources.ok) continue;
    const allocated = Resources.of(resources.value);
    const role = [...framework.roles][0] ?? '*';
    const charged = allocated.entries.every(({ resource }) => resource.allocation_info !== undefined) ? allocated : allocated.unallocate().allocate(role);
    executors.set(executor.executor_id.value, executor);
    framework.executors.set(agent.id, executors);
    ctx.state.allocator.allocate(framework.id, agent.id, charged);
  }
}
