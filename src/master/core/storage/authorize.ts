/**
 * Authorizing a storage operation (spec/storage.md 2.0.5, 6): every request
 * the operation lists must be allowed. Without --acls nothing is refused, as
 * in Mesos without an authorizer.
 */
import { isStaticallyReserved, type Resource } from '../../../resources/index.js';
import { reserveRequests, type AuthorizationAction, type AuthorizationRequest, type OperationActor } from '../operations/index.js';
import type { MasterState } from '../state.js';

const verbs: Record<AuthorizationAction, string> = {
  RESERVE_RESOURCES: 'reserve resources',
  UNRESERVE_RESOURCES: 'unreserve resources',
  CREATE_VOLUME: 'create volumes',
  DESTROY_VOLUME: 'destroy volumes',
  RESIZE_VOLUME: 'resize volumes',
};

/** Undefined when allowed; otherwise the drop message (upstream's wording, typo included). */
export function authorizationError(state: MasterState, actor: OperationActor, requests: readonly AuthorizationRequest[]): string | undefined {
  const authorizer = state.authorizer;
  if (authorizer === undefined || requests.length === 0) return undefined;
  const decision = authorizer(actor, requests);
  const principal = actor.principal ?? 'ANY';
  switch (decision.kind) {
    case 'allowed':
      return undefined;
    case 'denied':
      return `Principal '${principal}' no authorized to ${verbs[decision.request.action]}`;
    case 'failed':
      return `Failed to authorize principal '${principal}' to ${verbs[requests[0]?.action ?? 'RESERVE_RESOURCES']}: ${decision.message}`;
  }
}

/**
 * An agent registers with statically reserved resources (spec/storage.md
 * 2.9.4): RESERVE_RESOURCES for each of their roles, as the agent's
 * principal. berth agents do not authenticate, so the principal is none and
 * only ACLs for any principal apply, as in Mesos without
 * --authenticate_agents. Undefined when allowed; otherwise why not.
 */
export function agentRegistrationError(state: MasterState, declared: readonly Resource[]): string | undefined {
  const requests = reserveRequests(declared.filter(isStaticallyReserved));
  const denied = authorizationError(state, { kind: 'agent', principal: undefined }, requests);
  return denied === undefined ? undefined : `The agent is not authorized to register with its static reservations: ${denied}`;
}
