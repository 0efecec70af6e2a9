/**
 * SHUTDOWN and MESSAGE (spec/core.md 1.5.8, 1.5.11): forwarded to the agent
 * when it is connected, dropped otherwise (best effort, no delivery guarantee).
 */
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';

export function onShutdown(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  const shutdown = call.shutdown;
  if (shutdown === undefined) return { status: 400, body: "Expecting 'shutdown' to be present" };
  const agent = ctx.state.agents.get(shutdown.agent_id.value);
  if (agent?.link === undefined) return { status: 202 };
  ctx.sendToAgent(agent, {
    type: 'SHUTDOWN_EXECUTOR',
    shutdown_executor: { framework_id: { value: framework.id }, executor_id: shutdown.executor_id },
  });
  return { status: 202 };
}

export function onMessage(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  const counters = ctx.state.counters;
  counters.increment('master/messages_framework_to_executor');
  const message = call.message;
  if (message === undefined) return { status: 400, body: "Expecting 'message' to be present" };
  const agent = ctx.state.agents.get(message.agent_id.value);
  if (agent?.link === undefined) {
    counters.increment('master/invalid_framework_to_executor_messages');
    return { status: 202 };
  }
  ctx.sendToAgent(agent, {
    type: 'FRAMEWORK_TO_EXECUTOR',
    framework_to_executor: { framework_id: { value: framework.id }, executor_id: message.executor_id, data: message.data },
  });
  counters.increment('master/valid_framework_to_executor_messages');
  return { status: 202 };
}
