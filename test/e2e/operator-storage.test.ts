/**
 * Operator storage endpoints end to end (spec/storage.md 5.1-5.3): the legacy
 * form endpoints /master/reserve, /master/unreserve, /master/create-volumes
 * and /master/destroy-volumes, and the v1 calls RESERVE_RESOURCES,
 * CREATE_VOLUMES, GROW_VOLUME, SHRINK_VOLUME, DESTROY_VOLUMES and
 * UNRESERVE_RESOURCES.
 *
 * Method: real master and agent processes (test/support/cluster.ts). The
 * curl recipes of Mesos' docs/reservation.md and docs/persistent-volume.md
 * (apache/mesos at c1b42f7) are kept word for word below and posted as curl
 * posts them, with only host, ids and principals filled in. A 202 changes the
 * master's view at once and reaches the agent asynchronously, so the agent's
 * /state and its volume directories are waited for. A refusal must change
 * nothing: after the refusals a last, valid reservation is sent, and once the
 * agent shows it (the master's messages to an agent arrive in order) the agent
 * must still hold exactly what it held before.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAgent, startMaster, useCluster, waitFor, type ProcessHandle } from '../support/cluster.js';
import { fastMasterFlags, frameworkInfo, subscribeFramework, useSessions, waitForActiveAgents } from './helpers.js';
import {
  agentReserved,
  fillRecipe,
  legacyReserved,
  legacyVolume,
  masterReserved,
  postForm,
  postOperator,
  postRecipe,
  storageAgentFlags,
  totalResources,
  withoutTrailingCommas,
} from './operator-storage-helpers.js';

useCluster();

const { transport, sessions } = useSessions();

// docs/reservation.md, "/reserve (since 0.25.0)".
const reserveRecipe = `
        $ curl -i \\
          -u <operator_principal>:<password> \\
          -d slaveId=<slave_id> \\
          -d resources='[
            {
              "name": "cpus",
              "type": "SCALAR",
              "scalar": { "value": 8 },
              "reservations": [
                {
                  "type": "DYNAMIC",
                  "role": "ads",
                  "principal": <operator_principal>,
                }
              ]
            },
            {
              "name": "mem",
              "type": "SCALAR",
              "scalar": { "value": 4096 },
              "reservations": [
                {
                  "type": "DYNAMIC",
                  "role": "ads",
                  "principal": <operator_principal>,
                }
              ]
            }
          ]' \\
          -X POST http://<ip>:<port>/master/reserve`;

// docs/reservation.md, "/unreserve (since 0.25.0)".
const unreserveRecipe = `
        $ curl -i \\
          -u <operator_principal>:<password> \\
          -d slaveId=<slave_id> \\
          -d resources='[
            {
              "name": "cpus",
              "type": "SCALAR",
              "scalar": { "value": 8 },
              "reservations": [
                {
                  "type": "DYNAMIC",
                  "role": "ads",
                  "principal": <reserver_principal>,
                }
              ]
            },
            {
              "name": "mem",
              "type": "SCALAR",
              "scalar": { "value": 4096 },
              "reservations": [
                {
                  "type": "DYNAMIC",
                  "role": "ads",
                  "principal": <reserver_principal>,
                }
              ]
            }
          ]' \\
          -X POST http://<ip>:<port>/master/unreserve`;

// docs/persistent-volume.md, "/create-volumes".
const createVolumesRecipe = `
    curl -i \\
         -u <operator_principal>:<password> \\
         -d slaveId=<slave_id> \\
         -d volumes='[
           {
             "name": "disk",
             "type": "SCALAR",
             "scalar": { "value": 512 },
             "role": "ads",
             "reservation": {
               "principal": <operator_principal>
             },
             "disk": {
               "persistence": {
                 "id" : <persistence_id>,
                 "principal" : <operator_principal>
               },
               "volume": {
                 "mode": "RW",
                 "container_path": <path>
               }
             }
           }
         ]' \\
         -X POST http://<ip>:<port>/master/create-volumes`;

// docs/persistent-volume.md, "/destroy-volumes".
const destroyVolumesRecipe = `
    curl -i \\
         -u <operator_principal>:<password> \\
         -d slaveId=<slave_id> \\
         -d volumes='[
           {
             "name": "disk",
             "type": "SCALAR",
             "scalar": { "value": 512 },
             "role": "ads",
             "reservation": {
               "principal": <operator_principal>
             },
             "disk": {
               "persistence": {
                 "id" : <persistence_id>
               },
               "volume": {
                 "mode": "RW",
                 "container_path": <path>
               }
             }
           }
         ]' \\
         -X POST http://<ip>:<port>/master/destroy-volumes`;

const recipeValues = { operator_principal: 'ops', reserver_principal: 'ops', persistence_id: 'pv-1', path: 'data' };

interface Cluster {
  readonly master: ProcessHandle;
  readonly agent: ProcessHandle;
  readonly agentId: string;
  readonly hostPort: string;
}

async function cluster(): Promise<Cluster> {
  const master = await startMaster({ flags: fastMasterFlags });
  const agent = await startAgent(master.url, { flags: storageAgentFlags });
  const [listed] = await waitForActiveAgents(master.url, 1);
  return { master, agent, agentId: listed?.id ?? '', hostPort: master.url.replace('http://', '') };
}

function volumeDirectory(agent: ProcessHandle, role: string, id: string): string {
  return join(agent.workDir, 'volumes', 'roles', role, id);
}

/** Every volume directory on the agent's ROOT disk, as "<role>/<id>". */
function volumeDirectories(agent: ProcessHandle): string[] {
  const roles = join(agent.workDir, 'volumes', 'roles');
  if (!existsSync(roles)) return [];
  return readdirSync(roles).flatMap((role) => readdirSync(join(roles, role)).map((id) => `${role}/${id}`));
}

