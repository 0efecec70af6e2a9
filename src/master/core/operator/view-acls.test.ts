/**
 * --acls view lists (spec/core.md 7.2): what an operator may not view is left
 * out of the v1 state calls and the operator event stream, never refused.
 * view_frameworks decides by the framework's user, view_tasks by the user a
 * task runs as, view_executors by the executor's user (both else the
 * framework's), view_roles by the role. Method: the master harness with
 * --acls, frameworks of users alice and bob, tasks launched through offers;
 * the operator principal 'ops' may view alice's things and role 'eng' only.
 */
import { describe, expect, it } from 'vitest';
import type { OperatorCall, OperatorEvent } from '../../../protocol/operator.js';
import { parseAclsValue } from '../../auth/acls.js';
import { Harness } from '../../../testing/harness.js';
import type { SimAgent } from '../../../testing/sim-agent.js';
import type { SimFramework } from '../../../testing/sim-framework.js';
import { reportTask } from '../../../testing/sim-tasks.js';

const ops = { principals: { values: ['ops'] } };
const anyone = { principals: { type: 'ANY' } };

const viewAcls = {
  permissive: false,
  register_frameworks: [{ ...anyone, roles: { type: 'ANY' } }],
  run_tasks: [{ ...anyone, users: { type: 'ANY' } }],
  view_frameworks: [{ ...ops, users: { values: ['alice'] } }],
  view_tasks: [{ ...ops, users: { values: ['alice'] } }],
  view_executors: [{ ...ops, users: { values: ['alice'] } }],
  view_roles: [{ ...ops, roles: { values: ['eng'] } }],
};

function harness(withAcls: boolean): Harness {
  const weights = new Map([['eng', 2], ['ops', 3]]);
  if (!withAcls) return new Harness({ config: { weights } });
  const parsed = parseAclsValue(viewAcls);
  if (!parsed.ok) throw new Error(parsed.error);
  return new Harness({ config: { acls: parsed.value, weights } });
}

const cpus = (value: number, role: string) => [{ name: 'cpus', type: 'SCALAR', scalar: { value }, allocation_info: { role } }];

function commandTask(agentId: string, id: string, role: string, user?: string): object {
  return { name: id, task_id: { value: id }, agent_id: { value: agentId }, resources: cpus(0.5, role), command: { value: 'sleep 100', ...(user !== undefined && { user }) } };
}

/** A task of a custom executor; the task runs as the executor's command user (else the framework's). */
function executorTask(agentId: string, id: string, role: string, executorId: string, user?: string): object {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: cpus(0.5, role),
    executor: { executor_id: { value: executorId }, command: { value: 'run-executor', ...(user !== undefined && { user }) }, resources: cpus(0.1, role) },
  };
}

function launch(h: Harness, framework: SimFramework, agent: SimAgent, tasks: object[]): void {
  const offerOf = () => framework.currentOffers().find((candidate) => candidate.agent_id.value === agent.id);
  h.settle();
  if (offerOf() === undefined) h.advance(h.state.config.allocationIntervalMs);
  const offer = offerOf();
  if (offer === undefined) throw new Error(`framework ${framework.id ?? ''} holds no offer`);
  framework.offers.delete(offer.id.value);
  framework.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: 0 } } } as never);
}

interface Cluster {
  readonly h: Harness;
  readonly agent: SimAgent;
  readonly alice: SimFramework;
  readonly bob: SimFramework;
}

/**
 * alice (role eng) runs a-task (as alice), a-root (as root), a-exec (executor
 * ex-a, as alice) and a-carol (executor ex-carol, as carol); bob (role ops)
 * runs b-task. Each is reported TASK_RUNNING.
 */
function cluster(withAcls: boolean, beforeFrameworks: (h: Harness) => void = () => undefined): Cluster {
  const h = harness(withAcls);
  beforeFrameworks(h);
  const agent = h.addAgent({ resources: 'cpus:8;mem:4096' });
  const agentId = agent.id ?? '';
  const alice = h.subscribe({ roles: ['eng'], info: { user: 'alice' } });
  const bob = h.subscribe({ roles: ['ops'], info: { user: 'bob' } });
  launch(h, alice, agent, [
    commandTask(agentId, 'a-task', 'eng'),
    commandTask(agentId, 'a-root', 'eng', 'root'),
    executorTask(agentId, 'a-exec', 'eng', 'ex-a'),
    executorTask(agentId, 'a-carol', 'eng', 'ex-carol', 'carol'),
  ]);
  launch(h, bob, agent, [commandTask(agentId, 'b-task', 'ops')]);
  for (const id of ['a-task', 'a-root', 'a-exec', 'a-carol']) reportTask(agent, alice, id, 'TASK_RUNNING');
  reportTask(agent, bob, 'b-task', 'TASK_RUNNING');
  return { h, agent, alice, bob };
}

