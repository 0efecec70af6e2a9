// Method: the decision procedure of spec/storage.md 6.2 on the ACLs of Mesos'
// authorization_tests.cpp (Reserve, Unreserve, CreateVolume, DestroyVolume,
// ResizeVolume) and the examples of spec 6.2, each as a table of principal,
// object and expected decision; then the operation hook on whole requests;
// then properties over generated ACLs: first match decides, else permissive,
// and splitting a role ACL by value changes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuthorizationRequest } from '../core/operations/index.js';
import { operator, framework } from '../core/operations/testing/fixtures.js';
import { scalar } from '../../resources/testing/fixtures.js';
import { parseAcls, type AclListName, type Acls } from './acls.js';
import { anyEntity, noneEntity, someEntity, type Entity } from './entity.js';
import {
  compileLocalAuthorizer,
  createLocalAuthorizer,
  decide,
  isAuthorized,
  isFrameworkRegistrationAuthorized,
  isStorageRequestAuthorized,
  type LocalAuthorizer,
} from './local-authorizer.js';

function aclsOf(json: object): Acls {
  const acls = parseAcls(JSON.stringify(json));
  if (!acls.ok) throw new Error(acls.error);
  return acls.value;
}

function authorizerOf(json: object): LocalAuthorizer {
  return compileLocalAuthorizer(aclsOf(json));
}

const resource = scalar('disk', 1);
const reserve = (role: string): AuthorizationRequest => ({ action: 'RESERVE_RESOURCES', role, resource });
const create = (role: string): AuthorizationRequest => ({ action: 'CREATE_VOLUME', role, volume: resource });
const resize = (role: string): AuthorizationRequest => ({ action: 'RESIZE_VOLUME', role, volume: resource });
const unreserve = (reserverPrincipal: string | undefined): AuthorizationRequest =>
  reserverPrincipal === undefined
    ? { action: 'UNRESERVE_RESOURCES', reserverPrincipal }
    : { action: 'UNRESERVE_RESOURCES', reserverPrincipal, resource };
const destroy = (creatorPrincipal: string | undefined): AuthorizationRequest => ({
  action: 'DESTROY_VOLUME',
  creatorPrincipal,
  volume: resource,
});

/** Mesos' Reserve test ACLs, also used (same shape) by its CreateVolume and ResizeVolume tests. */
function royalRoleAcls(list: 'reserve_resources' | 'create_volumes' | 'resize_volumes'): object {
  return {
    [list]: [
      { principals: { values: ['foo', 'bar'] }, roles: { type: 'ANY' } },
      { principals: { values: ['baz'] }, roles: { values: ['ads'] } },
      { principals: { values: ['elizabeth-ii'] }, roles: { values: ['king/%', 'king'] } },
      { principals: { values: ['charles'] }, roles: { values: ['king/%'] } },
      { principals: { values: ['j-welby'] }, roles: { values: ['king'] } },
      { principals: { type: 'ANY' }, roles: { type: 'NONE' } },
    ],
  };
}

// [principal, role, allowed]
const royalCases: [string, string, boolean][] = [
  ['foo', 'bar', true],
  ['foo', 'awesome_role', true],
  ['bar', 'awesome_role', true],
  ['baz', 'ads', true],
  ['baz', 'awesome_role', false],
  ['zelda', 'ads', false],
  ['elizabeth-ii', 'king', true],
  ['elizabeth-ii', 'king/prince', true],
  ['elizabeth-ii', 'king/prince/duke', true],
  ['charles', 'king', false],
  ['charles', 'king/prince', true],
  ['charles', 'king/prince/duke', true],
  ['j-welby', 'king', true],
  ['j-welby', 'king/prince', false],
  ['j-welby', 'king/prince/duke', false],
];

