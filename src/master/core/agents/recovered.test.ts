/**
 * A master started with a registry (spec/core.md 5.2, 5.3), through the
 * harness: the agents it admitted before are expected; one that links again
 * in time is taken back, one that does not is marked unreachable; meanwhile
 * reconciliation stays silent for their tasks (rule 2). Every change reaches
 * the registry as a named operation.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../../testing/harness.js';
import { emptyRegistry, type RegistrySnapshot } from '../../registry/registry.js';

const registry: RegistrySnapshot = {
  ...emptyRegistry,
  admitted: new Map([
    ['old-S1', { hostname: 'one', ip: '127.0.0.1', port: 5101 }],
    ['old-S2', { hostname: 'two', ip: '127.0.0.1', port: 5102 }],
  ]),
  unreachable: new Map([['old-S3', { hostname: 'three', unreachableTimeMs: 42 }]]),
  gone: new Map([['old-S4', { goneTimeMs: 43 }]]),
  weights: new Map([['eng', 3]]),
};

describe('master: a registry at start', () => {
  it('takes back an expected agent without a new admission, and marks the missing one unreachable at agent_reregister_timeout', () => {
    const h = new Harness({ registry });
    const framework = h.subscribe();
    const timeoutMs = h.state.config.agentReregisterTimeoutMs;
    h.addAgent({ agentId: 'old-S1', port: 5101 });
    expect(h.state.recoveredAgents.has('old-S1')).toBe(false);
    expect(h.registry.applied.filter((operation) => operation.type === 'admit_agent')).toEqual([]);
    h.advance(timeoutMs);
    expect(h.state.unreachableAgents.has('old-S2')).toBe(true);
    expect(h.registry.snapshot.unreachable.has('old-S2')).toBe(true);
    expect(h.registry.snapshot.admitted.has('old-S1')).toBe(true);
    expect(framework.eventsOf('FAILURE').map((event) => event.failure.agent_id?.value)).toEqual(['old-S2']);
  });

  it('stays silent on reconciliation for a task on an expected agent until it is back or marked; answers rule 4 and 5 from the registry', () => {
    const h = new Harness({ registry });
    const framework = h.subscribe({ capabilities: ['MULTI_ROLE', 'PARTITION_AWARE'] });
    const reconcile = (agentId: string) =>
      framework.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: `t-${agentId}` }, agent_id: { value: agentId } }] } } as never);
    const answer = (agentId: string) => framework.eventsOf('UPDATE').find((event) => event.update.status.task_id.value === `t-${agentId}`)?.update.status;
    reconcile('old-S2');
    expect(answer('old-S2')).toBeUndefined();
    reconcile('old-S3');
    expect(answer('old-S3')).toMatchObject({ state: 'TASK_UNREACHABLE', unreachable_time: { nanoseconds: 42e6 } });
    reconcile('old-S4');
    expect(answer('old-S4')).toMatchObject({ state: 'TASK_GONE_BY_OPERATOR' });
    h.advance(h.state.config.agentReregisterTimeoutMs);
    reconcile('old-S2');
    expect(answer('old-S2')).toMatchObject({ state: 'TASK_UNREACHABLE' });
  });

  it('stops instead of marking when more agents are missing than --recovery_agent_removal_limit allows', () => {
    const h = new Harness({ registry, config: { recoveryAgentRemovalLimit: 0.5 } });
    h.addAgent({ agentId: 'old-S1', port: 5101 });
    h.advance(h.state.config.agentReregisterTimeoutMs);
    // One of two missing: 50% is within the limit.
    expect(h.fatal).toBeUndefined();
    expect(h.state.unreachableAgents.has('old-S2')).toBe(true);

    const strict = new Harness({ registry, config: { recoveryAgentRemovalLimit: 0.4 } });
    strict.addAgent({ agentId: 'old-S1', port: 5101 });
    strict.advance(strict.state.config.agentReregisterTimeoutMs);
    expect(strict.fatal).toBe(
      '1 of the 2 agents in the registry did not re-register within 600000 ms, more than --recovery_agent_removal_limit=40% allows: stopping without marking them unreachable (the registry is unchanged)',
    );
    expect(strict.registry.applied.filter((operation) => operation.type === 'mark_agent_unreachable')).toEqual([]);
  });

  it('refuses a gone agent, records new admissions, and restores weights', () => {
    const h = new Harness({ registry });
    expect(h.addAgent({ agentId: 'old-S4' }).linked).toBe(false);
    const fresh = h.addAgent();
    expect(h.registry.applied).toContainEqual(expect.objectContaining({ type: 'admit_agent', agentId: fresh.id }));
    const weights = h.step({ type: 'operator_call', call: { type: 'GET_WEIGHTS' } as never });
    expect(weights?.body).toMatchObject({ get_weights: { weight_infos: expect.arrayContaining([{ role: 'eng', weight: 3 }]) } });
  });
});
