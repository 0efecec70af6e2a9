/**
 * The registry in ZooKeeper when masters are many (spec/core.md 5.2, 5.3;
 * scenario 54 RegistryStatePersists across a fail-over): weights, quota, a
 * maintenance schedule, a deactivated agent and a gone agent set through one
 * leader are there when another leads, because they were written to
 * ZooKeeper before they took effect, one znode per entry under
 * `<path>/registry`. The new leader expects the agents the registry names:
 * the deactivated one comes back deactivated, and the gone one is refused
 * under its old id and registers anew.
 *
 * A registry of a newer format stops a master's start with one line, and
 * is left as it was.
 *
 * Method: ZooKeeper from Debian's package; three masters with --zk and a 2 s
 * session timeout; two agents following the leader through zk://; the leader
 * is killed with SIGKILL.
 */
import type zookeeper from 'node-zookeeper-client';
import { describe, expect, it } from 'vitest';
import { connectZooKeeper } from '../../src/ha/zookeeper-group.js';
import { freshTestDir, runBerth, stderrLines } from '../support/berth-cli.js';
import { startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { useZooKeeper, zooKeeperInstalled } from '../support/zookeeper.js';
import { leaderAmong } from './ha-helpers.js';
import { fastAgentFlags, fastMasterFlags, legacyAgents } from './helpers.js';
import { postOperator } from './operator-storage-helpers.js';

useCluster();

const zookeeperServer = useZooKeeper();

const groupPath = `/berth-registry-${process.pid}`;

function zkUrl(): string {
  return `zk://${zookeeperServer.address()}${groupPath}`;
}

async function operatorJson(masterUrl: string, type: string): Promise<Record<string, unknown>> {
  const answer = await postOperator(masterUrl, { type });
  expect(answer.status, answer.text).toBe(200);
  return answer.json() as Record<string, unknown>;
}

/** Runs `fn` with a plain ZooKeeper client, closed afterwards. */
async function withClient<T>(fn: (client: zookeeper.Client) => Promise<T>): Promise<T> {
  const connected = await connectZooKeeper(zookeeperServer.address(), 20_000, 20_000);
  if (!connected.ok) throw new Error(connected.error);
  try {
    return await fn(connected.value);
  } finally {
    connected.value.close();
  }
}

/** The registry's znodes below `<path>/registry`, depth first, read with a plain client. */
async function registryNodes(): Promise<string[]> {
  return withClient(async (client) => {
    const list = (path: string): Promise<string[]> =>
      new Promise((resolve, reject) => client.getChildren(path, (error, children) => (error ? reject(new Error(String(error))) : resolve(children))));
    const walk = async (path: string): Promise<string[]> => {
      const children = await list(path);
      const below = await Promise.all(children.map((child) => walk(`${path}/${child}`)));
      return [path, ...below.flat()];
    };
    return walk(`${groupPath}/registry`);
  });
}

describe.skipIf(!zooKeeperInstalled())('the registry in ZooKeeper', () => {
  it('keeps weights, quota, the maintenance schedule, a deactivation and a gone agent across a leader killed with SIGKILL', async () => {
    const masterFlags = [...fastMasterFlags, `--zk=${zkUrl()}`, '--zk_session_timeout=2secs', '--agent_reregister_timeout=20secs'];
    const masters = await Promise.all([0, 1, 2].map((n) => startMaster({ name: `registry-master${n}`, flags: masterFlags })));
    const leader = await leaderAmong(masters);
    const staying = await startAgent(leader.url, { flags: [...fastAgentFlags, `--master=${zkUrl()}`] });
    const leaving = await startAgent(leader.url, { flags: [...fastAgentFlags, `--master=${zkUrl()}`] });
    const agents = await waitFor(
      async () => {
        const listed = await legacyAgents(leader.url);
        return listed.length === 2 && listed.every((agent) => agent.active) ? listed : undefined;
      },
      { message: 'both agents registered with the leader' },
    );
    const stayingId = agents.find((agent) => agent.port === Number(new URL(staying.url).port))?.id ?? '';
    const leavingId = agents.find((agent) => agent.port === Number(new URL(leaving.url).port))?.id ?? '';

    const schedule = {
      windows: [{ machine_ids: [{ hostname: 'Maintained-Host', ip: '10.0.0.9' }], unavailability: { start: { nanoseconds: 1_900_000_000_000_000_000 }, duration: { nanoseconds: 3_600_000_000_000 } } }],
    };
    const quota = { role: 'eng', guarantees: { cpus: { value: 0.5 } }, limits: { cpus: { value: 1 } } };
    for (const call of [
      { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'eng', weight: 2.5 }] } },
      { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [quota] } },
      { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule } },
      { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: stayingId } } },
      { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: leavingId } } },
    ]) {
      const answer = await postOperator(leader.url, call);
      expect(answer.status, `${call.type}: ${answer.text}`).toBe(200);
    }
    // One znode per entry: each agent, the weight, the quota, the schedule.
    const nodes = await registryNodes();
    expect(nodes.filter((node) => node.endsWith(stayingId) || node.endsWith(leavingId))).toHaveLength(2);
    expect(nodes.some((node) => node.includes('eng'))).toBe(true);
    // The agent marked gone was told to shut down.
    await leaving.exited;

    leader.kill('SIGKILL');
    const next = await leaderAmong(masters.filter((master) => master !== leader));
    expect(await operatorJson(next.url, 'GET_WEIGHTS')).toMatchObject({ get_weights: { weight_infos: expect.arrayContaining([{ role: 'eng', weight: 2.5 }]) } });
    expect(await operatorJson(next.url, 'GET_QUOTA')).toMatchObject({ get_quota: { status: { configs: [{ role: 'eng', guarantees: { cpus: { value: 0.5 } }, limits: { cpus: { value: 1 } } }] } } });
    expect(await operatorJson(next.url, 'GET_MAINTENANCE_SCHEDULE')).toEqual({ type: 'GET_MAINTENANCE_SCHEDULE', get_maintenance_schedule: { schedule } });
    // The deactivated agent re-registers with the new leader and stays deactivated.
    await waitFor(
      async () => {
        const listed = (await operatorJson(next.url, 'GET_AGENTS')) as { get_agents: { agents?: { agent_info: { id: { value: string } }; deactivated: boolean; active: boolean }[] } };
        const agent = listed.get_agents.agents?.find((candidate) => candidate.agent_info.id.value === stayingId);
        return agent !== undefined && agent.deactivated && !agent.active;
      },
      { message: 'the deactivated agent back, still deactivated', timeoutMs: 30_000 },
    );
    // The gone agent started again is refused its old id and registers anew.
    const back = await leaving.restart();
    const renamed = await waitFor(
      async () => (await legacyAgents(next.url)).find((agent) => agent.port === Number(new URL(back.url).port) && agent.active),
      { message: 'the gone agent registered under a new id', timeoutMs: 30_000 },
    );
    expect(renamed.id).not.toBe(leavingId);
  }, 120_000);

  it('refuses to start on a registry of a newer format, with one line, leaving it untouched', async () => {
    const path = `/berth-newer-${process.pid}`;
    const newer = Buffer.from('{"format":99}');
    await withClient(
      (client) =>
        new Promise<void>((done, fail) =>
          client.mkdirp(`${path}/registry`, newer, (error) => (error ? fail(new Error(String(error))) : done())),
        ),
    );
    const workDir = freshTestDir('ha-newer-registry-');
    const run = await runBerth(['master', '--ip=127.0.0.1', '--port=0', `--work_dir=${workDir}`, `--zk=zk://${zookeeperServer.address()}${path}`, '--zk_session_timeout=2secs'], 20_000);
    expect(run.status).toBe(1);
    expect(stderrLines(run), run.stderr).toEqual([`--zk: Cannot use the registry in ZooKeeper at ${path}/registry: it has format 99, written by a newer berth (this one reads format 1)`]);
    const [data, children] = await withClient((client) =>
      Promise.all([
        new Promise<Buffer>((done, fail) => client.getData(`${path}/registry`, (error, value) => (error ? fail(new Error(String(error))) : done(value)))),
        new Promise<string[]>((done, fail) => client.getChildren(path, (error, names) => (error ? fail(new Error(String(error))) : done(names)))),
      ]),
    );
    expect(data.equals(newer)).toBe(true);
    // It never contended: no json.info_ node of its own was left, and nothing was made.
    expect(children).toEqual(['registry']);
  }, 30_000);
});