describe('auth: local authorizer: role lists (upstream Reserve, CreateVolume, ResizeVolume)', () => {
  const lists = [
    ['reserve_resources', reserve],
    ['create_volumes', create],
    ['resize_volumes', resize],
  ] as const;
  for (const [list, request] of lists) {
    const authorizer = authorizerOf(royalRoleAcls(list));
    it.each(royalCases)(`auth: local authorizer: ${list}: %s for role %s is allowed: %s`, (principal, role, allowed) => {
      expect(isStorageRequestAuthorized(authorizer, principal, request(role))).toBe(allowed);
    });

    it(`auth: local authorizer: ${list}: without an object, baz is caught by the final ANY/NONE`, () => {
      expect(isAuthorized(authorizer, list, 'baz', undefined)).toBe(false);
      expect(isAuthorized(authorizer, list, 'foo', undefined)).toBe(true);
    });
  }
});

describe('auth: local authorizer: recursive role ACLs', () => {
  const authorizer = authorizerOf({
    permissive: false,
    view_roles: [
      { principals: { values: ['ops'] }, roles: { values: ['eng/%'] } },
      { principals: { type: 'NONE' }, roles: { values: ['ads/%'] } },
      { principals: { type: 'ANY' }, roles: { values: ['eng/%'] } },
    ],
  });

  it('auth: local authorizer: recursive: covers strict descendants only, by whole levels', () => {
    expect(isAuthorized(authorizer, 'view_roles', 'ops', 'eng/a')).toBe(true);
    expect(isAuthorized(authorizer, 'view_roles', 'ops', 'eng/a/b')).toBe(true);
    expect(isAuthorized(authorizer, 'view_roles', 'ops', 'eng')).toBe(false);
    expect(isAuthorized(authorizer, 'view_roles', 'ops', 'engineering')).toBe(false);
  });

  it('auth: local authorizer: recursive: a subject that does not match walks on to the next ACL', () => {
    expect(isAuthorized(authorizer, 'view_roles', 'dev', 'eng/a')).toBe(true);
  });

  it('auth: local authorizer: recursive: NONE subjects match every principal and deny it', () => {
    expect(isAuthorized(authorizer, 'view_roles', 'ops', 'ads/a')).toBe(false);
    expect(isAuthorized(authorizer, 'view_roles', undefined, 'ads/a')).toBe(false);
  });

  it('auth: local authorizer: recursive: an absent object (ANY) skips recursive ACLs', () => {
    expect(isAuthorized(authorizer, 'view_roles', 'ops', undefined)).toBe(false);
  });

  it('auth: local authorizer: recursive: values are not recursive on lists whose objects are not roles', () => {
    const principals = authorizerOf({ permissive: false, unreserve_resources: [{ principals: { type: 'ANY' }, reserver_principals: { values: ['eng/%'] } }] });
    expect(isStorageRequestAuthorized(principals, 'ops', unreserve('eng/a'))).toBe(false);
    expect(isStorageRequestAuthorized(principals, 'ops', unreserve('eng/%'))).toBe(true);
  });
});

