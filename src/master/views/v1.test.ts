/**
 * Method: build a small master state by hand (fixtures.ts), render it, and
 * compare the fields tools read with the shapes Mesos' v1 operator API prints
 * (protobuf JSON, agent names, TimeInfo nanoseconds, endpoint-format resources).
 */
import { describe, expect, it } from 'vitest';
import { Resources } from '../../resources/index.js';
import { dynamicReservation, scalar, volume } from '../../resources/testing/fixtures.js';
import { addAgent, addFramework, addOffer, addTask, masterConfig, masterId, masterState, startMs } from './fixtures.js';
import {
  agentV1,
  frameworkEventV1,
  frameworkV1,
  getAgents,
  getExecutors,
  getFlags,
  getFrameworks,
  getMaster,
  getQuota,
  getRoles,
  getState,
  getTasks,
  getVersion,
  getWeights,
  taskV1,
} from './v1.js';

const reservedTotal = Resources.of([
  scalar('cpus', 3),
  scalar('cpus', 1, { reservations: [dynamicReservation('eng', 'ops')] }),
  scalar('mem', 1024),
  volume(64, 'pv-1', { reservations: [dynamicReservation('eng', 'ops')], principal: 'ops' }),
]);

describe('views: v1 agents', () => {
  it('views: v1 agents: shows pid, times as nanoseconds, capabilities and endpoint-format totals', () => {
    const state = masterState();
    const agent = addAgent(state, { id: 'A1', hostname: 'node1', total: reservedTotal, capabilities: ['MULTI_ROLE'] });
    const view = agentV1(state, agent);
    expect(view.pid).toBe('slave(1)@10.0.0.1:5051');
    expect(view.registered_time).toEqual({ nanoseconds: (startMs + 1_000) * 1_000_000 });
    expect(view).not.toHaveProperty('reregistered_time');
    expect(view.capabilities).toEqual([{ type: 'MULTI_ROLE' }]);
    expect(view.active).toBe(true);
    expect(view.deactivated).toBe(false);
    expect(view.agent_info).toMatchObject({ hostname: 'node1', port: 5051, id: { value: 'A1' } });
    expect(view.total_resources).toContainEqual({
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 1 },
      reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }],
      role: 'eng',
      reservation: { principal: 'ops' },
    });
    expect(view.total_resources).toContainEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 3 }, role: '*' });
  });

  it('views: v1 agents: agent_info lists only declared resources, without dynamic reservations or volumes', () => {
    const state = masterState();
    const agent = addAgent(state, { total: reservedTotal });
    expect(agentV1(state, agent).agent_info['resources']).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 1024 } },
      { name: 'disk', type: 'SCALAR', scalar: { value: 64 } },
    ]);
  });

  it('views: v1 agents: counts running tasks as allocated and outstanding offers as offered', () => {
    const state = masterState();
    const agent = addAgent(state);
    const framework = addFramework(state);
    addTask(state, framework, agent, { resources: 'cpus:1;mem:128' });
    addTask(state, framework, agent, { id: 'done', resources: 'cpus:2', state: 'TASK_FINISHED' });
    addOffer(state, framework, agent, 'cpus:2;mem:256');
    const view = agentV1(state, agent);
    expect(view.allocated_resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: '*' }, role: '*' },
      { name: 'mem', type: 'SCALAR', scalar: { value: 128 }, allocation_info: { role: '*' }, role: '*' },
    ]);
    expect(view.offered_resources.map((r) => [r['name'], r['scalar']])).toEqual([
      ['cpus', { value: 2 }],
      ['mem', { value: 256 }],
    ]);
  });

  it('views: v1 agents: an agent an operator deactivated is deactivated, a disconnected one is not', () => {
    const state = masterState();
    const deactivated = addAgent(state, { connected: true, active: false });
    state.deactivatedAgents.add(deactivated.id);
    const disconnected = addAgent(state, { connected: false });
    expect(agentV1(state, deactivated)).toMatchObject({ active: false, deactivated: true });
    expect(agentV1(state, disconnected)).toMatchObject({ active: false, deactivated: false });
  });

  it('views: v1 agents: GET_AGENTS lists every registered agent, and the recovered ones the registry named that are not back', () => {
    const state = masterState();
    addAgent(state, { id: 'A1' });
    addAgent(state, { id: 'A2' });
    expect(getAgents(state).recovered_agents).toEqual([]);
    state.recoveredAgents.set('A3', { hostname: 'h3', ip: '10.0.0.3', port: 5051 });
    const payload = getAgents(state);
    expect(payload.agents.map((a) => a.agent_info['id'])).toEqual([{ value: 'A1' }, { value: 'A2' }]);
    expect(payload.recovered_agents).toEqual([{ hostname: 'h3', port: 5051, id: { value: 'A3' } }]);
  });
});

