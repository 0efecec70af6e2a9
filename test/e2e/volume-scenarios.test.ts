/**
 * Starred scenarios of spec/storage.md section 7 not covered elsewhere, with
 * real master and agent processes: GrowVolume (39: a grown volume keeps its
 * data and is offered whole), SharedPersistentVolumeMultipleFrameworks (46:
 * two frameworks of one role run tasks on one shared volume at once, its disk
 * counted once) and VolumeSlaveRecovery (33: a task using a volume keeps it
 * across an agent restart, where /files still shows it, and a kill afterwards
 * ends it TASK_KILLED).
 * Method: frameworks drive the scheduler API over HTTP; the master's metrics
 * and the agent's disk are read directly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FrameworkInfo, OfferOperation } from '../../src/protocol/mesos.js';
import type { WireOffer } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { startAgent, startMaster, useCluster, waitFor, type ProcessHandle } from '../support/cluster.js';
import { fastMasterFlags, metric, storageFrameworkInfo, useSessions, waitForActiveAgents } from './helpers.js';
import { offerWith, operation, operationStates } from './operation-feedback.js';
import { scalar, untilState, updatesUntil, waitForSandboxText } from './task-helpers.js';

useCluster();

const { open } = useSessions();

const role = 'db';
const principal = 'db-operator';
const agentFlags = ['--registration_backoff_factor=10ms', '--resources=cpus:4;mem:2048;disk:2048;ports:[31000-31100]'];

function framework(name: string, capabilities: readonly string[] = []): FrameworkInfo {
  return storageFrameworkInfo(name, { role, principal, capabilities, failoverTimeoutSeconds: 3600 });
}

function reserved(name: string, value: number): Record<string, unknown> {
  return { ...scalar(name, value), reservations: [{ type: 'DYNAMIC', role, principal }] };
}

function volume(id: string, megabytes: number, shared = false): Record<string, unknown> {
  return {
    ...reserved('disk', megabytes),
    disk: { persistence: { id, principal }, volume: { container_path: 'data', mode: 'RW' } },
    ...(shared ? { shared: {} } : {}),
  };
}

function launch(offer: WireOffer, taskId: string, command: string, resources: Record<string, unknown>[]): OfferOperation {
  const task = { name: taskId, task_id: { value: taskId }, agent_id: offer.agent_id, command: { value: command }, resources };
  return { type: 'LAUNCH', launch: { task_infos: [task] } } as unknown as OfferOperation;
}

/** The persistent volumes of an offer, as id → size. */
function volumesIn(offer: WireOffer): Map<string, number> {
  const found = new Map<string, number>();
  for (const resource of offer.resources as { disk?: { persistence?: { id: string } }; scalar?: { value: number } }[]) {
    if (resource.disk?.persistence !== undefined) found.set(resource.disk.persistence.id, resource.scalar?.value ?? 0);
  }
  return found;
}

/** Plain disk reserved for the role in an offer (no volume). */
function reservedDiskIn(offer: WireOffer): number {
  return (offer.resources as { name: string; reservations?: unknown[]; disk?: unknown; scalar?: { value: number } }[])
    .filter((r) => r.name === 'disk' && (r.reservations ?? []).length > 0 && r.disk === undefined)
    .reduce((sum, r) => sum + (r.scalar?.value ?? 0), 0);
}

/**
 * Declines, for an hour, every offer the (suppressed) framework holds: it got
 * what it left back with the volume, as any framework would, and another
 * framework needs cpus and mem to be offered the shared volume at all.
 */
async function declineHeldOffers(session: SchedulerSession): Promise<void> {
  for (;;) {
    let held: WireOffer[];
    try {
      held = (await session.nextEvent('OFFERS', 1_000)).offers.offers;
    } catch {
      return;
    }
    await session.decline(held.map((offer) => offer.id), { refuse_seconds: 3600 });
  }
}

async function cluster(): Promise<{ master: ProcessHandle; agent: ProcessHandle }> {
  const master = await startMaster({ flags: fastMasterFlags });
  const agent = await startAgent(master.url, { flags: agentFlags });
  await waitForActiveAgents(master.url, 1);
  return { master, agent };
}

