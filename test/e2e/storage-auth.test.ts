/**
 * Who may reserve and make volumes (issue 4 point 9, spec/storage.md 5.1 step
 * 0, 6): operators authenticate with HTTP Basic (--credentials,
 * --authenticate_http_readwrite); --acls decides the storage actions for
 * operators and frameworks alike; a denied operator gets 403 with an empty
 * body, a denied framework operation is dropped with the authorizer's text.
 * DESTROY is decided by the principal that created the volume; view_frameworks
 * leaves out what a principal may not view, and view_flags refuses the flags.
 * Method: a real master and agent; form posts and scheduler calls over HTTP.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { FrameworkInfo, OfferOperation } from '../../src/protocol/mesos.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { testRoot } from '../support/test-root.js';
import { fastMasterFlags, subscribeFramework, useSessions, waitForActiveAgents } from './helpers.js';
import { nextOperationStatus, offerWith, operation } from './operation-feedback.js';
import { postForm } from './operator-storage-helpers.js';
import { scalar } from './task-helpers.js';

useCluster();

const { transport, sessions } = useSessions();

const acls = {
  permissive: false,
  // Not permissive: frameworks need leave to register and to run tasks, as on a Mesos master.
  register_frameworks: [{ principals: { type: 'ANY' }, roles: { type: 'ANY' } }],
  run_tasks: [{ principals: { type: 'ANY' }, users: { type: 'ANY' } }],
  reserve_resources: [{ principals: { values: ['ops', 'fw-allowed'] }, roles: { type: 'ANY' } }],
  unreserve_resources: [{ principals: { values: ['ops'] }, reserver_principals: { type: 'ANY' } }],
  create_volumes: [{ principals: { values: ['ops', 'eve'] }, roles: { type: 'ANY' } }],
  // Only volumes created by ops may be destroyed, by anyone.
  destroy_volumes: [{ principals: { type: 'ANY' }, creator_principals: { values: ['ops'] } }],
  // Only ops may view frameworks (of user root); others are shown none.
  view_frameworks: [{ principals: { values: ['ops'] }, users: { values: ['root'] } }],
  view_flags: [{ principals: { values: ['ops'] }, flags: { type: 'ANY' } }],
};

async function securedCluster(): Promise<{ masterUrl: string; agentId: string }> {
  const directory = mkdtempSync(join(testRoot(), 'storage-auth-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  const credentials = join(directory, 'credentials.json');
  writeFileSync(credentials, JSON.stringify({ credentials: [{ principal: 'ops', secret: 's3cret' }, { principal: 'eve', secret: 'pw' }] }));
  const master = await startMaster({
    flags: [...fastMasterFlags, `--credentials=${credentials}`, '--authenticate_http_readwrite', `--acls=${JSON.stringify(acls)}`],
  });
  await startAgent(master.url, { flags: ['--registration_backoff_factor=10ms', '--resources=cpus:4;mem:2048;disk:2048;ports:[31000-31100]'] });
  const [agent] = await waitForActiveAgents(master.url, 1);
  return { masterUrl: master.url, agentId: agent?.id ?? '' };
}

function reservedDisk(principal: string, megabytes = 256): Record<string, unknown> {
  return { ...scalar('disk', megabytes), reservations: [{ type: 'DYNAMIC', role: 'eng', principal }] };
}

function volume(id: string, principal: string): Record<string, unknown> {
  return { ...reservedDisk(principal), disk: { persistence: { id, principal }, volume: { container_path: 'data', mode: 'RW' } } };
}

function form(agentId: string, field: 'resources' | 'volumes', resources: object[]): string[] {
  return [`slaveId=${agentId}`, `${field}=${encodeURIComponent(JSON.stringify(resources))}`];
}

async function agentReserved(masterUrl: string): Promise<unknown[]> {
  const slaves = await fetchJson<{ slaves: { reserved_resources_full?: Record<string, unknown[]> }[] }>(`${masterUrl}/master/slaves`);
  return slaves.slaves[0]?.reserved_resources_full?.['eng'] ?? [];
}

describe('storage: authentication and authorization', () => {
  it('asks an operator for credentials, and lets only the principals the ACLs name reserve', async () => {
    const { masterUrl, agentId } = await securedCluster();
    const url = `${masterUrl}/master/reserve`;

    const anonymous = await postForm(url, form(agentId, 'resources', [reservedDisk('ops')]));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="mesos-master-readwrite"');
    expect((await postForm(url, form(agentId, 'resources', [reservedDisk('ops')]), 'ops:wrong')).status).toBe(401);
    // The router decodes %XX: an encoded path reaches the same endpoint, and must be asked for credentials too.
    expect((await postForm(`${masterUrl}/master/%72eserve`, form(agentId, 'resources', [reservedDisk('ops')]))).status).toBe(401);
    expect((await postForm(`${masterUrl}/master/%61pi/v1`, [])).status).toBe(401);
    // eve authenticates but may not reserve: 403, empty body.
    const denied = await postForm(url, form(agentId, 'resources', [reservedDisk('eve')]), 'eve:pw');
    expect([denied.status, denied.text]).toEqual([403, '']);
    // The reservation must name the authenticated principal (a validation error, 400).
    const impersonating = await postForm(url, form(agentId, 'resources', [reservedDisk('eve')]), 'ops:s3cret');
    expect(impersonating.status).toBe(400);
    expect(await agentReserved(masterUrl)).toEqual([]);

    const allowed = await postForm(url, form(agentId, 'resources', [reservedDisk('ops')]), 'ops:s3cret');
    expect(allowed.status).toBe(202);
    expect(await agentReserved(masterUrl)).toHaveLength(1);
    // Reading state stays open without --authenticate_http_readonly.
    expect((await fetchJson<{ slaves: unknown[] }>(`${masterUrl}/master/state`)).slaves).toHaveLength(1);
    // Mesos' maintenance endpoints are read-write, the status too: no credentials, 401.
    for (const [method, path] of [
      ['GET', 'master/maintenance/schedule'],
      ['POST', 'master/maintenance/schedule'],
      ['GET', 'maintenance/status'],
      ['POST', 'master/machine/down'],
      ['POST', 'machine/up'],
    ] as const) {
      const answer = await fetch(`${masterUrl}/${path}`, { method, ...(method === 'POST' && { body: '[]' }) });
      expect(answer.status, `${method} /${path}`).toBe(401);
    }
    const schedule = await fetch(`${masterUrl}/master/maintenance/schedule`, { headers: { authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` } });
    expect([schedule.status, await schedule.text()]).toEqual([200, '{}']);
  });

  it('authorizes DESTROY against the principal that created the volume, not the one asking', async () => {
    const { masterUrl, agentId } = await securedCluster();
    const reserve = (principal: string, user: string) =>
      postForm(`${masterUrl}/master/reserve`, form(agentId, 'resources', [reservedDisk(principal)]), user);
    expect((await reserve('ops', 'ops:s3cret')).status).toBe(202);
    expect((await postForm(`${masterUrl}/master/create-volumes`, form(agentId, 'volumes', [volume('by-ops', 'ops')]), 'ops:s3cret')).status).toBe(202);

    // eve may create (create_volumes) but a volume eve created cannot be destroyed by anyone.
    const createdByEve = volume('by-eve', 'eve');
    const other = await postForm(`${masterUrl}/master/reserve`, form(agentId, 'resources', [reservedDisk('ops')]), 'ops:s3cret');
    expect(other.status).toBe(202);
    const evesVolume = { ...createdByEve, reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }] };
    expect((await postForm(`${masterUrl}/master/create-volumes`, form(agentId, 'volumes', [evesVolume]), 'eve:pw')).status).toBe(202);

    const destroyEves = await postForm(`${masterUrl}/master/destroy-volumes`, form(agentId, 'volumes', [evesVolume]), 'ops:s3cret');
    expect([destroyEves.status, destroyEves.text]).toEqual([403, '']);
    const destroyOps = await postForm(`${masterUrl}/master/destroy-volumes`, form(agentId, 'volumes', [volume('by-ops', 'ops')]), 'eve:pw');
    expect(destroyOps.status).toBe(202);
  });

  it('drops a framework\'s RESERVE that the ACLs deny, with the authorizer\'s text, and applies one they allow', async () => {
    const { masterUrl } = await securedCluster();
    const open = async (principal: string): Promise<SchedulerSession> => {
      const info = { user: 'root', name: `acl-${principal}`, roles: ['eng'], principal, capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }] } as FrameworkInfo;
      const session = await subscribeFramework(masterUrl, info, { transport });
      sessions.push(session);
      return session;
    };
    const denied = await open('fw-denied');
    const offer = await offerWith(denied, () => true);
    await denied.accept([offer.id], [operation('RESERVE', { reserve: { resources: [reservedDisk('fw-denied')] } }, 'r-1')], { refuse_seconds: 0 });
    const refused = await nextOperationStatus(denied);
    expect([refused.state, refused.message]).toEqual(['OPERATION_ERROR', "Principal 'fw-denied' no authorized to reserve resources"]);
    await denied.close();

    const allowed = await open('fw-allowed');
    const next = await offerWith(allowed, () => true);
    await allowed.accept([next.id], [operation('RESERVE', { reserve: { resources: [reservedDisk('fw-allowed')] } }, 'r-2') as OfferOperation], { refuse_seconds: 0 });
    expect((await nextOperationStatus(allowed)).state).toBe('OPERATION_FINISHED');
    await waitFor(async () => (await agentReserved(masterUrl)).length === 1, { message: 'the reservation on the agent' });

    // view_frameworks: ops sees the framework, eve and an unauthenticated reader of /master/frameworks do not.
    const frameworksSeenBy = async (user: string): Promise<string[]> => {
      const answer = await fetch(`${masterUrl}/api/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Basic ${Buffer.from(user).toString('base64')}` },
        body: JSON.stringify({ type: 'GET_FRAMEWORKS' }),
      });
      const body = (await answer.json()) as { get_frameworks: { frameworks?: { framework_info: { name: string } }[] } };
      return (body.get_frameworks.frameworks ?? []).map((framework) => framework.framework_info.name);
    };
    expect(await frameworksSeenBy('ops:s3cret')).toEqual(['acl-fw-allowed']);
    expect(await frameworksSeenBy('eve:pw')).toEqual([]);
    expect((await fetchJson<{ frameworks: unknown[] }>(`${masterUrl}/master/frameworks`)).frameworks).toEqual([]);

    // view_flags: GET_FLAGS for ops only; /master/flags refused to an unauthenticated reader, and /master/state leaves them out.
    const flagsStatus = async (user: string): Promise<number> => {
      const answer = await fetch(`${masterUrl}/api/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Basic ${Buffer.from(user).toString('base64')}` },
        body: JSON.stringify({ type: 'GET_FLAGS' }),
      });
      await answer.body?.cancel();
      return answer.status;
    };
    expect(await flagsStatus('ops:s3cret')).toBe(200);
    expect(await flagsStatus('eve:pw')).toBe(403);
    expect((await fetch(`${masterUrl}/master/flags`)).status).toBe(403);
    expect(Object.keys(await fetchJson<Record<string, unknown>>(`${masterUrl}/master/state`))).not.toContain('flags');
  });
});
