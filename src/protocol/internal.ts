/**
 * berth's internal master-agent protocol, version 1 (docs/protocol.md).
 *
 * Each direction is one ordered channel:
 *  - master to agent: one long-lived stream (POST /internal/v1/link, RecordIO
 *    response) that the agent holds open; its first record answers the
 *    registration. The stream closing is the broken link of spec/core.md 5.4.
 *  - agent to master: POST /internal/v1/message, one at a time, each carrying
 *    (agent id, epoch, sequence number). The master applies a message once and
 *    in order: a repeated sequence number is acknowledged and ignored, a gap or
 *    a stale epoch is refused (409) and the agent links again.
 *
 * The epoch is chosen by the agent for each link and only grows; the master
 * refuses a link whose epoch is not above the current one, so messages of an
 * older link can never be applied after a newer link.
 */
import { z } from 'zod';
import {
  AgentID,
  Attribute,
  DomainInfo,
  ExecutorInfo,
  FrameworkID,
  FrameworkInfo,
  Resource,
  TaskInfo,
  TaskStatus,
  KillPolicy,
  ExecutorID,
} from './mesos.js';
import { bytes, integer, unsigned } from './wire.js';
import type { WireMasterInfo } from './outputs.js';

export const internalProtocolVersion = 1;

export const AgentInfoMessage = z.object({
  hostname: z.string(),
  port: integer,
  /** Advertised address the master and frameworks reach the agent on. */
  ip: z.string(),
  resources: z.array(Resource),
  attributes: z.array(Attribute).optional(),
  domain: DomainInfo.optional(),
});
export type AgentInfoMessage = z.output<typeof AgentInfoMessage>;

/** A task as the agent reports it on re-registration. */
export const ReportedTask = z.object({
  framework_id: FrameworkID,
  executor_id: ExecutorID.optional(),
  task: TaskInfo,
  state: z.string(),
  status_update_state: z.string().optional(),
  status_update_uuid: bytes.optional(),
  statuses: z.array(TaskStatus).optional(),
});
export type ReportedTask = z.output<typeof ReportedTask>;

/**
 * What an agent says of a storage operation it was sent (docs/protocol.md):
 * OPERATION_FINISHED once its checkpointed resources are durable (volumes made
 * or deleted on disk), OPERATION_FAILED when they could not be, with the
 * total it has instead, which the master then adopts. `status_uuid`
 * identifies this update for ACKNOWLEDGE_OPERATION_STATUS; updates of
 * operations without an id are not acknowledged, and are sent once.
 */
export const OperationStatusMessage = z.object({
  operation_uuid: z.string(),
  framework_id: FrameworkID.optional(),
  operation_id: z.object({ value: z.string() }).optional(),
  state: z.enum(['OPERATION_FINISHED', 'OPERATION_FAILED']),
  message: z.string().optional(),
  /** Base64 of 16 bytes, as task status uuids. */
  status_uuid: bytes,
  resource_version: z.string(),
  /** The agent's total afterwards, on OPERATION_FAILED: the master adopts it. */
  total_resources: z.array(Resource).optional(),
});
export type OperationStatusMessage = z.output<typeof OperationStatusMessage>;

/** The body of POST /internal/v1/link: a registration or a re-registration. */
export const LinkRequest = z.object({
  protocol_version: unsigned,
  epoch: unsigned,
  agent_id: AgentID.optional(),
  agent_info: AgentInfoMessage,
  version: z.string(),
  capabilities: z.array(z.string()),
  /**
   * The dynamic reservations and persistent volumes the agent has made durable
   * (spec/storage.md 3.2); `agent_info.resources` holds the declared resources
   * they were made from, as in Mesos.
   */
  checkpointed_resources: z.array(Resource).optional(),
  /** The version of `checkpointed_resources`: the one the last applied operation carried. */
  resource_version: z.string().optional(),
  /** Operation status updates the master has not acknowledged yet, sent again on every link. */
  operation_updates: z.array(OperationStatusMessage).optional(),
  tasks: z.array(ReportedTask).optional(),
  executors: z.array(z.object({ framework_id: FrameworkID, executor: ExecutorInfo })).optional(),
  frameworks: z.array(FrameworkInfo).optional(),
  completed_framework_ids: z.array(FrameworkID).optional(),
});
export type LinkRequest = z.output<typeof LinkRequest>;


/**
 * How an agent drains (Mesos' DrainConfig, the DRAIN_AGENT call): every task
 * is killed, with its kill grace period capped at `max_grace_period` when one
 * is given; `mark_gone` makes the kills TASK_GONE_BY_OPERATOR for
 * partition-aware frameworks (and the agent gone once drained).
 */
export const DrainConfig = z.object({
  max_grace_period: z.object({ nanoseconds: unsigned }).exactOptional(),
  mark_gone: z.boolean(),
});
export type DrainConfig = z.output<typeof DrainConfig>;