describe('views: v1 frameworks', () => {
  it('views: v1 frameworks: shows state, times, offers and resources of a framework', () => {
    const state = masterState();
    const agent = addAgent(state, { id: 'A1' });
    const framework = addFramework(state, { id: 'F1', roles: ['eng'] });
    addTask(state, framework, agent, { resources: 'cpus:1', role: 'eng' });
    const offer = addOffer(state, framework, agent, 'mem:64', 'eng');
    const view = frameworkV1(state, framework);
    expect(view).toMatchObject({ active: true, connected: true, recovered: false, inverse_offers: [], offer_constraints: {} });
    expect(view.framework_info).toMatchObject({ name: 'marathon', id: { value: 'F1' } });
    expect(view.registered_time).toEqual({ nanoseconds: (startMs + 2_000) * 1_000_000 });
    // Mesos starts the re-registration time at the registration time.
    expect(view.reregistered_time).toEqual(view.registered_time);
    expect(view).not.toHaveProperty('unregistered_time');
    expect(view.allocated_resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: 'eng' }, role: '*' },
    ]);
    expect(view.offers).toHaveLength(1);
    expect(view.offers[0]).toMatchObject({
      id: { value: offer.id },
      framework_id: { value: 'F1' },
      agent_id: { value: 'A1' },
      hostname: agent.hostname,
      url: { scheme: 'http', address: { hostname: agent.hostname, ip: '10.0.0.1', port: 5051 }, path: '/slave(1)' },
      allocation_info: { role: 'eng' },
      resources: [{ name: 'mem', type: 'SCALAR', scalar: { value: 64 }, allocation_info: { role: 'eng' } }],
    });
  });

  it('views: v1 frameworks: events carry no offers or resources and always the three times', () => {
    const state = masterState();
    const framework = addFramework(state, { connected: false });
    expect(frameworkEventV1(framework)).toEqual({
      framework_info: framework.info,
      active: false,
      connected: false,
      recovered: false,
      registered_time: { nanoseconds: (startMs + 2_000) * 1_000_000 },
      reregistered_time: { nanoseconds: (startMs + 2_000) * 1_000_000 },
      unregistered_time: { nanoseconds: 0 },
    });
  });

  it('views: v1 frameworks: GET_FRAMEWORKS keeps completed frameworks apart', () => {
    const state = masterState();
    addFramework(state, { id: 'F1' });
    const done = addFramework(state, { id: 'F2' });
    state.frameworks.delete('F2');
    state.completedFrameworks.push(done);
    const payload = getFrameworks(state);
    expect(payload.frameworks.map((f) => f.framework_info)).toMatchObject([{ id: { value: 'F1' } }]);
    expect(payload.completed_frameworks.map((f) => f.framework_info)).toMatchObject([{ id: { value: 'F2' } }]);
  });
});

describe('views: v1 tasks', () => {
  it('views: v1 tasks: a task keeps canonical resources, its statuses and the TaskInfo fields', () => {
    const state = masterState();
    const agent = addAgent(state, { id: 'A1' });
    const framework = addFramework(state, { id: 'F1' });
    const labels = { labels: [{ key: 'k', value: 'v' }] };
    const task = addTask(state, framework, agent, {
      id: 't1',
      resources: 'cpus:1',
      info: { labels, limits: { cpus: { value: Infinity }, mem: { value: 512 } } },
    });
    task.statusUpdateState = 'TASK_RUNNING';
    task.statusUpdateUuid = 'AAAAAAAAAAAAAAAAAAAAAA==';
    const view = taskV1(task);
    expect(view).toEqual({
      name: 'name-t1',
      task_id: { value: 't1' },
      framework_id: { value: 'F1' },
      agent_id: { value: 'A1' },
      state: 'TASK_RUNNING',
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: '*' } }],
      statuses: task.statuses,
      status_update_state: 'TASK_RUNNING',
      status_update_uuid: 'AAAAAAAAAAAAAAAAAAAAAA==',
      labels,
      user: 'alice',
      limits: { cpus: { value: 'Infinity' }, mem: { value: 512 } },
    });
    expect(view.statuses).not.toBe(task.statuses);
  });

  it('views: v1 tasks: GET_TASKS separates active, unreachable and completed tasks, completed frameworks included', () => {
    const state = masterState();
    const agent = addAgent(state);
    const framework = addFramework(state, { id: 'F1' });
    addTask(state, framework, agent, { id: 'active' });
    const lost = addTask(state, framework, agent, { id: 'away', state: 'TASK_UNREACHABLE' });
    framework.tasks.delete('away');
    framework.unreachableTasks.set('away', lost);
    const gone = addFramework(state, { id: 'F2' });
    const finished = addTask(state, gone, agent, { id: 'old', state: 'TASK_FINISHED' });
    gone.tasks.delete('old');
    gone.completedTasks.push(finished);
    state.frameworks.delete('F2');
    state.completedFrameworks.push(gone);
    const payload = getTasks(state);
    expect(payload.tasks.map((t) => t.task_id.value)).toEqual(['active']);
    expect(payload.unreachable_tasks.map((t) => t.task_id.value)).toEqual(['away']);
    expect(payload.completed_tasks.map((t) => t.task_id.value)).toEqual(['old']);
  });

  it('views: v1 executors: GET_EXECUTORS lists each custom executor with its agent', () => {
    const state = masterState();
    const framework = addFramework(state);
    const executor = { executor_id: { value: 'ex1' }, command: { value: 'run' } };
    framework.executors.set('A1', new Map([['ex1', executor]]));
    expect(getExecutors(state)).toEqual({ executors: [{ executor_info: executor, agent_id: { value: 'A1' } }] });
  });

  it('views: v1 state: GET_STATE nests the tasks, executors, frameworks and agents payloads', () => {
    const state = masterState();
    const agent = addAgent(state);
    const framework = addFramework(state);
    addTask(state, framework, agent);
    const payload = getState(state);
    expect(Object.keys(payload)).toEqual(['get_tasks', 'get_executors', 'get_frameworks', 'get_agents']);
    expect(payload.get_tasks).toEqual(getTasks(state));
    expect(payload.get_agents).toEqual(getAgents(state));
  });
});

