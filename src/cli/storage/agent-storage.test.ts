// Method: a GET_AGENTS answer as the master prints it (endpoint format: the
// reservation stack plus the legacy role/reservation of a one-level stack),
// read into rows and looked up as the storage commands do.
import { describe, expect, it } from 'vitest';
import { agentsFromAnswer, findVolume, reservationRows, reservationStack, resourceText, volumeRows, type AgentStorage } from './agent-storage.js';

const dynamic = (role: string, principal: string): Record<string, unknown> => ({
  reservations: [{ type: 'DYNAMIC', role, principal }],
  role,
  reservation: { principal },
});

const answer = {
  type: 'GET_AGENTS',
  get_agents: {
    agents: [
      {
        agent_info: { id: { value: 'S0' }, hostname: 'host-0' },
        total_resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, role: '*' },
          { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31010 }] }, role: '*' },
          { name: 'mem', type: 'SCALAR', scalar: { value: 512 }, reservations: [{ type: 'STATIC', role: 'db' }], role: 'db' },
          { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, ...dynamic('eng', 'ops') },
          { name: 'disk', type: 'SCALAR', scalar: { value: 960 }, ...dynamic('eng', 'ops') },
          { name: 'disk', type: 'SCALAR', scalar: { value: 100 }, ...dynamic('eng', 'bob') },
          {
            name: 'disk',
            type: 'SCALAR',
            scalar: { value: 64 },
            ...dynamic('eng', 'ops'),
            disk: { persistence: { id: 'pv-1', principal: 'ops' }, volume: { container_path: 'data', mode: 'RW' } },
          },
          {
            name: 'disk',
            type: 'SCALAR',
            scalar: { value: 2048 },
            ...dynamic('db', 'ops'),
            disk: {
              persistence: { id: 'pv-1', principal: 'ops' },
              volume: { container_path: 'pg', mode: 'RW' },
              source: { type: 'MOUNT', mount: { root: '/mnt/ssd' } },
            },
            shared: {},
          },
        ],
      },
    ],
    recovered_agents: [],
  },
};

function agents(): AgentStorage[] {
  const read = agentsFromAnswer(answer);
  if (!read.ok) throw new Error(read.error);
  return read.value;
}

function agent(): AgentStorage {
  const [first] = agents();
  if (first === undefined) throw new Error('no agent');
  return first;
}

describe('cli: storage: agent storage', () => {
  it('cli: storage: agent storage: one volume row per persistent volume, with its disk and mode', () => {
    expect(volumeRows(agents()).map((row) => [row.agentId, row.role, row.principal, row.id, row.sizeMb, row.diskSource, row.containerPath, row.mode, row.shared])).toEqual([
      ['S0', 'eng', 'ops', 'pv-1', 64, 'ROOT', 'data', 'RW', false],
      ['S0', 'db', 'ops', 'pv-1', 2048, 'MOUNT:/mnt/ssd', 'pg', 'RW', true],
    ]);
  });

  it('cli: storage: agent storage: one reservation row per reserved resource, static ones included', () => {
    expect(reservationRows(agents()).map((row) => [row.role, row.type, row.principal, row.amount, row.volumeId])).toEqual([
      ['db', 'STATIC', undefined, 'mem:512', undefined],
      ['eng', 'DYNAMIC', 'ops', 'cpus:1', undefined],
      ['eng', 'DYNAMIC', 'ops', 'disk:960', undefined],
      ['eng', 'DYNAMIC', 'bob', 'disk:100', undefined],
      ['eng', 'DYNAMIC', 'ops', 'disk:64', 'pv-1'],
      ['db', 'DYNAMIC', 'ops', 'disk[MOUNT:/mnt/ssd]:2048', 'pv-1'],
    ]);
    const ports = agent().resources.find((resource) => resource.name === 'ports');
    expect(ports && resourceText(ports)).toBe('ports:[31000-31010]');
  });

  it('cli: storage: agent storage: a volume is found by id, and by role when the id repeats', () => {
    const found = findVolume(agent(), 'pv-1', 'db');
    expect(found.ok && found.value.disk?.volume?.container_path).toBe('pg');
    expect(findVolume(agent(), 'pv-1', undefined)).toEqual({ ok: false, error: "Volume id 'pv-1' is used by several roles on agent S0 (eng, db): pick one with --role" });
    expect(findVolume(agent(), 'pv-9', 'eng')).toEqual({ ok: false, error: "No volume 'pv-9' of role 'eng' on agent S0" });
  });

  it('cli: storage: agent storage: the reservation stack a request must match is taken from the agent', () => {
    const query = { role: 'eng', name: 'disk', diskSource: 'ROOT', dynamicOnly: true };
    expect(reservationStack(agent(), { ...query, principal: 'bob' })).toEqual({ ok: true, value: [{ type: 'DYNAMIC', role: 'eng', principal: 'bob' }] });
    expect(reservationStack(agent(), { ...query, principal: undefined })).toEqual({
      ok: false,
      error: "Agent S0 has several dynamic reservations of disk for role 'eng' (principals ops, bob): pick one with --principal",
    });
    expect(reservationStack(agent(), { ...query, name: 'cpus', principal: undefined })).toEqual({ ok: true, value: [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }] });
    expect(reservationStack(agent(), { ...query, role: 'db', name: 'mem', principal: undefined })).toEqual({
      ok: false,
      error: "Agent S0 has no dynamic reservation of mem for role 'db'",
    });
    expect(reservationStack(agent(), { ...query, role: 'db', name: 'mem', principal: undefined, dynamicOnly: false })).toEqual({
      ok: true,
      value: [{ type: 'STATIC', role: 'db' }],
    });
  });

  it('cli: storage: agent storage: an answer that is not GET_AGENTS is one sentence', () => {
    expect(agentsFromAnswer({ type: 'GET_HEALTH' })).toEqual({ ok: false, error: 'The master answered GET_AGENTS with something that is not a GET_AGENTS response' });
  });
});