/** Records on the master-to-agent stream. `seq` counts from 1 on each link. */
export type MasterToAgentMessage =
  | {
      type: 'REGISTERED';
      registered: {
        agent_id: { value: string };
        master_info: WireMasterInfo;
        /** agent_ping_timeout x max_agent_ping_timeouts: silence this long means the master is gone. */
        ping_timeout_seconds: number;
        reregistered: boolean;
      };
    }
  | { type: 'PING'; ping: { connected: boolean } }
  | { type: 'SHUTDOWN'; shutdown: { message: string } }
  | {
      type: 'RUN_TASK';
      /** `task.executor` is set (with framework_id filled in) for custom executors. */
      run_task: { framework: z.input<typeof FrameworkInfo>; task: z.input<typeof TaskInfo> };
    }
  | {
      type: 'KILL_TASK';
      kill_task: { framework_id: { value: string }; task_id: { value: string }; kill_policy?: z.input<typeof KillPolicy> };
    }
  | { type: 'SHUTDOWN_FRAMEWORK'; shutdown_framework: { framework_id: { value: string } } }
  | {
      type: 'UPDATE_FRAMEWORK';
      update_framework: {
        framework_info: z.input<typeof FrameworkInfo>;
        /**
         * false: only the FrameworkInfo is refreshed (the agent re-registered and
         * sends its waiting updates anyway). Otherwise the framework (re-)subscribed
         * and may have missed the updates in flight: the agent sends them again.
         */
        resend_updates?: boolean;
      };
    }
  | { type: 'SHUTDOWN_EXECUTOR'; shutdown_executor: { framework_id: { value: string }; executor_id: { value: string } } }
  | {
      type: 'STATUS_UPDATE_ACKNOWLEDGEMENT';
      status_update_acknowledgement: { framework_id: { value: string }; task_id: { value: string }; uuid: string };
    }
  | {
      type: 'FRAMEWORK_TO_EXECUTOR';
      framework_to_executor: { framework_id: { value: string }; executor_id: { value: string }; data: string };
    }
  /**
   * A storage operation (spec/storage.md 2.9): the complete checkpointed
   * resources after it, under a new resource version. A whole set rather than
   * a delta, so applying it twice or after a lost message is harmless.
   */
  | {
      type: 'APPLY_OPERATION';
      apply_operation: {
        operation_uuid: string;
        operation_type: string;
        framework_id?: { value: string };
        /** Set when the framework asked for feedback: the agent keeps the update until it is acknowledged. */
        operation_id?: { value: string };
        /** The version the agent's resources have after the operation. */
        resource_version: string;
        /**
         * The operation itself: the version it builds on, and what it takes from
         * the agent's total and gives back, unallocated (Mesos' resource
         * conversions). The agent applies them to what it has.
         */
        base_resource_version?: string;
        conversions?: { consumed: z.input<typeof Resource>[]; converted: z.input<typeof Resource>[] }[];
        /**
         * Instead of the conversions, when the operation is sent again after a
         * re-registration: the master's whole checkpointed set after it.
         */
        checkpointed_resources?: z.input<typeof Resource>[];
      };
    }
  /** The master's view of the agent's checkpointed resources, sent when the agent re-registers with an older version. */
  | { type: 'CHECKPOINT_RESOURCES'; checkpoint_resources: { resource_version: string; checkpointed_resources: z.input<typeof Resource>[] } }
  /** The framework acknowledged an operation status update: the agent forgets it. */
  | { type: 'ACKNOWLEDGE_OPERATION_STATUS'; acknowledge_operation_status: { status_uuid: string } }
  /**
   * Tasks the master has and the agent did not report when it re-registered:
   * the agent answers each task it does not know with TASK_LOST (TASK_DROPPED
   * for partition-aware frameworks), REASON_RECONCILIATION (spec/core.md 5.6.1).
   */
  | {
      type: 'RECONCILE_TASKS';
      reconcile_tasks: { framework_id: { value: string }; tasks: { task_id: { value: string }; state: string }[] };
    }
  /**
   * Drain this agent (Mesos' DrainSlaveMessage): sent after DRAIN_AGENT and
   * again whenever a draining agent (re-)registers. The agent kills its tasks
   * and refuses new ones until nothing is left; it does not answer.
   */
  | { type: 'DRAIN'; drain: { config: DrainConfig } };

export type MasterToAgentRecord = MasterToAgentMessage & { seq: number };

export const MasterToAgentRecordSchema = z
  .object({ seq: unsigned, type: z.string() })
  .loose();

/** Messages from agent to master, in the envelope of POST /internal/v1/message. */
export const AgentToMasterMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('PONG') }),
  z.object({ type: z.literal('UNREGISTER') }),
  z.object({
    type: z.literal('UPDATE_AGENT'),
    update_agent: z.object({ resources: z.array(Resource), checkpointed_resources: z.array(Resource).optional() }),
  }),
  z.object({
    type: z.literal('STATUS_UPDATE'),
    status_update: z.object({
      framework_id: FrameworkID,
      status: TaskStatus,
      latest_state: z.string().optional(),
    }),
  }),
  z.object({ type: z.literal('OPERATION_STATUS'), operation_status: OperationStatusMessage }),
  z.object({
    type: z.literal('EXECUTOR_TO_FRAMEWORK'),
    executor_to_framework: z.object({ framework_id: FrameworkID, executor_id: ExecutorID, data: bytes }),
  }),
  /** A custom executor's process ended; `status` is the wait status as Mesos reports it (FAILURE.status). */
  z.object({
    type: z.literal('EXITED_EXECUTOR'),
    exited_executor: z.object({ framework_id: FrameworkID, executor_id: ExecutorID, status: integer.optional() }),
  }),
]);
export type AgentToMasterMessage = z.output<typeof AgentToMasterMessage>;

export const AgentMessageEnvelope = z.object({
  agent_id: AgentID,
  epoch: unsigned,
  seq: unsigned,
  message: AgentToMasterMessage,
});
export type AgentMessageEnvelope = z.output<typeof AgentMessageEnvelope>;

/**
 * Several consecutive messages of one link in one request
 * (POST /internal/v1/messages), applied in order as if sent one by one.
 */
export const AgentMessageBatch = z.object({
  agent_id: AgentID,
  epoch: unsigned,
  messages: z.array(z.object({ seq: unsigned, message: AgentToMasterMessage })).min(1),
});
export type AgentMessageBatch = z.output<typeof AgentMessageBatch>;
