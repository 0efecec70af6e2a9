/**
 * The v1 operator API of the master (include/mesos/v1/master/master.proto):
 * the Call schema posted to /api/v1 and the events of its SUBSCRIBE stream.
 */
import { z } from 'zod';
import { AgentID, DurationInfo, FrameworkID, Resource, Scalar, WeightInfo } from './mesos.js';
import { bool, int64, integer, optionalEnum, unsigned } from './wire.js';

export const OPERATOR_CALL_TYPES = [
  'UNKNOWN',
  'GET_HEALTH',
  'GET_FLAGS',
  'GET_VERSION',
  'GET_METRICS',
  'GET_LOGGING_LEVEL',
  'SET_LOGGING_LEVEL',
  'LIST_FILES',
  'READ_FILE',
  'GET_STATE',
  'GET_AGENTS',
  'GET_FRAMEWORKS',
  'GET_EXECUTORS',
  'GET_OPERATIONS',
  'GET_TASKS',
  'GET_ROLES',
  'GET_WEIGHTS',
  'UPDATE_WEIGHTS',
  'GET_MASTER',
  'SUBSCRIBE',
  'RESERVE_RESOURCES',
  'UNRESERVE_RESOURCES',
  'CREATE_VOLUMES',
  'DESTROY_VOLUMES',
  'GROW_VOLUME',
  'SHRINK_VOLUME',
  'GET_MAINTENANCE_STATUS',
  'GET_MAINTENANCE_SCHEDULE',
  'UPDATE_MAINTENANCE_SCHEDULE',
  'START_MAINTENANCE',
  'STOP_MAINTENANCE',
  'DRAIN_AGENT',
  'DEACTIVATE_AGENT',
  'REACTIVATE_AGENT',
  'GET_QUOTA',
  'UPDATE_QUOTA',
  'SET_QUOTA',
  'REMOVE_QUOTA',
  'TEARDOWN',
  'MARK_AGENT_GONE',
] as const;
export type OperatorCallType = (typeof OPERATOR_CALL_TYPES)[number];

export const QuotaConfig = z.object({
  role: z.string(),
  guarantees: z.record(z.string(), Scalar).optional(),
  limits: z.record(z.string(), Scalar).optional(),
});
export type QuotaConfig = z.output<typeof QuotaConfig>;

const AgentOnly = z.object({ agent_id: AgentID });

/** Mesos' MachineID: maintenance names machines by hostname and IP. */
export const MachineID = z.object({ hostname: z.string().optional(), ip: z.string().optional() });
export type MachineID = z.output<typeof MachineID>;

/** Mesos' maintenance Schedule (include/mesos/v1/maintenance/maintenance.proto). */
export const MaintenanceSchedule = z.object({
  windows: z
    .array(
      z.object({
        machine_ids: z.array(MachineID).optional(),
        unavailability: z.object({ start: z.object({ nanoseconds: int64 }), duration: z.object({ nanoseconds: int64 }).optional() }),
      }),
    )
    .optional(),
});
export type MaintenanceSchedule = z.output<typeof MaintenanceSchedule>;

export const OperatorCall = z.object({
  type: optionalEnum(OPERATOR_CALL_TYPES),
  get_metrics: z.object({ timeout: DurationInfo.optional() }).optional(),
  set_logging_level: z.object({ level: unsigned, duration: DurationInfo }).optional(),
  list_files: z.object({ path: z.string() }).optional(),
  read_file: z.object({ path: z.string(), offset: unsigned, length: unsigned.optional() }).optional(),
  update_weights: z.object({ weight_infos: z.array(WeightInfo).optional() }).optional(),
  reserve_resources: z
    .object({ agent_id: AgentID, source: z.array(Resource).optional(), resources: z.array(Resource).optional() })
    .optional(),
  unreserve_resources: z.object({ agent_id: AgentID, resources: z.array(Resource).optional() }).optional(),
  create_volumes: z.object({ agent_id: AgentID, volumes: z.array(Resource).optional() }).optional(),
  destroy_volumes: z.object({ agent_id: AgentID, volumes: z.array(Resource).optional() }).optional(),
  grow_volume: z.object({ agent_id: AgentID.optional(), volume: Resource, addition: Resource }).optional(),
  shrink_volume: z.object({ agent_id: AgentID.optional(), volume: Resource, subtract: Scalar }).optional(),
  update_maintenance_schedule: z.object({ schedule: MaintenanceSchedule }).optional(),
  start_maintenance: z.object({ machines: z.array(MachineID).optional() }).optional(),
  stop_maintenance: z.object({ machines: z.array(MachineID).optional() }).optional(),
  drain_agent: z
    .object({ agent_id: AgentID, max_grace_period: z.object({ seconds: integer.optional(), nanos: integer.optional() }).optional(), mark_gone: bool.optional() })
    .optional(),
  deactivate_agent: AgentOnly.optional(),
  reactivate_agent: AgentOnly.optional(),
  update_quota: z.object({ force: bool.optional(), quota_configs: z.array(QuotaConfig).optional() }).optional(),
  set_quota: z.object({ quota_request: z.record(z.string(), z.unknown()) }).optional(),
  remove_quota: z.object({ role: z.string() }).optional(),
  teardown: z.object({ framework_id: FrameworkID }).optional(),
  mark_agent_gone: AgentOnly.optional(),
});
export type OperatorCall = z.output<typeof OperatorCall>;

/** Events of the operator SUBSCRIBE stream (spec/core.md 6.3). */
export type OperatorEvent =
  | { type: 'SUBSCRIBED'; subscribed: { get_state: object; heartbeat_interval_seconds: number } }
  | { type: 'HEARTBEAT' }
  | { type: 'TASK_ADDED'; task_added: { task: object } }
  | { type: 'TASK_UPDATED'; task_updated: { framework_id: { value: string }; status: object; state: string } }
  | { type: 'AGENT_ADDED'; agent_added: { agent: object } }
  | { type: 'AGENT_REMOVED'; agent_removed: { agent_id: { value: string } } }
  | { type: 'FRAMEWORK_ADDED'; framework_added: { framework: object } }
  | { type: 'FRAMEWORK_UPDATED'; framework_updated: { framework: object } }
  | { type: 'FRAMEWORK_REMOVED'; framework_removed: { framework_info: object } };
