/**
 * Wire schemas of the common Mesos v1 messages (include/mesos/v1/mesos.proto),
 * in Mesos protobuf JSON. Types are derived from the schemas: one source of
 * truth for the wire.
 */
import { z } from 'zod';
import { bool, bytes, double, id, integer, optionalEnum, requiredEnum, unsigned } from './wire.js';

export const FrameworkID = id;
export const AgentID = id;
export const OfferID = id;
export const TaskID = id;
export const ExecutorID = id;
export const OperationID = id;
export const ResourceProviderID = id;

export const TimeInfo = z.object({ nanoseconds: integer });
export const DurationInfo = z.object({ nanoseconds: integer });

export const Label = z.object({ key: z.string(), value: z.string().optional() });
export const Labels = z.object({ labels: z.array(Label).optional() });

export const Parameter = z.object({ key: z.string(), value: z.string() });

export const Address = z.object({ hostname: z.string().optional(), ip: z.string().optional(), port: integer });
export const URL = z.object({
  scheme: z.string(),
  address: Address,
  path: z.string().optional(),
  query: z.array(Parameter).optional(),
  fragment: z.string().optional(),
});

export const VALUE_TYPES = ['SCALAR', 'RANGES', 'SET', 'TEXT'] as const;
export const Scalar = z.object({ value: double });
export const Range = z.object({ begin: unsigned, end: unsigned });
export const Ranges = z.object({ range: z.array(Range).optional() });
export const ValueSet = z.object({ item: z.array(z.string()).optional() });
export const Text = z.object({ value: z.string() });

export const Attribute = z.object({
  name: z.string(),
  type: requiredEnum(VALUE_TYPES),
  scalar: Scalar.optional(),
  ranges: Ranges.optional(),
  set: ValueSet.optional(),
  text: Text.optional(),
});

export const RESERVATION_TYPES = ['STATIC', 'DYNAMIC'] as const;
export const ReservationInfo = z.object({
  type: optionalEnum(RESERVATION_TYPES),
  role: z.string().optional(),
  principal: z.string().optional(),
  labels: Labels.optional(),
});

export const DISK_SOURCE_TYPES = ['PATH', 'MOUNT', 'BLOCK', 'RAW'] as const;
export const VOLUME_MODES = ['RW', 'RO'] as const;

export const DiskSource = z.object({
  // Required in the proto: an unknown name is kept as 'UNKNOWN' so that resource
  // validation can answer "Unsupported 'DiskInfo.Source.Type'".
  type: z.string().transform((s) => ((DISK_SOURCE_TYPES as readonly string[]).includes(s) ? (s as (typeof DISK_SOURCE_TYPES)[number]) : ('UNKNOWN' as const))),
  path: z.object({ root: z.string().optional() }).optional(),
  mount: z.object({ root: z.string().optional() }).optional(),
  vendor: z.string().optional(),
  id: z.string().optional(),
  metadata: Labels.optional(),
  profile: z.string().optional(),
});

export const DiskVolume = z.object({
  container_path: z.string(),
  mode: requiredEnum(VOLUME_MODES),
  host_path: z.string().optional(),
});

export const DiskInfo = z.object({
  persistence: z.object({ id: z.string(), principal: z.string().optional() }).optional(),
  volume: DiskVolume.optional(),
  source: DiskSource.optional(),
});

const Empty = z.object({}).transform(() => ({}) as Record<string, never>);

/** A Resource in any of its reservation formats, as a client may send it. */
export const Resource = z.object({
  provider_id: ResourceProviderID.optional(),
  name: z.string(),
  type: requiredEnum(VALUE_TYPES),
  scalar: Scalar.optional(),
  ranges: Ranges.optional(),
  set: ValueSet.optional(),
  role: z.string().optional(),
  allocation_info: z.object({ role: z.string().optional() }).optional(),
  reservation: ReservationInfo.optional(),
  reservations: z.array(ReservationInfo).optional(),
  disk: DiskInfo.optional(),
  revocable: Empty.optional(),
  shared: Empty.optional(),
});
export type WireResourceJson = z.output<typeof Resource>;

