/**
 * One entry point for the operation-specific validation of spec/storage.md
 * 2.1-2.6: the operation's rules in upstream order, then the conversions it
 * would apply and the authorization it needs. Pure: reads the actor and the
 * agent facts, changes nothing.
 */
import { assertNever } from '../../../lib/assert.js';
import { validateCreate } from './create.js';
import { validateDestroy } from './destroy.js';
import { validateGrowVolume } from './grow.js';
import { validateReserve } from './reserve.js';
import { validateShrinkVolume } from './shrink.js';
import { validateUnreserve } from './unreserve.js';
import type { AgentFacts, OperationActor, OperationOutcome, StorageOperation } from './types.js';

export function validateStorageOperation(operation: StorageOperation, actor: OperationActor, agent: AgentFacts): OperationOutcome {
  switch (operation.type) {
    case 'RESERVE':
      return validateReserve(operation, actor, agent);
    case 'UNRESERVE':
      return validateUnreserve(operation);
    case 'CREATE':
      return validateCreate(operation, actor, agent);
    case 'DESTROY':
      return validateDestroy(operation, agent);
    case 'GROW_VOLUME':
      return validateGrowVolume(operation, agent);
    case 'SHRINK_VOLUME':
      return validateShrinkVolume(operation, agent);
    default:
      return assertNever(operation, 'storage operation');
  }
}
