// Method: parse the --acls examples of spec/storage.md 6.2 and Mesos' flag
// help into the model; each refusal by its one-line message; formatting
// checked by round trip over generated ACLs (fast-check).
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { aclListNames, aclObjectFields, formatAcls, parseAcls, parseAclsFlag, type Acls } from './acls.js';
import { anyEntity, noneEntity, someEntity, type Entity } from './entity.js';

function parsed(text: string): Acls {
  const result = parseAcls(text);
  if (!result.ok) throw new Error(`expected ACLs to parse, got: ${result.error}`);
  return result.value;
}

function failure(text: string): string {
  const result = parseAcls(text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  return result.error;
}

describe('auth: acls: parse', () => {
  it('auth: acls: parse: an empty object is permissive with empty lists', () => {
    const acls = parsed('{}');
    expect(acls.permissive).toBe(true);
    for (const name of aclListNames) expect(acls[name]).toEqual([]);
    expect(acls.unenforced.size).toBe(0);
  });

  it('auth: acls: parse: only foo may reserve (spec 6.2 example 1)', () => {
    const acls = parsed('{"permissive":false,"reserve_resources":[{"principals":{"values":["foo"]},"roles":{"type":"ANY"}}]}');
    expect(acls.permissive).toBe(false);
    expect(acls.reserve_resources).toEqual([{ principals: someEntity('foo'), roles: anyEntity }]);
  });

  it('auth: acls: parse: every storage list with its own object field', () => {
    const acls = parsed(
      JSON.stringify({
        unreserve_resources: [{ principals: { values: ['foo'] }, reserver_principals: { values: ['foo', 'bar'] } }],
        create_volumes: [{ principals: { type: 'ANY' }, roles: { type: 'ANY' } }],
        destroy_volumes: [{ principals: { type: 'ANY' }, creator_principals: { type: 'NONE' } }],
        resize_volumes: [{ principals: { type: 'ANY' }, roles: { type: 'NONE' } }],
      }),
    );
    expect(acls.unreserve_resources).toEqual([{ principals: someEntity('foo'), reserver_principals: someEntity('foo', 'bar') }]);
    expect(acls.create_volumes).toEqual([{ principals: anyEntity, roles: anyEntity }]);
    expect(acls.destroy_volumes).toEqual([{ principals: anyEntity, creator_principals: noneEntity }]);
    expect(acls.resize_volumes).toEqual([{ principals: anyEntity, roles: noneEntity }]);
  });

  it("auth: acls: parse: Mesos' --acls help example, with lists berth does not enforce", () => {
    const acls = parsed(
      JSON.stringify({
        register_frameworks: [{ principals: { type: 'ANY' }, roles: { values: ['a'] } }],
        run_tasks: [{ principals: { values: ['a', 'b'] }, users: { values: ['c'] } }],
        teardown_frameworks: [{ principals: { values: ['a', 'b'] }, framework_principals: { values: ['c'] } }],
        get_endpoints: [{ principals: { values: ['a'] }, paths: { values: ['/flags'] } }],
      }),
    );
    expect(acls.register_frameworks).toEqual([{ principals: anyEntity, roles: someEntity('a') }]);
    expect(acls.run_tasks).toEqual([{ principals: someEntity('a', 'b'), users: someEntity('c') }]);
    expect(acls.unenforced).toEqual(new Map([['get_endpoints', [{ principals: someEntity('a'), paths: someEntity('/flags') }]]]));
  });

  it('auth: acls: parse: type defaults to SOME; values are ignored for ANY and NONE', () => {
    const acls = parsed('{"view_roles":[{"principals":{"type":"SOME","values":["a"]},"roles":{"type":"NONE","values":["x"]}},{"principals":{},"roles":{"type":"ANY"}}]}');
    expect(acls.view_roles).toEqual([
      { principals: someEntity('a'), roles: noneEntity },
      { principals: someEntity(), roles: anyEntity },
    ]);
  });

  it('auth: acls: parse: permissive may be a string, and null means unset', () => {
    expect(parsed('{"permissive":"false"}').permissive).toBe(false);
    expect(parsed('{"permissive":null}').permissive).toBe(true);
  });
});

describe('auth: acls: errors', () => {
  it('auth: acls: errors: text that is not JSON', () => {
    expect(failure('{"permissive":')).toMatch(/^Invalid JSON: /);
  });

  it('auth: acls: errors: JSON that is not an object', () => {
    expect(failure('[]')).toBe('Failed to convert JSON into ACLs protobuf: Expecting a JSON object');
  });

  it('auth: acls: errors: a missing entity names the field, as protobuf does', () => {
    expect(failure('{"reserve_resources":[{"principals":{"type":"ANY"}}]}')).toBe(
      'Failed to convert JSON into ACLs protobuf: Missing required fields: reserve_resources.0.roles',
    );
  });

  it('auth: acls: errors: an unknown entity type names the value', () => {
    expect(failure('{"destroy_volumes":[{"principals":{"type":"any"},"creator_principals":{"type":"ANY"}}]}')).toBe(
      "Failed to convert JSON into ACLs protobuf: field 'destroy_volumes.0.principals.type': Failed to find enum for 'any'",
    );
  });

  it('auth: acls: errors: values must be a list of strings', () => {
    expect(failure('{"create_volumes":[{"principals":{"values":"foo"},"roles":{"type":"ANY"}}]}')).toMatch(
      /^Failed to convert JSON into ACLs protobuf: field 'create_volumes\.0\.principals\.values': expected array/,
    );
  });

  it('auth: acls: errors: a misspelt list, entry field or entity field is refused, not ignored', () => {
    expect(failure('{"reserve_resource":[]}')).toBe("Failed to convert JSON into ACLs protobuf: unknown ACL list 'reserve_resource'");
    expect(failure('{"reserve_resources":[{"principals":{"type":"ANY"},"roles":{"type":"ANY"},"role":{"type":"ANY"}}]}')).toMatch(
      /field 'reserve_resources\.0': Unrecognized key: "role"/,
    );
    expect(failure('{"reserve_resources":[{"principals":{"value":["a"]},"roles":{"type":"ANY"}}]}')).toMatch(
      /field 'reserve_resources\.0\.principals': Unrecognized key: "value"/,
    );
  });
});

describe('auth: acls: flag value', () => {
  it('auth: acls: flag value: inline JSON is parsed as is', () => {
    const acls = parseAclsFlag('{"permissive":false}', () => {
      throw new Error('no file expected');
    });
    expect(acls.ok && acls.value.permissive).toBe(false);
  });

  it("auth: acls: flag value: a bare absolute path is read, as Mesos' JSON flags still do", () => {
    mkdirSync(testRoot(), { recursive: true });
    const path = join(mkdtempSync(join(testRoot(), 'acls-')), 'acls.json');
    writeFileSync(path, '{"permissive": false}\n');
    const acls = parseAclsFlag(path, (file) => readFileSync(file, 'utf8'));
    expect(acls.ok && acls.value.permissive).toBe(false);
  });

  it('auth: acls: flag value: an unreadable path names the file', () => {
    const acls = parseAclsFlag('/nowhere/acls.json', () => {
      throw new Error('ENOENT: no such file or directory');
    });
    expect(acls).toEqual({ ok: false, error: "Error reading file '/nowhere/acls.json': ENOENT: no such file or directory" });
  });
});

const arbitraryEntity: fc.Arbitrary<Entity> = fc.oneof(
  fc.constant(anyEntity),
  fc.constant(noneEntity),
  fc.array(fc.string(), { maxLength: 3 }).map((values) => someEntity(...values)),
);

const arbitraryAcls: fc.Arbitrary<Acls> = fc
  .record({
    permissive: fc.boolean(),
    lists: fc.tuple(...aclListNames.map(() => fc.array(fc.tuple(arbitraryEntity, arbitraryEntity), { maxLength: 3 }))),
  })
  .map(({ permissive, lists }) => {
    const entries = aclListNames.map((name, index) => [
      name,
      (lists[index] ?? []).map(([principals, objects]) => ({ principals, [aclObjectFields[name]]: objects })),
    ]);
    return { permissive, unenforced: new Map(), ...Object.fromEntries(entries) } as Acls;
  });

describe('auth: acls: format', () => {
  it('auth: acls: format: prints JSON in Mesos field names', () => {
    const acls = parsed('{"reserve_resources":[{"principals":{"values":["foo"]},"roles":{"type":"NONE"}}]}');
    expect(formatAcls(acls)).toBe('{"permissive":true,"reserve_resources":[{"principals":{"values":["foo"]},"roles":{"type":"NONE"}}]}');
  });

  it('auth: acls: format: parses back to the same model', () => {
    fc.assert(
      fc.property(arbitraryAcls, (acls) => {
        expect(parsed(formatAcls(acls))).toEqual(acls);
      }),
    );
  });
});
