// Method: decodeJson no longer copies a parsed body through stripNulls when
// the body has no null (hasNullsToStrip walks it without allocating), while
// decodeValue still always copies, as decodeJson did before. So decodeValue of
// JSON.parse is the old decodeJson, and both are compared over generated link
// request bodies (fast-check): as agents send them and with one member turned
// null, deleted, replaced by a value of any type, nested past the depth bound,
// or given a `__proto__` key. The walk itself is checked against stripNulls on
// any JSON. Examples pin the texts of the depth and null cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeJson, decodeValue } from './decode.js';
import { LinkRequest } from './internal.js';
import { hasNullsToStrip, messageDepthMax, stripNulls, TooDeeplyNested } from './wire.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const id = fc.record({ value: fc.constantFrom('a', 'S1', '') });
/** Mostly what agents send; now and then what the wire also allows, or a wrong value. */
function mostly<T>(usual: fc.Arbitrary<T>, ...unusual: T[]): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: usual, weight: 8 }, { arbitrary: fc.constantFrom(...unusual), weight: 1 });
}
const integerish = mostly<number | string>(fc.nat(10_000), '7', '-1', 'x', 1.5, -2);
const doubleish = mostly<number | string>(fc.double({ noNaN: true, noDefaultInfinity: true }), '0.5', 'Infinity', 'x', '');
const boolish = mostly<boolean | string>(fc.boolean(), 'true', 'no');

const resource = fc.record(
  {
    name: fc.constantFrom('cpus', 'mem', 'disk'),
    type: mostly(fc.constantFrom('SCALAR', 'RANGES'), 'NOT_A_TYPE'),
    scalar: fc.record({ value: doubleish }),
    allocation_info: fc.record({ role: fc.constantFrom('*', 'a/b') }),
    reservations: fc.array(fc.record({ type: fc.constantFrom('DYNAMIC', 'NEWER'), role: fc.constant('a') }), { maxLength: 1 }),
  },
  { requiredKeys: ['name', 'type'] },
);

const task = fc.record(
  {
    framework_id: id,
    task: fc.record(
      {
        name: fc.string({ maxLength: 3 }),
        task_id: id,
        agent_id: id,
        resources: fc.array(resource, { maxLength: 2 }),
        command: fc.record({ value: fc.string({ maxLength: 3 }), shell: boolish }, { requiredKeys: [] }),
        labels: fc.record({ labels: fc.array(fc.record({ key: fc.constantFrom('k', 'l'), value: fc.string({ maxLength: 2 }) }, { requiredKeys: ['key'] }), { maxLength: 3 }) }),
        health_check: fc.record({ type: fc.constantFrom('COMMAND', 'NEWER'), consecutive_failures: integerish }, { requiredKeys: [] }),
        discovery: fc.dictionary(fc.constantFrom('name', 'ports'), fc.jsonValue({ maxDepth: 2 })),
      },
      { requiredKeys: ['name', 'task_id', 'agent_id'] },
    ),
    state: fc.constantFrom('TASK_RUNNING', 'TASK_STAGING'),
    statuses: fc.array(
      fc.record({ task_id: id, state: mostly(fc.constant('TASK_RUNNING'), 'NOT_A_STATE'), timestamp: doubleish, uuid: mostly(fc.constant('AAAA'), 'not base64') }, { requiredKeys: ['task_id', 'state'] }),
      { maxLength: 1 },
    ),
  },
  { requiredKeys: ['framework_id', 'task', 'state'] },
);

const linkRequest = fc.record(
  {
    protocol_version: mostly<number | string>(fc.constant(1), '1', -1, 1.5),
    epoch: integerish,
    agent_id: id,
    agent_info: fc.record({ hostname: fc.constant('h'), port: integerish, ip: fc.constant('127.0.0.1'), resources: fc.array(resource, { maxLength: 2 }) }),
    version: fc.constant('1.11.0'),
    capabilities: fc.array(fc.constantFrom('MULTI_ROLE', 'NEWER')),
    tasks: fc.array(task, { maxLength: 3 }),
    frameworks: fc.array(fc.record({ user: fc.constant('root'), name: fc.string({ maxLength: 2 }), id, checkpoint: boolish }, { requiredKeys: ['user', 'name'] }), { maxLength: 2 }),
  },
  { requiredKeys: ['protocol_version', 'epoch', 'agent_info', 'version', 'capabilities'] },
);

type Change = { kind: 'null' } | { kind: 'delete' } | { kind: 'value'; value: Json } | { kind: 'proto'; value: Json } | { kind: 'deep'; levels: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.constant({ kind: 'null' as const }),
  fc.constant({ kind: 'delete' as const }),
  fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'value' as const, value: value as Json })),
  fc.jsonValue({ maxDepth: 1 }).map((value) => ({ kind: 'proto' as const, value: value as Json })),
  fc.integer({ min: messageDepthMax - 8, max: messageDepthMax + 2 }).map((levels) => ({ kind: 'deep' as const, levels })),
);

/** Every (container, key) pair of `value`, depth first. */
function members(value: Json): [Json[] | { [key: string]: Json }, string | number][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [Json[] | { [key: string]: Json }, string | number][] = [];
  if (Array.isArray(value)) value.forEach((item, index) => entries.push([value, index], ...members(item)));
  else for (const [key, member] of Object.entries(value)) entries.push([value, key], ...members(member));
  return entries;
}

function nested(levels: number): Json {
  let value: Json = 'leaf';
  for (let level = 0; level < levels; level++) value = level % 2 === 0 ? [value] : { inner: value };
  return value;
}

