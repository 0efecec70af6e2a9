/**
 * Persistent volumes end to end (issue 4, spec/storage.md 2, 3, 7): a
 * framework of role `eng` reserves disk and creates a volume in one ACCEPT,
 * with operation feedback; a task writes a file into the volume and finishes;
 * the agent (in the second run the master instead) is killed and started
 * again; the volume is offered again to the role and a second task reads the
 * file. Bad operations are dropped with their rule's text and leave the
 * agent's disk alone. DESTROY deletes the data.
 *
 * Method: real master and agent processes (test/support/cluster.ts); the
 * framework drives the scheduler API over HTTP; the volume's directory is
 * looked at on the agent's disk.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestAgentLink } from '../../src/agent/paths.js';
import { freePort, startAgent, startMaster, useCluster } from '../support/cluster.js';
import { fastMasterFlags, useSessions, waitForActiveAgents } from './helpers.js';
import { nextOperationStatus, offerWith, operation } from './operation-feedback.js';
import { agentFlags, createAndWrite, persistenceIds, readBack, reserved, role, storageFramework, volume, volumeDirectory } from './volume-helpers.js';

useCluster();

const { open } = useSessions();

describe('persistent volumes: data survives restarts', () => {
  it('a file written into a volume is read by the next task after the agent is killed and started again', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, { flags: agentFlags });
    await waitForActiveAgents(master.url, 1);
    const session = await open(master.url, storageFramework());
    await createAndWrite(session, agent);

    agent.kill('SIGKILL');
    await agent.exited;
    const restarted = await agent.restart();

    await readBack(session, restarted.url);
  });

  it('a file written into a volume is read by the next task after the master is killed and started again', async () => {
    const port = await freePort();
    const master = await startMaster({ flags: [...fastMasterFlags, `--port=${port}`] });
    const agent = await startAgent(master.url, { flags: agentFlags });
    await waitForActiveAgents(master.url, 1);
    const info = storageFramework();
    const before = await open(master.url, info);
    await createAndWrite(before, agent);

    master.kill('SIGKILL');
    await master.exited;
    const restarted = await master.restart();
    await waitForActiveAgents(restarted.url, 1, 15_000);
    const after = await open(restarted.url, { ...info, id: { value: before.frameworkId } });

    await readBack(after, agent.url);
  });
});

describe('persistent volumes: a new agent id', () => {
  it('keeps the volume and its data when the agent comes back under a new id (as after a reboot that lost its id), and offers it again', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, { flags: agentFlags });
    await waitForActiveAgents(master.url, 1);
    const session = await open(master.url, storageFramework());
    const { agentId } = await createAndWrite(session, agent);

    agent.kill('SIGKILL');
    await agent.exited;
    // The agent's record of its id is gone; its reservations and volumes live apart, under meta/resources.
    rmSync(latestAgentLink(agent.workDir), { force: true });
    const restarted = await agent.restart();

    const offer = await offerWith(session, (candidate) => persistenceIds(candidate).includes('pv-1') && candidate.agent_id.value !== agentId, 20_000);
    expect(offer.agent_id.value).not.toBe(agentId);
    expect(readFileSync(join(volumeDirectory(agent, 'pv-1'), 'table.db'), 'utf8')).toBe('rows written before the restart\n');
    await session.decline([offer.id], { refuse_seconds: 0 });
    await readBack(session, restarted.url);
  });
});

describe('persistent volumes: operations', () => {
  it('drops a CREATE whose persistence id is ".." with the rule, and makes nothing on the agent', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, { flags: agentFlags });
    await waitForActiveAgents(master.url, 1);
    const session = await open(master.url, storageFramework());
    const offer = await offerWith(session, () => true);

    await session.accept(
      [offer.id],
      [
        operation('RESERVE', { reserve: { resources: [reserved('disk', 64)] } }, 'reserve'),
        operation('CREATE', { create: { volumes: [volume('..', 64)] } }, 'bad-create'),
      ],
      { refuse_seconds: 0 },
    );
    const statuses = [await nextOperationStatus(session), await nextOperationStatus(session)];

    const bad = statuses.find((s) => s.operation_id?.value === 'bad-create');
    expect(bad?.state).toBe('OPERATION_ERROR');
    expect(bad?.message).toMatch(/persistence.*'\.\.'|\.\./);
    expect(statuses.find((s) => s.operation_id?.value === 'reserve')?.state).toBe('OPERATION_FINISHED');
    expect(existsSync(join(agent.workDir, 'volumes')) ? readdirSync(join(agent.workDir, 'volumes', 'roles', role)) : []).toEqual([]);
  });

  it('DESTROY deletes the volume\'s data and UNRESERVE gives the disk back to every role', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, { flags: agentFlags });
    await waitForActiveAgents(master.url, 1);
    const session = await open(master.url, storageFramework());
    await createAndWrite(session, agent);

    const offer = await offerWith(session, (candidate) => persistenceIds(candidate).includes('pv-1'), 20_000);
    await session.accept(
      [offer.id],
      [
        operation('DESTROY', { destroy: { volumes: [volume('pv-1', 256)] } }, 'destroy-1'),
        operation('UNRESERVE', { unreserve: { resources: [reserved('cpus', 0.5), reserved('mem', 128), reserved('disk', 256)] } }, 'unreserve-1'),
      ],
      { refuse_seconds: 0 },
    );
    const statuses = [await nextOperationStatus(session), await nextOperationStatus(session)];

    expect(statuses.map((s) => [s.operation_id?.value, s.state])).toEqual([
      ['destroy-1', 'OPERATION_FINISHED'],
      ['unreserve-1', 'OPERATION_FINISHED'],
    ]);
    expect(existsSync(volumeDirectory(agent, 'pv-1'))).toBe(false);
    const unreserved = await offerWith(session, (candidate) =>
      (candidate.resources as { name: string; reservations?: unknown[]; scalar?: { value: number } }[]).some(
        (r) => r.name === 'disk' && (r.reservations ?? []).length === 0 && (r.scalar?.value ?? 0) === 1024,
      ),
    );
    expect(persistenceIds(unreserved)).toEqual([]);
  });
});
