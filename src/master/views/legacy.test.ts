/**
 * Method: build a small master state by hand (fixtures.ts), render the legacy
 * endpoints, and compare the fields Mesos tools and UIs read with what Mesos'
 * readonly_handler.cpp writes: `slave` names, plain string ids, seconds, and
 * resources as summary objects.
 */
import { describe, expect, it } from 'vitest';
import { Resources } from '../../resources/index.js';
import { dynamicReservation, scalar, volume } from '../../resources/testing/fixtures.js';
import { addAgent, addFramework, addOffer, addTask, masterConfig, masterState, startMs } from './fixtures.js';
import {
  flagsJson,
  frameworksJson,
  masterStateJson,
  quotaJson,
  rolesJson,
  slavesJson,
  stateSummaryJson,
  tasksJson,
  weightsJson,
} from './legacy.js';
import { taskLegacy } from './legacy-objects.js';

type Json = Record<string, unknown>;

function only(list: unknown): Json {
  expect(Array.isArray(list) && list.length === 1, 'expected exactly one element').toBe(true);
  return (list as Json[])[0] as Json;
}

const reservedTotal = Resources.of([
  scalar('cpus', 3),
  scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'ops')] }),
  scalar('mem', 1024),
  volume(64, 'pv-1', { reservations: [dynamicReservation('eng', 'ops')], principal: 'ops' }),
]);

