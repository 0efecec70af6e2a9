/**
 * Validation of executor API calls (Mesos' slave/validation.cpp,
 * executor::call::validate): the rules and error texts of spec/core.md 2.2.
 * The HTTP layer answers a failure 400 "Failed to validate Executor::Call: <error>".
 */
import type { ExecutorCall } from '../../protocol/executor.js';

export function validateExecutorCall(call: ExecutorCall): string | undefined {
  switch (call.type) {
    case undefined:
      return "Expecting 'type' to be present";
    case 'SUBSCRIBE':
      return call.subscribe === undefined ? "Expecting 'subscribe' to be present" : undefined;
    case 'UPDATE':
      return validateUpdate(call);
    case 'MESSAGE':
      return call.message === undefined ? "Expecting 'message' to be present" : undefined;
    case 'HEARTBEAT':
    case 'UNKNOWN':
      return undefined;
  }
}

function validateUpdate(call: ExecutorCall): string | undefined {
  const status = call.update?.status;
  if (status === undefined) return "Expecting 'update' to be present";
  if (status.uuid === undefined) return "Expecting 'uuid' to be present";
  if (Buffer.from(status.uuid, 'base64').length !== 16) return 'Not a valid UUID: expected 16 bytes';
  const executorId = call.executor_id.value;
  const frameworkId = call.framework_id.value;
  if (status.executor_id !== undefined && status.executor_id.value !== executorId) {
    return `ExecutorID in Call: ${executorId} does not match ExecutorID in TaskStatus: ${status.executor_id.value}`;
  }
  if (status.source !== 'SOURCE_EXECUTOR') {
    return `Received Call from executor ${executorId} of framework ${frameworkId} with invalid source, expecting 'SOURCE_EXECUTOR'`;
  }
  if (status.state === 'TASK_STAGING') {
    return `Received TASK_STAGING from executor ${executorId} of framework ${frameworkId} which is not allowed`;
  }
  return undefined;
}
