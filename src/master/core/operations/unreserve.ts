/**
 * UNRESERVE (spec/storage.md 2.2): pop one reservation level off each resource
 * (a refined reservation goes back to its parent role, a single dynamic one
 * becomes unreserved). Any quantity up to the reserved amount may be given
 * back. No principal is matched here: the UNRESERVE ACL decides who may undo
 * whose reservation.
 */
import { err, ok } from '../../../lib/result.js';
import {
  isDynamicallyReserved,
  isPersistentVolume,
  Resources,
  resourceToString,
  type Resource,
  type ResourceConversion,
} from '../../../resources/index.js';
import { unreserveRequests } from './authorization.js';
import { firstError, masterResourcesError, prefixed, singleResourceProviderError } from './rules.js';
import type { OperationOutcome, UnreserveOperation } from './types.js';

export function validateUnreserve(operation: UnreserveOperation): OperationOutcome {
  const { resources } = operation;
  const error = firstError([
    () => masterResourcesError('Invalid resources: ', resources),
    () => prefixed('Invalid resources: ', singleResourceProviderError(resources)),
    () => firstError(resources.map((resource) => () => resourceError(resource))),
  ]);
  if (error !== undefined) return err({ stage: 'validation', message: error });
  return ok({ operation, conversions: resources.map(unreserveConversion), withheld: false, authorization: unreserveRequests(resources) });
}

/** Static reservations come from the agent's flags and never go; volumes must be destroyed first. */
function resourceError(resource: Resource): string | undefined {
  if (!isDynamicallyReserved(resource)) return `Resource ${resourceToString(resource)} is not dynamically reserved`;
  if (isPersistentVolume(resource)) {
    return (
      `A dynamically reserved persistent volume ${resourceToString(resource)} cannot be unreserved directly. ` +
      'Please destroy the persistent volume first then unreserve the resource'
    );
  }
  return undefined;
}

/** One conversion per resource, as Mesos applies them: each must find its own reserved amount. */
function unreserveConversion(resource: Resource): ResourceConversion {
  const reserved = Resources.of([resource]);
  return { consumed: reserved, converted: reserved.popReservation() };
}
