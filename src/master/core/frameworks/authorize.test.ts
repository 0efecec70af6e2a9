/**
 * --acls for frameworks (spec/core.md 7.2): `register_frameworks` decides
 * each role a framework subscribes or updates with (an ERROR event and a
 * closed stream; 403 for UPDATE_FRAMEWORK), and `run_tasks` the OS user each
 * task runs as (TASK_ERROR, REASON_TASK_UNAUTHORIZED, before validation), with
 * Mesos' texts. Method: the master harness with --acls.
 */
import { describe, expect, it } from 'vitest';
import { parseAclsValue } from '../../auth/acls.js';
import { Harness } from '../../../testing/harness.js';

function harness(): Harness {
  const parsed = parseAclsValue({
    permissive: false,
    register_frameworks: [{ principals: { values: ['analytics'] }, roles: { values: ['eng', 'eng/%'] } }],
    run_tasks: [{ principals: { values: ['analytics'] }, users: { values: ['app'] } }],
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return new Harness({ config: { acls: parsed.value } });
}

describe('master: --acls for frameworks', () => {
  it('refuses a SUBSCRIBE with a role the principal may not register with, naming it as Mesos does', () => {
    const h = harness();
    const refused = h.subscribe({ roles: ['eng', 'ops'], info: { principal: 'analytics' } });
    expect(refused.eventsOf('ERROR')).toEqual([{ type: 'ERROR', error: { message: 'Not authorized to register framework  with roles { eng, ops }' } }]);
    expect(refused.closed).toBe(true);
    expect(h.subscribe({ roles: ['eng'], info: { principal: 'billing' } }).eventsOf('ERROR')).toHaveLength(1);
    const allowed = h.subscribe({ roles: ['eng', 'eng/db'], info: { principal: 'analytics' } });
    expect(allowed.eventsOf('SUBSCRIBED')).toHaveLength(1);
    expect(h.state.frameworks.size).toBe(1);
    // Moving to a role it may not use: 403, and the roles stay.
    const update = allowed.call({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: { ...allowed.info(), roles: ['ops'] } } });
    expect(update).toEqual({ status: 403, body: `Not authorized to register framework ${allowed.id ?? ''} with roles { ops }` });
    expect([...(h.state.frameworks.get(allowed.id ?? '')?.roles ?? [])]).toEqual(['eng', 'eng/db']);
  });

  it('answers a task run as a user the principal may not use with TASK_ERROR, REASON_TASK_UNAUTHORIZED', () => {
    const h = harness();
    h.addAgent({ resources: 'cpus:4;mem:1024' });
    const framework = h.subscribe({ roles: ['eng'], info: { principal: 'analytics', user: 'app' } });
    h.settle();
    const [offer] = framework.currentOffers();
    if (offer === undefined) throw new Error('no offer');
    const task = (id: string, user?: string) => ({
      name: id,
      task_id: { value: id },
      agent_id: offer.agent_id,
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: 'eng' } }],
      command: { value: 'true', ...(user !== undefined && { user }) },
    });
    framework.call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task('as-root', 'root'), task('as-app')] } }] },
    } as never);
    const updates = framework.eventsOf('UPDATE').map((event) => event.update.status);
    expect(updates.find((status) => status.task_id.value === 'as-root')).toMatchObject({
      state: 'TASK_ERROR',
      source: 'SOURCE_MASTER',
      reason: 'REASON_TASK_UNAUTHORIZED',
      message: `Principal 'analytics' no authorized to launch task as-root of framework ${framework.id ?? ''} under user 'root'`,
    });
    expect(updates.some((status) => status.task_id.value === 'as-app')).toBe(false);
    expect([...(h.state.frameworks.get(framework.id ?? '')?.tasks.keys() ?? [])]).toEqual(['as-app']);
  });
});