async function agentShows(agent: ProcessHandle, expected: Record<string, string[]>, message: string): Promise<void> {
  await waitFor(async () => JSON.stringify(await agentReserved(agent.url)) === JSON.stringify(expected), { message });
  expect(await agentReserved(agent.url)).toEqual(expected);
}

describe('operator storage: legacy endpoints', () => {
  it("operator storage: legacy endpoints: the docs' curl recipes reserve, create and destroy a volume, and unreserve", async () => {
    const { master, agent, agentId, hostPort } = await cluster();
    const fill = (text: string): ReturnType<typeof fillRecipe> => fillRecipe(text, hostPort, agentId, recipeValues);

    // The reservation.md JSON has trailing commas: Mesos refuses it as well.
    const verbatim = await postRecipe(fill(reserveRecipe));
    expect(verbatim.status).toBe(400);
    expect(verbatim.text).toContain("Error parsing 'resources' query parameter in the request body: ");
    expect(await masterReserved(master.url, agentId)).toEqual({});

    const reserved = await postRecipe(fill(withoutTrailingCommas(reserveRecipe)));
    expect(reserved.status, reserved.text).toBe(202);
    expect(await masterReserved(master.url, agentId)).toEqual({ ads: ['cpus:8 by ops', 'mem:4096 by ops'] });
    await agentShows(agent, { ads: ['cpus:8 by ops', 'mem:4096 by ops'] }, 'the reservation to reach the agent');

    // persistent-volume.md starts from reserved disk; reserved here through the same endpoint, in the legacy format.
    const disk = await postForm(`${master.url}/master/reserve`, [`slaveId=${agentId}`, `resources=${JSON.stringify([legacyReserved('disk', 1024, 'ads')])}`]);
    expect(disk.status, disk.text).toBe(202);

    const created = await postRecipe(fill(createVolumesRecipe));
    expect(created.status, created.text).toBe(202);
    const withVolume = { ads: ['cpus:8 by ops', 'disk:512 by ops', 'disk:512 volume pv-1 by ops', 'mem:4096 by ops'] };
    expect(await masterReserved(master.url, agentId)).toEqual(withVolume);
    await agentShows(agent, withVolume, 'the volume to reach the agent');
    await waitFor(() => existsSync(volumeDirectory(agent, 'ads', 'pv-1')), { message: 'the volume directory' });

    const destroyed = await postRecipe(fill(destroyVolumesRecipe));
    expect(destroyed.status, destroyed.text).toBe(202);
    await waitFor(() => !existsSync(volumeDirectory(agent, 'ads', 'pv-1')), { message: 'the volume directory to go' });
    await agentShows(agent, { ads: ['cpus:8 by ops', 'disk:1024 by ops', 'mem:4096 by ops'] }, 'the destroy to reach the agent');

    expect((await postRecipe(fill(unreserveRecipe))).status).toBe(400);
    const unreserved = await postRecipe(fill(withoutTrailingCommas(unreserveRecipe)));
    expect(unreserved.status, unreserved.text).toBe(202);
    const diskBack = await postForm(`${master.url}/master/unreserve`, [`slaveId=${agentId}`, `resources=${JSON.stringify([legacyReserved('disk', 1024, 'ads')])}`]);
    expect(diskBack.status, diskBack.text).toBe(202);
    expect(await masterReserved(master.url, agentId)).toEqual({});
    await agentShows(agent, {}, 'the unreservations to reach the agent');
  }, 60_000);

  it('operator storage: legacy endpoints: each refusal of spec 5.1 has its status and text, and changes nothing on the agent', async () => {
    const { master, agent, agentId } = await cluster();
    const post = (endpoint: string, pieces: readonly string[]): ReturnType<typeof postForm> => postForm(`${master.url}/master/${endpoint}`, pieces);
    const json = (resources: readonly object[]): string => JSON.stringify(resources);
    const slaveId = `slaveId=${agentId}`;
    expect((await post('reserve', [slaveId, `resources=${json([legacyReserved('disk', 1024, 'ads')])}`])).status).toBe(202);
    expect((await post('create-volumes', [slaveId, `volumes=${json([legacyVolume('pv-1', 512)])}`])).status).toBe(202);
    await waitFor(() => existsSync(volumeDirectory(agent, 'ads', 'pv-1')), { message: 'the volume directory' });
    const before = { ads: ['disk:512 by ops', 'disk:512 volume pv-1 by ops'] };
    await agentShows(agent, before, 'the volume to reach the agent');

    const cases: readonly (readonly [string, readonly string[], number, string])[] = [
      ['reserve', [`resources=${json([legacyReserved('cpus', 1, 'ads')])}`], 400, "Missing 'slaveId' query parameter in the request body"],
      ['destroy-volumes', [`volumes=${json([legacyVolume('pv-1', 512)])}`], 400, "Missing 'slaveId' query parameter in the request body"],
      ['reserve', [slaveId], 400, "Missing 'resources' query parameter in the request body"],
      ['unreserve', [slaveId], 400, "Missing 'resources' query parameter in the request body"],
      ['create-volumes', [slaveId], 400, "Missing 'volumes' query parameter in the request body"],
      ['destroy-volumes', [slaveId], 400, "Missing 'volumes' query parameter in the request body"],
      ['reserve', [slaveId, 'resources=[{"name":'], 400, "Error parsing 'resources' query parameter in the request body: "],
      ['unreserve', [slaveId, 'resources=[{"type":"SCALAR"}]'], 400, "Error in parsing 'resources' query parameter in the request body: "],
      ['create-volumes', [slaveId, 'volumes={"name":"disk"}'], 400, "Error in parsing 'volumes' query parameter in the request body: Unexpected JSON type parsed"],
      ['destroy-volumes', [slaveId, 'volumes=[1]'], 400, "Error in parsing 'volumes' query parameter in the request body: "],
      ['reserve', [slaveId, 'resources=%zz'], 400, "Unable to decode query string: Malformed % escape in '%zz': '%zz'"],
      ['create-volumes', ['slaveId=no-such-agent', `volumes=${json([legacyVolume('pv-2', 64)])}`], 400, 'No agent found with specified ID'],
      ['reserve', [slaveId, `resources=${json([legacyReserved('cpus', 1, '*')])}`], 400, 'Invalid reservation: role "*" cannot be dynamically reserved'],
      ['create-volumes', [slaveId, `volumes=${json([legacyVolume('pv-2', 64, 'RO')])}`], 400, 'Read-only persistent volume not supported'],
      ['create-volumes', [slaveId, `volumes=${json([legacyVolume('pv-2', 64, 'RO')])}`], 400, `Invalid CREATE operation on agent ${agentId}`],
      ['create-volumes', [slaveId, `volumes=${json([legacyVolume('pv-1', 64)])}`], 400, "Persistence ID 'pv-1' is not unique"],
      ['destroy-volumes', [slaveId, `volumes=${json([legacyVolume('pv-9', 512)])}`], 400, 'Invalid DESTROY operation: Persistent volumes not found'],
      ['unreserve', [slaveId, `resources=${json([legacyVolume('pv-1', 512)])}`], 400, 'Invalid UNRESERVE operation: A dynamically reserved persistent volume'],
      ['unreserve', [slaveId, 'resources=[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]'], 400, 'Invalid UNRESERVE operation: Resource cpus:1 is not dynamically reserved'],
      ['reserve', [slaveId, `resources=${json([legacyReserved('cpus', 100, 'ads')])}`], 409, 'does not contain'],
      ['create-volumes', [slaveId, `volumes=${json([legacyVolume('pv-2', 4096)])}`], 409, 'does not contain'],
      ['unreserve', [slaveId, `resources=${json([legacyReserved('mem', 512, 'ads')])}`], 409, 'does not contain'],
    ];
    for (const [endpoint, pieces, status, text] of cases) {
      const answer = await post(endpoint, pieces);
      expect([answer.status, answer.text], `${endpoint} ${pieces.join('&')}`).toEqual([status, expect.stringContaining(text)]);
    }
    for (const method of ['GET', 'PUT']) {
      const answer = await fetch(`${master.url}/master/create-volumes`, { method });
      expect([answer.status, answer.headers.get('allow')], method).toEqual([405, 'POST']);
      expect(await answer.text()).toBe(`405 Method Not Allowed. Expecting one of { 'POST' }, but received '${method}'.`);
    }

    expect((await post('reserve', [slaveId, `resources=${json([legacyReserved('cpus', 1, 'sentinel')])}`])).status).toBe(202);
    await agentShows(agent, { ...before, sentinel: ['cpus:1 by ops'] }, 'the last, valid reservation to reach the agent');
    expect(volumeDirectories(agent)).toEqual(['ads/pv-1']);
    expect(await masterReserved(master.url, agentId)).toEqual({ ...before, sentinel: ['cpus:1 by ops'] });
  }, 60_000);

  it("operator storage: legacy endpoints: a framework holding the agent's offer sees it rescinded when an operator reserves from it", async () => {
    const { master, agentId } = await cluster();
    const session = await subscribeFramework(master.url, frameworkInfo({ name: 'offer-holder' }), { transport });
    sessions.push(session);
    const offers = await session.nextEvent('OFFERS', 15_000);
    const held = offers.offers.offers.find((offer) => offer.agent_id.value === agentId);
    expect(held, 'an offer of the agent').toBeDefined();

    const reserved = await postForm(`${master.url}/master/reserve`, [`slaveId=${agentId}`, `resources=${JSON.stringify([legacyReserved('cpus', 1, 'ads')])}`]);
    expect(reserved.status, reserved.text).toBe(202);
    const rescind = await session.nextEvent('RESCIND', 10_000);
    expect(rescind.rescind.offer_id.value).toBe(held?.id.value);
    expect(await masterReserved(master.url, agentId)).toEqual({ ads: ['cpus:1 by ops'] });
  }, 60_000);
});

