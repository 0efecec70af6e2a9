/**
 * The v1 executor API (include/mesos/v1/executor/executor.proto): calls an
 * executor posts to /api/v1/executor on its agent, and the events the agent
 * streams back.
 */
import { z } from 'zod';
import { ExecutorID, FrameworkID, TaskInfo, TaskStatus } from './mesos.js';
import type { WireTaskStatus } from './outputs.js';
import { bytes, optionalEnum } from './wire.js';

export const EXECUTOR_CALL_TYPES = ['UNKNOWN', 'SUBSCRIBE', 'UPDATE', 'MESSAGE', 'HEARTBEAT'] as const;
export type ExecutorCallType = (typeof EXECUTOR_CALL_TYPES)[number];

export const ExecutorCall = z.object({
  executor_id: ExecutorID,
  framework_id: FrameworkID,
  type: optionalEnum(EXECUTOR_CALL_TYPES),
  subscribe: z
    .object({
      unacknowledged_tasks: z.array(TaskInfo).optional(),
      unacknowledged_updates: z.array(z.object({ status: TaskStatus })).optional(),
    })
    .optional(),
  update: z.object({ status: TaskStatus }).optional(),
  message: z.object({ data: bytes }).optional(),
});
export type ExecutorCall = z.output<typeof ExecutorCall>;

/** Events the agent streams to a subscribed executor. */
export type ExecutorEvent =
  | {
      type: 'SUBSCRIBED';
      subscribed: { executor_info: object; framework_info: object; agent_info: object; container_id: { value: string } };
    }
  | { type: 'LAUNCH'; launch: { task: object } }
  | { type: 'LAUNCH_GROUP'; launch_group: { task_group: { tasks: object[] } } }
  | { type: 'KILL'; kill: { task_id: { value: string }; kill_policy?: object } }
  | { type: 'ACKNOWLEDGED'; acknowledged: { task_id: { value: string }; uuid: string } }
  | { type: 'MESSAGE'; message: { data: string } }
  | { type: 'ERROR'; error: { message: string } }
  | { type: 'SHUTDOWN' }
  | { type: 'HEARTBEAT' };
export type ExecutorEventType = ExecutorEvent['type'];

export type { WireTaskStatus };