type Body = Record<string, Record<string, unknown>>;

function call(h: Harness, type: OperatorCall['type'], principal?: string): Body {
  const reply = h.step({ type: 'operator_call', call: { type } as OperatorCall, ...(principal !== undefined && { principal }) });
  expect(reply?.status, `${type ?? ''} answers 200`).toBe(200);
  return reply?.body as Body;
}

const frameworkUsers = (list: unknown): string[] => (list as { framework_info: { user: string } }[]).map((f) => f.framework_info.user);
const taskIds = (list: unknown): string[] => (list as { task_id: { value: string } }[]).map((t) => t.task_id.value).sort();
const executorIds = (list: unknown): string[] => (list as { executor_info: { executor_id: { value: string } } }[]).map((e) => e.executor_info.executor_id.value).sort();
const roleNames = (list: unknown): string[] => (list as { name: string }[]).map((r) => r.name);
const weightRoles = (list: unknown): string[] => (list as { role: string }[]).map((w) => w.role);

/** A short label per event: its type and the framework user or task id it is about. */
function describeEvent(event: OperatorEvent): string {
  switch (event.type) {
    case 'FRAMEWORK_ADDED':
      return `FRAMEWORK_ADDED ${(event.framework_added.framework as { framework_info: { user: string } }).framework_info.user}`;
    case 'FRAMEWORK_UPDATED':
      return `FRAMEWORK_UPDATED ${(event.framework_updated.framework as { framework_info: { user: string } }).framework_info.user}`;
    case 'FRAMEWORK_REMOVED':
      return `FRAMEWORK_REMOVED ${(event.framework_removed.framework_info as { user: string }).user}`;
    case 'TASK_ADDED':
      return `TASK_ADDED ${(event.task_added.task as { task_id: { value: string } }).task_id.value}`;
    case 'TASK_UPDATED':
      return `TASK_UPDATED ${(event.task_updated.status as { task_id: { value: string } }).task_id.value} ${event.task_updated.state}`;
    default:
      return event.type;
  }
}

function eventsOf(h: Harness, connectionId: string): string[] {
  return (h.operatorEvents.get(connectionId) ?? []).map(describeEvent);
}

describe('master: --acls view lists: the v1 state calls', () => {
  it('shows ops only alice\'s frameworks, the tasks and executors run as alice, and role eng', () => {
    const { h } = cluster(true);
    const frameworks = call(h, 'GET_FRAMEWORKS', 'ops')['get_frameworks'];
    expect(frameworkUsers(frameworks?.['frameworks'])).toEqual(['alice']);
    const tasks = call(h, 'GET_TASKS', 'ops')['get_tasks'];
    expect(taskIds(tasks?.['tasks'])).toEqual(['a-exec', 'a-task']);
    expect(executorIds(call(h, 'GET_EXECUTORS', 'ops')['get_executors']?.['executors'])).toEqual(['ex-a']);
    expect(roleNames(call(h, 'GET_ROLES', 'ops')['get_roles']?.['roles'])).toEqual(['eng']);
    expect(weightRoles(call(h, 'GET_WEIGHTS', 'ops')['get_weights']?.['weight_infos'])).toEqual(['eng']);

    const state = call(h, 'GET_STATE', 'ops')['get_state'] as Record<string, Record<string, unknown>>;
    expect(frameworkUsers(state['get_frameworks']?.['frameworks'])).toEqual(['alice']);
    expect(taskIds(state['get_tasks']?.['tasks'])).toEqual(['a-exec', 'a-task']);
    expect(executorIds(state['get_executors']?.['executors'])).toEqual(['ex-a']);
    // Agents are not filtered.
    expect(state['get_agents']?.['agents']).toHaveLength(1);
    expect(call(h, 'GET_AGENTS', 'ops')['get_agents']?.['agents']).toHaveLength(1);
  });

  it('shows a principal no ACL names, and an unauthenticated operator, nothing (permissive false)', () => {
    const { h } = cluster(true);
    for (const principal of ['eve', undefined]) {
      expect(call(h, 'GET_FRAMEWORKS', principal)['get_frameworks']).toEqual({ frameworks: [], completed_frameworks: [] });
      expect(call(h, 'GET_TASKS', principal)['get_tasks']).toEqual({ tasks: [], unreachable_tasks: [], completed_tasks: [] });
      expect(call(h, 'GET_EXECUTORS', principal)['get_executors']).toEqual({ executors: [] });
      expect(call(h, 'GET_ROLES', principal)['get_roles']).toEqual({ roles: [] });
      expect(call(h, 'GET_WEIGHTS', principal)['get_weights']).toEqual({ weight_infos: [] });
    }
  });

  it('filters completed frameworks and their tasks too', () => {
    const { h, alice, bob } = cluster(true);
    bob.call({ type: 'TEARDOWN' } as never);
    alice.call({ type: 'TEARDOWN' } as never);
    const frameworks = call(h, 'GET_FRAMEWORKS', 'ops')['get_frameworks'];
    expect(frameworkUsers(frameworks?.['completed_frameworks'])).toEqual(['alice']);
    expect(taskIds(call(h, 'GET_TASKS', 'ops')['get_tasks']?.['completed_tasks'])).toEqual(['a-exec', 'a-task']);
  });

  it('shows everything to everyone without --acls', () => {
    const { h } = cluster(false);
    expect(frameworkUsers(call(h, 'GET_FRAMEWORKS')['get_frameworks']?.['frameworks'])).toEqual(['alice', 'bob']);
    expect(taskIds(call(h, 'GET_TASKS')['get_tasks']?.['tasks'])).toEqual(['a-carol', 'a-exec', 'a-root', 'a-task', 'b-task']);
    expect(executorIds(call(h, 'GET_EXECUTORS', 'eve')['get_executors']?.['executors'])).toEqual(['ex-a', 'ex-carol']);
    expect(roleNames(call(h, 'GET_ROLES')['get_roles']?.['roles'])).toEqual(['eng', 'ops']);
    expect(weightRoles(call(h, 'GET_WEIGHTS')['get_weights']?.['weight_infos'])).toEqual(['eng', 'ops']);
  });
});