/** A copy of `original` with the member picked by `at` changed; a `proto` change defines an own `__proto__` key, as JSON.parse makes one. */
function changed(original: Json, at: number, how: Change): Json {
  // A copy: fast-check reuses generated values while it shrinks.
  const value = JSON.parse(JSON.stringify(original)) as Json;
  const all = members(value);
  const picked = all[at % Math.max(all.length, 1)];
  if (picked === undefined) return value;
  const [container, key] = picked;
  const target = container as Record<string | number, Json>;
  if (how.kind === 'null') target[key] = null;
  else if (how.kind === 'value') target[key] = how.value;
  else if (how.kind === 'deep') target[key] = nested(how.levels);
  else if (how.kind === 'delete') {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete target[key];
  } else {
    const holder = target[key];
    const owner = holder !== null && typeof holder === 'object' && !Array.isArray(holder) ? holder : Array.isArray(container) ? undefined : container;
    if (owner !== undefined) Object.defineProperty(owner, '__proto__', { value: how.value, enumerable: true, writable: true, configurable: true });
  }
  return value;
}

const body = (base: fc.Arbitrary<Json>) =>
  fc.tuple(base, fc.option(fc.tuple(fc.nat(), change), { nil: undefined, freq: 2 })).map(([value, edit]) => JSON.stringify(edit === undefined ? value : changed(value, ...edit)));

function stripped(value: unknown): unknown {
  try {
    return stripNulls(value);
  } catch (error) {
    if (error instanceof TooDeeplyNested) return TooDeeplyNested;
    throw error;
  }
}

function walked(value: object): boolean | typeof TooDeeplyNested {
  try {
    return hasNullsToStrip(value);
  } catch (error) {
    if (error instanceof TooDeeplyNested) return TooDeeplyNested;
    throw error;
  }
}

describe('protocol: decode: skipping the null-stripping copy', () => {
  it('protocol: decode: a link request decodes as it did with the copy (generated bodies)', () => {
    fc.assert(
      fc.property(body(linkRequest as fc.Arbitrary<Json>), (text) => {
        const fresh = decodeJson(LinkRequest, text, 'LinkRequest');
        const copied = decodeValue(LinkRequest, JSON.parse(text), 'LinkRequest');
        expect(fresh).toStrictEqual(copied);
        expect(JSON.stringify(fresh)).toBe(JSON.stringify(copied));
      }),
      { numRuns: 400 },
    );
  });

  it('protocol: decode: the walk finds what stripNulls would change, and the depth stripNulls refuses (any JSON)', () => {
    fc.assert(
      fc.property(body(fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>), (text) => {
        const parsed: unknown = JSON.parse(text);
        if (parsed === null || typeof parsed !== 'object') return;
        const copy = stripped(JSON.parse(text));
        const verdict = walked(parsed);
        if (verdict === TooDeeplyNested) expect(copy).toBe(TooDeeplyNested);
        if (copy === TooDeeplyNested) expect(verdict === TooDeeplyNested || verdict === true).toBe(true);
        if (verdict === false) {
          expect(copy).toStrictEqual(parsed);
          expect(JSON.stringify(copy)).toBe(text);
        }
      }),
      { numRuns: 1000 },
    );
  });

  const linkBody = {
    protocol_version: 1,
    epoch: 1,
    agent_info: { hostname: 'h', port: 5051, ip: '127.0.0.1', resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }] },
    version: '1.11.0',
    capabilities: [],
  };

  it('protocol: decode: a null member is unset, a null array element dropped', () => {
    const decoded = decodeJson(LinkRequest, JSON.stringify({ ...linkBody, agent_id: null, capabilities: [null, 'MULTI_ROLE'] }), 'LinkRequest');
    expect(decoded).toStrictEqual(decodeJson(LinkRequest, JSON.stringify({ ...linkBody, capabilities: ['MULTI_ROLE'] }), 'LinkRequest'));
    expect(decoded.ok).toBe(true);
  });

  it('protocol: decode: a body nested past the bound is refused whether or not it holds a null', () => {
    const refusal = `Failed to convert JSON into LinkRequest protobuf: JSON nested deeper than ${messageDepthMax} levels`;
    const deep = nested(messageDepthMax + 1);
    expect(decodeJson(LinkRequest, JSON.stringify({ ...linkBody, extra: deep }), 'LinkRequest')).toStrictEqual({ ok: false, error: refusal });
    expect(decodeJson(LinkRequest, JSON.stringify({ ...linkBody, agent_id: null, extra: deep }), 'LinkRequest')).toStrictEqual({ ok: false, error: refusal });
    expect(decodeJson(LinkRequest, JSON.stringify({ ...linkBody, extra: nested(messageDepthMax - 1) }), 'LinkRequest').ok).toBe(true);
  });

  it('protocol: decode: decodeValue still copies, so its result shares nothing with the value it was given', () => {
    const value = { data: { inner: { kept: [1] } } };
    const decoded = decodeValue(z.object({ data: z.record(z.string(), z.unknown()) }), value, 'Test');
    if (!decoded.ok) throw new Error(`expected the value to decode, got: ${decoded.error}`);
    expect(decoded.value).toStrictEqual(value);
    expect(decoded.value.data.inner).not.toBe(value.data.inner);
  });
});

describe('a __proto__ member', () => {
  it('is ignored as an unknown field: it never stands in for the fields it holds', () => {
    const decoded = decodeJson(z.object({ version: z.string() }), '{"__proto__": {"version": "9.9"}}', 'Probe');
    expect(decoded.ok).toBe(false);
    const beside = decodeJson(z.object({ version: z.string() }), '{"__proto__": {"version": "9.9"}, "version": "1.0", "x": null}', 'Probe');
    expect(beside).toEqual({ ok: true, value: { version: '1.0' } });
  });
});
