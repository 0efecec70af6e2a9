/**
 * The local authorizer (spec/storage.md 6.2): decides a request from the
 * `--acls` lists alone, with no I/O, exactly as Mesos'
 * src/authorizer/local/authorizer.cpp does.
 *
 * - The subject is SOME[principal], or ANY for an actor without principal.
 * - The ACLs of the action are walked in order; the first that *matches*
 *   subject and object decides whether both are *allowed* (entity.ts). When
 *   none matches, `permissive` decides.
 * - On role lists an object value `eng/%` is recursive: it covers every strict
 *   descendant of `eng` (`eng/a`, `eng/a/b`; not `eng`). Such values are split
 *   out of their ACL into one ACL each, placed before the rest of that ACL,
 *   and decide by subject alone when the role is below them.
 */
import type {
  AuthorizationAction,
  AuthorizationRequest,
  OperationAuthorizer,
} from '../core/operations/index.js';
import { aclObjectFields, isRoleAclList, perAclList, type AclEntry, type AclListName, type AclLists, type Acls } from './acls.js';
import { entityAllows, entityMatches, requestEntity, someEntity, type Entity } from './entity.js';

/** Mesos' GenericACL, with a recursive role ACL made its own kind. */
export type DecisionAcl =
  | { readonly kind: 'plain'; readonly subjects: Entity; readonly objects: Entity }
  /** From a role value `<ancestor>/%`: `prefix` is `<ancestor>/`. */
  | { readonly kind: 'descendants'; readonly subjects: Entity; readonly prefix: string };

/** The ACLs compiled once for deciding: per list, the ACLs in decision order. */
export interface LocalAuthorizer {
  readonly permissive: boolean;
  readonly lists: { readonly [N in AclListName]: readonly DecisionAcl[] };
}

const recursiveSuffix = '/%';

/** Mesos' createHierarchicalRoleACLs for one ACL of a role list. */
function roleDecisionAcls(subjects: Entity, roles: Entity): DecisionAcl[] {
  if (roles.type !== 'SOME') return [{ kind: 'plain', subjects, objects: roles }];
  const out: DecisionAcl[] = [];
  const plainRoles: string[] = [];
  for (const value of roles.values) {
    if (value.endsWith(recursiveSuffix)) out.push({ kind: 'descendants', subjects, prefix: value.slice(0, -1) });
    else plainRoles.push(value);
  }
  // A SOME without values matches no request that names a role: dropping it changes nothing.
  if (plainRoles.length > 0) out.push({ kind: 'plain', subjects, objects: someEntity(...plainRoles) });
  return out;
}

function objectsOf<N extends AclListName>(list: N, entry: AclEntry<N>): Entity {
  const field: (typeof aclObjectFields)[N] = aclObjectFields[list];
  return entry[field];
}

function decisionAcls<N extends AclListName>(list: N, entries: readonly AclEntry<N>[]): DecisionAcl[] {
  if (isRoleAclList(list)) return entries.flatMap((entry) => roleDecisionAcls(entry.principals, objectsOf(list, entry)));
  return entries.map((entry) => ({ kind: 'plain', subjects: entry.principals, objects: objectsOf(list, entry) }));
}

function compileList<N extends AclListName>(lists: AclLists, list: N): DecisionAcl[] {
  return decisionAcls(list, lists[list]);
}

export function compileLocalAuthorizer(acls: Acls): LocalAuthorizer {
  return { permissive: acls.permissive, lists: perAclList((list) => compileList(acls, list)) };
}

/** A role object lies strictly below the recursive ACL's ancestor. */
function isBelow(object: Entity, prefix: string): boolean {
  return object.type === 'SOME' && object.values.length === 1 && (object.values[0] as string).startsWith(prefix);
}

/** The decision procedure of spec 6.2 over one list's ACLs. */
export function decide(acls: readonly DecisionAcl[], permissive: boolean, subject: Entity, object: Entity): boolean {
  for (const acl of acls) {
    if (acl.kind === 'plain') {
      if (entityMatches(subject, acl.subjects) && entityMatches(object, acl.objects)) {
        return entityAllows(subject, acl.subjects) && entityAllows(object, acl.objects);
      }
    } else if (isBelow(object, acl.prefix) && entityMatches(subject, acl.subjects)) {
      // The role is below the ACL's: its object counts as ANY, which matches and allows any role.
      return entityAllows(subject, acl.subjects);
    }
  }
  return permissive;
}

/**
 * Whether `principal` (undefined: an actor without one) may act on `object`
 * under `list`. An undefined object is ANY, as Mesos treats a request whose
 * object is not given.
 */
export function isAuthorized(
  authorizer: LocalAuthorizer,
  list: AclListName,
  principal: string | undefined,
  object: string | undefined,
): boolean {
  return decide(authorizer.lists[list], authorizer.permissive, requestEntity(principal), requestEntity(object));
}

/**
 * REGISTER_FRAMEWORK: every role the framework asks for must be allowed; a
 * framework naming no role gets the permissive default, as in Mesos.
 */
export function isFrameworkRegistrationAuthorized(
  authorizer: LocalAuthorizer,
  principal: string | undefined,
  roles: readonly string[],
): boolean {
  if (roles.length === 0) return authorizer.permissive;
  return roles.every((role) => isAuthorized(authorizer, 'register_frameworks', principal, role));
}

const storageLists: Readonly<Record<AuthorizationAction, AclListName>> = {
  RESERVE_RESOURCES: 'reserve_resources',
  UNRESERVE_RESOURCES: 'unreserve_resources',
  CREATE_VOLUME: 'create_volumes',
  DESTROY_VOLUME: 'destroy_volumes',
  RESIZE_VOLUME: 'resize_volumes',
};

/** The object Mesos builds for each storage request (spec 6.1). */
function storageObject(request: AuthorizationRequest): Entity {
  switch (request.action) {
    case 'RESERVE_RESOURCES':
    case 'CREATE_VOLUME':
    case 'RESIZE_VOLUME':
      return someEntity(request.role);
    case 'UNRESERVE_RESOURCES':
      return requestEntity(request.reserverPrincipal);
    case 'DESTROY_VOLUME':
      // Mesos reads `persistence.principal`, which is "" when unset: SOME[""], never ANY.
      return someEntity(request.creatorPrincipal ?? '');
  }
}

export function isStorageRequestAuthorized(
  authorizer: LocalAuthorizer,
  principal: string | undefined,
  request: AuthorizationRequest,
): boolean {
  const acls = authorizer.lists[storageLists[request.action]];
  return decide(acls, authorizer.permissive, requestEntity(principal), storageObject(request));
}

/** The operation pipeline's hook: allowed when every request is; else the first refused. */
export function createLocalAuthorizer(acls: Acls): OperationAuthorizer {
  const authorizer = compileLocalAuthorizer(acls);
  return (actor, requests) => {
    const denied = requests.find((request) => !isStorageRequestAuthorized(authorizer, actor.principal, request));
    return denied === undefined ? { kind: 'allowed' } : { kind: 'denied', request: denied };
  };
}
