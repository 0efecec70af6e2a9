/**
 * The pipelining cheat-sheet of spec/storage.md 2.8, one row per test: each
 * sequence runs in a single ACCEPT through the harness, and the test checks
 * which tasks launched (RUN_TASK to the agent) or failed (TASK_ERROR to the
 * framework), which operations reached the agent (APPLY_OPERATION), which
 * were dropped (OPERATION_ERROR, for operations with an id), and what the
 * next offer holds.
 */
import { describe, expect, it } from 'vitest';
import type { WireOffer } from '../../../protocol/outputs.js';
import {
  accept,
  create,
  destroy,
  grow,
  launch,
  onlyOffer,
  reserve,
  reserved,
  reservedDiskIn,
  scalar,
  shrink,
  storageSetup,
  task,
  taskUpdates,
  unreserve,
  volume,
  volumesIn,
  type StorageSetup,
  type WireResource,
} from './testing/fixtures.js';

const cpus = scalar('cpus', 0.5);

function runTasks(setup: StorageSetup): string[] {
  return setup.agent.received.flatMap((r) => (r.type === 'RUN_TASK' ? [r.run_task.task.task_id.value] : []));
}

function appliedTypes(setup: StorageSetup): string[] {
  return setup.agent.appliedOperations().map((op) => op.operation_type);
}

function operationErrors(setup: StorageSetup): [string | undefined, string | undefined][] {
  return setup.framework
    .eventsOf('UPDATE_OPERATION_STATUS')
    .map((e) => e.update_operation_status.status)
    .filter((status) => status.state === 'OPERATION_ERROR')
    .map((status) => [status.operation_id?.value, status.message]);
}

/** The next offer after an ACCEPT: its converted resources come back without a filter. */
function nextOffer(setup: StorageSetup): WireOffer {
  setup.h.advance(1_000);
  return onlyOffer(setup.framework);
}

/** A setup whose framework holds an offer with disk:1024 reserved for eng, 512 of it the volume pv-1. */
function withVolume(pv: WireResource): { setup: StorageSetup; offer: WireOffer } {
  const setup = storageSetup();
  accept(setup.framework, [onlyOffer(setup.framework).id.value], [reserve([reserved(scalar('disk', 1024))]), create([pv])]);
  const offer = nextOffer(setup);
  expect([...volumesIn(offer)]).toEqual([['pv-1', 512]]);
  return { setup, offer };
}

