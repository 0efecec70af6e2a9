/** What goes into the agent core and what comes out. */
import type { AgentToMasterMessage, LinkRequest, MasterToAgentRecord, OperationStatusMessage } from '../../protocol/internal.js';
import type { ResourceChange, ResourceState } from '../volumes/resource-state.js';
import type { ExecutorCall, ExecutorEvent } from '../../protocol/executor.js';
import type { JournalRecord } from '../checkpoint/records.js';
import type { ContainerEvent, ContainerLaunch } from '../containerizer/types.js';
import type { ContainerIsolationSpec } from '../isolators/isolator.js';
import type { HealthCheckTarget, HealthEvent } from '../health/types.js';

export type AgentEvent =
  | { readonly type: 'tick' }
  /** A record arrived on the link with this epoch. */
  | { readonly type: 'link_record'; readonly epoch: number; readonly record: MasterToAgentRecord }
  /** The link request failed (network error, or a refusal with a status). */
  | { readonly type: 'link_failed'; readonly epoch: number; readonly status?: number; readonly message: string }
  /** The link stream ended or broke. */
  | { readonly type: 'link_closed'; readonly epoch: number }
  /** The master refused a message (409): this link is no good, link again. */
  | { readonly type: 'message_refused'; readonly epoch: number; readonly message: string }
  | ContainerEvent
  | HealthEvent
  /** An executor opened its SUBSCRIBE stream (already decoded and validated as a Call). */
  | { readonly type: 'executor_subscribe'; readonly connectionId: string; readonly call: ExecutorCall }
  | { readonly type: 'executor_call'; readonly call: ExecutorCall }
  | { readonly type: 'executor_closed'; readonly connectionId: string }
  /**
   * The shell committed a `commit_resources` effect (`error` undefined), or
   * could not: `onDisk` is then what the journal and the volumes still hold.
   */
  | {
      readonly type: 'resources_committed';
      readonly report: OperationStatusMessage | undefined;
      readonly attempted: ResourceChange;
      readonly onDisk: ResourceState;
      readonly error: string | undefined;
    };

/** The answer to an executor API request (spec/core.md 2.1). */
export interface ExecutorReply {
  readonly status: number;
  readonly body?: string;
}

export type AgentEffect =
  | { readonly type: 'open_link'; readonly epoch: number; readonly request: LinkRequest }
  | { readonly type: 'close_link'; readonly epoch: number }
  | { readonly type: 'send_message'; readonly epoch: number; readonly seq: number; readonly message: AgentToMasterMessage }
  | { readonly type: 'persist_agent_id'; readonly agentId: string }
  /**
   * Make `change` to the checkpointed resource state durable: volumes made and
   * deleted on disk, the change journaled. The shell answers with
   * resources_committed, carrying `report` back.
   */
  | { readonly type: 'commit_resources'; readonly change: ResourceChange; readonly report: OperationStatusMessage | undefined }
  /**
   * Make a record durable. The shell performs the effects of a step in order
   * and never performs an effect before every earlier `persist` is on disk
   * (records of several steps share one fsync: group commit).
   */
  | { readonly type: 'persist'; readonly record: JournalRecord }
  | { readonly type: 'launch_container'; readonly launch: ContainerLaunch }
  | { readonly type: 'destroy_container'; readonly containerId: string; readonly gracePeriodMs: number }
  /** A task joined the container's executor: its isolators follow its resources and limits. */
  | { readonly type: 'update_container'; readonly containerId: string; readonly isolation: ContainerIsolationSpec }
  | { readonly type: 'executor_event'; readonly connectionId: string; readonly event: ExecutorEvent }
  | { readonly type: 'executor_close'; readonly connectionId: string }
  | { readonly type: 'start_health_check'; readonly target: HealthCheckTarget }
  | { readonly type: 'stop_health_check'; readonly frameworkId: string; readonly taskId: string }
  /** A sandbox is done: delete it after the GC delay (or sooner when the disk fills). */
  | { readonly type: 'schedule_gc'; readonly path: string; readonly completedAtMs: number }
  /** Show a run's sandbox under /files (its real path and Mesos' virtual path). */
  | { readonly type: 'expose_sandbox'; readonly directory: string; readonly virtualPath: string }
  | { readonly type: 'shutdown'; readonly message: string }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string };
