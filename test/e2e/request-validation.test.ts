/**
 * Method: one real master, no agent, and one framework subscribed on a raw
 * stream that stays open for the whole file. Every test sends requests exactly
 * as written (test/support/http.ts rawRequest adds no Content-Type of its own)
 * and checks the status code of spec/core.md 1.2 / 1.7 and that the message
 * names the offending field or header. Cases are tables: for every call type, a
 * valid body (the control, which must be accepted) and mutations of it. The
 * last test replays the tables several hundred times, concurrently, and then
 * checks that the master still serves: health, the open stream, calls and new
 * subscriptions.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaster, stopAll, waitFor, type ProcessHandle } from '../support/cluster.js';
import { openStream, rawRequest, type RawHeaders, type RawResponse, type RawStream } from '../support/http.js';
import { frameworkInfo, legacyFrameworks, postCall, postScheduler, schedulerPath } from './helpers.js';

type Json = Record<string, unknown>;

let master: ProcessHandle;
let stream: RawStream;
let frameworkId: string;
let streamId: string;

const info = frameworkInfo({ name: 'validated', failover_timeout: 3600 });
/** 16 bytes, base64: a well-formed status update uuid. */
const uuid16 = Buffer.alloc(16, 7).toString('base64');
const id = (value: string): Json => ({ value });

/** The payload of a valid call of each type (TEARDOWN and UNKNOWN need none). */
function payloadOf(type: string): Json {
  switch (type) {
    case 'ACCEPT':
      return { accept: { offer_ids: [id('no-such-offer')], operations: [], filters: { refuse_seconds: 0 } } };
    case 'DECLINE':
      return { decline: { offer_ids: [id('no-such-offer')], filters: { refuse_seconds: 0 } } };
    case 'ACCEPT_INVERSE_OFFERS':
      return { accept_inverse_offers: { inverse_offer_ids: [id('no-such-inverse-offer')] } };
    case 'DECLINE_INVERSE_OFFERS':
      return { decline_inverse_offers: { inverse_offer_ids: [id('no-such-inverse-offer')] } };
    case 'REVIVE':
      return { revive: { roles: ['*'] } };
    case 'SUPPRESS':
      return { suppress: { roles: ['*'] } };
    case 'KILL':
      return { kill: { task_id: id('no-such-task') } };
    case 'SHUTDOWN':
      return { shutdown: { executor_id: id('no-such-executor'), agent_id: id('no-such-agent') } };
    case 'ACKNOWLEDGE':
      return { acknowledge: { agent_id: id('no-such-agent'), task_id: id('no-such-task'), uuid: uuid16 } };
    case 'ACKNOWLEDGE_OPERATION_STATUS':
      return { acknowledge_operation_status: { agent_id: id('no-such-agent'), uuid: uuid16, operation_id: id('no-such-operation') } };
    case 'RECONCILE':
      return { reconcile: { tasks: [] } };
    case 'RECONCILE_OPERATIONS':
      return { reconcile_operations: { operations: [] } };
    case 'MESSAGE':
      return { message: { agent_id: id('no-such-agent'), executor_id: id('no-such-executor'), data: Buffer.from('hello').toString('base64') } };
    case 'REQUEST':
      return { request: { requests: [{ resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }] }] } };
    case 'UPDATE_FRAMEWORK':
      return { update_framework: { framework_info: { ...info, id: id(frameworkId) } } };
    default:
      return {};
  }
}

/** Every call type but SUBSCRIBE, which gets its own cases. */
const callTypes = [
  'TEARDOWN',
  'ACCEPT',
  'DECLINE',
  'ACCEPT_INVERSE_OFFERS',
  'DECLINE_INVERSE_OFFERS',
  'REVIVE',
  'KILL',
  'SHUTDOWN',
  'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'RECONCILE',
  'RECONCILE_OPERATIONS',
  'MESSAGE',
  'REQUEST',
  'SUPPRESS',
  'UPDATE_FRAMEWORK',
] as const;

function validCall(type: string): Json {
  return { framework_id: id(frameworkId), type, ...payloadOf(type) };
}

function validSubscribe(): Json {
  return { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo({ name: 'another' }) } };
}