describe('auth: local authorizer: principal lists (upstream Unreserve, DestroyVolume)', () => {
  const unreserveAuthorizer = authorizerOf({
    unreserve_resources: [
      { principals: { values: ['foo'] }, reserver_principals: { values: ['foo'] } },
      { principals: { values: ['bar'] }, reserver_principals: { type: 'NONE' } },
      { principals: { values: ['ops'] }, reserver_principals: { type: 'ANY' } },
      { principals: { type: 'ANY' }, reserver_principals: { type: 'NONE' } },
    ],
  });
  const destroyAuthorizer = authorizerOf({
    destroy_volumes: [
      { principals: { values: ['foo'] }, creator_principals: { values: ['foo'] } },
      { principals: { values: ['bar'] }, creator_principals: { type: 'NONE' } },
      { principals: { values: ['ops'] }, creator_principals: { type: 'ANY' } },
      { principals: { type: 'ANY' }, creator_principals: { type: 'NONE' } },
    ],
  });
  // [principal, owner, allowed]: owner is the reserver or the creator.
  const cases: [string, string, boolean][] = [
    ['foo', 'foo', true],
    ['bar', 'foo', false],
    ['bar', 'bar', false],
    ['ops', 'foo', true],
    ['ops', 'bar', true],
    ['ops', 'ops', true],
    ['zelda', 'foo', false],
  ];

  it.each(cases)('auth: local authorizer: unreserve: %s of reservations by %s is allowed: %s', (principal, owner, allowed) => {
    expect(isStorageRequestAuthorized(unreserveAuthorizer, principal, unreserve(owner))).toBe(allowed);
  });

  it.each(cases)('auth: local authorizer: destroy: %s of volumes by %s is allowed: %s', (principal, owner, allowed) => {
    expect(isStorageRequestAuthorized(destroyAuthorizer, principal, destroy(owner))).toBe(allowed);
  });

  it('auth: local authorizer: unreserve: a reservation without principal is object ANY: only an ANY ACL allows it', () => {
    expect(isStorageRequestAuthorized(unreserveAuthorizer, 'foo', unreserve(undefined))).toBe(false);
    expect(isStorageRequestAuthorized(unreserveAuthorizer, 'ops', unreserve(undefined))).toBe(true);
  });

  it('auth: local authorizer: destroy: a volume created without principal is SOME[""], never ANY', () => {
    expect(isStorageRequestAuthorized(destroyAuthorizer, 'foo', destroy(undefined))).toBe(false);
    expect(isStorageRequestAuthorized(destroyAuthorizer, 'ops', destroy(undefined))).toBe(true);
    const emptyCreator = authorizerOf({ permissive: false, destroy_volumes: [{ principals: { type: 'ANY' }, creator_principals: { values: [''] } }] });
    expect(isStorageRequestAuthorized(emptyCreator, 'foo', destroy(undefined))).toBe(true);
    expect(isStorageRequestAuthorized(emptyCreator, 'foo', destroy('bar'))).toBe(false);
  });
});

describe('auth: local authorizer: spec 6.2 examples', () => {
  it('auth: local authorizer: examples: with permissive false only foo may reserve', () => {
    const authorizer = authorizerOf({ permissive: false, reserve_resources: [{ principals: { values: ['foo'] }, roles: { type: 'ANY' } }] });
    expect(isStorageRequestAuthorized(authorizer, 'foo', reserve('eng'))).toBe(true);
    expect(isStorageRequestAuthorized(authorizer, 'bar', reserve('eng'))).toBe(false);
    expect(isStorageRequestAuthorized(authorizer, undefined, reserve('eng'))).toBe(false);
  });

  it('auth: local authorizer: examples: roles NONE keeps foo from reserving and lets others', () => {
    const authorizer = authorizerOf({ reserve_resources: [{ principals: { values: ['foo'] }, roles: { type: 'NONE' } }] });
    expect(isStorageRequestAuthorized(authorizer, 'foo', reserve('eng'))).toBe(false);
    expect(isStorageRequestAuthorized(authorizer, 'bar', reserve('eng'))).toBe(true);
    expect(isStorageRequestAuthorized(authorizer, undefined, reserve('eng'))).toBe(true);
  });

  it('auth: local authorizer: examples: foo unreserves foo and bar, bar only bar, with permissive false', () => {
    const authorizer = authorizerOf({
      permissive: false,
      unreserve_resources: [
        { principals: { values: ['foo'] }, reserver_principals: { values: ['foo', 'bar'] } },
        { principals: { values: ['bar'] }, reserver_principals: { values: ['bar'] } },
      ],
    });
    expect(isStorageRequestAuthorized(authorizer, 'foo', unreserve('foo'))).toBe(true);
    expect(isStorageRequestAuthorized(authorizer, 'foo', unreserve('bar'))).toBe(true);
    expect(isStorageRequestAuthorized(authorizer, 'foo', unreserve('baz'))).toBe(false);
    expect(isStorageRequestAuthorized(authorizer, 'bar', unreserve('bar'))).toBe(true);
    expect(isStorageRequestAuthorized(authorizer, 'bar', unreserve('foo'))).toBe(false);
  });

  it('auth: local authorizer: examples: creator principals NONE means nobody destroys, principal or not', () => {
    const authorizer = authorizerOf({ destroy_volumes: [{ principals: { type: 'ANY' }, creator_principals: { type: 'NONE' } }] });
    expect(isStorageRequestAuthorized(authorizer, 'foo', destroy('foo'))).toBe(false);
    expect(isStorageRequestAuthorized(authorizer, undefined, destroy('foo'))).toBe(false);
  });

  it('auth: local authorizer: examples: roles NONE on resize_volumes means nobody grows or shrinks', () => {
    const authorizer = authorizerOf({ resize_volumes: [{ principals: { type: 'ANY' }, roles: { type: 'NONE' } }] });
    expect(isStorageRequestAuthorized(authorizer, 'foo', resize('eng'))).toBe(false);
    expect(isStorageRequestAuthorized(authorizer, undefined, resize('eng'))).toBe(false);
  });

  it('auth: local authorizer: examples: ANY/ANY lets frameworks without principal create and destroy when not permissive', () => {
    const authorizer = authorizerOf({
      permissive: false,
      create_volumes: [{ principals: { type: 'ANY' }, roles: { type: 'ANY' } }],
      destroy_volumes: [{ principals: { type: 'ANY' }, creator_principals: { type: 'ANY' } }],
    });
    expect(isStorageRequestAuthorized(authorizer, undefined, create('eng'))).toBe(true);
    expect(isStorageRequestAuthorized(authorizer, undefined, destroy('foo'))).toBe(true);
    expect(isStorageRequestAuthorized(authorizer, undefined, reserve('eng'))).toBe(false);
  });

  it('auth: local authorizer: examples: no ACLs for an action falls back to permissive', () => {
    expect(isStorageRequestAuthorized(authorizerOf({}), 'foo', destroy('bar'))).toBe(true);
    expect(isStorageRequestAuthorized(authorizerOf({ permissive: false }), 'foo', destroy('bar'))).toBe(false);
  });
});

