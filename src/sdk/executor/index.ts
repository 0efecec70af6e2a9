/**
 * The executor side of the SDK: write a custom executor in TypeScript
 * (v1 executor API, spec/core.md section 2). See ../README.md.
 */
export { Executor } from './executor.js';
export {
  unacknowledgedUpdatesMaxDefault,
  type ExecutorEnd,
  type ExecutorEndReason,
  type ExecutorHandlers,
  type ExecutorOptions,
  type ExecutorSubscribedInfo,
} from './options.js';
export {
  executorEndpoint,
  executorSettings,
  recoveryTimeoutMsDefault,
  registrationTimeoutMsDefault,
  subscriptionBackoffMaxMsDefault,
  type Environment,
  type ExecutorSettings,
  type ExecutorSettingsInput,
} from './settings.js';
export { executorStatus, type ExecutorCallBody, type ExecutorStatusInput } from './calls.js';
