// Method: the two comparisons of spec/storage.md 6.2 as full tables, request
// type by ACL type, copied row by row from Mesos' local authorizer, plus the
// subset rule for SOME against SOME.
import { describe, expect, it } from 'vitest';
import { anyEntity, entityAllows, entityMatches, noneEntity, requestEntity, someEntity, type Entity } from './entity.js';

const some = someEntity('a');

// [request, acl, matches, allows]
const table: [string, Entity, string, Entity, boolean, boolean][] = [
  ['NONE', noneEntity, 'NONE', noneEntity, true, true],
  ['NONE', noneEntity, 'ANY', anyEntity, false, false],
  ['NONE', noneEntity, 'SOME[a]', some, false, false],
  ['ANY', anyEntity, 'NONE', noneEntity, true, false],
  ['ANY', anyEntity, 'ANY', anyEntity, true, true],
  ['ANY', anyEntity, 'SOME[a]', some, false, false],
  ['SOME[a]', some, 'NONE', noneEntity, true, false],
  ['SOME[a]', some, 'ANY', anyEntity, true, true],
  ['SOME[a]', some, 'SOME[a,b]', someEntity('a', 'b'), true, true],
  ['SOME[a]', some, 'SOME[b]', someEntity('b'), false, false],
  ['SOME[a]', some, 'SOME[]', someEntity(), false, false],
  ['SOME[a,b]', someEntity('a', 'b'), 'SOME[a]', some, false, false],
  ['SOME[]', someEntity(), 'SOME[b]', someEntity('b'), true, true],
];

describe('auth: entity', () => {
  it.each(table)('auth: entity: request %s against ACL %s', (_request, request, _acl, acl, matches, allows) => {
    expect(entityMatches(request, acl)).toBe(matches);
    expect(entityAllows(request, acl)).toBe(allows);
  });

  it('auth: entity: NONE in an ACL matches every SOME and ANY request and allows none', () => {
    for (const request of [some, anyEntity]) {
      expect(entityMatches(request, noneEntity)).toBe(true);
      expect(entityAllows(request, noneEntity)).toBe(false);
    }
  });

  it('auth: entity: a known value is SOME[value], an unknown one ANY', () => {
    expect(requestEntity('ops')).toEqual(someEntity('ops'));
    expect(requestEntity('')).toEqual(someEntity(''));
    expect(requestEntity(undefined)).toEqual(anyEntity);
  });
});
