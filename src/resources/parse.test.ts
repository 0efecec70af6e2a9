/**
 * Method: the text grammar and the agent flag checks of spec 1.8, one case per
 * error with Mesos' text; the examples of the spec; and a round trip over
 * generated resources printed in the text form and parsed back.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { namesPresent, parseAgentResourcesFlag, parseResourcesString, parseResourceText } from './parse.js';
import { Resources } from './resources.js';
import { toResourcesText, toResourceText } from './text-form.js';
import { arbitraryRanges, arbitrarySetItems, arbitraryScalarValue } from './testing/arbitraries.js';
import { disk, dynamicReservation, mountSource, pathSource, ranges, scalar, set, volume } from './testing/fixtures.js';

function parsed(text: string, role = '*'): Resources {
  const result = parseResourceText(text, role);
  if (!result.ok) throw new Error(result.error);
  return Resources.of(result.value);
}

function errorOf(result: { ok: boolean; error?: string }): string | undefined {
  return result.ok ? undefined : result.error;
}

describe('resources: text form', () => {
  it('resources: text form: parses roles, defaults and every value kind', () => {
    const resources = parsed('cpus:4;mem:2048;cpus(ads):8;mem(ads):4096');
    expect(resources.unreserved().toString()).toBe('cpus:4; mem:2048');
    expect(resources.reserved('ads').scalarValue('cpus')).toBe(8);
    expect(resources.reserved('ads').entries[0]?.resource.reservations).toEqual([{ type: 'STATIC', role: 'ads' }]);
    expect(parsed('ports(*):[31000-32000,33000-33999]').toString()).toBe('ports:[31000-32000, 33000-33999]');
    expect(parsed('disk(role1):1024').reserved('role1').scalarValue('disk')).toBe(1024);
    expect(parsed('gpus:{ a , b }').toString()).toBe('gpus:{a, b}');
  });

  it('resources: text form: the default role applies only without parentheses', () => {
    expect(parsed('cpus:2.5;ports(role2):[0-100]', 'role1').equals(parsed('cpus(role1):2.5;ports(role2):[0-100]'))).toBe(true);
    expect(parsed('cpus(*):1', 'role1').unreserved().scalarValue('cpus')).toBe(1);
  });

  it('resources: text form: trims names and roles, removes spaces in values, skips empty entries', () => {
    expect(parsed(' cpus ( eng ) : 1 ;; mem: 2 ;').toString()).toBe('cpus(reservations: [(STATIC,eng)]):1; mem:2');
    expect(parsed('ports:[1-2, 5-6]').toString()).toBe('ports:[1-2, 5-6]');
    expect(parsed('ports:[5-6,1-3,3-4]').toString()).toBe('ports:[1-6]');
  });

  it('resources: text form: keeps empty resources in the parsed list', () => {
    const result = parseResourceText('disk:0;ports:[];gpus:{}');
    expect(result.ok && result.value.map((r) => r.name)).toEqual(['disk', 'ports', 'gpus']);
  });

  it.each([
    ['cpus(role1)', "Bad value for resources, missing or extra ':' in cpus(role1)"],
    ['cpus:1:2', "Bad value for resources, missing or extra ':' in cpus:1:2"],
    ['cpus(role1:1', 'Bad value for resources, mismatched parentheses in cpus(role1:1'],
    ['cpus)(role1:1', 'Bad value for resources, mismatched parentheses in cpus)(role1:1'],
    ['cpus: ', 'Failed to parse resource cpus value   error Expecting non-empty string'],
    ['cpus:[1-2', 'Failed to parse resource cpus value [1-2 error Mismatched brackets'],
    ['cpus:{a', 'Failed to parse resource cpus value {a error Mismatched brackets'],
    ['cpus:(a', 'Failed to parse resource cpus value (a error Mismatched brackets'],
    ['ports:[1-2-3]', 'Failed to parse resource ports value [1-2-3] error Expecting one or more "ranges"'],
    ['ports:[a-2]', "Failed to parse resource ports value [a-2] error Expecting non-negative integers in 'a'"],
    ['ports:1[1-2]', "Failed to parse resource ports value 1[1-2] error Unexpected '[' found"],
    ['gpus:a{b}', "Failed to parse resource gpus value a{b} error Unexpected '{' found"],
    ['cpus:1e-310', 'Failed to parse resource cpus value 1e-310 error Subnormal values not supported'],
    ['cpus:-1', 'Bad type for resource cpus value -1 type TEXT (Negative values not supported)'],
    ['cpus:inf', 'Bad type for resource cpus value inf type TEXT (Unsupported floating point value)'],
    ['cpus:nan', 'Bad type for resource cpus value nan type TEXT (Unsupported floating point value)'],
    ['cpus:abc', 'Bad type for resource cpus value abc type TEXT'],
    ['cpus(-x):1', "Role component '-x' is invalid because it starts with a dash"],
    ['cpus():1', 'Role names cannot be the empty string'],
    [' :1', 'Empty resource name'],
    ['cpus:0.0001', 'Invalid scalar resource: value <= 0'],
    ['gpus:{a,a}', 'Invalid set resource: duplicated elements'],
  ])('resources: text form: refuses %j', (text, error) => {
    expect(errorOf(parseResourceText(text))).toBe(error);
  });

  it('resources: text form: accepts hexadecimal and exponent numbers as Mesos does', () => {
    expect(parsed('cpus:0x10;mem:1e3;disk:.5').toString()).toBe('cpus:16; mem:1000; disk:0.5');
  });

  it('resources: text form: printing then parsing gives equal resources', () => {
    const meta = fc.constantFrom(undefined, 'eng', 'ops/db');
    const arbitraryTextResource = fc.oneof(
      fc.tuple(fc.constantFrom('cpus', 'mem', 'disk'), arbitraryScalarValue, meta).map(([name, value, role]) =>
        scalar(name, value, role === undefined ? {} : { role }),
      ),
      fc.tuple(arbitraryRanges(0, 65535), meta).map(([range, role]) => ranges('ports', range, role === undefined ? {} : { role })),
      fc.tuple(arbitrarySetItems(), meta).map(([items, role]) => set('gpus', items, role === undefined ? {} : { role })),
    );
    fc.assert(
      fc.property(fc.array(arbitraryTextResource, { maxLength: 8 }), (list) => {
        const text = toResourcesText(list);
        expect(text).toBeDefined();
        expect(parsed(text!).equals(Resources.of(list))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('resources: text form: cannot print what the grammar cannot express', () => {
    expect(toResourceText(scalar('cpus', 1, { reservations: [dynamicReservation('eng')] }))).toBeUndefined();
    expect(toResourceText(volume(1, 'pv'))).toBeUndefined();
    expect(toResourceText(disk(1, { source: pathSource('/m') }))).toBeUndefined();
    expect(toResourceText(scalar('cpus', 1, { revocable: true }))).toBeUndefined();
    expect(toResourcesText([scalar('cpus', 1), volume(1, 'pv')])).toBeUndefined();
  });
});

describe('resources: agent flag', () => {
  const flag = (value: string, role = '*') => parseAgentResourcesFlag(value, role);

  it('resources: agent flag: reads a JSON array first, text otherwise', () => {
    const json = '[{"name":"disk","type":"SCALAR","scalar":{"value":2048},"disk":{"source":{"type":"PATH","path":{"root":"/mnt/data"}}}}]';
    const result = flag(json);
    expect(result.ok && result.value).toEqual([disk(2048, { source: pathSource('/mnt/data') })]);
    const mount = '[{"name":"disk","type":"SCALAR","scalar":{"value":2048},"role":"db","disk":{"source":{"type":"MOUNT","mount":{"root":"/mnt/ssd0"}}}}]';
    expect(flag(mount)).toEqual({ ok: true, value: [disk(2048, { role: 'db', source: mountSource('/mnt/ssd0') })] });
    expect(flag('cpus:2')).toEqual({ ok: true, value: [scalar('cpus', 2)] });
  });

  it('resources: agent flag: JSON resources without role or stack get the default role', () => {
    expect(flag('[{"name":"cpus","type":"SCALAR","scalar":{"value":2}}]', 'eng')).toEqual({ ok: true, value: [scalar('cpus', 2, { role: 'eng' })] });
    expect(flag('[{"name":"cpus","type":"SCALAR","scalar":{"value":2},"role":"*"}]', 'eng')).toEqual({ ok: true, value: [scalar('cpus', 2)] });
  });

  it('resources: agent flag: JSON that is not an array is read as text', () => {
    expect(errorOf(flag('{"name":"cpus","type":"SCALAR"}'))).toContain("Bad value for resources, missing or extra ':'");
  });

  it('resources: agent flag: malformed JSON resources name the field', () => {
    expect(errorOf(flag('[{"name":"cpus"}]'))).toBe("Some JSON resources were not formatted properly: 'resources[0].type' is required");
    expect(errorOf(flag('[{"name":"pandas","type":"FLOATINGPOINT","set":{"item":[]}}]'))).toBe(
      "Some JSON resources were not formatted properly: 'resources[0].type' has unknown value 'FLOATINGPOINT'",
    );
  });

  it.each([
    ['a negative JSON scalar', '[{"name":"p","type":"SCALAR","scalar":{"value":-1}}]', 'Invalid scalar resource: value <= 0'],
    [
      'a persistent volume',
      '[{"name":"disk","type":"SCALAR","scalar":{"value":2048},"role":"eng","disk":{"persistence":{"id":"pv"},"volume":{"container_path":"/p","mode":"RW"}}}]',
      'Persistent volumes cannot be specified at the command line',
    ],
    [
      'a revocable resource',
      '[{"name":"cpus","type":"SCALAR","scalar":{"value":54.44},"role":"role2","revocable":{}}]',
      "Revocable resources cannot be specified at the command line; do not include a 'revocable' key in the resources JSON",
    ],
    [
      'a dynamic reservation',
      '[{"name":"disk","type":"SCALAR","scalar":{"value":2048},"reservations":[{"type":"DYNAMIC","role":"new_role","principal":"p"}]}]',
      'Dynamic reservations cannot be specified at the command line; do not include a reservation with DYNAMIC type in the resources JSON',
    ],
    [
      'a legacy dynamic reservation',
      '[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"eng","reservation":{}}]',
      'Dynamic reservations cannot be specified at the command line; do not include a reservation with DYNAMIC type in the resources JSON',
    ],
    ['one name with two types (text)', 'foo(role1):1;foo(role2):[0-1]', "Resources with the same name ('foo') but different types are not allowed"],
    [
      'one name with two types (JSON)',
      '[{"name":"happy","type":"SCALAR","scalar":{"value":14}},{"name":"happy","type":"SET","set":{"item":["a"]}}]',
      "Resources with the same name ('happy') but different types are not allowed",
    ],
    [
      'a PATH disk without root',
      '[{"name":"disk","type":"SCALAR","scalar":{"value":10},"disk":{"source":{"type":"PATH"}}}]',
      "PATH disk root directory is not specified 'disk[PATH]:10'",
    ],
    [
      'a MOUNT disk without root',
      '[{"name":"disk","type":"SCALAR","scalar":{"value":10},"disk":{"source":{"type":"MOUNT","mount":{}}}}]',
      "MOUNT disk root directory is not specified 'disk[MOUNT]:10'",
    ],
    [
      'a RAW disk',
      '[{"name":"disk","type":"SCALAR","scalar":{"value":10},"disk":{"source":{"type":"RAW"}}}]',
      "Unsupported 'DiskInfo.Source.Type' in 'disk[RAW]:10'",
    ],
    [
      'a BLOCK disk',
      '[{"name":"disk","type":"SCALAR","scalar":{"value":10},"disk":{"source":{"type":"BLOCK"}}}]',
      "Unsupported 'DiskInfo.Source.Type' in 'disk[BLOCK]:10'",
    ],
    [
      'an UNKNOWN disk source',
      '[{"name":"disk","type":"SCALAR","scalar":{"value":10},"disk":{"source":{"type":"UNKNOWN"}}}]',
      "Unsupported 'DiskInfo.Source.Type' in 'UNKNOWN'",
    ],
    [
      'a dynamic reservation for "*"',
      '[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"reservation":{"principal":"p"}}]',
      'Invalid reservation: role "*" cannot be dynamically reserved',
    ],
  ])('resources: agent flag: refuses %s', (_, value, error) => {
    expect(errorOf(flag(value))).toBe(error);
  });

  it('resources: agent flag: checks merged, non-empty resources only', () => {
    expect(flag('[{"name":"disk","type":"SCALAR","scalar":{"value":0},"disk":{"source":{"type":"PATH"}}}]').ok).toBe(true);
  });

  it('resources: agent flag: names present include empty resources, so disk:0 counts', () => {
    const result = flag('cpus:4;disk:0');
    expect(result.ok && [...namesPresent(result.value)]).toEqual(['cpus', 'disk']);
    expect(result.ok && Resources.of(result.value).toString()).toBe('cpus:4');
  });

  it('resources: agent flag: the unrestricted parser accepts what operators may not declare', () => {
    const value = '[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"eng","revocable":{}}]';
    expect(parseResourcesString(value).ok).toBe(true);
    expect(Resources.parse(value).revocable().size).toBe(1);
    expect(() => Resources.parse('cpus:-1')).toThrow('Bad type for resource cpus');
  });
});
