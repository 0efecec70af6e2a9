/**
 * Role names (spec/storage.md 1.4). A role is "*" (the default role: unreserved)
 * or a "/"-separated path such as "eng/backend", whose parent is "eng".
 * Error texts follow Mesos src/common/roles.cpp, which clients match.
 */

/** The default role; resources cannot be reserved for it. */
export const defaultRole = '*';

/** Tab, line feed, vertical tab, form feed, carriage return, space and DEL. */
const roleInvalidCharacters = /[\t\n\v\f\r \x7f]/;

/** The error text for an invalid role name, or undefined when it is valid. */
export function validateRole(role: string): string | undefined {
  if (role === defaultRole) return undefined;
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  if (role.includes('//')) return `Role '${role}' cannot contain two adjacent slashes`;
  const components = role.split('/').filter((component) => component.length > 0);
  if (components.length === 0) return 'Role names cannot be the empty string';
  for (const component of components) {
    if (component === '.') return `Role '${role}' cannot include '.' as a component`;
    if (component === '..') return `Role '${role}' cannot include '..' as a component`;
    if (component === '*') return `Role '${role}' cannot include '*' as a component`;
    if (component.startsWith('-')) {
      return `Role component '${component}' is invalid because it starts with a dash`;
    }
    if (roleInvalidCharacters.test(component)) {
      return `Role component '${component}' is invalid because it contains backspace or whitespace`;
    }
  }
  return undefined;
}

/** True when `role` lies strictly below `ancestor` in the hierarchy ("a/b" below "a", not "ab"). */
export function isStrictSubRole(role: string, ancestor: string): boolean {
  return role.length > ancestor.length && role[ancestor.length] === '/' && role.startsWith(ancestor);
}

/** Every ancestor of a role, nearest first: "a/b/c" gives ["a/b", "a"]. */
export function roleAncestors(role: string): string[] {
  const result: string[] = [];
  for (let i = role.length - 1; i >= 0; i--) {
    if (role[i] === '/') result.push(role.slice(0, i));
  }
  return result;
}

/**
 * The directory name a role's volumes live under (spec/storage.md 3.1): every "/"
 * becomes a space, so that a hierarchical role stays one directory level.
 */
export function roleDirectoryName(role: string): string {
  return role.replaceAll('/', ' ');
}