describe('persistent volumes: scenarios of spec/storage.md 7', () => {
  it('39 GrowVolume: the grown volume keeps its data and is offered as one volume of the summed size', async () => {
    const { master, agent } = await cluster();
    const session = await open(master.url, framework('grow'));
    const offer = await offerWith(session, () => true);
    await session.accept(
      [offer.id],
      [
        operation('RESERVE', { reserve: { resources: [reserved('cpus', 0.5), reserved('mem', 64), reserved('disk', 512)] } }, 'reserve'),
        operation('CREATE', { create: { volumes: [volume('pv-grow', 256)] } }, 'create'),
        launch(offer, 'writer', 'echo abc > data/file', [reserved('cpus', 0.5), reserved('mem', 64), volume('pv-grow', 256)]),
      ],
      { refuse_seconds: 0 },
    );
    expect(await operationStates(session, 2)).toEqual([
      ['reserve', 'OPERATION_FINISHED', undefined],
      ['create', 'OPERATION_FINISHED', undefined],
    ]);
    await untilState(session, 'writer', 'TASK_FINISHED');

    const before = await offerWith(session, (candidate) => volumesIn(candidate).get('pv-grow') === 256 && reservedDiskIn(candidate) === 256);
    await session.accept(
      [before.id],
      [operation('GROW_VOLUME', { grow_volume: { volume: volume('pv-grow', 256), addition: reserved('disk', 256) } }, 'grow')],
      { refuse_seconds: 0 },
    );
    expect(await operationStates(session, 1)).toEqual([['grow', 'OPERATION_FINISHED', undefined]]);

    const after = await offerWith(session, (candidate) => volumesIn(candidate).has('pv-grow'));
    expect(volumesIn(after).get('pv-grow')).toBe(512);
    expect(reservedDiskIn(after)).toBe(0);
    await session.accept(
      [after.id],
      [launch(after, 'reader', 'test "$(cat data/file)" = abc', [reserved('cpus', 0.5), reserved('mem', 64), volume('pv-grow', 512)])],
      { refuse_seconds: 0 },
    );
    await untilState(session, 'reader', 'TASK_FINISHED');
    expect(readFileSync(join(agent.workDir, 'volumes', 'roles', role, 'pv-grow', 'file'), 'utf8')).toBe('abc\n');
  });

  it('46 SharedPersistentVolumeMultipleFrameworks: two frameworks of the role use one shared volume at once, its disk counted once', async () => {
    const { master, agent } = await cluster();
    const first = await open(master.url, framework('shared-1', ['SHARED_RESOURCES']));
    const offer = await offerWith(first, () => true);
    await first.accept(
      [offer.id],
      [
        operation('RESERVE', { reserve: { resources: [reserved('disk', 1024)] } }, 'reserve'),
        operation('CREATE', { create: { volumes: [volume('pv-shared', 1024, true)] } }, 'create'),
        launch(offer, 't1', 'echo task1 > data/file1 && exec sleep 1000', [scalar('cpus', 0.5), scalar('mem', 64), volume('pv-shared', 1024, true)]),
      ],
      { refuse_seconds: 0 },
    );
    await operationStates(first, 2);
    await untilState(first, 't1', 'TASK_RUNNING');
    await first.suppress();
    await declineHeldOffers(first);

    const second = await open(master.url, framework('shared-2', ['SHARED_RESOURCES']));
    const shared = await offerWith(second, (candidate) => volumesIn(candidate).has('pv-shared'));
    await second.accept(
      [shared.id],
      [launch(shared, 't2', 'echo task2 > data/file2 && exec sleep 1000', [scalar('cpus', 0.5), scalar('mem', 64), volume('pv-shared', 1024, true)])],
      { refuse_seconds: 0 },
    );
    await untilState(second, 't2', 'TASK_RUNNING');

    const directory = join(agent.workDir, 'volumes', 'roles', role, 'pv-shared');
    await waitFor(() => {
      try {
        return readFileSync(join(directory, 'file1'), 'utf8') === 'task1\n' && readFileSync(join(directory, 'file2'), 'utf8') === 'task2\n';
      } catch {
        return false;
      }
    }, { message: 'both tasks to write into the shared volume' });
    expect(await metric(master.url, 'master/disk_used')).toBe(1024);
    expect(await metric(master.url, 'master/cpus_used')).toBe(1);
  });

  it('33 VolumeSlaveRecovery: a task using a volume keeps it across an agent restart; a kill then ends it TASK_KILLED', async () => {
    const { master, agent } = await cluster();
    const session = await open(master.url, framework('recovery'));
    const offer = await offerWith(session, () => true);
    await session.accept(
      [offer.id],
      [
        operation('RESERVE', { reserve: { resources: [reserved('disk', 128)] } }, 'reserve'),
        operation('CREATE', { create: { volumes: [volume('pv-live', 128)] } }, 'create'),
        launch(offer, 'looper', 'i=0; while test -d data && i=$((i+1)) && echo $i > data/next && mv data/next data/beat; do sleep 0.1; done; exit 1', [scalar('cpus', 0.5), scalar('mem', 64), volume('pv-live', 128)]),
      ],
      { refuse_seconds: 0 },
    );
    await operationStates(session, 2);
    const running = await untilState(session, 'looper', 'TASK_RUNNING');
    expect(running.state).toBe('TASK_RUNNING');

    // TASK_RUNNING comes as the command starts, before its first heartbeat (a count of the checks it made).
    const before = Number(await waitForSandboxText(agent.url, session.frameworkId, 'looper', 'data/beat', /^\d+\n$/));

    agent.kill('SIGKILL');
    await agent.exited;
    const restarted = await agent.restart();
    await waitFor(async () => (await metric(master.url, 'master/slave_reregistrations')) >= 1, { message: 'the agent to re-register' });
    // The task still sees its volume: it would exit 1 (TASK_FAILED) the moment data/ vanished. It has
    // checked ten more times since the restart, as /files shows (the volume where the task sees it).
    // (It replaces data/beat by a rename, so that a read never sees it half written.)
    await waitFor(async () => Number(await waitForSandboxText(restarted.url, session.frameworkId, 'looper', 'data/beat', /^\d+\n$/)) > before + 10, {
      message: 'the task to keep checking its volume after the restart',
    });

    expect((await session.kill({ value: 'looper' })).status).toBe(202);
    // A TASK_RUNNING whose acknowledgement the killed agent missed may come again first.
    const seen = await updatesUntil(session, 'looper');
    expect(seen.map((status) => status.state).filter((state) => state !== 'TASK_RUNNING')).toEqual(['TASK_KILLED']);
  });
});
