/**
 * berth SDK: a typed client for Mesos frameworks and executors, against berth
 * or Apache Mesos (scheduler and executor HTTP APIs v1, spec/core.md sections
 * 1 and 2). See README.md.
 */
export { Scheduler, type SchedulerEnd, type SchedulerEndReason, type StartOptions } from './scheduler.js';
export {
  frameworkRoles,
  pendingCallsMaxDefault,
  resubscribeBackoffInitialMsDefault,
  resubscribeBackoffMaxMsDefault,
  type ExecutorMessage,
  type FailureInfo,
  type SchedulerHandlers,
  type SchedulerOptions,
} from './scheduler-options.js';
export { launchGroupOperation, launchOperation, tasksOnAgent, type LaunchTask } from './operations.js';
export { backoffDelayMs, type BackoffPolicy } from './backoff.js';
export * as executor from './executor/index.js';
export { subscribe, type SubscribeOptions } from './subscribe.js';
export { SchedulerSession, type CallAnswer, type EventsOptions, type SessionOptions } from './session.js';
export {
  httpConnector,
  resolveLocation,
  schedulerEndpoint,
  type Connector,
  type HttpConnectorOptions,
  type RetryPolicy,
  type SubscribeStream,
} from './connector.js';
export { createHttpTransport, type HttpAnswer, type HttpTransportOptions, type Transport } from './transport.js';
export * as calls from './calls.js';
export type { EventPredicate, EventHandler } from './event-log.js';
export {
  AgentError,
  CallError,
  CallQueueFullError,
  EventsDroppedError,
  EventTimeoutError,
  ExecutorEnvironmentError,
  HandlerError,
  HeartbeatTimeoutError,
  MasterError,
  NotSubscribedError,
  SessionClosedError,
  StoppedError,
  StreamError,
  SubscribeError,
} from './errors.js';
export type { Awaitable, EventOf, IdLike, SessionEnd, SessionEndReason, TaskInfo } from './types.js';
