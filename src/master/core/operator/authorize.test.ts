/**
 * --acls for maintenance and the agent calls (Mesos' local authorizer: their
 * objects are implicit, so only the principal decides, and an ACL's object
 * entity ANY allows, NONE denies): a refused change is 403 with no body and
 * changes nothing; a refused read of the schedule or the status shows `{}`;
 * a schedule that does not validate is 400 first, as in Mesos.
 * Method: the master harness with --acls, one simulated agent that can drain.
 */
import { describe, expect, it } from 'vitest';
import type { OperatorCall } from '../../../protocol/operator.js';
import { parseAclsValue } from '../../auth/acls.js';
import { Harness } from '../../../testing/harness.js';
import { simAgentCapabilities } from '../../../testing/sim-agent.js';

const opsOnly = { principals: { values: ['ops'] } };

const acls = {
  permissive: false,
  update_maintenance_schedules: [{ ...opsOnly, machines: { type: 'ANY' } }],
  get_maintenance_schedules: [{ ...opsOnly, machines: { type: 'ANY' } }],
  get_maintenance_statuses: [{ ...opsOnly, machines: { type: 'ANY' } }],
  start_maintenances: [{ ...opsOnly, machines: { type: 'ANY' } }],
  stop_maintenances: [{ ...opsOnly, machines: { type: 'ANY' } }],
  deactivate_agents: [{ ...opsOnly, agents: { type: 'ANY' } }],
  reactivate_agents: [{ ...opsOnly, agents: { type: 'ANY' } }],
  drain_agents: [{ ...opsOnly, agents: { type: 'ANY' } }],
  // Nobody may mark an agent gone, ops included.
  mark_agents_gone: [{ principals: { type: 'ANY' }, agents: { type: 'NONE' } }],
};

function cluster(): { h: Harness; agentId: string; machine: { hostname: string; ip: string } } {
  const parsed = parseAclsValue(acls);
  if (!parsed.ok) throw new Error(parsed.error);
  const h = new Harness({ config: { acls: parsed.value } });
  const agent = h.addAgent({ resources: 'cpus:2;mem:1024', hostname: 'acl-host', capabilities: [...simAgentCapabilities, 'AGENT_DRAINING'] });
  return { h, agentId: agent.id ?? '', machine: { hostname: 'acl-host', ip: '127.0.0.1' } };
}

function call(h: Harness, operatorCall: OperatorCall, principal?: string): { status: number; body?: unknown } | undefined {
  return h.step({ type: 'operator_call', call: operatorCall, ...(principal !== undefined && { principal }) });
}

const schedule = (machine: { hostname: string; ip: string }): OperatorCall => ({
  type: 'UPDATE_MAINTENANCE_SCHEDULE',
  update_maintenance_schedule: { schedule: { windows: [{ machine_ids: [machine], unavailability: { start: { nanoseconds: 1e18 } } }] } },
});

describe('master: --acls for maintenance and the agent calls', () => {
  it('lets only the principals named update, bring down and up the schedule, and see it', () => {
    const { h, machine } = cluster();
    expect(call(h, schedule(machine), 'eve')).toEqual({ status: 403 });
    expect(call(h, schedule(machine))).toEqual({ status: 403 });
    expect(h.registry.applied.filter((operation) => operation.type === 'update_maintenance_schedule')).toEqual([]);
    // Validation comes first: a bad schedule is 400 whoever sends it.
    const empty: OperatorCall = { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule: { windows: [{ machine_ids: [], unavailability: { start: { nanoseconds: 0 } } }] } } };
    expect(call(h, empty, 'eve')).toEqual({ status: 400, body: 'List of machines in the maintenance window is empty' });

    expect(call(h, schedule(machine), 'ops')).toEqual({ status: 200 });
    expect(call(h, { type: 'GET_MAINTENANCE_SCHEDULE' }, 'eve')?.body).toEqual({ type: 'GET_MAINTENANCE_SCHEDULE', get_maintenance_schedule: { schedule: {} } });
    expect(call(h, { type: 'GET_MAINTENANCE_SCHEDULE' }, 'ops')?.body).toMatchObject({ get_maintenance_schedule: { schedule: { windows: [{ machine_ids: [machine] }] } } });
    expect(call(h, { type: 'GET_MAINTENANCE_STATUS' }, 'eve')?.body).toEqual({ type: 'GET_MAINTENANCE_STATUS', get_maintenance_status: { status: {} } });
    expect(call(h, { type: 'GET_MAINTENANCE_STATUS' }, 'ops')?.body).toMatchObject({ get_maintenance_status: { status: { draining_machines: [{ id: machine }] } } });

    const down: OperatorCall = { type: 'START_MAINTENANCE', start_maintenance: { machines: [machine] } };
    const up: OperatorCall = { type: 'STOP_MAINTENANCE', stop_maintenance: { machines: [machine] } };
    expect(call(h, down, 'eve')).toEqual({ status: 403 });
    expect(h.state.agents.size).toBe(1);
    expect(call(h, down, 'ops')).toEqual({ status: 200 });
    expect(h.state.agents.size).toBe(0);
    expect(call(h, up, 'eve')).toEqual({ status: 403 });
    expect(call(h, up, 'ops')).toEqual({ status: 200 });
  });

  it('lets only the principals named deactivate, reactivate and drain an agent; mark_gone needs its own permission', () => {
    const { h, agentId } = cluster();
    const agent = { agent_id: { value: agentId } };
    expect(call(h, { type: 'DEACTIVATE_AGENT', deactivate_agent: agent }, 'eve')).toEqual({ status: 403 });
    expect(h.state.deactivatedAgents.has(agentId)).toBe(false);
    expect(call(h, { type: 'DEACTIVATE_AGENT', deactivate_agent: agent }, 'ops')).toEqual({ status: 200 });
    expect(call(h, { type: 'REACTIVATE_AGENT', reactivate_agent: agent }, 'eve')).toEqual({ status: 403 });
    expect(call(h, { type: 'REACTIVATE_AGENT', reactivate_agent: agent }, 'ops')).toEqual({ status: 200 });

    expect(call(h, { type: 'DRAIN_AGENT', drain_agent: { ...agent, mark_gone: true } }, 'ops')).toEqual({ status: 403 });
    expect(h.state.drainingAgents.has(agentId)).toBe(false);
    expect(call(h, { type: 'MARK_AGENT_GONE', mark_agent_gone: agent }, 'ops')).toEqual({ status: 403 });
    expect(h.state.goneAgents.has(agentId)).toBe(false);
    expect(call(h, { type: 'DRAIN_AGENT', drain_agent: agent }, 'eve')).toEqual({ status: 403 });
    expect(call(h, { type: 'DRAIN_AGENT', drain_agent: agent }, 'ops')).toEqual({ status: 200 });
    expect(h.state.drainingAgents.get(agentId)?.drain.state).toBe('DRAINED');
  });
});