/** A deep copy of `body` with the value at `path` replaced (`undefined` deletes it). */
function mutate(body: Json, path: readonly (string | number)[], value: unknown): Json {
  const copy = JSON.parse(JSON.stringify(body)) as Json;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

interface BodyCase {
  /** What is wrong, as the test name says it. */
  readonly what: string;
  readonly body: () => Json;
  readonly status: number;
  /** Words the message must contain: the field it names (and, for an enum, the bad name). */
  readonly names: string | readonly string[];
}

/** Per call type: a missing required field and a field of the wrong type, at the top and inside the payload. */
function bodyCases(type: string): BodyCase[] {
  const valid = (): Json => validCall(type);
  const cases: BodyCase[] = [
    { what: 'missing framework_id', body: () => mutate(valid(), ['framework_id'], undefined), status: 400, names: 'framework_id' },
    { what: 'framework_id of the wrong type (a string)', body: () => mutate(valid(), ['framework_id'], 'abc'), status: 400, names: 'framework_id' },
    { what: 'type of the wrong type (a number)', body: () => mutate(valid(), ['type'], 4), status: 400, names: 'type' },
  ];
  // REVIVE and SUPPRESS need no payload (spec 1.2 step 6): only its type is checked.
  const payload = Object.keys(payloadOf(type))[0];
  if (payload !== undefined && type !== 'REVIVE' && type !== 'SUPPRESS') {
    cases.push(
      { what: `missing ${payload}`, body: () => mutate(valid(), [payload], undefined), status: 400, names: payload },
      { what: `${payload} of the wrong type (a string)`, body: () => mutate(valid(), [payload], 'x'), status: 400, names: payload },
    );
  }
  const inner = innerCases[type] ?? [];
  for (const [what, path, value, names] of inner) {
    cases.push({ what, body: () => mutate(valid(), path, value), status: 400, names });
  }
  return cases;
}

/** [what, path, value (undefined: delete), field named] for the fields inside each payload. */
const innerCases: Record<string, [string, (string | number)[], unknown, string | string[]][]> = {
  ACCEPT: [
    ['offer_ids of the wrong type (a string)', ['accept', 'offer_ids'], 'o1', 'offer_ids'],
    ['an offer id without its value', ['accept', 'offer_ids', 0], {}, 'value'],
    ['filters.refuse_seconds of the wrong type', ['accept', 'filters', 'refuse_seconds'], 'soon', 'refuse_seconds'],
    [
      'a task without its required name',
      ['accept', 'operations'],
      [{ type: 'LAUNCH', launch: { task_infos: [{ task_id: id('t'), agent_id: id('a'), resources: [] }] } }],
      'name',
    ],
    [
      'an unknown enum name in the required Resource.type',
      ['accept', 'operations'],
      [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [{ name: 't', task_id: id('t'), agent_id: id('a'), resources: [{ name: 'cpus', type: 'BOGUS_TYPE', scalar: { value: 1 } }] }],
          },
        },
      ],
      ['type', 'BOGUS_TYPE'],
    ],
  ],
  DECLINE: [
    ['offer_ids of the wrong type (an object)', ['decline', 'offer_ids'], { value: 'o' }, 'offer_ids'],
    ['an offer id without its value', ['decline', 'offer_ids', 0], {}, 'value'],
    ['filters.refuse_seconds of the wrong type', ['decline', 'filters', 'refuse_seconds'], 'soon', 'refuse_seconds'],
  ],
  ACCEPT_INVERSE_OFFERS: [
    ['inverse_offer_ids of the wrong type', ['accept_inverse_offers', 'inverse_offer_ids'], 'i', 'inverse_offer_ids'],
    ['an inverse offer id without its value', ['accept_inverse_offers', 'inverse_offer_ids', 0], {}, 'value'],
  ],
  DECLINE_INVERSE_OFFERS: [
    ['inverse_offer_ids of the wrong type', ['decline_inverse_offers', 'inverse_offer_ids'], 5, 'inverse_offer_ids'],
    ['an inverse offer id without its value', ['decline_inverse_offers', 'inverse_offer_ids', 0], {}, 'value'],
  ],
  REVIVE: [
    ['revive of the wrong type (a string)', ['revive'], 'x', 'revive'],
    ['roles of the wrong type (a string)', ['revive', 'roles'], 'web', 'roles'],
  ],
  SUPPRESS: [
    ['suppress of the wrong type (a number)', ['suppress'], 3, 'suppress'],
    ['roles of the wrong type (a number)', ['suppress', 'roles'], 5, 'roles'],
  ],
  KILL: [
    ['missing kill.task_id', ['kill', 'task_id'], undefined, 'task_id'],
    ['kill.task_id of the wrong type (a string)', ['kill', 'task_id'], 't1', 'task_id'],
    ['kill.kill_policy of the wrong type', ['kill', 'kill_policy'], 'gentle', 'kill_policy'],
  ],
  SHUTDOWN: [
    ['missing shutdown.executor_id', ['shutdown', 'executor_id'], undefined, 'executor_id'],
    ['missing shutdown.agent_id', ['shutdown', 'agent_id'], undefined, 'agent_id'],
    ['shutdown.agent_id of the wrong type', ['shutdown', 'agent_id'], 7, 'agent_id'],
  ],
  ACKNOWLEDGE: [
    ['missing acknowledge.uuid', ['acknowledge', 'uuid'], undefined, 'uuid'],
    ['missing acknowledge.task_id', ['acknowledge', 'task_id'], undefined, 'task_id'],
    ['missing acknowledge.agent_id', ['acknowledge', 'agent_id'], undefined, 'agent_id'],
    ['acknowledge.uuid of the wrong type (a number)', ['acknowledge', 'uuid'], 123, 'uuid'],
    ['acknowledge.uuid that is not 16 bytes', ['acknowledge', 'uuid'], Buffer.alloc(8).toString('base64'), 'uuid'],
  ],
  ACKNOWLEDGE_OPERATION_STATUS: [
    ['missing acknowledge_operation_status.operation_id', ['acknowledge_operation_status', 'operation_id'], undefined, 'operation_id'],
    ['missing acknowledge_operation_status.uuid', ['acknowledge_operation_status', 'uuid'], undefined, 'uuid'],
    ['missing acknowledge_operation_status.agent_id', ['acknowledge_operation_status', 'agent_id'], undefined, 'agent_id'],
    ['acknowledge_operation_status.operation_id of the wrong type', ['acknowledge_operation_status', 'operation_id'], true, 'operation_id'],
    ['acknowledge_operation_status.uuid that is not 16 bytes', ['acknowledge_operation_status', 'uuid'], Buffer.alloc(4).toString('base64'), 'uuid'],
  ],
  RECONCILE: [
    ['reconcile.tasks of the wrong type', ['reconcile', 'tasks'], { task_id: id('t') }, 'tasks'],
    ['a task without its task_id', ['reconcile', 'tasks'], [{ agent_id: id('a') }], 'task_id'],
  ],
  RECONCILE_OPERATIONS: [
    ['reconcile_operations.operations of the wrong type', ['reconcile_operations', 'operations'], 'all', 'operations'],
    ['an operation without its operation_id', ['reconcile_operations', 'operations'], [{ agent_id: id('a') }], 'operation_id'],
  ],
  MESSAGE: [
    ['missing message.data', ['message', 'data'], undefined, 'data'],
    ['missing message.executor_id', ['message', 'executor_id'], undefined, 'executor_id'],
    ['message.data of the wrong type (a number)', ['message', 'data'], 5, 'data'],
  ],
  REQUEST: [
    ['request.requests of the wrong type', ['request', 'requests'], 5, 'requests'],
    ['a resource without its required name', ['request', 'requests', 0, 'resources', 0, 'name'], undefined, 'name'],
    ['an unknown enum name in the required Resource.type', ['request', 'requests', 0, 'resources', 0, 'type'], 'BOGUS_TYPE', ['type', 'BOGUS_TYPE']],
  ],
  UPDATE_FRAMEWORK: [
    ['missing update_framework.framework_info', ['update_framework', 'framework_info'], undefined, 'framework_info'],
    ['a framework_info without its required user', ['update_framework', 'framework_info', 'user'], undefined, 'user'],
    ['framework_info.failover_timeout of the wrong type', ['update_framework', 'framework_info', 'failover_timeout'], 'long', 'failover_timeout'],
    ['framework_info.id that differs from framework_id', ['update_framework', 'framework_info', 'id'], id('someone-else'), 'framework_id'],
  ],
};

