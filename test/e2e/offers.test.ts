/**
 * Method: a real master (100 ms allocation interval) and one agent with
 * cpus:2;mem:1024;disk:1024;ports:[31000-32000], shared by the file; a second
 * pair, whose agent reserves one cpu statically to role `eng`, for the
 * reservation formats. Each test subscribes one framework through the SDK and
 * closes it at the end (failover_timeout 0: removed at once, its resources go
 * back). "No offer" is asserted over a counted number of allocation runs
 * (allocator/mesos/allocation_runs), each a chance for the offer to come, never
 * after a blind sleep. Checks follow spec/core.md 1.5.4-1.5.6, 1.6, 4.4-4.7,
 * 9.2 scenarios 15, 23, 25 and 26.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FrameworkInfo } from '../../src/protocol/mesos.js';
import type { WireOffer } from '../../src/protocol/outputs.js';
import { createHttpTransport, type SchedulerSession } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, stopAll, waitFor, type ProcessHandle } from '../support/cluster.js';
import {
  expectNoEventDuringAllocations,
  fastAgentFlags,
  fastMasterFlags,
  frameworkInfo,
  legacyFrameworks,
  metric,
  subscribeFramework,
  waitForActiveAgents,
  waitForAllocationRuns,
} from './helpers.js';

type WireResource = Record<string, unknown> & { name: string };

let master: ProcessHandle;
let agent: ProcessHandle;
let masterId: string;
let agentId: string;
const transport = createHttpTransport();
const sessions: SchedulerSession[] = [];

async function open(info: FrameworkInfo, masterUrl = master.url, suppressedRoles?: readonly string[]): Promise<SchedulerSession> {
  const session = await subscribeFramework(masterUrl, info, { transport, ...(suppressedRoles === undefined ? {} : { suppressedRoles }) });
  sessions.push(session);
  return session;
}

async function firstOffer(session: SchedulerSession, timeoutMs = 10_000): Promise<WireOffer> {
  const event = await session.nextEvent('OFFERS', timeoutMs);
  expect(event.offers.offers, 'one offer in the OFFERS event').toHaveLength(1);
  return event.offers.offers[0] as WireOffer;
}

function resourcesNamed(offer: WireOffer, name: string): WireResource[] {
  return (offer.resources as WireResource[]).filter((resource) => resource.name === name);
}

/** Resources without the per-format fields, for comparing what is offered. */
function quantities(offer: WireOffer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const resource of offer.resources as WireResource[]) {
    const key = `${resource.name}`;
    const value = resource['scalar'] ?? resource['ranges'] ?? resource['set'];
    out[key] = out[key] === undefined ? value : [out[key], value];
  }
  return out;
}

async function closeAll(): Promise<void> {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
}

beforeAll(async () => {
  master = await startMaster({ flags: fastMasterFlags });
  agent = await startAgent(master.url, { flags: fastAgentFlags });
  const agents = await waitForActiveAgents(master.url, 1);
  agentId = agents[0]?.id ?? '';
  masterId = (await fetchJson<{ id: string }>(`${master.url}/master/state`)).id;
});

afterEach(async () => {
  await closeAll();
  await waitFor(async () => (await legacyFrameworks(master.url)).frameworks.length === 0, {
    message: 'every framework of the test to be removed',
  });
});

afterAll(async () => {
  await transport.close();
  await stopAll();
});

describe('offers: the first offer', () => {
  it('a framework gets one OFFERS event with one offer holding all the agent resources, its agent id, hostname and url', async () => {
    const session = await open(frameworkInfo());

    const offer = await firstOffer(session);

    const agentUrl = new URL(agent.url);
    expect(offer.id.value).toMatch(new RegExp(`^${masterId}-O\\d+$`));
    expect(offer.framework_id.value).toBe(session.frameworkId);
    expect(offer.agent_id.value).toBe(agentId);
    expect(offer.hostname).toEqual(expect.any(String));
    expect(offer.url).toEqual({
      scheme: 'http',
      address: { hostname: offer.hostname, ip: '127.0.0.1', port: Number(agentUrl.port) },
      path: '/slave(1)',
    });
    expect(quantities(offer)).toEqual({
      cpus: { value: 2 },
      mem: { value: 1024 },
      disk: { value: 1024 },
      ports: { range: [{ begin: 31000, end: 32000 }] },
    });
    expect(offer.executor_ids ?? []).toEqual([]);
  });

  it('a framework without MULTI_ROLE gets no allocation_info, neither on the offer nor on any resource', async () => {
    const session = await open(frameworkInfo());

    const offer = await firstOffer(session);

    expect(offer).not.toHaveProperty('allocation_info');
    for (const resource of offer.resources) expect(resource, `resource ${String(resource['name'])}`).not.toHaveProperty('allocation_info');
  });

  it('a MULTI_ROLE framework gets allocation_info with its role on the offer and on every resource', async () => {
    const session = await open(frameworkInfo({ roles: ['analytics'], capabilities: [{ type: 'MULTI_ROLE' }] }));

    const offer = await firstOffer(session);

    expect(offer.allocation_info).toEqual({ role: 'analytics' });
    for (const resource of offer.resources) expect(resource['allocation_info'], `resource ${String(resource['name'])}`).toEqual({ role: 'analytics' });
  });

  it('the outstanding offer is counted by master/outstanding_offers and offers/sent', async () => {
    const session = await open(frameworkInfo({ name: 'counted' }));
    await firstOffer(session);

    expect(await metric(master.url, 'master/outstanding_offers')).toBe(1);
    expect(await metric(master.url, `master/frameworks/counted/${session.frameworkId}/offers/sent`)).toBe(1);
  });
});