describe('views: v1 policy', () => {
  it('views: v1 roles: known roles include ancestors, reservation roles and weighted roles', () => {
    const state = masterState();
    addAgent(state, { total: reservedTotal });
    const framework = addFramework(state, { id: 'F1', roles: ['dev/web'] });
    addTask(state, framework, addAgent(state), { resources: 'cpus:2;mem:64;ports:[31000-31001]', role: 'dev/web' });
    state.allocator.updateWeights(new Map([['ops', 3]]));
    const roles = getRoles(state).roles;
    expect(roles.map((r) => r.name)).toEqual(['dev', 'dev/web', 'eng', 'ops']);
    expect(roles.find((r) => r.name === 'ops')?.weight).toBe(3);
    const web = roles.find((r) => r.name === 'dev/web');
    expect(web?.frameworks).toEqual([{ value: 'F1' }]);
    // Only cpus, mem, disk and gpus: ports are not reported as Role.resources.
    expect(web?.resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 2 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
    ]);
    // The parent role's numbers cover its subtree.
    expect(roles.find((r) => r.name === 'dev')?.resources).toEqual(web?.resources);
  });

  it('views: v1 roles: a roles whitelist replaces the derived list', () => {
    const state = masterState(masterConfig({ rolesWhitelist: new Set(['a/b', 'c']) }));
    addFramework(state, { roles: ['zzz'] });
    expect(getRoles(state).roles.map((r) => r.name)).toEqual(['a', 'a/b', 'c']);
  });

  it('views: v1 weights: GET_WEIGHTS lists the roles with a weight', () => {
    const state = masterState();
    state.allocator.updateWeights(new Map([['b', 2.5], ['a', 0.5]]));
    expect(getWeights(state)).toEqual({ weight_infos: [{ role: 'a', weight: 0.5 }, { role: 'b', weight: 2.5 }] });
  });

  it('views: v1 quota: GET_QUOTA puts legacy infos and configs side by side under status', () => {
    const state = masterState();
    state.allocator.updateQuota('eng', { guarantees: new Map([['cpus', 2000]]), limits: new Map([['cpus', 4500], ['mem', 1_024_000]]) });
    expect(getQuota(state)).toEqual({
      status: {
        infos: [{ role: 'eng', guarantee: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 2 } }] }],
        configs: [{ role: 'eng', guarantees: { cpus: { value: 2 } }, limits: { cpus: { value: 4.5 }, mem: { value: 1024 } } }],
      },
    });
  });
});

describe('views: v1 master', () => {
  it('views: v1 master: GET_MASTER gives the MasterInfo and times in seconds', () => {
    const state = masterState();
    expect(getMaster(state)).toEqual({ master_info: state.info, start_time: startMs / 1000, elected_time: startMs / 1000 });
    state.electedTimeMs = undefined;
    expect(getMaster(state)).not.toHaveProperty('elected_time');
    expect(state.info.id).toBe(masterId);
  });

  it('views: v1 master: GET_VERSION and GET_FLAGS report the build and the flags as given', () => {
    expect(getVersion().version_info).toMatchObject({ version: '1.11.0', build_user: 'berth' });
    const state = masterState(masterConfig({ flags: [{ name: 'port', value: '5050' }] }));
    expect(getFlags(state)).toEqual({ flags: [{ name: 'port', value: '5050' }] });
  });
});