const subscribeCases: BodyCase[] = [
  { what: 'missing subscribe', body: () => mutate(validSubscribe(), ['subscribe'], undefined), status: 400, names: 'subscribe' },
  { what: 'subscribe of the wrong type', body: () => mutate(validSubscribe(), ['subscribe'], [1]), status: 400, names: 'subscribe' },
  {
    what: 'missing subscribe.framework_info',
    body: () => mutate(validSubscribe(), ['subscribe', 'framework_info'], undefined),
    status: 400,
    names: 'framework_info',
  },
  { what: 'a framework_info without user', body: () => mutate(validSubscribe(), ['subscribe', 'framework_info', 'user'], undefined), status: 400, names: 'user' },
  { what: 'a framework_info without name', body: () => mutate(validSubscribe(), ['subscribe', 'framework_info', 'name'], undefined), status: 400, names: 'name' },
  { what: 'name of the wrong type (a number)', body: () => mutate(validSubscribe(), ['subscribe', 'framework_info', 'name'], 12), status: 400, names: 'name' },
  {
    what: 'checkpoint of the wrong type',
    body: () => mutate(validSubscribe(), ['subscribe', 'framework_info', 'checkpoint'], 'maybe'),
    status: 400,
    names: 'checkpoint',
  },
  { what: 'roles of the wrong type', body: () => mutate(validSubscribe(), ['subscribe', 'framework_info', 'roles'], 'web'), status: 400, names: 'roles' },
  {
    what: 'framework_id set but framework_info.id unset',
    body: () => mutate(validSubscribe(), ['framework_id'], id('some-framework')),
    status: 400,
    names: 'framework_id',
  },
  {
    what: 'framework_info.id set but framework_id unset',
    body: () => mutate(validSubscribe(), ['subscribe', 'framework_info', 'id'], id('some-framework')),
    status: 400,
    names: 'framework_id',
  },
];