describe('offers: decline', () => {
  it('DECLINE with refuse_seconds 0 gets the same resources offered again at the next allocation', async () => {
    const session = await open(frameworkInfo());
    const offer = await firstOffer(session);

    const answer = await session.decline([offer.id], { refuse_seconds: 0 });
    const again = await firstOffer(session, 3_000);

    expect(answer.status).toBe(202);
    expect(again.id.value).not.toBe(offer.id.value);
    expect(again.agent_id).toEqual(offer.agent_id);
    expect(quantities(again)).toEqual(quantities(offer));
  });

  it('DECLINE without filters keeps the resources from the framework for the default 5 s, then offers them again', async () => {
    const session = await open(frameworkInfo());
    const offer = await firstOffer(session);

    const declinedMs = Date.now();
    const answer = await session.decline([offer.id]);
    const again = await firstOffer(session, 9_000);
    const elapsedMs = Date.now() - declinedMs;

    expect(answer.status).toBe(202);
    expect(elapsedMs).toBeGreaterThanOrEqual(4_900);
    expect(elapsedMs).toBeLessThanOrEqual(7_000);
    expect(quantities(again)).toEqual(quantities(offer));
  });

  it('DECLINE with refuse_seconds 3600 keeps the resources away; REVIVE clears the filter', async () => {
    const session = await open(frameworkInfo({ name: 'refuser' }));
    const offer = await firstOffer(session);

    expect((await session.decline([offer.id], { refuse_seconds: 3600 })).status).toBe(202);
    await expectNoEventDuringAllocations(session, 'OFFERS', master.url, 15);
    expect(await metric(master.url, `master/frameworks/refuser/${session.frameworkId}/offers/declined`)).toBe(1);

    expect((await session.revive()).status).toBe(202);
    const again = await firstOffer(session, 3_000);
    expect(quantities(again)).toEqual(quantities(offer));
  });

  it('DECLINE of an unknown offer id is accepted (202) and leaves the outstanding offer alone', async () => {
    const session = await open(frameworkInfo());
    const offer = await firstOffer(session);

    const answer = await session.decline([`${masterId}-O999999`]);

    expect(answer.status).toBe(202);
    expect(await metric(master.url, 'master/outstanding_offers')).toBe(1);
    // The real offer is still valid: declining it now works and brings it back.
    expect((await session.decline([offer.id], { refuse_seconds: 0 })).status).toBe(202);
    await firstOffer(session, 3_000);
  });

  it('ACCEPT without operations declines the offer with the call filters', async () => {
    const session = await open(frameworkInfo());
    const offer = await firstOffer(session);

    const answer = await session.accept([offer.id], [], { refuse_seconds: 0 });
    const again = await firstOffer(session, 3_000);

    expect(answer.status).toBe(202);
    expect(quantities(again)).toEqual(quantities(offer));
  });
});

describe('offers: suppress and revive', () => {
  const suppressed = (session: SchedulerSession, role: string): string => `master/frameworks/quiet/${session.frameworkId}/roles/${role}/suppressed`;

  it('SUPPRESS stops offers and sets roles/<role>/suppressed; REVIVE offers the same resources again and clears it', async () => {
    const session = await open(frameworkInfo({ name: 'quiet', role: 'web' }));
    const offer = await firstOffer(session);
    expect(await metric(master.url, suppressed(session, 'web'))).toBe(0);

    expect((await session.suppress()).status).toBe(202);
    expect((await session.decline([offer.id], { refuse_seconds: 0 })).status).toBe(202);
    await expectNoEventDuringAllocations(session, 'OFFERS', master.url, 15);
    expect(await metric(master.url, suppressed(session, 'web'))).toBe(1);

    expect((await session.revive()).status).toBe(202);
    const again = await firstOffer(session, 3_000);
    expect(quantities(again)).toEqual(quantities(offer));
    expect(await metric(master.url, suppressed(session, 'web'))).toBe(0);
  });

  it('SUPPRESS does not rescind the outstanding offer', async () => {
    const session = await open(frameworkInfo({ name: 'quiet', role: 'web' }));
    const offer = await firstOffer(session);

    expect((await session.suppress()).status).toBe(202);
    await expectNoEventDuringAllocations(session, 'RESCIND', master.url, 5);

    expect(await metric(master.url, 'master/outstanding_offers')).toBe(1);
    expect((await session.decline([offer.id], { refuse_seconds: 0 })).status).toBe(202);
    expect(await metric(master.url, `master/frameworks/quiet/${session.frameworkId}/offers/declined`)).toBe(1);
  });

  it('REVIVE naming a role the framework does not have is dropped as a whole', async () => {
    const session = await open(frameworkInfo({ name: 'quiet', role: 'web' }));
    const offer = await firstOffer(session);
    await session.suppress();
    await session.decline([offer.id], { refuse_seconds: 0 });

    expect((await session.revive(['web', 'not-mine'])).status).toBe(202);

    await expectNoEventDuringAllocations(session, 'OFFERS', master.url, 10);
    expect(await metric(master.url, suppressed(session, 'web'))).toBe(1);
  });

  it('SUBSCRIBE with every role suppressed gets no offers across allocation runs until REVIVE', async () => {
    const session = await open(frameworkInfo({ name: 'quiet', role: 'web' }), master.url, ['web']);

    await expectNoEventDuringAllocations(session, 'OFFERS', master.url, 15);
    expect(await metric(master.url, suppressed(session, 'web'))).toBe(1);

    expect((await session.revive()).status).toBe(202);
    const offer = await firstOffer(session, 3_000);
    expect(offer.agent_id.value).toBe(agentId);
  });
});