describe('auth: local authorizer: operation hook', () => {
  const hook = createLocalAuthorizer(aclsOf(royalRoleAcls('reserve_resources')));

  it('auth: local authorizer: hook: allowed when every request is', () => {
    expect(hook(framework({ principal: 'charles' }), [reserve('king/a'), reserve('king/b')])).toEqual({ kind: 'allowed' });
    expect(hook(operator('baz'), [])).toEqual({ kind: 'allowed' });
  });

  it('auth: local authorizer: hook: names the first request refused', () => {
    const refused = reserve('king');
    expect(hook(framework({ principal: 'charles' }), [reserve('king/a'), refused, reserve('ads')])).toEqual({ kind: 'denied', request: refused });
  });

  it('auth: local authorizer: hook: an actor without principal is subject ANY', () => {
    expect(hook(operator(), [reserve('ads')])).toEqual({ kind: 'denied', request: reserve('ads') });
  });
});

describe('auth: local authorizer: framework registration', () => {
  const authorizer = authorizerOf({ permissive: false, register_frameworks: [{ principals: { values: ['foo'] }, roles: { values: ['a', 'b/%'] } }] });

  it('auth: local authorizer: registration: every role must be allowed', () => {
    expect(isFrameworkRegistrationAuthorized(authorizer, 'foo', ['a', 'b/c'])).toBe(true);
    expect(isFrameworkRegistrationAuthorized(authorizer, 'foo', ['a', 'b'])).toBe(false);
  });

  it('auth: local authorizer: registration: no role at all gets the permissive default', () => {
    expect(isFrameworkRegistrationAuthorized(authorizer, 'foo', [])).toBe(false);
    expect(isFrameworkRegistrationAuthorized(authorizerOf({}), 'foo', [])).toBe(true);
  });
});

const roles = ['eng', 'eng/a', 'eng/a/b', 'engineering', 'ads', 'ads/x'];
const roleValues = [...roles, 'eng/%', 'eng/a/%', 'ads/%'];
const principals = ['foo', 'bar', 'ops', ''];