describe('views: legacy state', () => {
  it('views: legacy state: lists agents under slaves with legacy resource objects', () => {
    const state = masterState();
    const agent = addAgent(state, {
      id: 'A1',
      hostname: 'node1',
      attributes: [
        { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
        { name: 'weight', type: 'SCALAR', scalar: { value: 2.5 } },
      ],
    });
    const framework = addFramework(state);
    addTask(state, framework, agent, { resources: 'cpus:1;mem:128;ports:[31000-31001]' });
    addOffer(state, framework, agent, 'cpus:2');
    const slave = only(masterStateJson(state)['slaves']);
    expect(slave).toMatchObject({
      id: 'A1',
      hostname: 'node1',
      port: 5051,
      attributes: { rack: 'r1', weight: 2.5 },
      pid: 'slave(1)@10.0.0.1:5051',
      registered_time: (startMs + 1_000) / 1000,
      resources: { cpus: 4, disk: 2048, gpus: 0, mem: 1024, ports: '[31000-32000]' },
      used_resources: { cpus: 1, disk: 0, gpus: 0, mem: 128, ports: '[31000-31001]' },
      offered_resources: { cpus: 2, disk: 0, gpus: 0, mem: 0 },
      reserved_resources: {},
      unreserved_resources: { cpus: 4, disk: 2048, gpus: 0, mem: 1024, ports: '[31000-32000]' },
      active: true,
      deactivated: false,
      version: '1.11.0',
      capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
    });
    expect(slave).not.toHaveProperty('reserved_resources_full');
  });

  it('views: legacy state: groups reservations by role and keeps them out of the unreserved summary', () => {
    const state = masterState();
    addAgent(state, { total: reservedTotal });
    const slave = only(masterStateJson(state)['slaves']);
    expect(slave['reserved_resources']).toEqual({ eng: { cpus: 1, disk: 64, gpus: 0, mem: 0 } });
    expect(slave['unreserved_resources']).toEqual({ cpus: 3, disk: 0, gpus: 0, mem: 1024 });
  });

  it('views: legacy state: master fields use legacy names and seconds', () => {
    const state = masterState(masterConfig({ cluster: 'prod', flags: [{ name: 'log_dir', value: '/var/log/berth' }] }));
    addAgent(state);
    addAgent(state, { connected: true, active: false });
    const json = masterStateJson(state);
    expect(json).toMatchObject({
      version: '1.11.0',
      build_user: 'berth',
      start_time: startMs / 1000,
      elected_time: startMs / 1000,
      id: state.info.id,
      pid: 'master@127.0.0.1:5050',
      hostname: 'master.example',
      capabilities: ['AGENT_UPDATE', 'QUOTA_V2'],
      activated_slaves: 1,
      deactivated_slaves: 1,
      unreachable_slaves: 0,
      leader: 'master@127.0.0.1:5050',
      leader_info: { id: state.info.id, pid: 'master@127.0.0.1:5050', port: 5050, hostname: 'master.example' },
      cluster: 'prod',
      log_dir: '/var/log/berth',
      flags: { log_dir: '/var/log/berth' },
      recovered_slaves: [],
      completed_frameworks: [],
      orphan_tasks: [],
      unregistered_frameworks: [],
    });
    const hidden = masterStateJson(state, { showFlags: false });
    expect(hidden).not.toHaveProperty('flags');
    expect(hidden).not.toHaveProperty('cluster');
  });

  it('views: legacy state: frameworks carry tasks, offers with allocation_info and executors with slave_id', () => {
    const state = masterState();
    const agent = addAgent(state, { id: 'A1' });
    const framework = addFramework(state, { id: 'F1', roles: ['eng'], info: { principal: 'ops', failover_timeout: 60 } });
    addTask(state, framework, agent, { id: 't1', resources: 'cpus:1', role: 'eng' });
    const offer = addOffer(state, framework, agent, 'mem:32', 'eng');
    framework.executors.set('A1', new Map([['ex1', { executor_id: { value: 'ex1' }, name: 'custom', command: { value: 'run' } }]]));
    const json = only(masterStateJson(state)['frameworks']);
    expect(json).toMatchObject({
      id: 'F1',
      name: 'marathon',
      user: 'alice',
      active: true,
      connected: true,
      recovered: false,
      hostname: '',
      webui_url: '',
      failover_timeout: 60,
      checkpoint: false,
      principal: 'ops',
      registered_time: (startMs + 2_000) / 1000,
      unregistered_time: 0,
      capabilities: ['MULTI_ROLE', 'RESERVATION_REFINEMENT'],
      roles: ['eng'],
      used_resources: { cpus: 1, disk: 0, gpus: 0, mem: 0 },
      offered_resources: { cpus: 0, disk: 0, gpus: 0, mem: 32 },
      resources: { cpus: 1, disk: 0, gpus: 0, mem: 32 },
      offer_constraints: {},
      unreachable_tasks: [],
      completed_tasks: [],
    });
    expect(json).not.toHaveProperty('pid');
    expect(json).not.toHaveProperty('reregistered_time');
    expect(only(json['offers'])).toEqual({
      id: offer.id,
      framework_id: 'F1',
      allocation_info: { role: 'eng' },
      slave_id: 'A1',
      resources: { cpus: 0, disk: 0, gpus: 0, mem: 32 },
    });
    expect(only(json['executors'])).toEqual({
      executor_id: 'ex1',
      name: 'custom',
      framework_id: 'F1',
      command: { value: 'run', argv: [], uris: [] },
      resources: { cpus: 0, disk: 0, gpus: 0, mem: 0 },
      slave_id: 'A1',
    });
    expect(only(json['tasks'])).toMatchObject({ id: 't1', role: 'eng', slave_id: 'A1' });
  });

  it('views: legacy state: single-role frameworks show role, and reregistered_time only once it differs', () => {
    const state = masterState();
    const framework = addFramework(state, { info: { role: 'dev', roles: [], capabilities: [] } });
    framework.capabilities = new Set();
    framework.reregisteredTimeMs = startMs + 9_000;
    const json = only(masterStateJson(state)['frameworks']);
    expect(json['role']).toBe('dev');
    expect(json).not.toHaveProperty('roles');
    expect(json['reregistered_time']).toBe((startMs + 9_000) / 1000);
  });
});

describe('views: legacy tasks', () => {
  it('views: legacy task: command tasks have an empty executor_id, bare label lists and statuses in seconds', () => {
    const state = masterState();
    const agent = addAgent(state, { id: 'A1' });
    const framework = addFramework(state, { id: 'F1' });
    const task = addTask(state, framework, agent, {
      id: 't1',
      resources: 'cpus:0.5;mem:32',
      statusTimestamps: [1700000003.5],
      info: { labels: { labels: [{ key: 'k', value: 'v' }] }, limits: { cpus: { value: Infinity } } },
    });
    expect(taskLegacy(task)).toEqual({
      id: 't1',
      name: 'name-t1',
      framework_id: 'F1',
      executor_id: '',
      slave_id: 'A1',
      state: 'TASK_RUNNING',
      resources: { cpus: 0.5, disk: 0, gpus: 0, mem: 32 },
      limits: { cpus: 'Infinity' },
      role: '*',
      statuses: [{ state: 'TASK_RUNNING', timestamp: 1700000003.5 }],
      user: 'alice',
      labels: [{ key: 'k', value: 'v' }],
    });
  });

  it('views: legacy tasks: newest first by default, oldest first with order=asc, paged by offset and limit', () => {
    const state = masterState();
    const agent = addAgent(state);
    const framework = addFramework(state, { id: 'F1' });
    addTask(state, framework, agent, { id: 'b', statusTimestamps: [20] });
    addTask(state, framework, agent, { id: 'a', statusTimestamps: [10, 30] });
    addTask(state, framework, agent, { id: 'c', statusTimestamps: [30] });
    addTask(state, framework, agent, { id: 'none', statusTimestamps: [] });
    const ids = (query: Record<string, string>): unknown[] => tasksJson(state, query).tasks.map((t) => t['id']);
    expect(ids({})).toEqual(['c', 'b', 'a', 'none']);
    expect(ids({ order: 'asc' })).toEqual(['none', 'a', 'b', 'c']);
    expect(ids({ order: 'asc', offset: '1', limit: '2' })).toEqual(['a', 'b']);
    expect(ids({ limit: 'many' })).toHaveLength(4);
    expect(ids({ task_id: 'b' })).toEqual(['b']);
    expect(ids({ framework_id: 'other' })).toEqual([]);
  });
});

describe('views: legacy summaries', () => {
  it('views: legacy state-summary: counts task states per agent and framework and links their ids', () => {
    const state = masterState(masterConfig({ cluster: 'prod' }));
    const agent = addAgent(state, { id: 'A1' });
    addAgent(state, { id: 'A2' });
    const framework = addFramework(state, { id: 'F1' });
    addTask(state, framework, agent, { id: 't1' });
    addTask(state, framework, agent, { id: 't2', state: 'TASK_STAGING' });
    const json = stateSummaryJson(state);
    expect(json).toMatchObject({ hostname: 'master.example', cluster: 'prod' });
    const [a1, a2] = json['slaves'] as Json[];
    expect(a1).toMatchObject({ id: 'A1', TASK_RUNNING: 1, TASK_STAGING: 1, TASK_FINISHED: 0, framework_ids: ['F1'] });
    expect(a2).toMatchObject({ id: 'A2', TASK_RUNNING: 0, framework_ids: [] });
    const summary = only(json['frameworks']);
    expect(summary).toMatchObject({ id: 'F1', TASK_RUNNING: 1, TASK_STAGING: 1, TASK_UNREACHABLE: 0, slave_ids: ['A1'] });
    expect(summary).not.toHaveProperty('tasks');
  });

  it('views: legacy frameworks: filters by framework_id over registered and completed frameworks', () => {
    const state = masterState();
    addFramework(state, { id: 'F1' });
    const done = addFramework(state, { id: 'F2' });
    state.frameworks.delete('F2');
    state.completedFrameworks.push(done);
    expect(frameworksJson(state)).toMatchObject({ frameworks: [{ id: 'F1' }], completed_frameworks: [{ id: 'F2' }] });
    expect(frameworksJson(state, { framework_id: 'F2' })).toMatchObject({ frameworks: [], completed_frameworks: [{ id: 'F2' }] });
  });

  it('views: legacy slaves: adds full resource lists in endpoint format and filters by slave_id', () => {
    const state = masterState();
    addAgent(state, { id: 'A1', total: reservedTotal });
    addAgent(state, { id: 'A2' });
    const slave = only(slavesJson(state, { slave_id: 'A1' })['slaves']);
    const eng = (slave['reserved_resources_full'] as Record<string, Json[]>)['eng'];
    expect(eng).toContainEqual({
      name: 'disk',
      type: 'SCALAR',
      scalar: { value: 64 },
      reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }],
      disk: { persistence: { id: 'pv-1', principal: 'ops' }, volume: { container_path: 'data', mode: 'RW' } },
      role: 'eng',
      reservation: { principal: 'ops' },
    });
    expect(slave['unreserved_resources_full']).toContainEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 3 }, role: '*' });
    expect(slave['used_resources_full']).toEqual([]);
    expect(slave['offered_resources_full']).toEqual([]);
    expect(slavesJson(state)['slaves']).toHaveLength(2);
  });
});

