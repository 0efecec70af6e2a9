/**
 * berth SDK: a typed client for Mesos frameworks, against berth or Apache
 * Mesos (scheduler HTTP API v1, spec/core.md section 1). See README.md.
 */
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
  EventsDroppedError,
  EventTimeoutError,
  HeartbeatTimeoutError,
  MasterError,
  SessionClosedError,
  StreamError,
  SubscribeError,
} from './errors.js';
export type { EventOf, IdLike, SessionEnd, SessionEndReason } from './types.js';
