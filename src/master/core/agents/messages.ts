/**
 * Messages from agents (POST /internal/v1/message): applied once and in order
 * per link. The envelope's epoch must be the current link's; a sequence number
 * already applied is acknowledged again without effect; a gap means a message
 * was lost, so the agent must link again (409).
 */
import { fromWireList, Resources } from '../../../resources/index.js';
import type { AgentMessageEnvelope, AgentToMasterMessage } from '../../../protocol/internal.js';
import { assertNever } from '../../../lib/assert.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Agent } from '../state.js';
import { rescindOffer } from '../offers.js';
import { onPong } from './pings.js';
import { placement } from './register.js';
import { removeAgent } from './removal.js';
import { onAgentStatusUpdate } from '../tasks/agent-update.js';
import { onExecutorMessage, onExitedExecutor } from './executors.js';
import { onOperationStatus } from '../storage/operation-status.js';

export function onAgentMessage(ctx: StepContext, envelope: AgentMessageEnvelope): Reply {
  const agent = ctx.state.agents.get(envelope.agent_id.value);
  const link = agent?.link;
  if (agent === undefined || link === undefined || link.epoch !== envelope.epoch) {
    return { status: 409, body: `No link with epoch ${envelope.epoch} for agent ${envelope.agent_id.value}; link again` };
  }
  if (envelope.seq <= link.lastSeqIn) return { status: 200, body: { duplicate: true } };
  if (envelope.seq !== link.lastSeqIn + 1) {
    return { status: 409, body: `Message ${envelope.seq} follows ${link.lastSeqIn}: a message was lost; link again` };
  }
  link.lastSeqIn = envelope.seq;
  return applyAgentMessage(ctx, agent, envelope.message);
}

function applyAgentMessage(ctx: StepContext, agent: Agent, message: AgentToMasterMessage): Reply {
  switch (message.type) {
    case 'PONG':
      onPong(agent);
      return { status: 202 };
    case 'UNREGISTER':
      ctx.state.counters.increment('master/messages_unregister_slave');
      removeAgent(ctx, agent, 'unregistered');
      return { status: 202 };
    case 'UPDATE_AGENT':
      return onUpdateAgent(ctx, agent, message.update_agent.resources);
    case 'STATUS_UPDATE':
      onAgentStatusUpdate(ctx, agent, message.status_update.framework_id.value, message.status_update.status, message.status_update.latest_state);
      return { status: 202 };
    case 'OPERATION_STATUS':
      onOperationStatus(ctx, agent, message.operation_status);
      return { status: 202 };
    case 'EXECUTOR_TO_FRAMEWORK':
      onExecutorMessage(ctx, agent, message.executor_to_framework);
      return { status: 202 };
    case 'EXITED_EXECUTOR':
      onExitedExecutor(ctx, agent, message.exited_executor);
      return { status: 202 };
    default:
      return assertNever(message, 'agent message');
  }
}

/** The agent's resources changed (e.g. a disk was added): stale offers are rescinded. */
function onUpdateAgent(ctx: StepContext, agent: Agent, wire: Parameters<typeof fromWireList>[0]): Reply {
  ctx.state.counters.increment('master/messages_update_slave');
  const parsed = fromWireList(wire);
  if (!parsed.ok) return { status: 400, body: `Invalid agent resources: ${parsed.error}` };
  const total = Resources.of(parsed.value);
  if (total.equals(agent.totalResources)) return { status: 202 };
  for (const offerId of [...agent.offers]) rescindOffer(ctx, offerId);
  agent.totalResources = total;
  ctx.state.allocator.updateAgent(agent.id, total, agent.capabilities, placement(agent));
  ctx.requestAllocation([agent.id]);
  return { status: 202 };
}
