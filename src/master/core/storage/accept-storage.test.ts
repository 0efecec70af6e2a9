/**
 * The storage pipeline of ACCEPT (spec/storage.md 2.0, 2.7, 2.9, 2.10) through
 * the deterministic harness: a framework of role "eng" reserves disk, creates
 * a volume on it and launches a task using the volume in one call; the test
 * reads what the simulated agent was sent (in order, with the checkpointed
 * set each APPLY_OPERATION carries) and what the allocator offers next, to
 * which roles, while the task runs and after it ended. A last group has two
 * frameworks hold offers with one shared volume and one of them destroy it,
 * and checks what happens to the other's offer.
 */
import { describe, expect, it } from 'vitest';
import type { WireOffer } from '../../../protocol/outputs.js';
import type { SimFramework } from '../../../testing/sim-framework.js';
import {
  accept,
  create,
  destroy,
  finishTask,
  launch,
  onlyOffer,
  principal,
  receivedTypes,
  reservationRolesIn,
  reserve,
  reserved,
  reservedDiskIn,
  scalar,
  storageFrameworkCapabilities,
  storageSetup,
  task,
  taskUpdates,
  volume,
  volumesIn,
  type StorageSetup,
} from './testing/fixtures.js';

const disk1024 = reserved(scalar('disk', 1024));
const pv1 = volume(512, 'pv-1');
const taskResources = [scalar('cpus', 1), scalar('mem', 128), pv1];

/** RESERVE disk:1024 → CREATE pv-1 (512) → LAUNCH t1 using pv-1, in one ACCEPT of the first offer. */
function reserveCreateLaunch(setup: StorageSetup): void {
  const { framework, agent } = setup;
  const offer = onlyOffer(framework);
  const reply = accept(framework, [offer.id.value], [reserve([disk1024]), create([pv1]), launch([task(agent, 't1', taskResources)])]);
  expect(reply?.status).toBe(202);
}

/** Every offer the framework was sent so far. */
function offersReceived(setup: StorageSetup): WireOffer[] {
  return setup.framework.eventsOf('OFFERS').flatMap((e) => e.offers.offers);
}

describe('master: storage ACCEPT: RESERVE, CREATE and LAUNCH pipelined', () => {
  it('runs all three: the agent is sent APPLY_OPERATION, APPLY_OPERATION, RUN_TASK in that order', () => {
    const setup = storageSetup();
    reserveCreateLaunch(setup);
    const { framework, agent } = setup;
    expect(receivedTypes(agent)).toEqual(['REGISTERED', 'APPLY_OPERATION', 'APPLY_OPERATION', 'RUN_TASK']);
    expect(agent.appliedOperations().map((op) => op.operation_type)).toEqual(['RESERVE', 'CREATE']);
    expect(taskUpdates(framework), 'no task or operation fails').toEqual([]);
    expect(framework.eventsOf('UPDATE_OPERATION_STATUS')).toEqual([]);
    const run = agent.received.find((r) => r.type === 'RUN_TASK');
    const sentVolume = run?.type === 'RUN_TASK' ? run.run_task.task.resources?.find((r) => r.disk?.persistence !== undefined) : undefined;
    expect(sentVolume?.disk?.persistence?.id, 'the task is sent with its volume').toBe('pv-1');
  });

  it('makes each APPLY_OPERATION carry its conversions, the version they build on and a new one; applied in turn they give the master\'s set', () => {
    const setup = storageSetup();
    reserveCreateLaunch(setup);
    const { h, framework, agent } = setup;
    const [reserveOp, createOp] = agent.appliedOperations();
    expect(reserveOp?.conversions).toEqual([{ consumed: [scalar('disk', 1024)], converted: [disk1024] }]);
    expect(createOp?.conversions).toEqual([{ consumed: [reserved(scalar('disk', 512))], converted: [pv1] }]);
    expect(createOp?.checkpointed_resources, 'not the whole set').toBeUndefined();
    const [afterReserve, afterCreate] = agent.checkpointedAfterOperations();
    expect(afterReserve).toEqual([disk1024]);
    expect(afterCreate).toEqual([reserved(scalar('disk', 512)), pv1]);
    expect(reserveOp?.resource_version).not.toBe(createOp?.resource_version);
    expect(createOp?.base_resource_version, 'each builds on the one before').toBe(reserveOp?.resource_version);
    expect(h.state.agents.get(agent.id ?? '')?.resourceVersion, 'the master holds the version it sent last').toBe(createOp?.resource_version);

    h.advance(1_000);
    const next = framework.currentOffers()[0];
    if (next === undefined) throw new Error('no second offer');
    accept(framework, [next.id.value], [reserve([reserved(scalar('cpus', 1))])]);
    expect(agent.checkpointedAfterOperations()[2]).toEqual([reserved(scalar('disk', 512)), pv1, reserved(scalar('cpus', 1))]);
  });

  it('does not offer the volume while its task runs, and offers it to the role once the task ended and its update was acknowledged', () => {
    const setup = storageSetup();
    reserveCreateLaunch(setup);
    const { h, framework, agent } = setup;
    for (let cycle = 0; cycle < 4; cycle++) {
      h.advance(6_000);
      framework.declineAll(0);
    }
    const whileRunning = offersReceived(setup).slice(1);
    expect(whileRunning.length, 'the agent was offered again while the task ran').toBeGreaterThan(0);
    expect(whileRunning.some((offer) => volumesIn(offer).size > 0), 'no offer holds the volume in use').toBe(false);
    expect(whileRunning.some((offer) => reservedDiskIn(offer) === 512), 'the rest of the reservation is offered').toBe(true);

    finishTask(agent, framework, 't1');
    h.advance(1_000);
    const after = framework.currentOffers();
    expect(after.map((offer) => [...volumesIn(offer)]).flat()).toEqual([['pv-1', 512]]);
    expect(after.every((offer) => offer.allocation_info?.role === 'eng')).toBe(true);
  });

  it('offers reserved resources only to the role and its sub-roles', () => {
    const setup = storageSetup();
    const { h, framework } = setup;
    accept(framework, [onlyOffer(framework).id.value], [reserve([disk1024, reserved(scalar('cpus', 1))])]);
    expect(framework.call({ type: 'TEARDOWN' } as never)?.status).toBe(202);
    h.settle();

    const other = h.subscribe({ roles: ['other'], capabilities: storageFrameworkCapabilities });
    const prefixed = h.subscribe({ roles: ['engineering'], capabilities: storageFrameworkCapabilities });
    h.advance(1_000);
    const strangers = [...other.eventsOf('OFFERS'), ...prefixed.eventsOf('OFFERS')].flatMap((e) => e.offers.offers);
    expect(strangers.length, 'the other roles are offered the unreserved resources').toBeGreaterThan(0);
    expect(strangers.flatMap(reservationRolesIn)).not.toContain('eng');

    const sub = h.subscribe({ roles: ['eng/sub'], capabilities: storageFrameworkCapabilities });
    h.advance(1_000);
    const offer = onlyOffer(sub);
    expect(offer.allocation_info?.role).toBe('eng/sub');
    expect(reservationRolesIn(offer)).toEqual(['eng']);
    expect(reservedDiskIn(offer)).toBe(1024);
  });
});