export const Filters = z.object({ refuse_seconds: double.optional() });

export const FRAMEWORK_CAPABILITIES = [
  'UNKNOWN',
  'REVOCABLE_RESOURCES',
  'TASK_KILLING_STATE',
  'GPU_RESOURCES',
  'SHARED_RESOURCES',
  'PARTITION_AWARE',
  'MULTI_ROLE',
  'RESERVATION_REFINEMENT',
  'REGION_AWARE',
] as const;
export type FrameworkCapability = (typeof FRAMEWORK_CAPABILITIES)[number];

export const OfferFilters = z.object({
  min_allocatable_resources: z
    .object({
      quantities: z.array(z.object({ quantities: z.record(z.string(), Scalar).optional() })).optional(),
    })
    .optional(),
});

export const FrameworkInfo = z.object({
  user: z.string(),
  name: z.string(),
  id: FrameworkID.optional(),
  failover_timeout: double.optional(),
  checkpoint: bool.optional(),
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
  hostname: z.string().optional(),
  principal: z.string().optional(),
  webui_url: z.string().optional(),
  capabilities: z.array(z.object({ type: optionalEnum(FRAMEWORK_CAPABILITIES) })).optional(),
  labels: Labels.optional(),
  offer_filters: z.record(z.string(), OfferFilters).optional(),
});
export type FrameworkInfo = z.output<typeof FrameworkInfo>;

export const DomainInfo = z.object({
  fault_domain: z
    .object({
      region: z.object({ name: z.string() }),
      zone: z.object({ name: z.string() }),
    })
    .optional(),
});

export const MASTER_CAPABILITIES = ['UNKNOWN', 'AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2'] as const;
export const MasterInfo = z.object({
  id: z.string(),
  ip: unsigned,
  port: unsigned,
  pid: z.string().optional(),
  hostname: z.string().optional(),
  version: z.string().optional(),
  address: Address.optional(),
  domain: DomainInfo.optional(),
  capabilities: z.array(z.object({ type: optionalEnum(MASTER_CAPABILITIES) })).optional(),
});
export type MasterInfo = z.output<typeof MasterInfo>;

export const AGENT_CAPABILITIES = [
  'UNKNOWN',
  'MULTI_ROLE',
  'HIERARCHICAL_ROLE',
  'RESERVATION_REFINEMENT',
  'RESOURCE_PROVIDER',
  'RESIZE_VOLUME',
  'AGENT_OPERATION_FEEDBACK',
  'AGENT_DRAINING',
  'TASK_RESOURCE_LIMITS',
] as const;
export type AgentCapability = (typeof AGENT_CAPABILITIES)[number];

export const AgentInfo = z.object({
  hostname: z.string(),
  port: integer.optional(),
  resources: z.array(Resource).optional(),
  attributes: z.array(Attribute).optional(),
  id: AgentID.optional(),
  domain: DomainInfo.optional(),
});

export const KillPolicy = z.object({ grace_period: DurationInfo.optional() });

export const EnvironmentVariable = z.object({
  name: z.string(),
  type: optionalEnum(['UNKNOWN', 'VALUE', 'SECRET'] as const),
  value: z.string().optional(),
  secret: z.unknown().optional(),
});

export const CommandInfo = z.object({
  uris: z
    .array(
      z.object({
        value: z.string(),
        executable: bool.optional(),
        extract: bool.optional(),
        cache: bool.optional(),
        output_file: z.string().optional(),
      }),
    )
    .optional(),
  environment: z.object({ variables: z.array(EnvironmentVariable).optional() }).optional(),
  shell: bool.optional(),
  value: z.string().optional(),
  arguments: z.array(z.string()).optional(),
  user: z.string().optional(),
});

