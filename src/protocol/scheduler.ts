/**
 * The v1 scheduler API (include/mesos/v1/scheduler/scheduler.proto): the Call
 * schema clients send to /api/v1/scheduler and the Event shapes the master
 * streams back.
 */
import { z } from 'zod';
import {
  AgentID,
  ExecutorID,
  Filters,
  FrameworkID,
  FrameworkInfo,
  KillPolicy,
  OfferID,
  OfferOperation,
  OperationID,
  Resource,
  ResourceProviderID,
  TaskID,
} from './mesos.js';
import type { WireInverseOffer, WireOffer, WireOperationStatus, WireTaskStatus, WireMasterInfo } from './outputs.js';
import { bytes, optionalEnum } from './wire.js';

export const SCHEDULER_CALL_TYPES = [
  'UNKNOWN',
  'SUBSCRIBE',
  'TEARDOWN',
  'ACCEPT',
  'DECLINE',
  'ACCEPT_INVERSE_OFFERS',
  'DECLINE_INVERSE_OFFERS',
  'REVIVE',
  'KILL',
  'SHUTDOWN',
  'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'RECONCILE',
  'RECONCILE_OPERATIONS',
  'MESSAGE',
  'REQUEST',
  'SUPPRESS',
  'UPDATE_FRAMEWORK',
] as const;
export type SchedulerCallType = (typeof SCHEDULER_CALL_TYPES)[number];

const PSEUDOATTRIBUTES = ['UNKNOWN', 'HOSTNAME', 'REGION', 'ZONE'] as const;

export const AttributeConstraint = z.object({
  selector: z.object({
    pseudoattribute_type: optionalEnum(PSEUDOATTRIBUTES),
    attribute_name: z.string().optional(),
  }),
  predicate: z.object({
    exists: z.object({}).optional(),
    not_exists: z.object({}).optional(),
    text_equals: z.object({ value: z.string() }).optional(),
    text_not_equals: z.object({ value: z.string() }).optional(),
    text_matches: z.object({ regex: z.string() }).optional(),
    text_not_matches: z.object({ regex: z.string() }).optional(),
  }),
});
export type AttributeConstraint = z.output<typeof AttributeConstraint>;

export const OfferConstraints = z.object({
  role_constraints: z
    .record(
      z.string(),
      z.object({
        groups: z.array(z.object({ attribute_constraints: z.array(AttributeConstraint).optional() })).optional(),
      }),
    )
    .optional(),
});
export type OfferConstraints = z.output<typeof OfferConstraints>;

const Roles = z.object({ roles: z.array(z.string()).optional() });

export const SchedulerCall = z.object({
  framework_id: FrameworkID.optional(),
  type: optionalEnum(SCHEDULER_CALL_TYPES),
  subscribe: z
    .object({
      framework_info: FrameworkInfo,
      suppressed_roles: z.array(z.string()).optional(),
      offer_constraints: OfferConstraints.optional(),
    })
    .optional(),
  accept: z
    .object({
      offer_ids: z.array(OfferID).optional(),
      operations: z.array(OfferOperation).optional(),
      filters: Filters.optional(),
    })
    .optional(),
  decline: z.object({ offer_ids: z.array(OfferID).optional(), filters: Filters.optional() }).optional(),
  accept_inverse_offers: z
    .object({ inverse_offer_ids: z.array(OfferID).optional(), filters: Filters.optional() })
    .optional(),
  decline_inverse_offers: z
    .object({ inverse_offer_ids: z.array(OfferID).optional(), filters: Filters.optional() })
    .optional(),
  revive: Roles.optional(),
  suppress: Roles.optional(),
  kill: z.object({ task_id: TaskID, agent_id: AgentID.optional(), kill_policy: KillPolicy.optional() }).optional(),
  shutdown: z.object({ executor_id: ExecutorID, agent_id: AgentID }).optional(),
  acknowledge: z.object({ agent_id: AgentID, task_id: TaskID, uuid: bytes }).optional(),
  acknowledge_operation_status: z
    .object({
      agent_id: AgentID.optional(),
      resource_provider_id: ResourceProviderID.optional(),
      uuid: bytes,
      operation_id: OperationID,
    })
    .optional(),
  reconcile: z
    .object({ tasks: z.array(z.object({ task_id: TaskID, agent_id: AgentID.optional() })).optional() })
    .optional(),
  reconcile_operations: z
    .object({
      operations: z
        .array(
          z.object({
            operation_id: OperationID,
            agent_id: AgentID.optional(),
            resource_provider_id: ResourceProviderID.optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  message: z.object({ agent_id: AgentID, executor_id: ExecutorID, data: bytes }).optional(),
  request: z
    .object({
      requests: z.array(z.object({ agent_id: AgentID.optional(), resources: z.array(Resource).optional() })).optional(),
    })
    .optional(),
  update_framework: z
    .object({
      framework_info: FrameworkInfo,
      suppressed_roles: z.array(z.string()).optional(),
      offer_constraints: OfferConstraints.optional(),
    })
    .optional(),
});
export type SchedulerCall = z.output<typeof SchedulerCall>;
export type SubscribeCall = NonNullable<SchedulerCall['subscribe']>;
export type AcceptCall = NonNullable<SchedulerCall['accept']>;

/** Events the master streams to a subscribed scheduler. */
export type SchedulerEvent =
  | {
      type: 'SUBSCRIBED';
      subscribed: { framework_id: { value: string }; heartbeat_interval_seconds: number; master_info: WireMasterInfo };
    }
  | { type: 'HEARTBEAT' }
  | { type: 'OFFERS'; offers: { offers: WireOffer[] } }
  | { type: 'RESCIND'; rescind: { offer_id: { value: string } } }
  | { type: 'INVERSE_OFFERS'; inverse_offers: { inverse_offers: WireInverseOffer[] } }
  | { type: 'RESCIND_INVERSE_OFFER'; rescind_inverse_offer: { inverse_offer_id: { value: string } } }
  | { type: 'UPDATE'; update: { status: WireTaskStatus } }
  | { type: 'UPDATE_OPERATION_STATUS'; update_operation_status: { status: WireOperationStatus } }
  | { type: 'MESSAGE'; message: { agent_id: { value: string }; executor_id: { value: string }; data: string } }
  | {
      type: 'FAILURE';
      failure: { agent_id?: { value: string }; executor_id?: { value: string }; status?: number };
    }
  | { type: 'ERROR'; error: { message: string } };
export type SchedulerEventType = SchedulerEvent['type'];
