/**
 * --acls for the operator calls whose object Mesos gives implicitly
 * (maintenance, DRAIN/DEACTIVATE/REACTIVATE_AGENT, MARK_AGENT_GONE): only the
 * principal is matched, and an ACL's object entity, ANY or NONE, allows or
 * denies (Mesos' LocalAuthorizerObjectApprover). A refused change is 403 with
 * no body; a refused read shows nothing.
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

export const forbidden: Reply = { status: 403 };