/** A word, as a whole and in any case, in `text`: `task_id` does not match inside `executor_task_id`. */
function mentions(text: string, word: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_])`, 'i').test(text);
}

function expectAnswer(answer: RawResponse, status: number, names: string | readonly string[]): void {
  expect(answer.status, `status (body: ${answer.text.slice(0, 300)})`).toBe(status);
  for (const word of typeof names === 'string' ? [names] : names) {
    expect(mentions(answer.text, word), `the message '${answer.text.slice(0, 300)}' names '${word}'`).toBe(true);
  }
}

beforeAll(async () => {
  master = await startMaster();
  stream = await openStream(`${master.url}${schedulerPath}`, { type: 'SUBSCRIBE', subscribe: { framework_info: info } });
  const subscribed = (await stream.next()) as { subscribed: { framework_id: { value: string } } };
  frameworkId = subscribed.subscribed.framework_id.value;
  streamId = stream.headers['mesos-stream-id'] ?? '';
});

afterAll(async () => {
  stream.close();
  await stopAll();
});

describe('request validation: valid calls (the controls)', () => {
  for (const type of callTypes.filter((name) => name !== 'TEARDOWN' && name !== 'UPDATE_FRAMEWORK')) {
    it(`a valid ${type} with the stream id is accepted with 202`, async () => {
      const answer = await postCall(master.url, validCall(type), streamId);

      expect(answer.status, `body: ${answer.text}`).toBe(202);
    });
  }

  it('a valid ACCEPT carrying a LAUNCH operation is accepted with 202 (an offer that is gone is reported later, on the stream)', async () => {
    const task = { name: 't', task_id: id('t1'), agent_id: id('no-such-agent'), resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }], command: { value: 'true' } };
    const call = mutate(validCall('ACCEPT'), ['accept', 'operations'], [{ type: 'LAUNCH', launch: { task_infos: [task] } }]);

    const answer = await postCall(master.url, call, streamId);

    expect(answer.status, `body: ${answer.text}`).toBe(202);
  });

  it('a valid UPDATE_FRAMEWORK with the stream id is applied with 200', async () => {
    const answer = await postCall(master.url, validCall('UPDATE_FRAMEWORK'), streamId);

    expect(answer.status, `body: ${answer.text}`).toBe(200);
  });

  it('a call of type UNKNOWN is 501', async () => {
    const answer = await postCall(master.url, { framework_id: id(frameworkId), type: 'UNKNOWN' }, streamId);

    expect(answer.status).toBe(501);
  });
});

describe('request validation: bodies', () => {
  for (const type of callTypes) {
    for (const bodyCase of bodyCases(type)) {
      it(`${type} with ${bodyCase.what} is ${bodyCase.status} naming '${String(bodyCase.names)}'`, async () => {
        expectAnswer(await postCall(master.url, bodyCase.body(), streamId), bodyCase.status, bodyCase.names);
      });
    }
  }

  for (const bodyCase of subscribeCases) {
    it(`SUBSCRIBE with ${bodyCase.what} is ${bodyCase.status} naming '${String(bodyCase.names)}'`, async () => {
      expectAnswer(await postCall(master.url, bodyCase.body()), bodyCase.status, bodyCase.names);
    });
  }

  it('a call without type is 400 naming type', async () => {
    expectAnswer(await postCall(master.url, { framework_id: id(frameworkId) }, streamId), 400, 'type');
  });

  it('a call with an unknown type name is 400 naming type (the unknown name leaves it unset)', async () => {
    expectAnswer(await postCall(master.url, { framework_id: id(frameworkId), type: 'BOGUS_CALL' }, streamId), 400, 'type');
  });

  it('a body that is not JSON is 400', async () => {
    const answer = await postCall(master.url, '{"type": "SUBSCRIBE",', streamId);

    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/json/i);
  });

  it('an empty body, a JSON array, a JSON null and a JSON string are each 400', async () => {
    for (const body of ['', '[]', 'null', '"SUBSCRIBE"']) {
      const answer = await postCall(master.url, body, streamId);
      expect(answer.status, `body ${JSON.stringify(body)} answered ${answer.text}`).toBe(400);
    }
  });

  it('bytes that are not UTF-8 are 400', async () => {
    const answer = await rawRequest(`${master.url}${schedulerPath}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]),
    });

    expect(answer.status).toBe(400);
  });

  it('a deeply nested body is 400, not a crash', async () => {
    const depth = 100_000;
    const body = `{"type":"SUBSCRIBE","deep":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;

    const answer = await postCall(master.url, body);

    expect(answer.status).toBe(400);
    expect((await rawRequest(`${master.url}/master/health`)).status).toBe(200);
  });
});

describe('request validation: content type and method', () => {
  for (const type of [...callTypes, 'SUBSCRIBE'] as const) {
    const body = (): Json => (type === 'SUBSCRIBE' ? validSubscribe() : validCall(type));
    const stream = (): RawHeaders => (type === 'SUBSCRIBE' ? {} : { 'Mesos-Stream-Id': streamId });

    it(`${type} without Content-Type is 400 naming Content-Type`, async () => {
      expectAnswer(await postScheduler(master.url, body(), stream()), 400, 'Content-Type');
    });

    it(`${type} as text/plain is 415`, async () => {
      const answer = await postScheduler(master.url, body(), { 'Content-Type': 'text/plain', ...stream() });

      expect(answer.status, answer.text).toBe(415);
    });

    it(`${type} as application/x-protobuf is 415 with a message saying protobuf is not supported`, async () => {
      const answer = await postScheduler(master.url, body(), { 'Content-Type': 'application/x-protobuf', ...stream() });

      expect(answer.status, answer.text).toBe(415);
      expect(answer.text).toMatch(/protobuf/);
      expect(answer.text).toMatch(/not supported|only/i);
    });

    for (const method of ['GET', 'PUT', 'DELETE']) {
      it(`${type} sent with ${method} is 405 with Allow: POST`, async () => {
        const answer = await rawRequest(`${master.url}${schedulerPath}`, {
          method,
          headers: { 'Content-Type': 'application/json', ...stream() },
          body: JSON.stringify(body()),
        });

        expect(answer.status).toBe(405);
        expect(answer.headers['allow']).toBe('POST');
      });
    }
  }

  it('application/json with a charset parameter is accepted', async () => {
    const answer = await postScheduler(master.url, validCall('REVIVE'), {
      'Content-Type': 'application/json; charset=utf-8',
      'Mesos-Stream-Id': streamId,
    });

    expect(answer.status).toBe(202);
  });
});

describe('request validation: Mesos-Stream-Id', () => {
  for (const type of callTypes) {
    it(`${type} without Mesos-Stream-Id is 400 naming the header`, async () => {
      expectAnswer(await postCall(master.url, validCall(type)), 400, 'Mesos-Stream-Id');
    });

    it(`${type} with a Mesos-Stream-Id of another subscription is 400 naming the stream id`, async () => {
      const answer = await postCall(master.url, validCall(type), randomUUID());

      expect(answer.status).toBe(400);
      expect(answer.text).toMatch(/stream id/i);
    });
  }

  it('SUBSCRIBE carrying a Mesos-Stream-Id is 400 naming the header', async () => {
    expectAnswer(await postCall(master.url, validSubscribe(), randomUUID()), 400, 'Mesos-Stream-Id');
  });

  it('the framework is still subscribed on its stream after all of these', async () => {
    const { frameworks } = await legacyFrameworks(master.url);

    expect(frameworks.find((framework) => framework.id === frameworkId)).toMatchObject({ connected: true, active: true });
    expect((await postCall(master.url, validCall('REVIVE'), streamId)).status).toBe(202);
  });
});

describe('request validation: precedence of the pipeline steps (spec 1.2)', () => {
  it('the method is checked before the content type: GET without Content-Type is 405', async () => {
    const answer = await rawRequest(`${master.url}${schedulerPath}`, { method: 'GET' });

    expect(answer.status).toBe(405);
  });

  it('the content type is checked before the body: text/plain garbage is 415', async () => {
    const answer = await postScheduler(master.url, 'not json at all', { 'Content-Type': 'text/plain' });

    expect(answer.status).toBe(415);
  });

  it('the body is validated before the stream id: an invalid call without Mesos-Stream-Id is 400 naming the field', async () => {
    expectAnswer(await postCall(master.url, mutate(validCall('KILL'), ['kill', 'task_id'], undefined)), 400, 'task_id');
  });

  it('Accept is negotiated before the stream id check: SUBSCRIBE with both wrong is 406', async () => {
    const answer = await postScheduler(master.url, validSubscribe(), {
      'Content-Type': 'application/json',
      Accept: 'foo/bar',
      'Mesos-Stream-Id': randomUUID(),
    });

    expect(answer.status).toBe(406);
  });

  it('an unknown framework is 400 "Framework cannot be found", before any stream id check', async () => {
    const answer = await postCall(master.url, { ...validCall('REVIVE'), framework_id: id(`${frameworkId}-unknown`) });

    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Framework cannot be found');
  });
});

describe('request validation: a flood of malformed requests', () => {
  it('several hundred malformed requests, sent 25 at a time, each get a 4xx, and then the master still serves', async () => {
    const requests: (() => Promise<RawResponse>)[] = [];
    const garbage = ['', '{', '}', '[1,2', 'null', '{"type":', '\u0000\u0001', '{"type":"DECLINE","decline":{"offer_ids":[{"value":1}]}}'];
    for (let round = 0; round < 4; round += 1) {
      for (const type of callTypes) {
        for (const bodyCase of bodyCases(type)) requests.push(() => postCall(master.url, bodyCase.body(), streamId));
        requests.push(() => postCall(master.url, validCall(type), randomUUID()));
        requests.push(() => postScheduler(master.url, validCall(type), { 'Content-Type': 'application/x-protobuf' }));
      }
      for (const bodyCase of subscribeCases) requests.push(() => postCall(master.url, bodyCase.body()));
      for (const text of garbage) requests.push(() => postCall(master.url, text, streamId));
      requests.push(() => rawRequest(`${master.url}${schedulerPath}`, { method: 'GET' }));
    }
    expect(requests.length).toBeGreaterThanOrEqual(500);

    const statuses: number[] = [];
    for (let start = 0; start < requests.length; start += 25) {
      const answers = await Promise.all(requests.slice(start, start + 25).map((send) => send()));
      statuses.push(...answers.map((answer) => answer.status));
    }

    const unexpected = statuses.filter((status) => status < 400 || status >= 500);
    expect(unexpected, 'statuses outside 4xx').toEqual([]);
    expect((await rawRequest(`${master.url}/master/health`)).status).toBe(200);
    expect((await postCall(master.url, validCall('REVIVE'), streamId)).status).toBe(202);
    const { frameworks } = await legacyFrameworks(master.url);
    expect(frameworks.find((framework) => framework.id === frameworkId)).toMatchObject({ connected: true });
    // The open stream still carries events: a new record (the next heartbeat) arrives.
    const recordsBefore = stream.frames.length;
    await waitFor(() => stream.frames.length > recordsBefore, { message: 'a new record on the open stream', timeoutMs: 8_000 });
    const fresh = await openStream(`${master.url}${schedulerPath}`, validSubscribe());
    try {
      expect(fresh.status).toBe(200);
      expect(((await fresh.next()) as { type: string }).type).toBe('SUBSCRIBED');
    } finally {
      fresh.close();
    }
  });
});