describe('master: --acls for weights, quota and operator TEARDOWN', () => {
  function harness(): Harness {
    const parsed = parseAclsValue({
      permissive: false,
      update_weights: [{ ...opsOnly, roles: { values: ['eng', 'eng/%'] } }],
      update_quotas: [{ ...opsOnly, roles: { values: ['eng'] } }],
      get_quotas: [{ ...opsOnly, roles: { type: 'ANY' } }],
      teardown_frameworks: [{ ...opsOnly, framework_principals: { values: ['analytics'] } }],
      register_frameworks: [{ principals: { type: 'ANY' }, roles: { type: 'ANY' } }],
    });
    if (!parsed.ok) throw new Error(parsed.error);
    return new Harness({ config: { acls: parsed.value } });
  }

  const weights = (...roles: string[]): OperatorCall => ({ type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: roles.map((role) => ({ role, weight: 2 })) } });
  const quota = (role: string): OperatorCall => ({ type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role, guarantees: {}, limits: { cpus: { value: 1 } } }] } });

  it('decides UPDATE_WEIGHTS per role, all or nothing, below a recursive ACL too', () => {
    const h = harness();
    expect(call(h, weights('eng', 'ops'), 'ops')).toEqual({ status: 403 });
    expect(call(h, weights('eng'), 'eve')).toEqual({ status: 403 });
    expect(h.registry.applied).toEqual([]);
    expect(call(h, weights('eng', 'eng/db'), 'ops')).toEqual({ status: 200 });
    expect(h.state.allocator.weights.get('eng/db')).toBe(2);
  });

  it('decides UPDATE_QUOTA per role, and shows GET_QUOTA only to those allowed', () => {
    const h = harness();
    expect(call(h, quota('ops'), 'ops')).toEqual({ status: 403 });
    expect(call(h, quota('eng'), 'eve')).toEqual({ status: 403 });
    expect(call(h, quota('eng'), 'ops')).toEqual({ status: 200 });
    expect(call(h, { type: 'GET_QUOTA' }, 'ops')?.body).toMatchObject({ get_quota: { status: { configs: [{ role: 'eng' }] } } });
    expect(call(h, { type: 'GET_QUOTA' }, 'eve')?.body).toEqual({ type: 'GET_QUOTA', get_quota: { status: { infos: [], configs: [] } } });
  });

  it('lets an operator tear down only frameworks of the principals named', () => {
    const h = harness();
    const analytics = h.subscribe({ info: { principal: 'analytics' } });
    const billing = h.subscribe({ info: { principal: 'billing' } });
    const teardown = (id: string | undefined): OperatorCall => ({ type: 'TEARDOWN', teardown: { framework_id: { value: id ?? '' } } });
    expect(call(h, teardown(billing.id), 'ops')).toEqual({ status: 403 });
    expect(call(h, teardown(analytics.id), 'eve')).toEqual({ status: 403 });
    expect(h.state.frameworks.size).toBe(2);
    expect(call(h, teardown(analytics.id), 'ops')).toEqual({ status: 200 });
    expect([...h.state.frameworks.keys()]).toEqual([billing.id]);
  });
});
