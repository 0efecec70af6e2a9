/**
 * Task validation of the volumes a LAUNCH uses (spec/storage.md 2.7; berth
 * refuses a container_path that is not one relative path component, where
 * Mesos skips the volume on the agent, spec 3.4 and 8). Each test reserves
 * disk and creates pv-1 in an ACCEPT, then launches a task naming the volume
 * in the same ACCEPT (container_path does not take part in matching, 1.7),
 * and reads the TASK_ERROR the framework gets and that no RUN_TASK was sent.
 */
import { describe, expect, it } from 'vitest';
import {
  accept,
  create,
  launch,
  onlyOffer,
  reserve,
  reserved,
  scalar,
  storageSetup,
  task,
  taskUpdates,
  volume,
  type WireResource,
} from './testing/fixtures.js';

/** RESERVE, CREATE pv-1 (container_path "data"), then LAUNCH t1 with `taskVolumes`; returns the setup. */
function launchWithVolumes(taskVolumes: WireResource[]) {
  const setup = storageSetup();
  const { framework, agent } = setup;
  accept(framework, [onlyOffer(framework).id.value], [
    reserve([reserved(scalar('disk', 1024))]),
    create([volume(512, 'pv-1')]),
    launch([task(agent, 't1', [scalar('cpus', 1), ...taskVolumes])]),
  ]);
  return setup;
}

describe('master: LAUNCH with volumes: validation', () => {
  it('launches a task naming the volume with another relative container_path (it does not take part in matching)', () => {
    const { framework, agent } = launchWithVolumes([volume(512, 'pv-1', { containerPath: 'elsewhere' })]);
    expect(taskUpdates(framework)).toEqual([]);
    expect(agent.received.filter((r) => r.type === 'RUN_TASK')).toHaveLength(1);
  });

  it.each([
    ['absolute', '/data'],
    ['nested', 'a/b'],
    ['parent', '..'],
    ['current', '.'],
    ['empty', ''],
  ])('answers TASK_ERROR naming disk.volume.container_path for an %s container_path (%j)', (_kind, containerPath) => {
    const { framework, agent } = launchWithVolumes([volume(512, 'pv-1', { containerPath })]);
    const updates = taskUpdates(framework);
    expect(updates.map(([id, state]) => [id, state])).toEqual([['t1', 'TASK_ERROR']]);
    expect(updates[0]?.[2]).toContain("'disk.volume.container_path'");
    expect(updates[0]?.[2]).toContain('pv-1');
    expect(framework.eventsOf('UPDATE')[0]?.update.status).toMatchObject({ reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER' });
    expect(agent.received.filter((r) => r.type === 'RUN_TASK')).toEqual([]);
  });

  it('answers TASK_ERROR for a task naming the same persistence id twice', () => {
    const { framework, agent } = launchWithVolumes([volume(512, 'pv-1'), volume(512, 'pv-1', { containerPath: 'again' })]);
    const updates = taskUpdates(framework);
    expect(updates.map(([id, state]) => [id, state])).toEqual([['t1', 'TASK_ERROR']]);
    expect(updates[0]?.[2]).toContain('Task uses duplicate persistence ID');
    expect(updates[0]?.[2]).toContain('pv-1');
    expect(agent.received.filter((r) => r.type === 'RUN_TASK')).toEqual([]);
  });
});