/** ContainerInfo is accepted structurally; berth runs no images yet. */
export const ContainerInfo = z
  .object({
    type: optionalEnum(['DOCKER', 'MESOS'] as const),
    volumes: z.array(z.record(z.string(), z.unknown())).optional(),
    hostname: z.string().optional(),
    docker: z.record(z.string(), z.unknown()).optional(),
    mesos: z.record(z.string(), z.unknown()).optional(),
    network_infos: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .loose();

export const HEALTH_CHECK_TYPES = ['UNKNOWN', 'COMMAND', 'HTTP', 'TCP'] as const;
export const HealthCheck = z.object({
  delay_seconds: double.optional(),
  interval_seconds: double.optional(),
  timeout_seconds: double.optional(),
  consecutive_failures: unsigned.optional(),
  grace_period_seconds: double.optional(),
  type: optionalEnum(HEALTH_CHECK_TYPES),
  command: CommandInfo.optional(),
  http: z
    .object({
      protocol: z.string().optional(),
      scheme: z.string().optional(),
      port: unsigned,
      path: z.string().optional(),
      statuses: z.array(unsigned).optional(),
    })
    .optional(),
  tcp: z.object({ protocol: z.string().optional(), port: unsigned }).optional(),
});

export const CheckInfo = z.object({
  type: optionalEnum(HEALTH_CHECK_TYPES),
  command: z.object({ command: CommandInfo }).optional(),
  http: z.object({ port: unsigned, path: z.string().optional() }).optional(),
  tcp: z.object({ port: unsigned }).optional(),
  delay_seconds: double.optional(),
  interval_seconds: double.optional(),
  timeout_seconds: double.optional(),
});

export const EXECUTOR_TYPES = ['UNKNOWN', 'DEFAULT', 'CUSTOM'] as const;
export const ExecutorInfo = z.object({
  type: optionalEnum(EXECUTOR_TYPES),
  executor_id: ExecutorID,
  framework_id: FrameworkID.optional(),
  command: CommandInfo.optional(),
  container: ContainerInfo.optional(),
  resources: z.array(Resource).optional(),
  name: z.string().optional(),
  source: z.string().optional(),
  data: bytes.optional(),
  discovery: z.record(z.string(), z.unknown()).optional(),
  shutdown_grace_period: DurationInfo.optional(),
  labels: Labels.optional(),
});

export const TaskInfo = z.object({
  name: z.string(),
  task_id: TaskID,
  agent_id: AgentID,
  resources: z.array(Resource).optional(),
  executor: ExecutorInfo.optional(),
  command: CommandInfo.optional(),
  container: ContainerInfo.optional(),
  health_check: HealthCheck.optional(),
  check: CheckInfo.optional(),
  kill_policy: KillPolicy.optional(),
  data: bytes.optional(),
  labels: Labels.optional(),
  discovery: z.record(z.string(), z.unknown()).optional(),
  max_completion_time: DurationInfo.optional(),
  limits: z.record(z.string(), Scalar).optional(),
});

export const OPERATION_TYPES = [
  'UNKNOWN',
  'LAUNCH',
  'LAUNCH_GROUP',
  'RESERVE',
  'UNRESERVE',
  'CREATE',
  'DESTROY',
  'GROW_VOLUME',
  'SHRINK_VOLUME',
  'CREATE_DISK',
  'DESTROY_DISK',
] as const;

export const OfferOperation = z.object({
  type: optionalEnum(OPERATION_TYPES),
  id: OperationID.optional(),
  launch: z.object({ task_infos: z.array(TaskInfo).optional() }).optional(),
  launch_group: z
    .object({ executor: ExecutorInfo, task_group: z.object({ tasks: z.array(TaskInfo).optional() }) })
    .optional(),
  reserve: z.object({ source: z.array(Resource).optional(), resources: z.array(Resource).optional() }).optional(),
  unreserve: z.object({ resources: z.array(Resource).optional() }).optional(),
  create: z.object({ volumes: z.array(Resource).optional() }).optional(),
  destroy: z.object({ volumes: z.array(Resource).optional() }).optional(),
  grow_volume: z.object({ volume: Resource, addition: Resource }).optional(),
  shrink_volume: z.object({ volume: Resource, subtract: Scalar }).optional(),
  create_disk: z.object({ source: Resource, target_type: z.string(), target_profile: z.string().optional() }).optional(),
  destroy_disk: z.object({ source: Resource }).optional(),
});
export type OfferOperation = z.output<typeof OfferOperation>;

export const TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** The states after which a task never runs again (spec/core.md 3.1). */
export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

export const TASK_SOURCES = ['SOURCE_MASTER', 'SOURCE_AGENT', 'SOURCE_EXECUTOR'] as const;
export type TaskSource = (typeof TASK_SOURCES)[number];

export const TASK_REASONS = [
  'REASON_COMMAND_EXECUTOR_FAILED',
  'REASON_CONTAINER_LAUNCH_FAILED',
  'REASON_CONTAINER_LIMITATION',
  'REASON_CONTAINER_LIMITATION_DISK',
  'REASON_CONTAINER_LIMITATION_MEMORY',
  'REASON_CONTAINER_PREEMPTED',
  'REASON_CONTAINER_UPDATE_FAILED',
  'REASON_MAX_COMPLETION_TIME_REACHED',
  'REASON_EXECUTOR_REGISTRATION_TIMEOUT',
  'REASON_EXECUTOR_REREGISTRATION_TIMEOUT',
  'REASON_EXECUTOR_TERMINATED',
  'REASON_EXECUTOR_UNREGISTERED',
  'REASON_FRAMEWORK_REMOVED',
  'REASON_GC_ERROR',
  'REASON_INVALID_FRAMEWORKID',
  'REASON_INVALID_OFFERS',
  'REASON_IO_SWITCHBOARD_EXITED',
  'REASON_MASTER_DISCONNECTED',
  'REASON_RECONCILIATION',
  'REASON_RESOURCES_UNKNOWN',
  'REASON_AGENT_DISCONNECTED',
  'REASON_AGENT_DRAINING',
  'REASON_AGENT_REMOVED',
  'REASON_AGENT_REMOVED_BY_OPERATOR',
  'REASON_AGENT_REREGISTERED',
  'REASON_AGENT_RESTARTED',
  'REASON_AGENT_UNKNOWN',
  'REASON_TASK_KILLED_DURING_LAUNCH',
  'REASON_TASK_CHECK_STATUS_UPDATED',
  'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
  'REASON_TASK_GROUP_INVALID',
  'REASON_TASK_GROUP_UNAUTHORIZED',
  'REASON_TASK_INVALID',
  'REASON_TASK_UNAUTHORIZED',
  'REASON_TASK_UNKNOWN',
] as const;
export type TaskReason = (typeof TASK_REASONS)[number];

export const TaskStatus = z.object({
  task_id: TaskID,
  state: requiredEnum(TASK_STATES),
  message: z.string().optional(),
  source: optionalEnum(TASK_SOURCES),
  reason: optionalEnum(TASK_REASONS),
  data: bytes.optional(),
  agent_id: AgentID.optional(),
  executor_id: ExecutorID.optional(),
  timestamp: double.optional(),
  uuid: bytes.optional(),
  healthy: bool.optional(),
  check_status: z.record(z.string(), z.unknown()).optional(),
  labels: Labels.optional(),
  container_status: z.record(z.string(), z.unknown()).optional(),
  unreachable_time: TimeInfo.optional(),
  limitation: z.object({ resources: z.array(Resource).optional() }).optional(),
});
export type TaskStatus = z.output<typeof TaskStatus>;

export const OPERATION_STATES = [
  'OPERATION_UNSUPPORTED',
  'OPERATION_PENDING',
  'OPERATION_FINISHED',
  'OPERATION_FAILED',
  'OPERATION_ERROR',
  'OPERATION_DROPPED',
  'OPERATION_UNREACHABLE',
  'OPERATION_GONE_BY_OPERATOR',
  'OPERATION_RECOVERING',
  'OPERATION_UNKNOWN',
] as const;
export type OperationState = (typeof OPERATION_STATES)[number];

export const OperationStatus = z.object({
  operation_id: OperationID.optional(),
  state: requiredEnum(OPERATION_STATES),
  message: z.string().optional(),
  converted_resources: z.array(Resource).optional(),
  uuid: z.object({ value: bytes }).optional(),
  agent_id: AgentID.optional(),
  resource_provider_id: ResourceProviderID.optional(),
});

export const WeightInfo = z.object({ weight: double, role: z.string().optional() });
