/** Method: one example per rule of spec 1.4, with Mesos' roles.cpp error texts. */
import { describe, expect, it } from 'vitest';
import { isStrictSubRole, roleAncestors, roleDirectoryName, validateRole } from './roles.js';

describe('resources: roles', () => {
  it('resources: roles: accepts "*", plain and hierarchical names', () => {
    for (const role of ['*', 'eng', 'eng/backend', 'a.b', 'x-y', 'a/b/c', 'ünïcode']) expect(validateRole(role)).toBeUndefined();
  });

  it.each([
    ['/eng', "Role '/eng' cannot start with a slash"],
    ['eng/', "Role 'eng/' cannot end with a slash"],
    ['a//b', "Role 'a//b' cannot contain two adjacent slashes"],
    ['', 'Role names cannot be the empty string'],
    ['.', "Role '.' cannot include '.' as a component"],
    ['a/./b', "Role 'a/./b' cannot include '.' as a component"],
    ['..', "Role '..' cannot include '..' as a component"],
    ['a/..', "Role 'a/..' cannot include '..' as a component"],
    ['a/*', "Role 'a/*' cannot include '*' as a component"],
    ['-eng', "Role component '-eng' is invalid because it starts with a dash"],
    ['a/-b', "Role component '-b' is invalid because it starts with a dash"],
    ['a b', "Role component 'a b' is invalid because it contains backspace or whitespace"],
    ['a\tb', "Role component 'a\tb' is invalid because it contains backspace or whitespace"],
    ['a\nb', "Role component 'a\nb' is invalid because it contains backspace or whitespace"],
    ['a\vb', "Role component 'a\vb' is invalid because it contains backspace or whitespace"],
    ['a\fb', "Role component 'a\fb' is invalid because it contains backspace or whitespace"],
    ['a\rb', "Role component 'a\rb' is invalid because it contains backspace or whitespace"],
    ['a\x7fb', "Role component 'a\x7fb' is invalid because it contains backspace or whitespace"],
  ])('resources: roles: refuses %j with its Mesos error text', (role, error) => {
    expect(validateRole(role)).toBe(error);
  });

  it('resources: roles: a strict sub-role lies below its ancestor, not beside it', () => {
    expect(isStrictSubRole('a/b', 'a')).toBe(true);
    expect(isStrictSubRole('a/b/c', 'a')).toBe(true);
    expect(isStrictSubRole('a', 'a')).toBe(false);
    expect(isStrictSubRole('ab', 'a')).toBe(false);
    expect(isStrictSubRole('a', 'a/b')).toBe(false);
  });

  it('resources: roles: lists ancestors nearest first', () => {
    expect(roleAncestors('a/b/c')).toEqual(['a/b', 'a']);
    expect(roleAncestors('a')).toEqual([]);
  });

  it('resources: roles: a role directory name replaces every slash with a space', () => {
    expect(roleDirectoryName('eng/backend/db')).toBe('eng backend db');
    expect(roleDirectoryName('eng')).toBe('eng');
  });
});
