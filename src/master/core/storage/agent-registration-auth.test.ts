/**
 * An agent registering with static reservations is authorized with
 * RESERVE_RESOURCES for each of their roles, as the agent's principal
 * (spec/storage.md 2.9.4, 6.1); berth agents have none, so the ACLs for any
 * principal decide. A refused agent is not admitted (403 naming why) and
 * links again later, as a Mesos agent retries its registration.
 * Method: the master harness with --acls, and simulated agents.
 */
import { describe, expect, it } from 'vitest';
import { parseAclsValue } from '../../auth/acls.js';
import { Harness } from '../../../testing/harness.js';

function harnessWithAcls(acls: object): Harness {
  const parsed = parseAclsValue(acls);
  if (!parsed.ok) throw new Error(parsed.error);
  return new Harness({ config: { acls: parsed.value } });
}

const onlyEng = {
  permissive: false,
  reserve_resources: [{ principals: { type: 'ANY' }, roles: { values: ['eng'] } }],
};

describe('master: agent registration with static reservations', () => {
  it('admits an agent whose static reservations the ACLs allow', () => {
    const h = harnessWithAcls(onlyEng);
    const agent = h.addAgent({ resources: 'cpus(eng):2;cpus:2;mem:1024;disk:1024' });
    expect(agent.linked).toBe(true);
    expect(h.state.agents.size).toBe(1);
  });

  it('refuses an agent statically reserving for a role the ACLs deny, and admits nothing', () => {
    const h = harnessWithAcls(onlyEng);
    const agent = h.addAgent({ resources: 'cpus(eng):1;cpus(ops):1;mem:1024;disk:1024' });

    const reply = agent.link();

    expect(reply).toEqual({
      status: 403,
      body: "The agent is not authorized to register with its static reservations: Principal 'ANY' no authorized to reserve resources",
    });
    expect(agent.linked).toBe(false);
    expect(h.state.agents.size).toBe(0);
  });

  it('asks nothing of an agent without static reservations, whatever the ACLs', () => {
    const h = harnessWithAcls({ permissive: false });
    expect(h.addAgent({ resources: 'cpus:2;mem:1024;disk:1024' }).linked).toBe(true);
  });
});
