/**
 * How a failed storage operation is worded, in one place, for both callers
 * (spec/storage.md 2.0.2, 2.0.5, 5.1 steps 9-13):
 *
 * | stage      | ACCEPT (dropped operation)                            | operator API          |
 * |------------|-------------------------------------------------------|-----------------------|
 * | structure  | "Operation attempted with invalid resources: <error>" | 400 "<error>"         |
 * | validation | "<error>; on agent <agent>"                           | 400 "Invalid <OP> operation[ on agent <agent>]: <error>" |
 * | apply      | "<error>" (the "does not contain" text)               | 409 "<error>"         |
 *
 * Authorization failures (spec 6) are worded by the authorizer's caller.
 */
import type { AgentFacts, OperationError, StorageOperationType } from './types.js';

/** The agent as error texts name it: its id and hostname (Mesos adds its libprocess pid, which berth agents lack). */
export function describeAgent(agent: Pick<AgentFacts, 'agentId' | 'hostname'>): string {
  return `${agent.agentId} (${agent.hostname})`;
}

/** The message of an operation an ACCEPT drops (OPERATION_ERROR status, log line). */
export function acceptErrorMessage(error: OperationError, agent: Pick<AgentFacts, 'agentId' | 'hostname'>): string {
  switch (error.stage) {
    case 'structure':
      return `Operation attempted with invalid resources: ${error.message}`;
    case 'validation':
      return `${error.message}; on agent ${describeAgent(agent)}`;
    case 'apply':
      return error.message;
  }
}

/** Upstream names the agent in these operator errors only; UNRESERVE and DESTROY say "operation: ". */
const operatorNamesAgent: Record<StorageOperationType, boolean> = {
  RESERVE: true,
  UNRESERVE: false,
  CREATE: true,
  DESTROY: false,
  GROW_VOLUME: true,
  SHRINK_VOLUME: true,
};

/** The body of the operator API's answer; the status is 400 for structure and validation, 409 for apply. */
export function operatorErrorMessage(
  type: StorageOperationType,
  error: OperationError,
  agent: Pick<AgentFacts, 'agentId' | 'hostname'>,
): string {
  if (error.stage !== 'validation') return error.message;
  const where = operatorNamesAgent[type] ? ` on agent ${describeAgent(agent)}` : '';
  return `Invalid ${type} operation${where}: ${error.message}`;
}
