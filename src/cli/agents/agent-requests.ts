/**
 * The v1 operator calls `berth agents` sends (docs/maintenance.md), built
 * from what people type. The master validates them again. Pure.
 */
type Call = Record<string, unknown>;

const nanosecondsPerMs = 1_000_000;
const nanosecondsPerSecond = 1_000_000_000;

/** A duration as protobuf's google.protobuf.Duration JSON object, which DRAIN_AGENT's max_grace_period is. */
export function protobufDuration(ms: number): { seconds: number; nanos: number } {
  const nanoseconds = Math.round(ms * nanosecondsPerMs);
  return { seconds: Math.floor(nanoseconds / nanosecondsPerSecond), nanos: nanoseconds % nanosecondsPerSecond };
}

export function drainAgentCall(agentId: string, options: { maxGracePeriodMs: number | undefined; markGone: boolean }): Call {
  return {
    type: 'DRAIN_AGENT',
    drain_agent: {
      agent_id: { value: agentId },
      ...(options.maxGracePeriodMs !== undefined && { max_grace_period: protobufDuration(options.maxGracePeriodMs) }),
      mark_gone: options.markGone,
    },
  };
}

export function deactivateAgentCall(agentId: string): Call {
  return { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: agentId } } };
}

export function reactivateAgentCall(agentId: string): Call {
  return { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: agentId } } };
}

export const getTasksCall: Call = { type: 'GET_TASKS' };
