/**
 * Tasks and operator calls for harness tests: launch a task on a simulated
 * agent from a framework's offer, have the agent report its states, have the
 * framework acknowledge them, and make operator calls as POST /api/v1 would.
 * Nothing here asserts; the tests do.
 */
import type { OperatorCall } from '../protocol/operator.js';
import type { Reply } from '../master/core/events.js';
import type { Harness } from './harness.js';
import type { SimAgent } from './sim-agent.js';
import type { SimFramework } from './sim-framework.js';

/** An operator call through the core (the HTTP layer validated it already). */
export function operatorCall(h: Harness, call: Record<string, unknown>): Reply | undefined {
  return h.step({ type: 'operator_call', call: call as OperatorCall });
}

let uuidNumber = 0;

/** A fresh status update uuid (base64 of 16 bytes). */
export function statusUuid(): string {
  uuidNumber = (uuidNumber + 1) % 256;
  return Buffer.alloc(16, uuidNumber).toString('base64');
}

/**
 * Launches `taskId` (1 cpu) on the framework's current offer of `agent`
 * (allocating first if it holds none) and reports it TASK_RUNNING; the
 * rest of the offer goes back with no filter.
 */
export function launchTask(h: Harness, framework: SimFramework, agent: SimAgent, taskId: string): void {
  let offer = framework.currentOffers().find((candidate) => candidate.agent_id.value === agent.id);
  if (offer === undefined) {
    h.advance(h.state.config.allocationIntervalMs);
    offer = framework.currentOffers().find((candidate) => candidate.agent_id.value === agent.id);
  }
  if (offer === undefined) throw new Error(`framework ${framework.id ?? ''} holds no offer of agent ${agent.id ?? ''}`);
  framework.offers.delete(offer.id.value);
  const task = {
    name: taskId,
    task_id: { value: taskId },
    agent_id: { value: agent.id ?? '' },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }],
    command: { value: 'sleep 100' },
  };
  framework.call({
    type: 'ACCEPT',
    accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }], filters: { refuse_seconds: 0 } },
  } as never);
  reportTask(agent, framework, taskId, 'TASK_RUNNING');
}

/** The agent reports `state` for the framework's task; returns the update's uuid. */
export function reportTask(agent: SimAgent, framework: SimFramework, taskId: string, state: string, extra: Record<string, unknown> = {}): string {
  const uuid = statusUuid();
  agent.send({
    type: 'STATUS_UPDATE',
    status_update: {
      framework_id: { value: framework.id ?? '' },
      status: { task_id: { value: taskId }, state, source: 'SOURCE_EXECUTOR', uuid, agent_id: { value: agent.id ?? '' }, ...extra },
      latest_state: state,
    },
  } as never);
  return uuid;
}

/** The framework acknowledges an update of its task on `agent`. */
export function acknowledgeTask(framework: SimFramework, agent: SimAgent, taskId: string, uuid: string): Reply | undefined {
  return framework.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: agent.id ?? '' }, task_id: { value: taskId }, uuid } } as never);
}

/** The task states the framework was told, oldest first. */
export function updatesOf(framework: SimFramework, taskId: string) {
  return framework
    .eventsOf('UPDATE')
    .map((event) => event.update.status)
    .filter((status) => status.task_id.value === taskId);
}
