/**
 * What a validated storage operation asks the authorizer (spec/storage.md 6.1),
 * built the way Mesos builds its action objects, and the hook type the
 * authorizer (spec 6, not this module) implements. Nothing here decides: an
 * operation applies only once every request it lists is allowed.
 *
 * berth differs on purpose (spec 8 item 8): DESTROY is authorized against the
 * creator principal stored with the agent's checkpointed volume, not the one
 * the request claims, since the request's is not part of volume identity and
 * could be anything.
 */
import {
  containsResource,
  popReservation,
  pushReservation,
  reservationEquals,
  reservationRole,
  unallocateResource,
  type ReservationInfo,
  type Resource,
  type Resources,
} from '../../../resources/index.js';
import type { OperationActor } from './types.js';

export type AuthorizationRequest =
  /** One per distinct reservation role: the object is the (most refined) role. */
  | { readonly action: 'RESERVE_RESOURCES'; readonly role: string; readonly resource: Resource }
  /**
   * One per resource whose top reservation has a principal (the object), and
   * one without resource and principal when any has none (object ANY).
   */
  | { readonly action: 'UNRESERVE_RESOURCES'; readonly reserverPrincipal: string; readonly resource: Resource }
  | { readonly action: 'UNRESERVE_RESOURCES'; readonly reserverPrincipal: undefined }
  /** One per distinct reservation role of the volumes. */
  | { readonly action: 'CREATE_VOLUME'; readonly role: string; readonly volume: Resource }
  /**
   * One per volume. `creatorPrincipal` is the one stored with the checkpointed
   * volume (undefined when it was created without one), never the request's.
   */
  | { readonly action: 'DESTROY_VOLUME'; readonly creatorPrincipal: string | undefined; readonly volume: Resource }
  /** GROW_VOLUME and SHRINK_VOLUME: the volume's reservation role. */
  | { readonly action: 'RESIZE_VOLUME'; readonly role: string; readonly volume: Resource };

export type AuthorizationAction = AuthorizationRequest['action'];

export type AuthorizationDecision =
  | { readonly kind: 'allowed' }
  /** The first request the ACLs refuse. */
  | { readonly kind: 'denied'; readonly request: AuthorizationRequest }
  /** The authorizer itself failed ("Failed to authorize principal ..."). */
  | { readonly kind: 'failed'; readonly message: string };

/**
 * The authorization hook of the operation pipeline (spec 2.0.5: validate,
 * then authorize, then apply). Implemented by the authorizer of spec 6.
 */
export type OperationAuthorizer = (actor: OperationActor, requests: readonly AuthorizationRequest[]) => AuthorizationDecision;

/** RESERVE without `source`: one request per distinct role, in resource order. */
export function reserveRequests(resources: readonly Resource[]): AuthorizationRequest[] {
  const requests: AuthorizationRequest[] = [];
  const roles = new Set<string>();
  for (const resource of resources) {
    const role = reservationRole(resource);
    if (roles.has(role)) continue;
    roles.add(role);
    requests.push({ action: 'RESERVE_RESOURCES', role, resource });
  }
  return requests;
}

export function unreserveRequests(resources: readonly Resource[]): AuthorizationRequest[] {
  const requests: AuthorizationRequest[] = [];
  let withoutPrincipal = false;
  for (const resource of resources) {
    const principal = resource.reservations[resource.reservations.length - 1]?.principal;
    if (principal === undefined) withoutPrincipal = true;
    else requests.push({ action: 'UNRESERVE_RESOURCES', reserverPrincipal: principal, resource });
  }
  if (withoutPrincipal) requests.push({ action: 'UNRESERVE_RESOURCES', reserverPrincipal: undefined });
  return requests;
}

/**
 * RESERVE with `source` (a re-reservation, validated uniform): UNRESERVE for
 * every level popped from `source` down to the stack it shares with the
 * target, then RESERVE for every level pushed up to the target.
 */
export function reservationUpdateRequests(source: readonly Resource[], target: readonly Resource[]): AuthorizationRequest[] {
  const sourceStack = source[0]?.reservations ?? [];
  const targetStack = target[0]?.reservations ?? [];
  const shared = commonPrefixLength(sourceStack, targetStack);
  const requests: AuthorizationRequest[] = [];
  let current = [...source];
  for (let depth = sourceStack.length; depth > shared; depth--) {
    requests.push(...unreserveRequests(current));
    current = current.map(popReservation);
  }
  for (const reservation of targetStack.slice(shared)) {
    current = current.map((resource) => pushReservation(resource, reservation));
    requests.push(...reserveRequests(current));
  }
  return requests;
}

function commonPrefixLength(left: readonly ReservationInfo[], right: readonly ReservationInfo[]): number {
  let length = 0;
  while (length < left.length && length < right.length && reservationEquals(left[length] as ReservationInfo, right[length] as ReservationInfo)) {
    length++;
  }
  return length;
}

export function createRequests(volumes: readonly Resource[]): AuthorizationRequest[] {
  const requests: AuthorizationRequest[] = [];
  const roles = new Set<string>();
  for (const volume of volumes) {
    const role = reservationRole(volume);
    if (roles.has(role)) continue;
    roles.add(role);
    requests.push({ action: 'CREATE_VOLUME', role, volume });
  }
  return requests;
}

/**
 * One request per volume, naming the creator principal the agent's checkpoint
 * holds. Validation found every (agent default) volume there; a volume of a
 * resource provider is not checkpointed by the agent, so its creator is unknown.
 */
export function destroyRequests(volumes: readonly Resource[], checkpointed: Resources): AuthorizationRequest[] {
  const stored = checkpointed.persistentVolumes().toDistinctList();
  return volumes.map((volume) => {
    const unallocated = unallocateResource(volume);
    const match = stored.find((candidate) => containsResource(candidate, unallocated));
    return { action: 'DESTROY_VOLUME', creatorPrincipal: match?.disk?.persistence?.principal, volume };
  });
}

export function resizeRequests(volume: Resource): AuthorizationRequest[] {
  return [{ action: 'RESIZE_VOLUME', role: reservationRole(volume), volume }];
}
