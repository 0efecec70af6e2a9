/**
 * How a draining agent reports the kills (Mesos' Slave::statusUpdate): every
 * TASK_KILLING and TASK_KILLED gets REASON_AGENT_DRAINING, overwriting any
 * reason it had, so that frameworks see one consistent sign that the task
 * went away because of the drain. With mark_gone the agent is about to be
 * marked gone, so a partition-aware framework hears TASK_GONE_BY_OPERATOR
 * instead, for a TASK_KILLING too (as Mesos: the task is over for it at once).
 * Other states pass unchanged.
 *
 * A leaf of drain.ts, apart from it so that executors.ts can use it without
 * an import cycle.
 */
import type { WireTaskStatus } from '../../protocol/outputs.js';
import type { AgentDrain } from './state.js';

export function drainingStatus(drain: AgentDrain | undefined, status: WireTaskStatus, partitionAware: boolean): WireTaskStatus {
  if (drain === undefined || (status.state !== 'TASK_KILLING' && status.state !== 'TASK_KILLED')) return status;
  return {
    ...status,
    state: drain.config.mark_gone && partitionAware ? 'TASK_GONE_BY_OPERATOR' : status.state,
    reason: 'REASON_AGENT_DRAINING',
  };
}