describe('views: legacy policy', () => {
  it('views: legacy roles: quota has singular guarantee and limit, and consumption counts unused reservations', () => {
    const state = masterState();
    const agent = addAgent(state, { total: reservedTotal });
    const framework = addFramework(state, { id: 'F1', roles: ['eng'] });
    addTask(state, framework, agent, { resources: 'mem:100', role: 'eng' });
    addOffer(state, framework, agent, 'cpus:1', 'eng');
    state.allocator.updateQuota('eng', { guarantees: new Map([['cpus', 1000]]), limits: new Map([['mem', 512_000]]) });
    const eng = rolesJson(state).roles.find((role) => role['name'] === 'eng');
    expect(eng).toEqual({
      name: 'eng',
      weight: 1,
      quota: { role: 'eng', guarantee: { cpus: 1 }, limit: { mem: 512 }, consumed: { cpus: 1, disk: 64, mem: 100 } },
      resources: { cpus: 1, mem: 100 },
      allocated: { mem: 100 },
      offered: { cpus: 1 },
      reserved: { cpus: 1, disk: 64 },
      frameworks: ['F1'],
    });
  });

  it('views: legacy flags, weights and quota: bodies of /master/flags, /master/weights and /master/quota', () => {
    const state = masterState(masterConfig({ flags: [{ name: 'port', value: '5050' }] }));
    state.allocator.updateWeights(new Map([['eng', 2]]));
    state.allocator.updateQuota('eng', { guarantees: new Map(), limits: new Map([['cpus', 3000]]) });
    expect(flagsJson(state)).toEqual({ flags: { port: '5050' } });
    expect(weightsJson(state)).toEqual([{ role: 'eng', weight: 2 }]);
    expect(quotaJson(state)).toEqual({ infos: [{ role: 'eng', guarantee: [] }], configs: [{ role: 'eng', guarantees: {}, limits: { cpus: { value: 3 } } }] });
  });
});
