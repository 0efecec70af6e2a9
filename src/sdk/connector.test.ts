/**
 * Method: real HTTP against FakeMaster servers on 127.0.0.1. One master
 * redirects or refuses, another accepts; we check what the client sent where
 * and what `subscribe()` resolves or rejects with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveLocation, schedulerEndpoint } from './connector.js';
import { SubscribeError } from './errors.js';
import type { SchedulerSession } from './session.js';
import { subscribe } from './subscribe.js';
import { answer, FakeMaster } from './testing/fake-master.js';

const frameworkInfo = { user: 'tester', name: 'sdk test' };
const masters: FakeMaster[] = [];
const sessions: SchedulerSession[] = [];

async function startMaster(): Promise<FakeMaster> {
  const master = await FakeMaster.start();
  masters.push(master);
  return master;
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await Promise.all(masters.splice(0).map((master) => master.close()));
});

describe('sdk: scheduler endpoint', () => {
  it('adds the scheme and the scheduler path to host:port', () => {
    expect(schedulerEndpoint('127.0.0.1:5050')).toBe('http://127.0.0.1:5050/api/v1/scheduler');
    expect(schedulerEndpoint('http://m1:5050/')).toBe('http://m1:5050/api/v1/scheduler');
    expect(schedulerEndpoint('http://m1:5050/master')).toBe('http://m1:5050/master/api/v1/scheduler');
    expect(schedulerEndpoint('http://m1:5050/api/v1/scheduler')).toBe('http://m1:5050/api/v1/scheduler');
  });

  it('resolves a protocol-relative Location against the request URL', () => {
    expect(resolveLocation('//m2:5051/api/v1/scheduler', 'http://m1:5050/api/v1/scheduler')).toBe(
      'http://m2:5051/api/v1/scheduler',
    );
    expect(resolveLocation('//m2:5051', 'http://m1:5050/api/v1/scheduler')).toBe('http://m2:5051/api/v1/scheduler');
  });
});

describe('sdk: subscribe: leader discovery', () => {
  it('follows a 307 to the leader named by a protocol-relative Location', async () => {
    const follower = await startMaster();
    const leader = await startMaster();
    follower.route = (_request, response) =>
      answer(response, 307, '', { Location: `//127.0.0.1:${leader.port}/api/v1/scheduler` });

    const session = await subscribe({ master: `127.0.0.1:${follower.port}`, frameworkInfo });
    sessions.push(session);

    expect(session.masterUrl).toBe(leader.url);
    expect(session.schedulerUrl).toBe(`${leader.url}/api/v1/scheduler`);
    expect(follower.received).toHaveLength(1);
    expect(leader.received.map((request) => request.call?.type)).toEqual(['SUBSCRIBE']);
    await session.decline(['o1']);
    expect(leader.calls.map((request) => request.call?.type)).toEqual(['DECLINE']);
    expect(follower.received).toHaveLength(1);
  });

  it('gives up after the redirect bound when masters keep redirecting', async () => {
    const master = await startMaster();
    master.route = (_request, response) => answer(response, 307, '', { Location: `//127.0.0.1:${master.port}/api/v1/scheduler` });

    const failure = await subscribe({ master: master.url, frameworkInfo, redirectsMax: 3 }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SubscribeError);
    expect((failure as SubscribeError).status).toBe(307);
    expect(master.received).toHaveLength(4);
  });

  it('retries 503 with backoff until the master answers 200', async () => {
    const master = await startMaster();
    let refusals = 2;
    master.route = (request, response) => {
      if (refusals-- > 0) answer(response, 503, 'No leader elected');
      else master.defaultRoute(request, response);
    };

    const session = await subscribe({ master: master.url, frameworkInfo, retry: { backoffInitialMs: 5 } });
    sessions.push(session);

    expect(session.frameworkId).toBe('fake-framework-1');
    expect(master.received.map((request) => request.call?.type)).toEqual(['SUBSCRIBE', 'SUBSCRIBE', 'SUBSCRIBE']);
  });

  it('gives up on 503 after the attempt bound, reporting the status and body', async () => {
    const master = await startMaster();
    master.route = (_request, response) => answer(response, 503, 'Master has not finished recovery');

    const failure = await subscribe({
      master: master.url,
      frameworkInfo,
      retry: { attemptsMax: 3, backoffInitialMs: 1 },
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SubscribeError);
    expect(failure).toMatchObject({ status: 503, body: 'Master has not finished recovery' });
    expect(master.received).toHaveLength(3);
  });

  it('rejects any other answer at once with its status and body', async () => {
    const master = await startMaster();
    master.route = (_request, response) => answer(response, 400, 'Failed to validate scheduler::Call: Expecting');

    const failure = await subscribe({ master: master.url, frameworkInfo }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SubscribeError);
    expect(failure).toMatchObject({ status: 400, body: 'Failed to validate scheduler::Call: Expecting' });
    expect(master.received).toHaveLength(1);
  });

  it('sends a JSON SUBSCRIBE without a stream id, with framework_id when re-subscribing', async () => {
    const master = await startMaster();
    const info = { ...frameworkInfo, id: { value: 'fw-old' } };

    const session = await subscribe({ master: master.url, frameworkInfo: info, suppressedRoles: ['r1'], headers: { 'X-Extra': 'yes' } });
    sessions.push(session);

    const request = master.received[0];
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['accept']).toBe('application/json');
    expect(request?.headers['x-extra']).toBe('yes');
    expect(request?.headers['mesos-stream-id']).toBeUndefined();
    expect(request?.call).toEqual({
      type: 'SUBSCRIBE',
      framework_id: { value: 'fw-old' },
      subscribe: { framework_info: info, suppressed_roles: ['r1'] },
    });
  });
});
