/**
 * Validation of a decoded scheduler Call (spec/core.md 1.2 step 6; Mesos'
 * validation::scheduler::call::validate), before any framework lookup. Errors
 * are answered 400 "Failed to validate scheduler::Call: <error>".
 */
import type { SchedulerCall } from '../../../protocol/scheduler.js';

const PAYLOAD_OF = {
  ACCEPT: 'accept',
  DECLINE: 'decline',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE: 'reconcile',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  MESSAGE: 'message',
  REQUEST: 'request',
  UPDATE_FRAMEWORK: 'update_framework',
} as const;

export function validateSchedulerCall(call: SchedulerCall): string | undefined {
  if (call.type === undefined) return "Expecting 'type' to be present";
  if (call.type === 'SUBSCRIBE') {
    if (call.subscribe === undefined) return "Expecting 'subscribe' to be present";
    const infoId = call.subscribe.framework_info.id?.value ?? '';
    const callId = call.framework_id?.value ?? '';
    if (infoId !== callId) return "'framework_id' differs from 'subscribe.framework_info.id'";
    return undefined;
  }
  if (call.framework_id === undefined) return "Expecting 'framework_id' to be present";
  if (call.type in PAYLOAD_OF) {
    const field = PAYLOAD_OF[call.type as keyof typeof PAYLOAD_OF];
    if (call[field] === undefined) return `Expecting '${field}' to be present`;
  }
  if (call.type === 'ACKNOWLEDGE') return validateUuid(call.acknowledge?.uuid);
  if (call.type === 'ACKNOWLEDGE_OPERATION_STATUS') {
    const uuidError = validateUuid(call.acknowledge_operation_status?.uuid);
    if (uuidError !== undefined) return uuidError;
    if (call.acknowledge_operation_status?.agent_id === undefined) return "Expecting 'agent_id' to be present";
  }
  if (call.type === 'UPDATE_FRAMEWORK' && call.update_framework?.framework_info.id?.value !== call.framework_id.value) {
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  }
  return undefined;
}

/** A status update uuid is exactly 16 raw bytes, base64 in JSON. */
function validateUuid(base64: string | undefined): string | undefined {
  const bytes = Buffer.from(base64 ?? '', 'base64');
  if (bytes.length !== 16) return `Invalid UUID: expected 16 bytes, got ${bytes.length}`;
  return undefined;
}