describe('operator storage: v1 calls', () => {
  it('operator storage: v1 calls: reserve, create, grow, shrink, destroy and unreserve each answer 202 and GET_AGENTS follows', async () => {
    const { master, agent, agentId } = await cluster();
    const agent_id = { value: agentId };
    const eng = [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }];
    const reserved = (name: string, value: number): Record<string, unknown> => ({ name, type: 'SCALAR', scalar: { value }, reservations: eng });
    const volume = (value: number): Record<string, unknown> => ({
      ...reserved('disk', value),
      disk: { persistence: { id: 'pv-v1', principal: 'ops' }, volume: { container_path: 'data', mode: 'RW' } },
    });
    const call = async (body: object): Promise<void> => {
      const answer = await postOperator(master.url, body);
      expect([answer.status, answer.text], JSON.stringify(body).slice(0, 60)).toEqual([202, '']);
    };
    const engTotal = async (): Promise<string[]> => (await totalResources(master.url, agentId)).filter((entry) => entry.endsWith(' by ops'));

    await call({ type: 'RESERVE_RESOURCES', reserve_resources: { agent_id, resources: [reserved('cpus', 1), reserved('disk', 1024)] } });
    expect(await engTotal()).toEqual(['cpus:1 by ops', 'disk:1024 by ops']);
    await call({ type: 'CREATE_VOLUMES', create_volumes: { agent_id, volumes: [volume(512)] } });
    expect(await engTotal()).toEqual(['cpus:1 by ops', 'disk:512 by ops', 'disk:512 volume pv-v1 by ops']);
    await waitFor(() => existsSync(volumeDirectory(agent, 'eng', 'pv-v1')), { message: 'the volume directory' });

    await call({ type: 'GROW_VOLUME', grow_volume: { agent_id, volume: volume(512), addition: reserved('disk', 256) } });
    expect(await engTotal()).toEqual(['cpus:1 by ops', 'disk:256 by ops', 'disk:768 volume pv-v1 by ops']);
    await call({ type: 'SHRINK_VOLUME', shrink_volume: { agent_id, volume: volume(768), subtract: { value: 128 } } });
    expect(await engTotal()).toEqual(['cpus:1 by ops', 'disk:384 by ops', 'disk:640 volume pv-v1 by ops']);
    await agentShows(agent, { eng: ['cpus:1 by ops', 'disk:384 by ops', 'disk:640 volume pv-v1 by ops'] }, 'the resized volume on the agent');

    await call({ type: 'DESTROY_VOLUMES', destroy_volumes: { agent_id, volumes: [volume(640)] } });
    await waitFor(() => !existsSync(volumeDirectory(agent, 'eng', 'pv-v1')), { message: 'the volume directory to go' });
    await call({ type: 'UNRESERVE_RESOURCES', unreserve_resources: { agent_id, resources: [reserved('cpus', 1), reserved('disk', 1024)] } });
    expect(await engTotal()).toEqual([]);
    expect(await totalResources(master.url, agentId)).toEqual(['cpus:8', 'disk:2048', 'mem:4096', 'ports:?']);
    await agentShows(agent, {}, 'the unreservation to reach the agent');
  }, 60_000);
});
