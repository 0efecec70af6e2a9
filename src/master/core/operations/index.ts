/**
 * Storage offer operations (spec/storage.md 2.0.2, 2.0.4, 2.1-2.6) as pure
 * functions: parse the wire operation, inject the offers' allocation, validate
 * it for an actor on an agent, apply it to what remains. See README.md.
 */
export type * from './types.js';
export { storageOperationTypes } from './types.js';
export { isStorageOperationType, parseStorageOperation } from './structure.js';
export { allocateStorageOperation } from './allocation.js';
export { validateStorageOperation } from './validate.js';
export { validateReserve } from './reserve.js';
export { validateUnreserve } from './unreserve.js';
export { validateCreate } from './create.js';
export { validateDestroy } from './destroy.js';
export { validateGrowVolume } from './grow.js';
export { validateShrinkVolume } from './shrink.js';
export { applyToRemaining, type AppliedOperation } from './apply.js';
export { acceptErrorMessage, describeAgent, operatorErrorMessage } from './messages.js';
export type {
  AuthorizationAction,
  AuthorizationDecision,
  AuthorizationRequest,
  OperationAuthorizer,
} from './authorization.js';
export { reserveRequests } from './authorization.js';
export { volumeKey } from './rules.js';
