/**
 * Shapes berth writes to the wire (never parsed from clients): offers, task
 * statuses, MasterInfo. Resources on output are plain JSON objects in whichever
 * reservation format the receiver understands (see resources/format.ts).
 */
import type { OperationState, TaskReason, TaskSource, TaskState } from './mesos.js';

export type WireJsonResource = Record<string, unknown>;

export interface WireId {
  value: string;
}

export interface WireAddress {
  hostname?: string;
  ip?: string;
  port: number;
}

export interface WireMasterInfo {
  id: string;
  ip: number;
  port: number;
  pid: string;
  hostname: string;
  version: string;
  address: WireAddress;
  capabilities: { type: string }[];
  domain?: unknown;
}

export interface WireAttribute {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  scalar?: { value: number };
  ranges?: { range: { begin: number; end: number }[] };
  set?: { item: string[] };
  text?: { value: string };
}

export interface WireOffer {
  id: WireId;
  framework_id: WireId;
  agent_id: WireId;
  hostname: string;
  url: { scheme: 'http'; address: WireAddress; path: string };
  domain?: unknown;
  resources: WireJsonResource[];
  attributes: WireAttribute[];
  executor_ids: WireId[];
  /** When the agent's machine is scheduled for maintenance. */
  unavailability?: WireUnavailability;
  allocation_info?: { role: string };
}

export interface WireUnavailability {
  start: { nanoseconds: number };
  duration?: { nanoseconds: number };
}

/** Maintenance asks the framework to give the agent back by `unavailability` (resources: none, so omitted). */
export interface WireInverseOffer {
  id: WireId;
  url: { scheme: 'http'; address: WireAddress; path: string };
  framework_id: WireId;
  agent_id: WireId;
  unavailability: WireUnavailability;
}

export interface WireTaskStatus {
  task_id: WireId;
  state: TaskState;
  message?: string;
  source?: TaskSource;
  reason?: TaskReason;
  data?: string;
  agent_id?: WireId;
  executor_id?: WireId;
  timestamp: number;
  uuid?: string;
  healthy?: boolean;
  check_status?: unknown;
  labels?: unknown;
  container_status?: unknown;
  unreachable_time?: { nanoseconds: number };
  limitation?: { resources: WireJsonResource[] };
}

export interface WireOperationStatus {
  operation_id?: WireId;
  state: OperationState;
  message?: string;
  converted_resources?: WireJsonResource[];
  uuid?: { value: string };
  agent_id?: WireId;
  resource_provider_id?: WireId;
}