describe('offers: reservation formats', () => {
  let reservedMaster: ProcessHandle;

  beforeAll(async () => {
    reservedMaster = await startMaster({ name: 'reserved-master', flags: fastMasterFlags });
    await startAgent(reservedMaster.url, {
      name: 'reserved-agent',
      flags: ['--registration_backoff_factor=10ms', '--resources=cpus:1;cpus(eng):1;mem:1024;disk:1024;ports:[31000-32000]'],
    });
    await waitForActiveAgents(reservedMaster.url, 1);
  });

  /** Subscribes on the reserved pair, takes the first offer, then removes the framework so the next case starts clean. */
  async function offerFor(info: FrameworkInfo): Promise<WireOffer> {
    const session = await subscribeFramework(reservedMaster.url, info, { transport });
    try {
      return await firstOffer(session);
    } finally {
      expect((await session.teardown()).status).toBe(202);
      await session.close();
      await waitForAllocationRuns(reservedMaster.url, 1);
    }
  }

  function reservedCpus(offer: WireOffer): WireResource {
    const cpus = resourcesNamed(offer, 'cpus');
    expect(cpus, 'two cpus resources: one unreserved, one reserved to eng').toHaveLength(2);
    const reserved = cpus.find((resource) => resource['role'] === 'eng' || resource['reservations'] !== undefined);
    expect(reserved, 'a reserved cpus resource').toBeDefined();
    return reserved as WireResource;
  }

  function unreservedCpus(offer: WireOffer, reserved: WireResource): WireResource {
    return resourcesNamed(offer, 'cpus').find((resource) => resource !== reserved) as WireResource;
  }

  it('without MULTI_ROLE or RESERVATION_REFINEMENT: legacy role fields, no reservations, no allocation_info', async () => {
    const offer = await offerFor(frameworkInfo({ role: 'eng' }));

    const reserved = reservedCpus(offer);
    expect(reserved).toEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'eng' });
    expect(unreservedCpus(offer, reserved)).toEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: '*' });
    expect(offer).not.toHaveProperty('allocation_info');
  });

  it('MULTI_ROLE alone: allocation_info is kept, reservations still in the legacy format', async () => {
    const offer = await offerFor(frameworkInfo({ roles: ['eng'], capabilities: [{ type: 'MULTI_ROLE' }] }));

    const reserved = reservedCpus(offer);
    expect(reserved).toEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'eng', allocation_info: { role: 'eng' } });
    expect(reserved).not.toHaveProperty('reservations');
    expect(offer.allocation_info).toEqual({ role: 'eng' });
  });

  it('RESERVATION_REFINEMENT alone: reservations[] without legacy role fields, allocation_info stripped', async () => {
    const offer = await offerFor(frameworkInfo({ role: 'eng', capabilities: [{ type: 'RESERVATION_REFINEMENT' }] }));

    const reserved = reservedCpus(offer);
    expect(reserved).toEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'STATIC', role: 'eng' }] });
    const unreserved = unreservedCpus(offer, reserved);
    expect(unreserved).not.toHaveProperty('role');
    expect(unreserved).not.toHaveProperty('reservations');
    expect(offer).not.toHaveProperty('allocation_info');
  });

  it('MULTI_ROLE and RESERVATION_REFINEMENT: reservations[] and allocation_info', async () => {
    const offer = await offerFor(
      frameworkInfo({ roles: ['eng'], capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }] }),
    );

    const reserved = reservedCpus(offer);
    expect(reserved).toEqual({
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 1 },
      reservations: [{ type: 'STATIC', role: 'eng' }],
      allocation_info: { role: 'eng' },
    });
    expect(offer.allocation_info).toEqual({ role: 'eng' });
  });

  it('resources reserved to eng are never offered to a framework of another role', async () => {
    const offer = await offerFor(frameworkInfo({ role: 'dev' }));

    expect(resourcesNamed(offer, 'cpus')).toEqual([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: '*' }]);
  });
});
