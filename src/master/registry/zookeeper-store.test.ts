/**
 * The registry in ZooKeeper against a real server: what one master applies,
 * another client reads back, equal to what the pure registry computes from the
 * same operations; names ZooKeeper would refuse as they are (roles with '/',
 * '.', machines with only a hostname or only an ip) round-trip; agents spread
 * over buckets, so no list of children grows with the cluster; a master whose
 * contender node is gone writes nothing; a registry of a newer format, or with
 * an entry that does not parse, is refused with one line and left as it was.
 *
 * Method: one ZooKeeper for the file (test/support/zookeeper.ts); each test
 * has its own group path, a fence made as the group makes a contender node
 * (ephemeral sequential), and its own clients. "Left as it was" compares every
 * znode's data and versions before and after.
 */
import zookeeper from 'node-zookeeper-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startZooKeeper, type ZooKeeperServer } from '../../../test/support/zookeeper.js';
import { connectZooKeeper } from '../../ha/zookeeper-group.js';
import { agentBucket } from './registry-entries.js';
import { applyRegistryOperation, emptyRegistry, type RegistryOperation, type RegistrySnapshot } from './registry.js';
import { agent, operations, window } from './testing/operations.js';
import { requestBytesMax, ZooKeeperRegistryStore } from './zookeeper-store.js';

let server: ZooKeeperServer;
const clients: zookeeper.Client[] = [];
let groupCount = 0;

beforeAll(async () => {
  server = await startZooKeeper();
}, 60_000);
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await server.stop();
});

/**
 * Generous: ZooKeeper fsyncs each session it opens, and on a machine busy
 * with other tests that once took over 10 s.
 */
async function connect(): Promise<zookeeper.Client> {
  const connected = await connectZooKeeper(server.address, 20_000, 20_000);
  if (!connected.ok) throw new Error(connected.error);
  clients.push(connected.value);
  return connected.value;
}

function call<T>(start: (callback: (error: unknown, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(new Error(String(error))) : resolve(value))));
}

/** A group for one test, and a fence in it made as a contending master makes its node. */
async function group(client: zookeeper.Client): Promise<{ registryPath: string; fencePath: string }> {
  const path = `/registry-test-${process.pid}-${++groupCount}`;
  await call<string>((done) => client.mkdirp(path, done));
  const fencePath = await call<string>((done) => client.create(`${path}/json.info_`, Buffer.from('{}'), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, done));
  return { registryPath: `${path}/registry`, fencePath };
}

async function open(client: zookeeper.Client, registryPath: string, fencePath: string): Promise<ZooKeeperRegistryStore> {
  const opened = await ZooKeeperRegistryStore.open(client, registryPath, fencePath);
  if (!opened.ok) throw new Error(opened.error);
  return opened.value;
}

/** What another client reads at `registryPath`. */
async function reopened(registryPath: string): Promise<RegistrySnapshot> {
  const client = await connect();
  const store = await open(client, registryPath, '/no-fence-needed-to-read');
  store.close();
  return store.recovered;
}

/** Every znode under `path` with its data and versions, to show that nothing changed. */
async function dump(client: zookeeper.Client, path: string, into = new Map<string, string>()): Promise<Map<string, string>> {
  const [data, stat] = await new Promise<[Buffer, zookeeper.Stat]>((resolve, reject) => client.getData(path, (error, value, valueStat) => (error ? reject(new Error(String(error))) : resolve([value ?? Buffer.alloc(0), valueStat]))));
  into.set(path, `${data.toString('utf8')} v${stat.version} c${stat.cversion}`);
  const children = await call<string[]>((done) => client.getChildren(path, done));
  await Promise.all(children.map((child) => dump(client, `${path}/${child}`, into)));
  return into;
}


