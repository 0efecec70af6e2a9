/**
 * The ACL entity (acls.proto `ACL.Entity`) and the two comparisons of the
 * local authorizer's decision procedure (spec/storage.md 6.2), as Mesos'
 * src/authorizer/local/authorizer.cpp defines them. An ACL *matches* a request
 * when both its entities match; the first matching ACL then decides by
 * whether both *allow*. The two differ only on NONE: an ACL entity of NONE
 * matches every SOME or ANY request and allows none of them, which is how
 * "principal X may not reserve" is written.
 */

/**
 * `SOME` names values (possibly none: then it matches nothing but a request
 * that names none); `ANY` stands for every value and `NONE` for no value.
 * Mesos ignores `values` given with ANY or NONE, and so does berth's model.
 */
export type Entity =
  | { readonly type: 'SOME'; readonly values: readonly string[] }
  | { readonly type: 'ANY' }
  | { readonly type: 'NONE' };

export const anyEntity: Entity = { type: 'ANY' };
export const noneEntity: Entity = { type: 'NONE' };

export function someEntity(...values: string[]): Entity {
  return { type: 'SOME', values };
}

/**
 * The subject or object of a request: SOME[value] when it is known, ANY when
 * not (an actor without principal; an object Mesos passes as "none").
 */
export function requestEntity(value: string | undefined): Entity {
  return value === undefined ? anyEntity : someEntity(value);
}

/** Every value of the request is one of the ACL's (vacuously true for none). */
function isSubset(request: readonly string[], acl: readonly string[]): boolean {
  return request.every((value) => acl.includes(value));
}

/** Whether an ACL entity applies to a request entity (6.2 `matches`). */
export function entityMatches(request: Entity, acl: Entity): boolean {
  switch (request.type) {
    case 'NONE':
      return acl.type === 'NONE';
    case 'ANY':
      return acl.type === 'ANY' || acl.type === 'NONE';
    case 'SOME':
      return acl.type === 'SOME' ? isSubset(request.values, acl.values) : true;
  }
}

/** Whether an ACL entity grants a request entity (6.2 `allows`). */
export function entityAllows(request: Entity, acl: Entity): boolean {
  switch (request.type) {
    case 'NONE':
      return acl.type === 'NONE';
    case 'ANY':
      return acl.type === 'ANY';
    case 'SOME':
      if (acl.type === 'ANY') return true;
      if (acl.type === 'NONE') return false;
      return isSubset(request.values, acl.values);
  }
}
