/**
 * Method: a real master (100 ms allocation interval), one agent and one
 * framework (role `web`) that holds the agent's offer, all set up once; the
 * tests only read. Each endpoint is fetched over HTTP as a monitoring tool
 * would and checked for the fields of spec/core.md 6.4 (legacy JSON: slave
 * names, plain string ids, resources as objects) and the values this cluster
 * must show; /metrics/snapshot against section 8.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { createHttpTransport } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, stopAll, type ProcessHandle } from '../support/cluster.js';
import { rawRequest } from '../support/http.js';
import { fastAgentFlags, fastMasterFlags, frameworkInfo, metrics, subscribeFramework, waitForActiveAgents } from './helpers.js';

type Json = Record<string, unknown>;

const agentResourcesLegacy = { cpus: 2, mem: 1024, disk: 1024, gpus: 0, ports: '[31000-32000]' };

let master: ProcessHandle;
let agent: ProcessHandle;
let agentId: string;
let session: SchedulerSession;
const transport = createHttpTransport();

beforeAll(async () => {
  master = await startMaster({ flags: [...fastMasterFlags, '--cluster=e2e-cluster'] });
  agent = await startAgent(master.url, { flags: [...fastAgentFlags, '--attributes=rack:r1;level:3'] });
  agentId = (await waitForActiveAgents(master.url, 1))[0]?.id ?? '';
  session = await subscribeFramework(master.url, frameworkInfo({ name: 'watched', role: 'web', webui_url: 'http://ui.example' }), { transport });
  await session.nextEvent('OFFERS');
});

afterAll(async () => {
  await session.close();
  await transport.close();
  await stopAll();
});

describe('endpoints: /master/state', () => {
  it('has the top-level fields of a Mesos master state, with this master id and one activated slave', async () => {
    const state = await fetchJson<Json>(`${master.url}/master/state`);

    for (const key of [
      'version',
      'build_date',
      'build_time',
      'build_user',
      'start_time',
      'id',
      'pid',
      'hostname',
      'capabilities',
      'activated_slaves',
      'deactivated_slaves',
      'unreachable_slaves',
      'leader',
      'leader_info',
      'flags',
      'slaves',
      'recovered_slaves',
      'frameworks',
      'completed_frameworks',
      'orphan_tasks',
      'unregistered_frameworks',
    ]) {
      expect(state, `/master/state.${key}`).toHaveProperty([key]);
    }
    expect(state['id']).toBe(session.subscribedEvent.master_info.id);
    expect(state['pid']).toBe(`master@127.0.0.1:${new URL(master.url).port}`);
    expect(state['leader']).toBe(state['pid']);
    expect(state['leader_info']).toMatchObject({ id: state['id'], port: Number(new URL(master.url).port) });
    expect(state['cluster']).toBe('e2e-cluster');
    expect(state['activated_slaves']).toBe(1);
    expect(state['deactivated_slaves']).toBe(0);
    expect(state['orphan_tasks']).toEqual([]);
    expect(state['unregistered_frameworks']).toEqual([]);
    expect((state['flags'] as Json)['allocation_interval']).toBeDefined();
  });

  it('lists the slave with legacy resources, attributes as an object and its pid', async () => {
    const state = await fetchJson<{ slaves: Json[] }>(`${master.url}/master/state`);

    expect(state.slaves).toHaveLength(1);
    const slave = state.slaves[0] as Json;
    for (const key of ['id', 'hostname', 'port', 'attributes', 'pid', 'registered_time', 'resources', 'used_resources', 'offered_resources', 'reserved_resources', 'unreserved_resources', 'active', 'deactivated', 'version', 'capabilities']) {
      expect(slave, `slave.${key}`).toHaveProperty([key]);
    }
    const agentPort = Number(new URL(agent.url).port);
    expect(slave).toMatchObject({ id: agentId, port: agentPort, pid: `slave(1)@127.0.0.1:${agentPort}`, active: true, deactivated: false });
    expect(slave['resources']).toEqual(agentResourcesLegacy);
    expect(slave['unreserved_resources']).toEqual(agentResourcesLegacy);
    expect(slave['attributes']).toEqual({ rack: 'r1', level: 3 });
  });

  it('lists the framework with its offer, offered resources and legacy fields', async () => {
    const state = await fetchJson<{ frameworks: Json[] }>(`${master.url}/master/state`);

    expect(state.frameworks).toHaveLength(1);
    const framework = state.frameworks[0] as Json;
    for (const key of ['id', 'name', 'used_resources', 'offered_resources', 'capabilities', 'hostname', 'webui_url', 'active', 'connected', 'recovered', 'user', 'failover_timeout', 'checkpoint', 'registered_time', 'unregistered_time', 'resources', 'role', 'tasks', 'unreachable_tasks', 'completed_tasks', 'offers', 'executors']) {
      expect(framework, `framework.${key}`).toHaveProperty([key]);
    }
    expect(framework).toMatchObject({ id: session.frameworkId, name: 'watched', role: 'web', webui_url: 'http://ui.example', active: true, connected: true, recovered: false, user: 'e2e' });
    expect(framework['offered_resources']).toEqual(agentResourcesLegacy);
    const offers = framework['offers'] as Json[];
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ framework_id: session.frameworkId, slave_id: agentId, allocation_info: { role: 'web' } });
    expect((offers[0] as Json)['resources']).toEqual(agentResourcesLegacy);
  });

  it('is also served at /state and /master/state.json, and wraps itself for ?jsonp=', async () => {
    const plain = await fetchJson<Json>(`${master.url}/master/state`);
    const short = await fetchJson<Json>(`${master.url}/state`);
    const dotted = await fetchJson<Json>(`${master.url}/master/state.json`);
    const wrapped = await rawRequest(`${master.url}/master/state?jsonp=seeState`);

    expect(short['id']).toBe(plain['id']);
    expect(dotted['id']).toBe(plain['id']);
    expect(wrapped.status).toBe(200);
    expect(wrapped.headers['content-type']).toMatch(/javascript/);
    expect(wrapped.text).toMatch(/^seeState\(\{.*\}\);?$/s);
  });
});

describe('endpoints: the other legacy master endpoints', () => {
  it('/master/state-summary lists slaves with task counts and framework_ids, and frameworks with slave_ids', async () => {
    const summary = await fetchJson<{ hostname: string; slaves: Json[]; frameworks: Json[] }>(`${master.url}/master/state-summary`);

    expect(summary.hostname).toEqual(expect.any(String));
    expect(summary.slaves).toHaveLength(1);
    const slave = summary.slaves[0] as Json;
    expect(slave).toMatchObject({ id: agentId, TASK_STAGING: 0, TASK_RUNNING: 0, TASK_FINISHED: 0, TASK_LOST: 0 });
    expect(slave['framework_ids']).toEqual(expect.any(Array));
    expect(summary.frameworks).toHaveLength(1);
    expect(summary.frameworks[0]).toMatchObject({ id: session.frameworkId, name: 'watched', TASK_RUNNING: 0 });
    expect((summary.frameworks[0] as Json)['slave_ids']).toEqual(expect.any(Array));
  });

  it('/master/slaves lists the slave, and ?slave_id= filters', async () => {
    const all = await fetchJson<{ slaves: Json[] }>(`${master.url}/master/slaves`);
    const one = await fetchJson<{ slaves: Json[] }>(`${master.url}/master/slaves?slave_id=${agentId}`);
    const none = await fetchJson<{ slaves: Json[] }>(`${master.url}/master/slaves?slave_id=no-such-agent`);

    expect(all.slaves.map((slave) => slave['id'])).toEqual([agentId]);
    expect(all.slaves[0]?.['resources']).toEqual(agentResourcesLegacy);
    expect(one.slaves.map((slave) => slave['id'])).toEqual([agentId]);
    expect(none.slaves).toEqual([]);
  });

  it('/master/frameworks lists the framework, and ?framework_id= filters', async () => {
    const all = await fetchJson<{ frameworks: Json[]; completed_frameworks: Json[]; unregistered_frameworks: Json[] }>(`${master.url}/master/frameworks`);
    const one = await fetchJson<{ frameworks: Json[] }>(`${master.url}/master/frameworks?framework_id=${session.frameworkId}`);
    const none = await fetchJson<{ frameworks: Json[] }>(`${master.url}/master/frameworks?framework_id=no-such-framework`);

    expect(all.frameworks.map((framework) => framework['id'])).toEqual([session.frameworkId]);
    expect(all.completed_frameworks).toEqual([]);
    expect(all.unregistered_frameworks).toEqual([]);
    expect(one.frameworks.map((framework) => framework['id'])).toEqual([session.frameworkId]);
    expect(none.frameworks).toEqual([]);
  });

  it('/master/roles lists the role of the framework with its weight, its framework and what it is offered', async () => {
    const roles = await fetchJson<{ roles: Json[] }>(`${master.url}/master/roles`);

    const web = roles.roles.find((role) => role['name'] === 'web');
    expect(web).toMatchObject({ name: 'web', weight: 1, frameworks: [session.frameworkId] });
    expect(web?.['offered']).toMatchObject({ cpus: 2, mem: 1024, disk: 1024 });
  });

  it('/master/health answers 200 with an empty body', async () => {
    const answer = await rawRequest(`${master.url}/master/health`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
  });

  it('/master/redirect and /redirect answer 307 to //<leader hostname>:<port>; a sub-path answers 404', async () => {
    const state = await fetchJson<{ hostname: string }>(`${master.url}/master/state`);
    const expected = `//${state.hostname}:${new URL(master.url).port}`;

    const redirect = await rawRequest(`${master.url}/master/redirect`);
    const short = await rawRequest(`${master.url}/redirect`);
    const sub = await rawRequest(`${master.url}/master/redirect/state`);

    expect(redirect.status).toBe(307);
    expect(redirect.headers['location']).toBe(expected);
    expect(short.status).toBe(307);
    expect(short.headers['location']).toBe(expected);
    expect(sub.status).toBe(404);
  });
});

describe('endpoints: /metrics/snapshot', () => {
  it('is a flat object of numbers', async () => {
    const snapshot = await metrics(master.url);

    const notNumbers = Object.entries(snapshot).filter(([, value]) => typeof value !== 'number');
    expect(notNumbers).toEqual([]);
    expect(Object.keys(snapshot).length).toBeGreaterThan(50);
  });

  it('shows this cluster: elected, one active agent, one framework, one outstanding offer, the totals', async () => {
    const snapshot = await metrics(master.url);

    expect(snapshot).toMatchObject({
      'master/elected': 1,
      'master/slaves_active': 1,
      'master/slaves_connected': 1,
      'master/slaves_inactive': 0,
      'master/slaves_disconnected': 0,
      'master/slaves_unreachable': 0,
      'master/frameworks_active': 1,
      'master/frameworks_connected': 1,
      'master/frameworks_inactive': 0,
      'master/frameworks_disconnected': 0,
      'master/outstanding_offers': 1,
      'master/cpus_total': 2,
      'master/mem_total': 1024,
      'master/disk_total': 1024,
      'master/cpus_used': 0,
      'master/tasks_running': 0,
      'master/slave_registrations': 1,
      'master/messages_register_framework': 1,
      'master/messages_reregister_framework': 0,
    });
    expect(snapshot['master/uptime_secs']).toBeGreaterThan(0);
    expect(snapshot['allocator/mesos/allocation_runs']).toBeGreaterThan(0);
    expect(snapshot['system/cpus_total']).toBeGreaterThan(0);
    expect(snapshot[`master/frameworks/watched/${session.frameworkId}/subscribed`]).toBe(1);
    expect(snapshot[`master/frameworks/watched/${session.frameworkId}/offers/sent`]).toBe(1);
    expect(snapshot[`master/frameworks/watched/${session.frameworkId}/calls/subscribe`]).toBe(1);
  });
});

describe('endpoints: the agent', () => {
  it('/state shows the agent id the master gave, its resources, its master and its flags', async () => {
    const state = await fetchJson<Json>(`${agent.url}/state`);

    const agentPort = Number(new URL(agent.url).port);
    expect(state).toMatchObject({ id: agentId, pid: `slave(1)@127.0.0.1:${agentPort}`, frameworks: [], completed_frameworks: [] });
    expect(state['resources']).toEqual(agentResourcesLegacy);
    expect(state['unreserved_resources']).toEqual(agentResourcesLegacy);
    expect(state['attributes']).toEqual({ rack: 'r1', level: 3 });
    expect(state['master_hostname']).toEqual(expect.any(String));
    expect((state['flags'] as Json)['resources']).toBe('cpus:2;mem:1024;disk:1024;ports:[31000-32000]');
  });

  it('/slave(1)/state is the same document', async () => {
    const state = await fetchJson<Json>(`${agent.url}/slave(1)/state`);

    expect(state['id']).toBe(agentId);
  });

  it('/health answers 200 with an empty body', async () => {
    const answer = await rawRequest(`${agent.url}/health`);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
  });
});
