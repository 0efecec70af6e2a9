/**
 * What agents report about custom executors: messages for their framework
 * (best effort) and their exit, which frees their resources and is told to
 * the framework as FAILURE with the executor id and its wait status
 * (spec/core.md 1.6). The command executor is the agent's own and never
 * reported.
 */
import { fromWireList, Resources } from '../../../resources/index.js';
import type { StepContext } from '../context.js';
import type { Agent, Framework } from '../state.js';

interface ExecutorRef {
  readonly framework_id: { readonly value: string };
  readonly executor_id: { readonly value: string };
}

export function onExecutorMessage(ctx: StepContext, agent: Agent, message: ExecutorRef & { readonly data: string }): void {
  const counters = ctx.state.counters;
  counters.increment('master/messages_executor_to_framework');
  const framework = ctx.state.frameworks.get(message.framework_id.value);
  if (framework?.connection === undefined) {
    counters.increment('master/invalid_executor_to_framework_messages');
    return;
  }
  ctx.sendToFramework(framework, {
    type: 'MESSAGE',
    message: { agent_id: { value: agent.id }, executor_id: { value: message.executor_id.value }, data: message.data },
  });
  counters.increment('master/valid_executor_to_framework_messages');
}

export function onExitedExecutor(ctx: StepContext, agent: Agent, exited: ExecutorRef & { readonly status?: number | undefined }): void {
  ctx.state.counters.increment('master/messages_exited_executor');
  const framework = ctx.state.frameworks.get(exited.framework_id.value);
  if (framework === undefined || !forgetExecutor(ctx, framework, agent.id, exited.executor_id.value)) return;
  ctx.sendToFramework(framework, {
    type: 'FAILURE',
    failure: {
      agent_id: { value: agent.id },
      executor_id: { value: exited.executor_id.value },
      ...(exited.status !== undefined ? { status: exited.status } : {}),
    },
  });
}

/** Forgets a custom executor the master tracked on an agent and gives its resources back; false if unknown. */
export function forgetExecutor(ctx: StepContext, framework: Framework, agentId: string, executorId: string): boolean {
  const executors = framework.executors.get(agentId);
  const info = executors?.get(executorId) as { resources?: unknown[] } | undefined;
  if (executors === undefined || info === undefined) return false;
  executors.delete(executorId);
  if (executors.size === 0) framework.executors.delete(agentId);
  const resources = fromWireList((info.resources ?? []) as Parameters<typeof fromWireList>[0]);
  if (resources.ok) ctx.state.allocator.recoverResources(framework.id, agentId, Resources.of(resources.value), undefined, ctx.nowMs);
  return true;
}
