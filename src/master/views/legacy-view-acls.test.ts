/**
 * The legacy views with a Viewer (--acls view_frameworks, view_tasks,
 * view_executors, view_roles): what the viewer may not view is left out, as
 * Mesos' readonly_handler.cpp does. Method: a small state built by hand
 * (fixtures.ts), frameworks of users alice and bob, and the viewer of
 * principal 'ops', who may view alice's things and role eng only.
 */
import { describe, expect, it } from 'vitest';
import { parseAclsValue } from '../auth/acls.js';
import { compileLocalAuthorizer } from '../auth/local-authorizer.js';
import { everythingViewer, viewerFor, type Viewer } from '../core/operator/viewer.js';
import type { MasterState } from '../core/state.js';
import { addAgent, addFramework, addTask, masterConfig, masterState } from './fixtures.js';
import { frameworksJson, masterStateJson, quotaJson, rolesJson, stateSummaryJson, tasksJson, weightsJson } from './legacy.js';

type Json = Record<string, unknown>;

const ops = { principals: { values: ['ops'] } };

function opsViewer(): Viewer {
  const parsed = parseAclsValue({
    permissive: false,
    view_frameworks: [{ ...ops, users: { values: ['alice'] } }],
    view_tasks: [{ ...ops, users: { values: ['alice'] } }],
    view_executors: [{ ...ops, users: { values: ['alice'] } }],
    view_roles: [{ ...ops, roles: { values: ['eng'] } }],
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return viewerFor(compileLocalAuthorizer(parsed.value), 'ops');
}

/**
 * alice (role eng) runs a-task as alice and a-root as root, with executors
 * ex-a (no user: alice's) and ex-root (as root); bob (role ops) runs b-task;
 * a completed framework of each user.
 */
function cluster(): MasterState {
  const state = masterState(masterConfig({ weights: new Map([['eng', 2], ['ops', 3]]) }));
  const agent = addAgent(state, { id: 'A1' });
  const alice = addFramework(state, { id: 'F-alice', info: { user: 'alice' }, roles: ['eng'] });
  const bob = addFramework(state, { id: 'F-bob', info: { user: 'bob' }, roles: ['ops'] });
  addTask(state, alice, agent, { id: 'a-task', role: 'eng' });
  addTask(state, alice, agent, { id: 'a-root', role: 'eng', user: 'root' });
  addTask(state, bob, agent, { id: 'b-task', role: 'ops', user: 'bob' });
  alice.executors.set('A1', new Map<string, object>([
    ['ex-a', { executor_id: { value: 'ex-a' }, command: { value: 'run' } }],
    ['ex-root', { executor_id: { value: 'ex-root' }, command: { value: 'run', user: 'root' } }],
  ]));
  for (const user of ['alice', 'bob']) {
    const done = addFramework(state, { id: `F-done-${user}`, info: { user }, connected: false });
    state.frameworks.delete(done.id);
    state.completedFrameworks.push(done);
  }
  return state;
}

const ids = (list: unknown): string[] => (list as Json[]).map((item) => item['id'] as string);
const executorIds = (framework: Json): string[] => (framework['executors'] as Json[]).map((executor) => executor['executor_id'] as string);

describe('views: legacy endpoints with a viewer', () => {
  it('/master/state lists only viewable frameworks, and of them only viewable tasks and executors', () => {
    const json = masterStateJson(cluster(), { viewer: opsViewer() });
    expect(ids(json['frameworks'])).toEqual(['F-alice']);
    expect(ids(json['completed_frameworks'])).toEqual(['F-done-alice']);
    const alice = (json['frameworks'] as Json[])[0] as Json;
    expect(ids(alice['tasks'])).toEqual(['a-task']);
    expect(executorIds(alice)).toEqual(['ex-a']);
    // Agents are not filtered.
    expect(ids(json['slaves'])).toEqual(['A1']);
  });

  it('/master/state-summary, /master/frameworks and /master/tasks leave out what the viewer may not view', () => {
    const state = cluster();
    const viewer = opsViewer();
    expect(ids(stateSummaryJson(state, viewer)['frameworks'])).toEqual(['F-alice']);
    const frameworks = frameworksJson(state, {}, viewer);
    expect(ids(frameworks['frameworks'])).toEqual(['F-alice']);
    expect(ids(frameworks['completed_frameworks'])).toEqual(['F-done-alice']);
    expect(ids(((frameworks['frameworks'] as Json[])[0] as Json)['tasks'])).toEqual(['a-task']);
    expect(frameworksJson(state, { framework_id: 'F-bob' }, viewer)['frameworks']).toEqual([]);
    expect(ids(tasksJson(state, {}, viewer).tasks)).toEqual(['a-task']);
    expect(tasksJson(state, { task_id: 'b-task' }, viewer).tasks).toEqual([]);
  });

  it('/master/roles and /master/weights show only the roles the viewer may view', () => {
    const state = cluster();
    const viewer = opsViewer();
    expect(rolesJson(state, viewer).roles.map((role) => role['name'])).toEqual(['eng']);
    expect(weightsJson(state, viewer)).toEqual([{ role: 'eng', weight: 2 }]);
  });

  it('/master/quota shows only the roles whose quota the principal may get', () => {
    const state = cluster();
    state.allocator.updateQuota('eng', { guarantees: new Map(), limits: new Map([['cpus', 3000]]) });
    state.allocator.updateQuota('ops', { guarantees: new Map(), limits: new Map([['cpus', 1000]]) });
    const parsed = parseAclsValue({ permissive: false, get_quotas: [{ ...ops, roles: { values: ['ops'] } }] });
    if (!parsed.ok) throw new Error(parsed.error);
    const viewer = viewerFor(compileLocalAuthorizer(parsed.value), 'ops');
    expect(quotaJson(state, viewer).configs.map((config) => config.role)).toEqual(['ops']);
    expect(quotaJson(state).configs.map((config) => config.role)).toEqual(['eng', 'ops']);
  });

  it('shows everything by default and with the everything viewer', () => {
    const state = cluster();
    for (const json of [masterStateJson(state), masterStateJson(state, { viewer: everythingViewer })]) {
      expect(ids(json['frameworks'])).toEqual(['F-alice', 'F-bob']);
      expect(ids(json['completed_frameworks'])).toEqual(['F-done-alice', 'F-done-bob']);
      expect(executorIds((json['frameworks'] as Json[])[0] as Json)).toEqual(['ex-a', 'ex-root']);
    }
    expect(ids(tasksJson(state).tasks).sort()).toEqual(['a-root', 'a-task', 'b-task']);
    expect(rolesJson(state).roles.map((role) => role['name'])).toEqual(['eng', 'ops']);
    expect(weightsJson(state).map((weight) => weight.role)).toEqual(['eng', 'ops']);
  });
});