/**
 * Frameworks a and b of role eng (both SHARED_RESOURCES) each hold an offer
 * with the shared volume pv-1: a shared volume may sit in several offers at
 * once (spec 2.10). a created it and first ran a task on the rest of the
 * agent, so that b was offered what remained; once that task ended, a was
 * offered again, with its own copy of the volume.
 */
function sharedVolumeInTwoOffers(): StorageSetup & { b: SimFramework; offerA: WireOffer; offerB: WireOffer; shared: ReturnType<typeof volume> } {
  const setup = storageSetup();
  const { h, framework: a, agent } = setup;
  const shared = volume(512, 'pv-1', { shared: true });
  const b = h.subscribe({ roles: ['eng'], capabilities: storageFrameworkCapabilities, info: { principal } });
  const hold = task(agent, 'hold', [scalar('cpus', 2), scalar('mem', 2048)]);
  accept(a, [onlyOffer(a).id.value], [reserve([disk1024]), create([shared]), launch([hold])], 0);
  h.advance(1_000);
  finishTask(agent, a, 'hold');
  h.advance(1_000);
  const offerA = onlyOffer(a);
  const offerB = onlyOffer(b);
  expect(volumesIn(offerA).get('pv-1')).toBe(512);
  expect(volumesIn(offerB).get('pv-1')).toBe(512);
  return { ...setup, b, offerA, offerB, shared };
}

describe('master: storage ACCEPT: DESTROY of a shared volume', () => {
  it('destroys a shared volume offered to two frameworks: the agent is sent the DESTROY', () => {
    const { framework: a, agent, offerA, shared } = sharedVolumeInTwoOffers();
    accept(a, [offerA.id.value], [destroy([shared], 'op-destroy')]);
    expect(a.eventsOf('UPDATE_OPERATION_STATUS'), 'the DESTROY is not dropped').toEqual([]);
    expect(agent.appliedOperations().map((op) => op.operation_type)).toEqual(['RESERVE', 'CREATE', 'DESTROY']);
  });

  // Otherwise b would keep an offer with a volume that no longer exists, and could launch a task on it.
  it('rescinds the other frameworks\' outstanding offers holding the destroyed volume (spec 2.4)', () => {
    const { h, framework: a, b, agent, offerA, offerB, shared } = sharedVolumeInTwoOffers();
    accept(a, [offerA.id.value], [destroy([shared])]);
    expect(b.eventsOf('RESCIND').map((e) => e.rescind.offer_id.value)).toEqual([offerB.id.value]);
    expect(h.state.offers.has(offerB.id.value)).toBe(false);
    accept(b, [offerB.id.value], [launch([task(agent, 'late', [scalar('cpus', 0.1), shared])])]);
    expect(agent.received.filter((r) => r.type === 'RUN_TASK').map((r) => (r.type === 'RUN_TASK' ? r.run_task.task.task_id.value : ''))).toEqual(['hold']);
  });
});
