/**
 * The registry in ZooKeeper at 10,000 and 40,000 agents (issue 6): what
 * writing it costs, and what a newly elected master pays to read it before
 * it serves.
 *
 * Method: one ZooKeeper server (Debian's package, src/ha/zookeeper-server.ts;
 * its defaults, so every transaction is logged and fsynced before it is
 * answered) with its data under a fresh directory in the test root
 * ($BERTH_TEST_ROOT, else <repo>/.test-root); its process carries
 * BERTH_TEST_ROOT, so scripts/clean-test-root.sh stops it if a run is
 * interrupted. For each count N, a group path of its own, and in it a
 * contender node (ephemeral sequential) made as a master makes its own: the
 * fence that ZooKeeperRegistryStore checks.
 *
 *   (a) Writing: a client opens an empty registry there and applies N
 *       `admit_agent` operations, ids shaped as Mesos makes them
 *       (`<master uuid>-S<n>`), pipelined: every apply is called, then all
 *       are awaited. The figure runs from the first call to the last
 *       resolution (each resolution: ZooKeeper has the transaction); the
 *       calls' own synchronous part is reported beside it. The anchor is the
 *       same N operations on SqliteRegistryStore (synchronous=FULL, WAL: one
 *       fsynced transaction each), in a directory under the same root:
 *       per operation, ZooKeeper's share of the pipelined total against
 *       SQLite's.
 *   (b) Recovering: the writer's store and client are closed (the old
 *       leader is gone), and a second client, with a contender node of its
 *       own, opens the registry 3 times (ZooKeeperRegistryStore.open: list
 *       the 256 buckets, read every entry, parse). The figure is the median
 *       of the 3; the first is the coldest (no JIT for this code yet at
 *       10,000; at 40,000 the 10,000 count has run in the same process).
 *       Each open must recover exactly the N agents written. The anchor is
 *       issue 6's goal: every agent re-registered within 10 s of the
 *       election at 40,000 agents. The open comes before the first
 *       re-registration can be served, so it is a share of that budget, and
 *       beside it the harness's re-registration time at 40,000
 *       (bench/results/failover-reregistration.json, if it exists) and
 *       their sum.
 *
 * ZooKeeper is stopped and the directory removed at the end, also on failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import zookeeper from 'node-zookeeper-client';
import { connectZooKeeper } from '../src/ha/zookeeper-group.js';
import { startZooKeeperServer, zooKeeperInstalled, type ZooKeeperServer } from '../src/ha/zookeeper-server.js';
import { freePort } from '../src/lib/free-port.js';
import type { RegisteredAgent, RegistryOperation } from '../src/master/registry/registry.js';
import { SqliteRegistryStore } from '../src/master/registry/sqlite-store.js';
import { ZooKeeperRegistryStore } from '../src/master/registry/zookeeper-store.js';
import { goalReregistrationSeconds } from './failover-reregistration.js';

/** Agent counts run by default. */
export const registryRecoveryAgentCounts: readonly number[] = [10_000, 40_000];
/** Opens per count; the median is the figure. */
export const registryOpens = 3;
/** The count issue 6's goal is stated at. */
const goalAgents = 40_000;
/** The master id agent ids start with, as Mesos makes them (`<master id>-S<n>`); fixed, so runs spread ids over the buckets alike. */
const masterUuid = '8c3e5f1a-2b4d-4e6f-9a1c-3d5e7f9b1c2d';
/** Long enough that a busy event loop (the calls of 40,000 applies) cannot expire a session (the server allows up to 30 s). */
const sessionTimeoutMs = 30_000;
const connectTimeoutMs = 10_000;
const repositoryRoot = resolve(import.meta.dirname, '..', '..');

export interface RegistryRecoveryCount {
  readonly agents: number;
  /** From the first apply called to the last resolved. */
  readonly zooKeeperWriteSeconds: number;
  /** Of which calling the applies (the store's copy in memory, the transactions built and sent). */
  readonly zooKeeperCallSeconds: number;
  readonly sqliteWriteSeconds: number;
  /** Each open's seconds, in order. */
  readonly openSeconds: readonly number[];
  readonly openMedianSeconds: number;
}