describe('registry: ZooKeeper', { timeout: 60_000 }, () => {
  it('keeps every operation, written pipelined, for another client, as the pure registry computes it', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    const store = await open(client, registryPath, fencePath);
    expect(store.durable).toBe(true);
    expect(store.recovered).toStrictEqual(emptyRegistry);
    await Promise.all(operations.map((operation) => store.apply(operation)));
    store.close();

    const expected = operations.reduce(applyRegistryOperation, emptyRegistry);
    const recovered = await reopened(registryPath);
    expect(recovered).toStrictEqual(expected);
    expect([...recovered.deactivated].sort()).toEqual(['S1', 'S5', 'S6']);
    expect(recovered.draining.get('S5')).toStrictEqual({ state: 'DRAINED', maxGracePeriodMs: 30_000, markGone: false });
    expect(recovered.downMachines).toStrictEqual([{ ip: '10.0.0.9' }, { hostname: 'host9', ip: '10.0.0.9' }, { hostname: 'host2' }]);

    // The names in ZooKeeper: one node per entry, encoded where the value is not a valid znode name.
    expect((await call<string[]>((done) => client.getChildren(`${registryPath}/weights`, done))).sort()).toEqual(['%2E', '%2E%2E', 'eng', 'eng%2Fdb']);
    expect(await call<string[]>((done) => client.getChildren(`${registryPath}/quota`, done))).toEqual(expect.arrayContaining(['eng%2Fdb%2Fprimary']));
    expect((await call<string[]>((done) => client.getChildren(`${registryPath}/maintenance/down`, done))).sort()).toEqual(['@10.0.0.9', 'host2@', 'host9@10.0.0.9']);
    expect(await call<string[]>((done) => client.getChildren(`${registryPath}/agents/${agentBucket('a/b .. c')}`, done))).toContain('a%2Fb%20..%20c');
  });

  it('holds what each operation did at every step, for another client', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    const store = await open(client, registryPath, fencePath);
    let expected = emptyRegistry;
    for (const operation of operations) {
      await store.apply(operation);
      expected = applyRegistryOperation(expected, operation);
      expect(await reopened(registryPath), `after ${operation.type}`).toStrictEqual(expected);
    }
  });

  it('brings up a machine named with another hostname case than it went down with', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    const store = await open(client, registryPath, fencePath);
    const window = { machine_ids: [{ hostname: 'Machine1', ip: '10.0.0.1' }], unavailability: { start: { nanoseconds: 0 } } };
    await store.apply({ type: 'update_maintenance_schedule', windows: [window] });
    await store.apply({ type: 'start_maintenance', machines: [{ hostname: 'Machine1', ip: '10.0.0.1' }] });
    expect((await reopened(registryPath)).downMachines).toEqual([{ hostname: 'Machine1', ip: '10.0.0.1' }]);
    await store.apply({ type: 'stop_maintenance', machines: [{ hostname: 'machine1', ip: '10.0.0.1' }] });
    const after = await reopened(registryPath);
    expect([after.downMachines, after.schedule]).toEqual([[], []]);
  });

  it('reads back 2,000 agents admitted through pipelined applies, spread over buckets with short lists', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    const store = await open(client, registryPath, fencePath);
    // Ids shaped as Mesos makes them: a framework-style UUID and a sequence number.
    const ids = Array.from({ length: 2_000 }, (_, n) => `1b8e8a40-5a5b-4c0e-9d5f-0e2b7c4d9a61-S${n}`);
    const admitted: RegistryOperation[] = ids.map((agentId, n) => ({ type: 'admit_agent', agentId, agent: agent(n) }));
    await Promise.all(admitted.map((operation) => store.apply(operation)));
    expect(await reopened(registryPath)).toStrictEqual(admitted.reduce(applyRegistryOperation, emptyRegistry));

    const buckets = await call<string[]>((done) => client.getChildren(`${registryPath}/agents`, done));
    expect(buckets).toHaveLength(256);
    const sizes = await Promise.all(buckets.map((bucket) => call<string[]>((done) => client.getChildren(`${registryPath}/agents/${bucket}`, done)).then((children) => children.length)));
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(2_000);
    // About 8 each on average; 40 would still be ~800 at 40,000 agents (40 kB of names per list).
    expect(Math.max(...sizes)).toBeLessThanOrEqual(40);
  });

  it('writes nothing once the master\'s contender node is gone, and says it no longer leads', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    const store = await open(client, registryPath, fencePath);
    await store.apply({ type: 'admit_agent', agentId: 'S1', agent: agent(1) });
    const before = await dump(client, registryPath);

    await call<void>((done) => client.remove(fencePath, -1, (error) => done(error, undefined)));
    await expect(store.apply({ type: 'admit_agent', agentId: 'S2', agent: agent(2) })).rejects.toThrow(`this master no longer holds leadership: its contender node ${fencePath} is gone`);
    await expect(store.apply({ type: 'update_weights', weights: new Map([['eng', 2]]) })).rejects.toThrow(/an earlier write failed/);
    expect(await dump(client, registryPath)).toEqual(before);
    expect([...(await reopened(registryPath)).admitted.keys()]).toEqual(['S1']);

    // Nor is a new registry made without leadership.
    const other = await group(client);
    await call<void>((done) => client.remove(other.fencePath, -1, (error) => done(error, undefined)));
    const opened = await ZooKeeperRegistryStore.open(client, other.registryPath, other.fencePath);
    expect(!opened.ok && opened.error).toMatch(/no longer holds leadership/);
    expect(await call<string[]>((done) => client.getChildren(other.registryPath, done))).toEqual([]);
  });

  it('rejects a write ZooKeeper refuses, naming the znode, and every write after it', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    const store = await open(client, registryPath, fencePath);
    // Someone else wrote the entry: this master's copy no longer matches ZooKeeper's.
    const agentPath = `${registryPath}/agents/${agentBucket('S1')}/S1`;
    await call<string>((done) => client.create(agentPath, Buffer.from('{}'), done));
    await expect(store.apply({ type: 'admit_agent', agentId: 'S1', agent: agent(1) })).rejects.toThrow(`ZooKeeper refused to create ${agentPath}: Exception: NODE_EXISTS[-110]`);
    await expect(store.apply({ type: 'admit_agent', agentId: 'S2', agent: agent(2) })).rejects.toThrow(/^an earlier write failed \(ZooKeeper refused to create/);
    expect(await ZooKeeperRegistryStore.open(client, registryPath, fencePath)).toEqual({
      ok: false,
      error: `Cannot use the registry in ZooKeeper at ${registryPath}: ${agentPath} is an empty agent entry (berth removes those)`,
    });
  });

  it('refuses a registry of a newer format with one line, leaving it as it was', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    const store = await open(client, registryPath, fencePath);
    await store.apply({ type: 'admit_agent', agentId: 'S1', agent: agent(1) });
    await call((done) => client.setData(registryPath, Buffer.from('{"format":2}'), -1, done));
    const before = await dump(client, registryPath);
    expect(await ZooKeeperRegistryStore.open(client, registryPath, fencePath)).toEqual({
      ok: false,
      error: `Cannot use the registry in ZooKeeper at ${registryPath}: it has format 2, written by a newer berth (this one reads format 1)`,
    });
    expect(await dump(client, registryPath)).toEqual(before);
  });

  it('lets a master start on no registry or its own, and checks only the format before it contends', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    expect(await ZooKeeperRegistryStore.checkFormat(client, registryPath)).toEqual({ ok: true, value: undefined });
    await open(client, registryPath, fencePath);
    expect(await ZooKeeperRegistryStore.checkFormat(client, registryPath)).toEqual({ ok: true, value: undefined });
    await call((done) => client.setData(registryPath, Buffer.from('{"format":2}'), -1, done));
    expect(await ZooKeeperRegistryStore.checkFormat(client, registryPath)).toEqual({
      ok: false,
      error: `Cannot use the registry in ZooKeeper at ${registryPath}: it has format 2, written by a newer berth (this one reads format 1)`,
    });
    // A node with children and no format is not berth's.
    await call((done) => client.setData(registryPath, Buffer.alloc(0), -1, done));
    expect(await ZooKeeperRegistryStore.checkFormat(client, registryPath)).toEqual({
      ok: false,
      error: `Cannot use the registry in ZooKeeper at ${registryPath}: it has children but no format, so berth did not write it`,
    });
  });

  it('refuses an entry that does not parse with one line naming its znode, leaving the registry as it was', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    const store = await open(client, registryPath, fencePath);
    await Promise.all(operations.map((operation) => store.apply(operation)));
    const agentPath = `${registryPath}/agents/${agentBucket('S1')}/S1`;
    await call((done) => client.setData(agentPath, Buffer.from('not\njson'), -1, done));
    let before = await dump(client, registryPath);
    const opened = await ZooKeeperRegistryStore.open(client, registryPath, fencePath);
    expect(!opened.ok && opened.error).toMatch(new RegExp(`^Cannot use the registry in ZooKeeper at ${registryPath}: ${agentPath} is not JSON \\([^\\n]+\\)$`));
    expect(await dump(client, registryPath)).toEqual(before);

    await call((done) => client.setData(agentPath, Buffer.from(JSON.stringify({ admitted: agent(1) })), -1, done));
    const weightPath = `${registryPath}/weights/eng%2Fdb`;
    await call((done) => client.setData(weightPath, Buffer.from('{"weight":"heavy"}'), -1, done));
    before = await dump(client, registryPath);
    expect(await ZooKeeperRegistryStore.open(client, registryPath, fencePath)).toEqual({
      ok: false,
      error: `Cannot use the registry in ZooKeeper at ${registryPath}: ${weightPath} is not a weight ({"weight": number}): field 'weight': expected number, got a string`,
    });
    expect(await dump(client, registryPath)).toEqual(before);

    // A name spelled otherwise than berth spells it would become a second node for the role at the next write.
    await call((done) => client.setData(weightPath, Buffer.from('{"weight":1}'), -1, done));
    await call<string>((done) => client.create(`${registryPath}/weights/e%6Eg`, Buffer.from('{"weight":1}'), done));
    expect(await ZooKeeperRegistryStore.open(client, registryPath, fencePath)).toEqual({
      ok: false,
      error: `Cannot use the registry in ZooKeeper at ${registryPath}: ${registryPath}/weights/e%6Eg is not named as berth names it (eng)`,
    });
  });

  it('refuses a maintenance schedule bigger than a node holds, and writes on after it', async () => {
    const client = await connect();
    const { registryPath, fencePath } = await group(client);
    const store = await open(client, registryPath, fencePath);
    const machines = Array.from({ length: 30_000 }, (_, n) => ({ hostname: `machine-${n}.rack-${n % 40}.example.com`, ip: `10.${n % 250}.${n % 200}.${n % 100}` }));
    await expect(store.apply({ type: 'update_maintenance_schedule', windows: [window(1.7e18, ...machines)] })).rejects.toThrow(
      new RegExp(`^the maintenance schedule is \\d+ bytes as JSON, more than the ${requestBytesMax} bytes berth writes to one ZooKeeper node$`),
    );
    await store.apply({ type: 'start_maintenance', machines: [{ ip: '10.0.0.1' }] });
    const recovered = await reopened(registryPath);
    expect(recovered.schedule).toEqual([]);
    expect(recovered.downMachines).toStrictEqual([{ ip: '10.0.0.1' }]);
  });
});