describe('master: --acls view lists: the operator event stream', () => {
  it('filters the SUBSCRIBED snapshot as GET_STATE', () => {
    const { h } = cluster(true);
    const stream = h.subscribeOperator('ops');
    const [subscribed] = h.operatorEvents.get(stream) ?? [];
    expect(subscribed?.type).toBe('SUBSCRIBED');
    const snapshot = (subscribed as Extract<OperatorEvent, { type: 'SUBSCRIBED' }>).subscribed.get_state;
    expect(snapshot).toEqual(call(h, 'GET_STATE', 'ops')['get_state']);
    expect(taskIds((snapshot as Record<string, Record<string, unknown>>)['get_tasks']?.['tasks'])).toEqual(['a-exec', 'a-task']);
  });

  it('sends framework and task events only to subscribers who may view them; agent events to all', () => {
    const streams: Record<string, string> = {};
    const { h, alice, bob } = cluster(true, (harnessBefore) => {
      streams['ops'] = harnessBefore.subscribeOperator('ops');
      streams['eve'] = harnessBefore.subscribeOperator('eve');
    });
    const ops = streams['ops'] ?? '';
    const eve = streams['eve'] ?? '';
    expect(eventsOf(h, ops)).toEqual([
      'SUBSCRIBED',
      'HEARTBEAT',
      'AGENT_ADDED',
      'FRAMEWORK_ADDED alice',
      'TASK_ADDED a-task',
      'TASK_ADDED a-exec',
      'TASK_UPDATED a-task TASK_RUNNING',
      'TASK_UPDATED a-exec TASK_RUNNING',
    ]);
    expect(eventsOf(h, eve)).toEqual(['SUBSCRIBED', 'HEARTBEAT', 'AGENT_ADDED']);

    bob.call({ type: 'TEARDOWN' } as never);
    alice.call({ type: 'TEARDOWN' } as never);
    const later = eventsOf(h, ops).slice(8);
    expect(later).toContain('FRAMEWORK_REMOVED alice');
    expect(later.filter((event) => event.startsWith('TASK_UPDATED')).sort()).toEqual(['TASK_UPDATED a-exec TASK_KILLED', 'TASK_UPDATED a-task TASK_KILLED']);
    expect(later.some((event) => event.includes('bob') || event.includes('b-task') || event.includes('a-root') || event.includes('a-carol'))).toBe(false);
    expect(eventsOf(h, eve)).toEqual(['SUBSCRIBED', 'HEARTBEAT', 'AGENT_ADDED']);
  });

  it('sends every event to every subscriber without --acls', () => {
    let stream = '';
    const { h } = cluster(false, (harnessBefore) => {
      stream = harnessBefore.subscribeOperator();
    });
    const events = eventsOf(h, stream);
    expect(events.filter((event) => event.startsWith('FRAMEWORK_ADDED'))).toEqual(['FRAMEWORK_ADDED alice', 'FRAMEWORK_ADDED bob']);
    expect(events.filter((event) => event.startsWith('TASK_ADDED'))).toHaveLength(5);
    expect(events.filter((event) => event.startsWith('TASK_UPDATED'))).toHaveLength(5);
  });
});
