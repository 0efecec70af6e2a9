/**
 * A persistent volume written by one task and read back by the next, for the
 * restart and fail-over tests: a framework of role `eng` reserves disk and
 * creates volume `pv-1` in one ACCEPT with operation feedback, and its task
 * writes `data/table.db`; later a task on the volume offered again reads it.
 * As in helpers.ts, the helpers build, send and wait; what they check is the
 * data the tests are about.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FrameworkInfo, OfferOperation } from '../../src/protocol/mesos.js';
import type { WireOffer } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import type { ProcessHandle } from '../support/cluster.js';
import { storageFrameworkInfo } from './helpers.js';
import { nextOperationStatus, offerWith, operation } from './operation-feedback.js';
import { readSandboxFile, scalar, untilState, updatesUntil } from './task-helpers.js';

export const agentFlags = ['--registration_backoff_factor=10ms', '--resources=cpus:2;mem:1024;disk:1024;ports:[31000-31100]'];
export const role = 'eng';
export const principal = 'db-operator';

export function storageFramework(): FrameworkInfo {
  return storageFrameworkInfo('volumes-e2e', { role, principal, failoverTimeoutSeconds: 3600 });
}

export function reserved(name: string, value: number): Record<string, unknown> {
  return { ...scalar(name, value), reservations: [{ type: 'DYNAMIC', role, principal }] };
}

export function volume(id: string, megabytes: number, containerPath = 'data', mode: 'RW' | 'RO' = 'RW'): Record<string, unknown> {
  return { ...reserved('disk', megabytes), disk: { persistence: { id, principal }, volume: { container_path: containerPath, mode } } };
}

export function task(offer: WireOffer, taskId: string, command: string, resources: Record<string, unknown>[]): Record<string, unknown> {
  return { name: taskId, task_id: { value: taskId }, agent_id: offer.agent_id, command: { value: command }, resources };
}

export function persistenceIds(offer: WireOffer): string[] {
  return (offer.resources as { disk?: { persistence?: { id: string } } }[]).flatMap((r) => (r.disk?.persistence ? [r.disk.persistence.id] : []));
}

export function volumeDirectory(agent: ProcessHandle, id: string): string {
  return join(agent.workDir, 'volumes', 'roles', role, id);
}

/** Reserve, create and write in one ACCEPT; returns the framework id and agent id. */
export async function createAndWrite(session: SchedulerSession, agent: ProcessHandle): Promise<{ agentId: string }> {
  const offer = await offerWith(session, () => true);
  const reservation = [reserved('cpus', 0.5), reserved('mem', 128), reserved('disk', 256)];
  const answer = await session.accept(
    [offer.id],
    [
      operation('RESERVE', { reserve: { resources: reservation } }, 'reserve-1'),
      operation('CREATE', { create: { volumes: [volume('pv-1', 256)] } }, 'create-1'),
      { type: 'LAUNCH', launch: { task_infos: [task(offer, 'writer', 'echo "rows written before the restart" > data/table.db', [reserved('cpus', 0.5), reserved('mem', 128), volume('pv-1', 256)])] } } as unknown as OfferOperation,
    ],
    { refuse_seconds: 0 },
  );
  expect(answer.status).toBe(202);
  const statuses = [await nextOperationStatus(session), await nextOperationStatus(session)];
  expect(statuses.map((s) => [s.operation_id?.value, s.state])).toEqual([
    ['reserve-1', 'OPERATION_FINISHED'],
    ['create-1', 'OPERATION_FINISHED'],
  ]);
  await untilState(session, 'writer', 'TASK_FINISHED');
  expect(readFileSync(join(volumeDirectory(agent, 'pv-1'), 'table.db'), 'utf8')).toBe('rows written before the restart\n');
  // The task saw the volume in its sandbox; once it ended, nothing of it is mounted on the host.
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(volumeDirectory(agent, 'pv-1'));
  return { agentId: offer.agent_id.value };
}

/**
 * A second task on the volume offered again reads what the first one wrote.
 * An offer made before a restart may still be queued when the test reads it
 * (its RESCIND behind it): a launch on it is lost with REASON_INVALID_OFFERS,
 * and the framework takes the next offer, as any framework would.
 */
export async function readBack(session: SchedulerSession, agentUrl: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const offer = await offerWith(session, (candidate) => persistenceIds(candidate).includes('pv-1'), 20_000);
    const taskId = `reader-${attempt}`;
    await session.accept(
      [offer.id],
      [{ type: 'LAUNCH', launch: { task_infos: [task(offer, taskId, 'cat data/table.db', [reserved('cpus', 0.5), reserved('mem', 128), volume('pv-1', 256)])] } } as unknown as OfferOperation],
      { refuse_seconds: 0 },
    );
    const [end] = (await updatesUntil(session, taskId)).slice(-1);
    if (end?.reason === 'REASON_INVALID_OFFERS' && attempt < 3) continue;
    expect(end?.state).toBe('TASK_FINISHED');
    expect(await readSandboxFile(agentUrl, session.frameworkId, taskId, 'stdout')).toContain('rows written before the restart');
    return;
  }
}
