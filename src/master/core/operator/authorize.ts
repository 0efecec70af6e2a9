/**
 * --acls for operator calls, as Mesos' local authorizer decides them. The
 * maintenance calls, DRAIN/DEACTIVATE/REACTIVATE_AGENT and MARK_AGENT_GONE
 * have implicit objects: only the principal is matched, and an ACL's object
 * entity, ANY or NONE, allows or denies (LocalAuthorizerObjectApprover).
 * UPDATE_WEIGHTS, UPDATE_QUOTA and GET_QUOTA decide per role (hierarchical
 * `/%` ACLs included); operator TEARDOWN by the framework's principal. A
 * refused change is 403 with no body; a refused read shows nothing.
 */
import type { AclListName } from '../../auth/acls.js';
import { isAuthorized } from '../../auth/local-authorizer.js';
import type { Reply } from '../events.js';
import type { MasterState } from '../state.js';

/** The lists decided here. */
export const implicitObjectLists = [
  'update_maintenance_schedules',
  'get_maintenance_schedules',
  'start_maintenances',
  'stop_maintenances',
  'get_maintenance_statuses',
  'drain_agents',
  'deactivate_agents',
  'reactivate_agents',
  'mark_agents_gone',
] as const satisfies readonly AclListName[];

export type ImplicitObjectList = (typeof implicitObjectLists)[number];

/** Whether `principal` (undefined: an unauthenticated operator) may act under `list`; always without --acls. */
export function operatorMay(state: MasterState, list: ImplicitObjectList, principal: string | undefined): boolean {
  return state.acls === undefined || isAuthorized(state.acls, list, principal, undefined);
}

/** The lists whose object is a role, decided here. */
export const roleObjectLists = ['update_weights', 'update_quotas', 'get_quotas'] as const satisfies readonly AclListName[];

/** Whether `principal` may act on `role` under `list`; always without --acls. */
export function operatorMayOnRole(state: MasterState, list: (typeof roleObjectLists)[number], principal: string | undefined, role: string): boolean {
  return state.acls === undefined || isAuthorized(state.acls, list, principal, role);
}

/** Operator TEARDOWN: the object is the framework's principal (ANY when it has none). */
export function operatorMayTeardown(state: MasterState, principal: string | undefined, frameworkPrincipal: string | undefined): boolean {
  return state.acls === undefined || isAuthorized(state.acls, 'teardown_frameworks', principal, frameworkPrincipal);
}

export const forbidden: Reply = { status: 403 };