export interface RegistryRecoveryResult {
  /** Debian's package version, if dpkg knows it. */
  readonly zooKeeperVersion: string | undefined;
  readonly counts: readonly RegistryRecoveryCount[];
}

/** The harness's re-registration figure at 40,000 agents, from its results file. */
export interface HarnessReregistration {
  readonly seconds: number;
  readonly date: string;
}

export interface RegistryRecoveryOptions {
  readonly counts: readonly number[];
  readonly progress: (line: string) => void;
}

function agentId(index: number): string {
  return `${masterUuid}-S${index}`;
}

function registeredAgent(index: number): RegisteredAgent {
  return { hostname: `agent-${index}.bench`, ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`, port: 5051 };
}

function admissions(agents: number): RegistryOperation[] {
  return Array.from({ length: agents }, (_, index): RegistryOperation => ({ type: 'admit_agent', agentId: agentId(index), agent: registeredAgent(index) }));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function zooKeeperVersion(): string | undefined {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'zookeeper'], { encoding: 'utf8' });
  return query.status === 0 && query.stdout !== '' ? query.stdout : undefined;
}

async function connect(address: string): Promise<zookeeper.Client> {
  const connected = await connectZooKeeper(address, sessionTimeoutMs, connectTimeoutMs);
  if (!connected.ok) throw new Error(connected.error);
  return connected.value;
}

/** A contender node under `groupPath`, made as a master makes its own: the fence for the registry's writes. */
function contend(client: zookeeper.Client, groupPath: string): Promise<string> {
  return new Promise((resolvePath, reject) =>
    client.mkdirp(groupPath, (mkdirError) => {
      if (mkdirError) return reject(new Error(`cannot make ${groupPath}: ${String(mkdirError)}`));
      client.create(`${groupPath}/json.info_`, Buffer.from('{}'), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, (error, path) =>
        error ? reject(new Error(`cannot contend under ${groupPath}: ${String(error)}`)) : resolvePath(path),
      );
    }),
  );
}

async function openStore(client: zookeeper.Client, registryPath: string, fencePath: string): Promise<ZooKeeperRegistryStore> {
  const opened = await ZooKeeperRegistryStore.open(client, registryPath, fencePath);
  if (!opened.ok) throw new Error(opened.error);
  return opened.value;
}

/** (a): the operations applied pipelined by a leader with a fresh registry; seconds in all and of calls. */
async function writeZooKeeper(address: string, groupPath: string, operations: readonly RegistryOperation[]): Promise<{ seconds: number; callSeconds: number }> {
  const client = await connect(address);
  try {
    const store = await openStore(client, `${groupPath}/registry`, await contend(client, groupPath));
    if (store.recovered.admitted.size !== 0) throw new Error(`registry-recovery: ${groupPath}/registry is not empty`);
    const start = performance.now();
    const writes = operations.map((operation) => store.apply(operation));
    const callSeconds = (performance.now() - start) / 1000;
    await Promise.all(writes);
    const seconds = (performance.now() - start) / 1000;
    store.close();
    return { seconds, callSeconds };
  } finally {
    client.close();
  }
}

/** (b): a new leader's opens of the registry, each checked against what was written. */
async function openZooKeeper(address: string, groupPath: string, agents: number): Promise<number[]> {
  const client = await connect(address);
  try {
    const fencePath = await contend(client, groupPath);
    const seconds: number[] = [];
    for (let open = 0; open < registryOpens; open++) {
      const start = performance.now();
      const store = await openStore(client, `${groupPath}/registry`, fencePath);
      seconds.push((performance.now() - start) / 1000);
      store.close();
      const admitted = store.recovered.admitted;
      const last = admitted.get(agentId(agents - 1));
      if (admitted.size !== agents || last?.hostname !== registeredAgent(agents - 1).hostname) {
        throw new Error(`registry-recovery: the open recovered ${admitted.size} agents, not the ${agents} written`);
      }
    }
    return seconds;
  } finally {
    client.close();
  }
}

/** The anchor of (a): the same operations on a fresh SQLite registry; seconds. */
function writeSqlite(directory: string, operations: readonly RegistryOperation[]): number {
  mkdirSync(directory);
  const opened = SqliteRegistryStore.open(join(directory, 'registry.sqlite'));
  if (!opened.ok) throw new Error(opened.error);
  const store = opened.value;
  try {
    const start = performance.now();
    for (const operation of operations) store.apply(operation);
    return (performance.now() - start) / 1000;
  } finally {
    store.close();
  }
}

async function runCount(address: string, root: string, agents: number, progress: (line: string) => void): Promise<RegistryRecoveryCount> {
  const operations = admissions(agents);
  const groupPath = `/bench-registry-${process.pid}-${agents}`;
  const written = await writeZooKeeper(address, groupPath, operations);
  progress(`  ${agents} agents: ZooKeeper, ${agents} admit_agent pipelined in ${written.seconds.toFixed(2)} s (calling them ${written.callSeconds.toFixed(2)} s)`);
  const openSeconds = await openZooKeeper(address, groupPath, agents);
  progress(`  ${agents} agents: a new leader's opens: ${openSeconds.map((seconds) => `${seconds.toFixed(2)} s`).join(', ')}`);
  const sqliteWriteSeconds = writeSqlite(join(root, `sqlite-${agents}`), operations);
  progress(`  ${agents} agents: SQLite, ${agents} admit_agent in ${sqliteWriteSeconds.toFixed(2)} s`);
  return { agents, zooKeeperWriteSeconds: written.seconds, zooKeeperCallSeconds: written.callSeconds, sqliteWriteSeconds, openSeconds, openMedianSeconds: median(openSeconds) };
}

export async function runRegistryRecovery(options: RegistryRecoveryOptions): Promise<RegistryRecoveryResult> {
  const badCount = options.counts.find((agents) => !Number.isInteger(agents) || agents <= 0);
  if (badCount !== undefined) throw new Error(`registry-recovery: ${badCount} is not an agent count`);
  if (!zooKeeperInstalled()) throw new Error('registry-recovery cannot run here: ZooKeeper is not installed (/usr/share/java/zookeeper.jar): run scripts/install-deps.sh, or apt-get install zookeeper');
  const testRoot = resolve(process.env['BERTH_TEST_ROOT'] ?? join(repositoryRoot, '.test-root'));
  mkdirSync(testRoot, { recursive: true });
  const root = mkdtempSync(join(testRoot, 'bench-registry-recovery-'));
  let server: ZooKeeperServer | undefined;
  try {
    const started = await startZooKeeperServer(join(root, 'zookeeper'), await freePort(), { ...process.env, BERTH_TEST_ROOT: testRoot });
    if (!started.ok) throw new Error(started.error);
    server = started.value;
    const counts: RegistryRecoveryCount[] = [];
    for (const agents of options.counts) counts.push(await runCount(server.address, root, agents, options.progress));
    return { zooKeeperVersion: zooKeeperVersion(), counts };
  } finally {
    try {
      await server?.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}

/** The harness's 40,000-agent re-registration seconds from failover-reregistration.json in `directory`, if it is there. */
export function harnessReregistration(directory: string): HarnessReregistration | undefined {
  const file = join(directory, 'failover-reregistration.json');
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, 'utf8')) as { date?: unknown; results?: readonly { agents?: unknown; seconds?: unknown }[] };
  const seconds = record.results?.find((result) => result.agents === goalAgents)?.seconds;
  return typeof seconds === 'number' ? { seconds, date: typeof record.date === 'string' ? record.date : '' } : undefined;
}

function perOperationMs(seconds: number, agents: number): number {
  return (seconds * 1000) / agents;
}

/** The table and the anchor lines. */
export function describeRegistryRecovery(result: RegistryRecoveryResult, harness: HarnessReregistration | undefined): string {
  const pad = (text: string, width: number): string => text.padStart(width);
  const lines = [
    `${pad('agents', 7)} | ${pad('ZooKeeper write', 15)} | ${pad('ops/s', 6)} | ${pad('ms/op', 6)} | ${pad('SQLite write', 12)} | ${pad('ops/s', 6)} | ${pad('ms/op', 6)} | ${pad('ZK/SQLite', 9)} | new leader's open (median of ${registryOpens}) | share of ${goalReregistrationSeconds} s`,
  ];
  for (const count of result.counts) {
    const zooKeeperMs = perOperationMs(count.zooKeeperWriteSeconds, count.agents);
    const sqliteMs = perOperationMs(count.sqliteWriteSeconds, count.agents);
    lines.push(
      `${pad(String(count.agents), 7)} | ${pad(`${count.zooKeeperWriteSeconds.toFixed(2)} s`, 15)} | ${pad((count.agents / count.zooKeeperWriteSeconds).toFixed(0), 6)} | ${pad(zooKeeperMs.toFixed(3), 6)} | ` +
        `${pad(`${count.sqliteWriteSeconds.toFixed(2)} s`, 12)} | ${pad((count.agents / count.sqliteWriteSeconds).toFixed(0), 6)} | ${pad(sqliteMs.toFixed(3), 6)} | ${pad((zooKeeperMs / sqliteMs).toFixed(2), 9)} | ` +
        `${pad(`${count.openMedianSeconds.toFixed(2)} s (${count.openSeconds.map((seconds) => seconds.toFixed(2)).join(', ')})`, 31)} | ${pad(`${((100 * count.openMedianSeconds) / goalReregistrationSeconds).toFixed(0)}%`, 9)}`,
    );
  }
  const atGoal = result.counts.find((count) => count.agents === goalAgents);
  if (atGoal !== undefined) {
    const open = atGoal.openMedianSeconds;
    const sum = harness === undefined ? '' : `; with the harness's re-registration of ${harness.seconds.toFixed(2)} s (results/failover-reregistration.json, ${harness.date}): ${(open + harness.seconds).toFixed(2)} s of the ${goalReregistrationSeconds} s goal`;
    lines.push(
      `Registry recovery at ${goalAgents} agents: the new leader's open, ${open.toFixed(2)} s, is ${((100 * open) / goalReregistrationSeconds).toFixed(0)}% of issue 6's ${goalReregistrationSeconds} s from election to every agent re-registered${harness === undefined ? ' (no results/failover-reregistration.json to add to it)' : sum}`,
    );
  }
  lines.push(`ZooKeeper ${result.zooKeeperVersion ?? '(version unknown)'}, one server, every transaction fsynced; SQLite synchronous=FULL, WAL, one transaction per operation, not pipelined`);
  return `${lines.join('\n')}\n`;
}

/** What bench/results/registry-recovery.json holds. */
export function registryRecoveryRecord(result: RegistryRecoveryResult, harness: HarnessReregistration | undefined): Record<string, unknown> {
  const atGoal = result.counts.find((count) => count.agents === goalAgents);
  return {
    benchmark: 'registry-recovery',
    date: new Date().toISOString(),
    node: process.version,
    zookeeper_version: result.zooKeeperVersion ?? null,
    goal_seconds: goalReregistrationSeconds,
    goal_agents: goalAgents,
    anchor_harness_reregistration_seconds_at_40000: harness?.seconds ?? null,
    anchor_harness_reregistration_date: harness?.date ?? null,
    open_share_of_goal_at_40000: atGoal === undefined ? null : atGoal.openMedianSeconds / goalReregistrationSeconds,
    open_plus_reregistration_seconds_at_40000: atGoal === undefined || harness === undefined ? null : atGoal.openMedianSeconds + harness.seconds,
    results: result.counts.map((count) => ({
      agents: count.agents,
      zookeeper_write_seconds: count.zooKeeperWriteSeconds,
      zookeeper_write_call_seconds: count.zooKeeperCallSeconds,
      zookeeper_operations_per_second: count.agents / count.zooKeeperWriteSeconds,
      zookeeper_ms_per_operation: perOperationMs(count.zooKeeperWriteSeconds, count.agents),
      anchor_sqlite_write_seconds: count.sqliteWriteSeconds,
      anchor_sqlite_operations_per_second: count.agents / count.sqliteWriteSeconds,
      anchor_sqlite_ms_per_operation: perOperationMs(count.sqliteWriteSeconds, count.agents),
      zookeeper_to_sqlite_per_operation: count.zooKeeperWriteSeconds / count.sqliteWriteSeconds,
      open_seconds: count.openSeconds,
      open_median_seconds: count.openMedianSeconds,
      open_share_of_goal: count.openMedianSeconds / goalReregistrationSeconds,
    })),
  };
}
