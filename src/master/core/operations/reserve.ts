/**
 * RESERVE (spec/storage.md 2.1): push one dynamic reservation level on each
 * resource, or (operator API, `source` set) re-reserve `source` as `resources`.
 * Validation follows Mesos' validation::operation::validate(Reserve) rule by
 * rule; most rules run per resource, so the first resource breaking any rule
 * decides the text.
 */
import { err, ok } from '../../../lib/result.js';
import {
  isDynamicallyReserved,
  reservationEquals,
  reservationRole,
  Resources,
  resourceToString,
  toCanonicalJson,
  type ReservationInfo,
  type Resource,
} from '../../../resources/index.js';
import { reservationUpdateRequests, reserveRequests } from './authorization.js';
import {
  agentReservationCapabilityError,
  firstError,
  masterResourcesError,
  prefixed,
  rolesText,
  singleAllocationRoleError,
  singleResourceProviderError,
} from './rules.js';
import type { AgentFacts, OperationActor, OperationOutcome, ReserveOperation } from './types.js';

export function validateReserve(operation: ReserveOperation, actor: OperationActor, agent: AgentFacts): OperationOutcome {
  const { resources, source } = operation;
  const error = firstError([
    () => masterResourcesError('Invalid resources: ', resources),
    () => masterResourcesError('Invalid source: ', source),
    () => (source.length > 0 ? reservationUpdateError(source, resources) : undefined),
    () => prefixed('Invalid resources: ', singleResourceProviderError(resources)),
    () => firstError(resources.map((resource) => () => resourceError(resource, actor, agent))),
    () => (actor.kind === 'framework' ? prefixed('Invalid reservation resources: ', singleAllocationRoleError(resources)) : undefined),
  ]);
  if (error !== undefined) return err({ stage: 'validation', message: error });
  const reserved = Resources.of(resources);
  // Without `source` each resource came from itself with the top level popped.
  const consumed = source.length > 0 ? Resources.of(source) : reserved.popReservation();
  // berth's addition, after every upstream rule: the same port or set item
  // reserved twice under different reservations merges once when popped, so
  // the conversion would make two out of one. Mesos lets it through.
  if (!reserved.quantities().equals(consumed.quantities())) {
    return err({ stage: 'validation', message: `Invalid resources: There are overlapping resources in ${reserved.toString()}` });
  }
  return ok({
    operation,
    conversions: [{ consumed, converted: reserved }],
    withheld: false,
    authorization: source.length > 0 ? reservationUpdateRequests(source, resources) : reserveRequests(resources),
  });
}

/** Spec 2.1 rule 2: a re-reservation moves uniform lists of the same quantities. */
function reservationUpdateError(source: readonly Resource[], target: readonly Resource[]): string | undefined {
  const error =
    prefixed('Invalid source: ', uniformReservationsError(source)) ?? prefixed('Invalid resources: ', uniformReservationsError(target));
  if (error !== undefined) return error;
  const sourceUnreserved = Resources.of(source).toUnreserved();
  const targetUnreserved = Resources.of(target).toUnreserved();
  if (sourceUnreserved.equals(targetUnreserved)) return undefined;
  return (
    'Source and target resources should refer to identical resource quantities: ' +
    `${sourceUnreserved.toString()} vs. ${targetUnreserved.toString()}`
  );
}

function uniformReservationsError(resources: readonly Resource[]): string | undefined {
  const first = resources[0];
  if (first === undefined) return 'Resource cannot be empty';
  if (resources.every((resource) => sameStack(resource.reservations, first.reservations))) return undefined;
  // Mesos appends the list as protobuf JSON, without a separator.
  return `Mixed reservations are not supported${JSON.stringify(resources.map(toCanonicalJson))}`;
}

function sameStack(left: readonly ReservationInfo[], right: readonly ReservationInfo[]): boolean {
  return left.length === right.length && left.every((reservation, i) => reservationEquals(reservation, right[i] as ReservationInfo));
}

/** Rules 4-9 for one resource, in Mesos' order. */
function resourceError(resource: Resource, actor: OperationActor, agent: AgentFacts): string | undefined {
  if (!isDynamicallyReserved(resource)) return `Resource ${resourceToString(resource)} is not dynamically reserved`;
  return (
    agentReservationCapabilityError(resource, agent, 'Resource', 'reserved') ??
    principalError(resource, actor.principal) ??
    (actor.kind === 'framework' ? frameworkRoleError(resource, actor.roles) : operatorAllocationError(resource))
  );
}

/** Rule 7: an actor with a principal reserves in its own name only. */
function principalError(resource: Resource, principal: string | undefined): string | undefined {
  if (principal === undefined) return undefined;
  const reserver = resource.reservations[resource.reservations.length - 1]?.principal;
  if (reserver === undefined) {
    return (
      `A reserve operation was attempted by principal '${principal}', but there is a ` +
      'reserved resource in the request with no principal set'
    );
  }
  if (reserver === principal) return undefined;
  return (
    `A reserve operation was attempted by authenticated principal '${principal}', which does not match a ` +
    `reserved resource in the request with principal '${reserver}'`
  );
}

/** Rule 8: frameworks reserve what was offered to them, for a role they hold. */
function frameworkRoleError(resource: Resource, roles: ReadonlySet<string>): string | undefined {
  const allocated = resource.allocation_info?.role;
  const reserved = reservationRole(resource);
  if (allocated === undefined) {
    return (
      `A reserve operation was attempted on unallocated resource ${resourceToString(resource)}, ` +
      'but frameworks can only perform reservations on allocated resources'
    );
  }
  if (allocated !== reserved) {
    return `A reserve operation was attempted for a resource with role '${reserved}', but the resource was allocated to role '${allocated}'`;
  }
  if (!roles.has(allocated)) {
    return (
      `A reserve operation was attempted for a resource allocated to role '${allocated}', ` +
      `but the framework only has roles '${rolesText(roles)}'`
    );
  }
  if (!roles.has(reserved)) {
    return (
      `A reserve operation was attempted for a resource with role '${reserved}', ` +
      `but the framework can only reserve resources with roles '${rolesText(roles)}'`
    );
  }
  return undefined;
}

/** Rule 9: operators reserve from the agent's unallocated resources. */
function operatorAllocationError(resource: Resource): string | undefined {
  if (resource.allocation_info === undefined) return undefined;
  return (
    'A reserve operation was attempted with an allocated resource, but the operator API only allows ' +
    'reservations to be made to unallocated resources'
  );
}