describe('master: storage ACCEPT: pipelining (spec 2.8)', () => {
  it('CREATE of a shared volume, then two LAUNCHes using it: both tasks launch', () => {
    const setup = storageSetup();
    const { framework, agent } = setup;
    const shared = volume(512, 'pv-1', { shared: true });
    accept(framework, [onlyOffer(framework).id.value], [
      reserve([reserved(scalar('disk', 1024))]),
      create([shared]),
      launch([task(agent, 't1', [cpus, shared])]),
      launch([task(agent, 't2', [cpus, shared])]),
    ]);
    expect(taskUpdates(framework)).toEqual([]);
    expect(runTasks(setup)).toEqual(['t1', 't2']);
  });

  it('CREATE of a non-shared volume, then two LAUNCHes using it: the second gets TASK_ERROR', () => {
    const setup = storageSetup();
    const { framework, agent } = setup;
    const pv = volume(512, 'pv-1');
    accept(framework, [onlyOffer(framework).id.value], [
      reserve([reserved(scalar('disk', 1024))]),
      create([pv]),
      launch([task(agent, 't1', [cpus, pv])]),
      launch([task(agent, 't2', [cpus, pv])]),
    ]);
    expect(runTasks(setup)).toEqual(['t1']);
    const updates = taskUpdates(framework);
    expect(updates.map(([id, state]) => [id, state])).toEqual([['t2', 'TASK_ERROR']]);
    expect(updates[0]?.[2]).toContain('is more than available');
  });

  it('DESTROY, then UNRESERVE of the freed disk: both succeed and the next offer holds plain unreserved disk', () => {
    const pv = volume(512, 'pv-1');
    const { setup, offer } = withVolume(pv);
    const { h, framework, agent } = setup;
    accept(framework, [offer.id.value], [destroy([pv], 'op-destroy'), unreserve([reserved(scalar('disk', 1024))], 'op-unreserve')]);
    expect(operationErrors(setup)).toEqual([]);
    expect(appliedTypes(setup)).toEqual(['RESERVE', 'CREATE', 'DESTROY', 'UNRESERVE']);
    expect(agent.checkpointedAfterOperations()[3], 'nothing is left to checkpoint').toEqual([]);
    expect(h.state.agents.get(agent.id ?? '')?.totalResources.toString()).toBe('cpus:4; mem:4096; disk:4096');
    const next = nextOffer(setup);
    expect(volumesIn(next).size).toBe(0);
    expect(reservedDiskIn(next)).toBe(0);
  });

  it('CREATE, GROW_VOLUME, then LAUNCHes of the original and the grown volume: both tasks fail, the next offer shows the grown volume', () => {
    const setup = storageSetup();
    const { framework, agent } = setup;
    const pv = volume(512, 'pv-1');
    accept(framework, [onlyOffer(framework).id.value], [
      reserve([reserved(scalar('disk', 2048))]),
      create([pv]),
      grow(pv, reserved(scalar('disk', 512)), 'op-grow'),
      launch([task(agent, 'original', [cpus, pv])]),
      launch([task(agent, 'grown', [cpus, volume(1024, 'pv-1')])]),
    ]);
    expect(operationErrors(setup)).toEqual([]);
    expect(appliedTypes(setup)).toEqual(['RESERVE', 'CREATE', 'GROW_VOLUME']);
    expect(taskUpdates(framework).map(([id, state]) => [id, state])).toEqual([
      ['original', 'TASK_ERROR'],
      ['grown', 'TASK_ERROR'],
    ]);
    expect(runTasks(setup)).toEqual([]);
    for (const [, , message] of taskUpdates(framework)) expect(message).toContain('is more than available');
    const next = nextOffer(setup);
    expect([...volumesIn(next)]).toEqual([['pv-1', 1024]]);
    expect(reservedDiskIn(next)).toBe(1024);
  });

  it('CREATE, SHRINK_VOLUME, then a LAUNCH of the volume: the task fails, the next offer shows the shrunk volume and the freed disk', () => {
    const setup = storageSetup();
    const { framework, agent } = setup;
    const pv = volume(512, 'pv-1');
    accept(framework, [onlyOffer(framework).id.value], [
      reserve([reserved(scalar('disk', 1024))]),
      create([pv]),
      shrink(pv, 256, 'op-shrink'),
      launch([task(agent, 't1', [cpus, volume(256, 'pv-1')])]),
    ]);
    expect(operationErrors(setup)).toEqual([]);
    expect(appliedTypes(setup)).toEqual(['RESERVE', 'CREATE', 'SHRINK_VOLUME']);
    expect(taskUpdates(framework).map(([id, state]) => [id, state])).toEqual([['t1', 'TASK_ERROR']]);
    const next = nextOffer(setup);
    expect([...volumesIn(next)]).toEqual([['pv-1', 256]]);
    expect(reservedDiskIn(next)).toBe(768);
  });

  it('RESERVE too large, then a LAUNCH using the reservation: the reserve is dropped and the task gets TASK_ERROR', () => {
    const setup = storageSetup();
    const { framework, agent } = setup;
    accept(framework, [onlyOffer(framework).id.value], [
      reserve([reserved(scalar('disk', 8192))], 'op-too-large'),
      launch([task(agent, 't1', [cpus, reserved(scalar('disk', 8192))])]),
    ]);
    expect(appliedTypes(setup)).toEqual([]);
    const errors = operationErrors(setup);
    expect(errors.map(([id]) => id)).toEqual(['op-too-large']);
    expect(errors[0]?.[1]).toContain('does not contain');
    expect(taskUpdates(framework).map(([id, state]) => [id, state])).toEqual([['t1', 'TASK_ERROR']]);
    expect(taskUpdates(framework)[0]?.[2]).toContain('is more than available');
  });

  it('RESERVE for a role the framework is not in, then a LAUNCH using it: the reserve is dropped and the task gets TASK_ERROR', () => {
    const setup = storageSetup();
    const { framework, agent } = setup;
    accept(framework, [onlyOffer(framework).id.value], [
      reserve([reserved(scalar('disk', 1024), 'other')], 'op-wrong-role'),
      launch([task(agent, 't1', [cpus, reserved(scalar('disk', 1024), 'other')])]),
    ]);
    expect(appliedTypes(setup)).toEqual([]);
    expect(operationErrors(setup).map(([id]) => id)).toEqual(['op-wrong-role']);
    expect(taskUpdates(framework).map(([id, state]) => [id, state])).toEqual([['t1', 'TASK_ERROR']]);
  });

  it('a failing operation rolls back none before it, and the ones after it still run', () => {
    const setup = storageSetup();
    const { h, framework, agent } = setup;
    accept(framework, [onlyOffer(framework).id.value], [
      reserve([reserved(scalar('disk', 1024))], 'op-reserve'),
      create([volume(2048, 'pv-big')], 'op-create-big'),
      create([volume(512, 'pv-1')], 'op-create'),
      launch([task(agent, 't1', [cpus, volume(512, 'pv-1')])]),
    ]);
    expect(operationErrors(setup).map(([id]) => id)).toEqual(['op-create-big']);
    expect(agent.appliedOperations().map((op) => [op.operation_type, op.operation_id?.value])).toEqual([
      ['RESERVE', 'op-reserve'],
      ['CREATE', 'op-create'],
    ]);
    expect(runTasks(setup)).toEqual(['t1']);
    const total = h.state.agents.get(agent.id ?? '')?.totalResources;
    expect(total?.persistentVolumes().toList().map((r) => r.disk?.persistence?.id)).toEqual(['pv-1']);
  });
});