function arbitraryEntity(values: readonly string[]): fc.Arbitrary<Entity> {
  return fc.oneof(
    fc.constant(anyEntity),
    fc.constant(noneEntity),
    fc.uniqueArray(fc.constantFrom(...values), { maxLength: 3 }).map((chosen) => someEntity(...chosen)),
  );
}

const arbitraryRoleAcl = fc.record({ principals: arbitraryEntity(principals), roles: arbitraryEntity(roleValues) });
const arbitraryRoleAcls = fc.array(arbitraryRoleAcl, { maxLength: 4 });
const arbitraryPrincipal = fc.option(fc.constantFrom(...principals), { nil: undefined });
const arbitraryRole = fc.option(fc.constantFrom(...roles), { nil: undefined });

function roleAuthorizer(list: AclListName, entries: readonly object[], permissive: boolean): LocalAuthorizer {
  return authorizerOf({ permissive, [list]: entries });
}

describe('auth: local authorizer: properties', () => {
  it('auth: local authorizer: properties: the first matching ACL decides; with none, permissive does', () => {
    fc.assert(
      fc.property(arbitraryRoleAcls, arbitraryRoleAcls, arbitraryPrincipal, arbitraryRole, (first, rest, principal, role) => {
        const decided = (entries: readonly object[], permissive: boolean) =>
          isAuthorized(roleAuthorizer('view_roles', entries, permissive), 'view_roles', principal, role);
        const matched = decided(first, true) === decided(first, false);
        for (const permissive of [true, false]) {
          const expected = matched ? decided(first, permissive) : decided(rest, permissive);
          expect(decided([...first, ...rest], permissive)).toBe(expected);
        }
      }),
    );
  });

  it('auth: local authorizer: properties: a leading ANY/ANY allows everything, a leading ANY/NONE nothing', () => {
    fc.assert(
      fc.property(arbitraryRoleAcls, arbitraryPrincipal, arbitraryRole, fc.boolean(), (rest, principal, role, permissive) => {
        const allowAll = roleAuthorizer('create_volumes', [{ principals: { type: 'ANY' }, roles: { type: 'ANY' } }, ...rest], permissive);
        const denyAll = roleAuthorizer('create_volumes', [{ principals: { type: 'ANY' }, roles: { type: 'NONE' } }, ...rest], permissive);
        expect(isAuthorized(allowAll, 'create_volumes', principal, role)).toBe(true);
        expect(isAuthorized(denyAll, 'create_volumes', principal, role)).toBe(false);
      }),
    );
  });

  it('auth: local authorizer: properties: a role ACL decides as its values would one by one, in any order', () => {
    const valuesAndOrder = fc
      .uniqueArray(fc.constantFrom(...roleValues), { minLength: 1, maxLength: 4 })
      .chain((values) => fc.tuple(fc.constant(values), fc.shuffledSubarray(values, { minLength: values.length })));
    fc.assert(
      fc.property(
        arbitraryEntity(principals),
        valuesAndOrder,
        fc.constantFrom(...roles),
        arbitraryPrincipal,
        fc.boolean(),
        (subjects, [values, shuffled], role, principal, permissive) => {
          const principalsJson = subjects.type === 'SOME' ? { values: subjects.values } : { type: subjects.type };
          const whole = [{ principals: principalsJson, roles: { values } }];
          const split = shuffled.map((value) => ({ principals: principalsJson, roles: { values: [value] } }));
          const decided = (entries: readonly object[]) =>
            isAuthorized(roleAuthorizer('reserve_resources', entries, permissive), 'reserve_resources', principal, role);
          expect(decided(split)).toBe(decided(whole));
        },
      ),
    );
  });

  it('auth: local authorizer: properties: decide over no ACLs is the permissive default', () => {
    fc.assert(
      fc.property(arbitraryEntity(principals), arbitraryEntity(roles), fc.boolean(), (subject, object, permissive) => {
        expect(decide([], permissive, subject, object)).toBe(permissive);
      }),
    );
  });
});
