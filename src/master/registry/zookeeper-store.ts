/**
 * The registry in ZooKeeper, for several masters sharing one (spec/core.md
 * 5.2). Mesos keeps the whole registry in one blob; ZooKeeper holds at most
 * 1 MB in a node, which 40,000 agents exceed, so here each entry
 * (registry-entries.ts) is its own znode and an operation writes only the
 * entries it touches:
 *
 *   <registry>                     {"format":1}
 *   ├── agents
 *   │   └── <bucket>               00 to ff: the first byte of SHA-1(agent id)
 *   │       └── <agent id>         {"admitted"?: {"hostname","ip","port"},
 *   │                               "unreachable"?: {"hostname","unreachableTimeMs"},
 *   │                               "gone"?: {"goneTimeMs"}, "deactivated"?: true,
 *   │                               "drain"?: {"state","maxGracePeriodMs"?,"markGone"}}
 *   ├── weights/<role>             {"weight": 2.5}
 *   ├── quota/<role>               the role's QuotaConfig JSON
 *   └── maintenance
 *       ├── schedule               {"windows": [...]}, as UPDATE_MAINTENANCE_SCHEDULE gave them
 *       └── down/<hostname>@<ip>   {"hostname"?, "ip"?, "position": n} (position: the order they went down in)
 *
 * Names are percent-encoded (znodeName): roles hold '/', agent ids anything.
 * Agents sit in 256 buckets because a getChildren reply is one packet, and
 * packets are limited (jute.maxbuffer, about 1 MB by default): 40,000 ids of
 * ~45 characters make a 2 MB list; in buckets, each list is ~160 names (8 kB).
 *
 * Fencing: each apply is one multi transaction that first checks the
 * leader's own contender node (ephemeral, zookeeper-group.ts). Leadership
 * passes on only when that node is gone (the lowest sequence number leads),
 * so a master that lost it cannot write: ZooKeeper refuses the whole
 * transaction, and apply rejects.
 *
 * Writes pipeline: apply sends its transaction at once and resolves when
 * ZooKeeper has it; ZooKeeper applies one session's requests in order. The
 * store keeps the registry in memory, changed as each apply is called, to
 * know whether an entry is created, set or removed. Once a write fails, that
 * copy may no longer match ZooKeeper, so every later apply rejects: the
 * master stops, and the next leader reads what ZooKeeper holds.
 */
import zookeeper from 'node-zookeeper-client';
import { err, ok, type Result } from '../../lib/result.js';
import {
  agentBucket,
  agentEntry,
  agentOfOperation,
  downMachineJson,
  entryWrites,
  isMaintenanceOperation,
  parseAgentEntry,
  parseDownMachine,
  parseQuota,
  parseSchedule,
  parseWeight,
  RegistryLayout,
  restoreAgentEntry,
  valueOfZnodeName,
  znodeName,
  type DownMachineEntry,
  type EntryWrite,
} from './registry-entries.js';
import { applyInPlace, emptyRegistry, machineKey, mutableRegistry, type MutableRegistry, type RegistryOperation, type RegistrySnapshot, type RegistryStore } from './registry.js';

/** The layout this berth writes; a registry with a higher one is refused. */
export const zooKeeperRegistryFormatVersion = 1;

/**
 * What berth puts in one request to ZooKeeper (a node's data, or a whole
 * transaction): under ZooKeeper's default jute.maxbuffer (0xfffff bytes),
 * with room for headers. A bigger request would make the server drop the
 * connection, failing every request in flight.
 */
export const requestBytesMax = 1_000_000;

/** Reads in flight at once while opening: enough to hide the round trip, few enough to bound memory. */
const readsInFlightMax = 1_000;

/** Bytes a transaction spends on one operation besides its path and data (jute headers, version, ACL). */
const operationOverheadBytes = 64;

/** Anyone may read and write the registry's nodes, as the group's (the types leave this constant out). */
const openAcl = (zookeeper.ACL as unknown as { readonly OPEN_ACL_UNSAFE: zookeeper.ACL[] }).OPEN_ACL_UNSAFE;

/** A ZooKeeper call that failed, naming its znode. */
function callError(path: string, cause: unknown): Error {
  return new Error(`${path}: ${String(cause)}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function getData(client: zookeeper.Client, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => client.getData(path, (error, data) => (error ? reject(callError(path, error)) : resolve(data ?? Buffer.alloc(0)))));
}

function getChildren(client: zookeeper.Client, path: string): Promise<string[]> {
  return new Promise((resolve, reject) => client.getChildren(path, (error, children) => (error ? reject(callError(path, error)) : resolve(children))));
}

function mkdirp(client: zookeeper.Client, path: string): Promise<void> {
  return new Promise((resolve, reject) => client.mkdirp(path, (error) => (error ? reject(callError(path, error)) : resolve())));
}

/** One result per operation of a multi; on failure, the failed one has its error code, those before it 0. */
type TransactionResults = readonly { readonly type: number; readonly err?: number }[] | undefined;

function commit(transaction: zookeeper.Transaction): Promise<{ error: unknown; results: TransactionResults }> {
  return new Promise((resolve) => transaction.commit((error, results: TransactionResults) => resolve({ error, results })));
}

/**
 * Reads every path with up to readsInFlightMax requests in flight: one after
 * another, 40,000 agents would cost 40,000 round trips.
 */
async function readAll(client: zookeeper.Client, paths: readonly string[]): Promise<Buffer[]> {
  const results: Buffer[] = new Array<Buffer>(paths.length);
  let next = 0;
  let failed = false;
  const reader = async (): Promise<void> => {
    while (next < paths.length && !failed) {
      const index = next++;
      try {
        results[index] = await getData(client, paths[index] as string);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(readsInFlightMax, paths.length) }, reader));
  return results;
}

/** Lists every directory at once (pipelined). */
function listAll(client: zookeeper.Client, paths: readonly string[]): Promise<string[][]> {
  return Promise.all(paths.map((path) => getChildren(client, path)));
}

function requestBytes(writes: readonly EntryWrite[]): number {
  return writes.reduce((sum, write) => sum + operationOverheadBytes + Buffer.byteLength(write.path) + (write.kind === 'remove' ? 0 : Buffer.byteLength(write.data)), 0);
}

/** What the registry's nodes held when it was opened. */
interface Recovered {
  readonly registry: RegistrySnapshot;
  /** Down machines' positions by machineKey, and the next one to give. */
  readonly positions: Map<string, number>;
  readonly nextPosition: number;
}

export class ZooKeeperRegistryStore implements RegistryStore {
  readonly durable = true;
  readonly recovered: RegistrySnapshot;
  private readonly layout: RegistryLayout;
  /** The registry as ZooKeeper will hold it once every apply so far resolves. */
  private readonly current: MutableRegistry;
  private readonly positions: Map<string, number>;
  private nextPosition: number;
  /** Why a write failed; from then on every apply rejects. */
  private failure: string | undefined;
  private closed = false;

  private constructor(
    private readonly client: zookeeper.Client,
    registryPath: string,
    private readonly fencePath: string,
    recovered: Recovered,
  ) {
    this.layout = new RegistryLayout(registryPath);
    this.recovered = recovered.registry;
    this.current = mutableRegistry(recovered.registry);
    this.positions = recovered.positions;
    this.nextPosition = recovered.nextPosition;
  }

  /**
   * Opens the registry at `registryPath` (made if missing, while `fencePath`
   * exists) with `client`, which stays the caller's. A registry of a newer
   * format, or with an entry that does not parse, is refused with one line
   * naming the znode and the cause, and nothing is written.
   */
  static async open(client: zookeeper.Client, registryPath: string, fencePath: string): Promise<Result<ZooKeeperRegistryStore>> {
    const layout = new RegistryLayout(registryPath);
    try {
      const made = await makeLayout(client, layout, fencePath);
      if (!made.ok) return made;
      const recovered = await readRegistry(client, layout);
      if (!recovered.ok) return recovered;
      return ok(new ZooKeeperRegistryStore(client, registryPath, fencePath, recovered.value));
    } catch (error) {
      return err(`Cannot open the registry in ZooKeeper at ${registryPath}: ${messageOf(error)}`);
    }
  }

  /**
   * Whether a master may use the registry at `registryPath` once elected: a
   * registry of a newer format, or a node berth did not write, is refused with
   * one line before the master contends, so that it does not start at all.
   * Missing or empty is fine (the leader makes it). Its entries are read, and
   * checked, when the master is elected.
   */
  static async checkFormat(client: zookeeper.Client, registryPath: string): Promise<Result<void>> {
    const layout = new RegistryLayout(registryPath);
    try {
      const present = await new Promise<boolean>((resolve, reject) => client.exists(layout.root, (error, stat) => (error ? reject(callError(layout.root, error)) : resolve(stat !== null && stat !== undefined))));
      if (!present) return ok(undefined);
      // Children first: the leader writes the format and the children in one
      // transaction, so children seen before an empty format are not berth's,
      // while the other order could see a registry made between the reads.
      const children = await getChildren(client, layout.root);
      const data = await getData(client, layout.root);
      if (data.length === 0) {
        return children.length === 0 ? ok(undefined) : err(`Cannot use the registry in ZooKeeper at ${layout.root}: it has children but no format, so berth did not write it`);
      }
      const problem = formatProblem(data);
      return problem === undefined ? ok(undefined) : err(`Cannot use the registry in ZooKeeper at ${layout.root}: ${problem}`);
    } catch (error) {
      return err(`Cannot read the registry in ZooKeeper at ${layout.root}: ${messageOf(error)}`);
    }
  }

  /** Sends `operation` as one transaction; resolves when ZooKeeper has it. */
  apply(operation: RegistryOperation): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the registry in ZooKeeper is closed'));
    if (this.failure !== undefined) return Promise.reject(new Error(`an earlier write failed (${this.failure}): this master's registry may no longer match ZooKeeper's`));
    const oversized = this.oversizedEntry(operation);
    if (oversized !== undefined) return Promise.reject(new Error(oversized));
    const before = this.entries(operation);
    applyInPlace(this.current, operation);
    const after = this.entries(operation);
    if (isMaintenanceOperation(operation)) this.forgetPositions(after);
    const writes = entryWrites(before, after);
    const bytes = requestBytes(writes);
    if (bytes > requestBytesMax) {
      // Refused before sending, but the copy in memory has the operation already.
      this.failure = `${operation.type} needs a transaction of ${bytes} bytes, more than the ${requestBytesMax} berth sends to ZooKeeper at once`;
      return Promise.reject(new Error(this.failure));
    }
    const transaction = this.client.transaction().check(this.fencePath, -1);
    for (const write of writes) {
      if (write.kind === 'create') transaction.create(write.path, Buffer.from(write.data), openAcl, zookeeper.CreateMode.PERSISTENT);
      else if (write.kind === 'set') transaction.setData(write.path, Buffer.from(write.data), -1);
      else transaction.remove(write.path, -1);
    }
    return commit(transaction).then(({ error, results }) => {
      if (!error) return;
      const why = this.describeFailure(error, results, writes);
      this.failure ??= why;
      throw new Error(why);
    });
  }

  /** Stops writing; the client stays open (the caller owns it). */
  close(): void {
    this.closed = true;
  }

  /**
   * The JSON of each entry `operation` touches, by znode, as the registry in
   * memory holds it now (an entry it does not hold is absent).
   */
  private entries(operation: RegistryOperation): Map<string, string> {
    const entries = new Map<string, string>();
    const current = this.current;
    const agentId = agentOfOperation(operation);
    if (agentId !== undefined) {
      const entry = agentEntry(current, agentId);
      if (entry !== undefined) entries.set(this.layout.agent(agentId), JSON.stringify(entry));
    } else if (operation.type === 'update_weights') {
      for (const role of operation.weights.keys()) {
        const weight = current.weights.get(role);
        if (weight !== undefined) entries.set(this.layout.weight(role), JSON.stringify({ weight }));
      }
    } else if (operation.type === 'update_quota') {
      if (current.quota.has(operation.role)) entries.set(this.layout.roleQuota(operation.role), JSON.stringify(current.quota.get(operation.role)));
    } else if (isMaintenanceOperation(operation)) {
      // Both are small (machines, not agents): compare them whole.
      entries.set(this.layout.schedule, JSON.stringify({ windows: current.schedule }));
      for (const machine of current.downMachines) {
        const key = machineKey(machine);
        entries.set(this.layout.downMachine(key), downMachineJson(machine, this.positionOf(key)));
      }
    }
    return entries;
  }

  /** A down machine's position, given when it first goes down. */
  private positionOf(key: string): number {
    let position = this.positions.get(key);
    if (position === undefined) {
      position = this.nextPosition++;
      this.positions.set(key, position);
    }
    return position;
  }

  /** Drops the positions of machines no longer down, so one that goes down again goes last. */
  private forgetPositions(after: ReadonlyMap<string, string>): void {
    for (const key of [...this.positions.keys()]) if (!after.has(this.layout.downMachine(key))) this.positions.delete(key);
  }

  /** Why `operation` cannot be written (an entry bigger than a node may hold), checked before anything changes. */
  private oversizedEntry(operation: RegistryOperation): string | undefined {
    const tooBig = (what: string, json: string): string | undefined => {
      const bytes = Buffer.byteLength(json);
      return bytes > requestBytesMax ? `${what} is ${bytes} bytes as JSON, more than the ${requestBytesMax} bytes berth writes to one ZooKeeper node` : undefined;
    };
    if (operation.type === 'update_maintenance_schedule') return tooBig('the maintenance schedule', JSON.stringify({ windows: operation.windows }));
    if (operation.type === 'update_quota' && operation.quota !== undefined) return tooBig(`the quota of role '${operation.role}'`, JSON.stringify(operation.quota));
    return undefined;
  }

  private describeFailure(error: unknown, results: TransactionResults, writes: readonly EntryWrite[]): string {
    const code = error instanceof zookeeper.Exception ? error.getCode() : undefined;
    if (results?.[0]?.err === zookeeper.Exception.NO_NODE) return `this master no longer holds leadership: its contender node ${this.fencePath} is gone`;
    if (code === zookeeper.Exception.SESSION_EXPIRED) return 'this master no longer holds leadership: its ZooKeeper session expired';
    const failed = results?.findIndex((result) => result.err !== undefined && result.err !== 0) ?? -1;
    const write = writes[failed - 1];
    if (write !== undefined) return `ZooKeeper refused to ${write.kind} ${write.path}: ${String(error)}`;
    // A lost connection: the transaction may or may not have been applied.
    return `ZooKeeper did not confirm the write: ${String(error)}`;
  }
}

/** Makes the layout if the registry's node is missing or empty; refuses a node that is not a registry. */
async function makeLayout(client: zookeeper.Client, layout: RegistryLayout, fencePath: string): Promise<Result<void>> {
  await mkdirp(client, layout.root);
  // Children before the format, as in checkFormat: the two are written in one transaction.
  const children = await getChildren(client, layout.root);
  const data = await getData(client, layout.root);
  if (data.length > 0) return ok(undefined);
  if (children.length > 0) return err(`Cannot use the registry in ZooKeeper at ${layout.root}: it has children but no format, so berth did not write it`);
  // All or nothing, and only while leading: a master that fails here leaves no half registry.
  const transaction = client.transaction().check(fencePath, -1).setData(layout.root, Buffer.from(JSON.stringify({ format: zooKeeperRegistryFormatVersion })), -1);
  for (const [path, json] of layout.initial()) transaction.create(path, Buffer.from(json), openAcl, zookeeper.CreateMode.PERSISTENT);
  const { error, results } = await commit(transaction);
  if (!error) return ok(undefined);
  if (results?.[0]?.err === zookeeper.Exception.NO_NODE) return err(`Cannot make the registry in ZooKeeper at ${layout.root}: this master no longer holds leadership (its contender node ${fencePath} is gone)`);
  // Another master made it meanwhile: read theirs.
  if (error instanceof zookeeper.Exception && error.getCode() === zookeeper.Exception.NODE_EXISTS) return ok(undefined);
  return err(`Cannot make the registry in ZooKeeper at ${layout.root}: ${String(error)}`);
}

/** Why the root's data is not a format this berth reads, if it is not. */
function formatProblem(data: Buffer): string | undefined {
  const text = data.toString('utf8');
  let format: unknown;
  try {
    format = (JSON.parse(text) as { format?: unknown } | null)?.format;
  } catch {
    format = undefined;
  }
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1) return `its data ${JSON.stringify(text.slice(0, 80))} is not {"format": N}`;
  if (format > zooKeeperRegistryFormatVersion) return `it has format ${format}, written by a newer berth (this one reads format ${zooKeeperRegistryFormatVersion})`;
  return undefined;
}

/** The values the children of `parent` encode. */
function valuesOfNames(parent: string, names: readonly string[]): Result<string[]> {
  const values: string[] = [];
  for (const name of names) {
    const value = valueOfZnodeName(parent, name);
    if (!value.ok) return value;
    values.push(value.value);
  }
  return ok(values);
}

/** What the registry holds entries for, by the names of their znodes. */
interface EntryNames {
  readonly agentIds: readonly string[];
  readonly weightRoles: readonly string[];
  readonly quotaRoles: readonly string[];
  /** machineKey()s. */
  readonly downKeys: readonly string[];
}

/** Lists every entry (the buckets at once), refusing names berth would not have written. */
async function listEntries(client: zookeeper.Client, layout: RegistryLayout): Promise<Result<EntryNames>> {
  const top = await getChildren(client, layout.root);
  const missing = RegistryLayout.topNodes.find((name) => !top.includes(name));
  if (missing !== undefined) return err(`${layout.root}/${missing} is missing`);
  const [buckets = [], weightNames = [], quotaNames = [], downKeys = []] = await listAll(client, [layout.agents, layout.weights, layout.quota, layout.down]);
  const unknownBucket = buckets.find((bucket) => !/^[0-9a-f]{2}$/.test(bucket));
  if (unknownBucket !== undefined) return err(`${layout.agents}/${unknownBucket} is not an agent bucket (00 to ff)`);
  const bucketChildren = await listAll(client, buckets.map((bucket) => `${layout.agents}/${bucket}`));
  const agentIds: string[] = [];
  for (const [index, bucket] of buckets.entries()) {
    const parent = `${layout.agents}/${bucket}`;
    const ids = valuesOfNames(parent, bucketChildren[index] ?? []);
    if (!ids.ok) return ids;
    // Elsewhere, the next write would make a second node for the agent in its own bucket.
    const misplaced = ids.value.find((id) => agentBucket(id) !== bucket);
    if (misplaced !== undefined) return err(`${parent}/${znodeName(misplaced)} is in the wrong bucket (its id hashes to ${agentBucket(misplaced)})`);
    agentIds.push(...ids.value);
  }
  const weightRoles = valuesOfNames(layout.weights, weightNames);
  if (!weightRoles.ok) return weightRoles;
  const quotaRoles = valuesOfNames(layout.quota, quotaNames);
  if (!quotaRoles.ok) return quotaRoles;
  return ok({ agentIds, weightRoles: weightRoles.value, quotaRoles: quotaRoles.value, downKeys });
}

/** Every entry's znode, in the order parseEntries() takes their data. */
function entryPaths(layout: RegistryLayout, names: EntryNames): string[] {
  return [
    ...names.agentIds.map((id) => layout.agent(id)),
    ...names.weightRoles.map((role) => layout.weight(role)),
    ...names.quotaRoles.map((role) => layout.roleQuota(role)),
    layout.schedule,
    ...names.downKeys.map((key) => layout.downMachine(key)),
  ];
}

/** The registry the entries' data make, or which znode did not parse and why. */
function parseEntries(names: EntryNames, paths: readonly string[], data: readonly string[]): Result<Recovered> {
  let at = 0;
  const next = <T>(parse: (text: string) => Result<T>): Result<T> => {
    const path = paths[at] as string;
    const parsed = parse(data[at++] as string);
    return parsed.ok ? parsed : err(`${path} ${parsed.error}`);
  };
  const registry = mutableRegistry(emptyRegistry);
  for (const id of names.agentIds) {
    const entry = next(parseAgentEntry);
    if (!entry.ok) return entry;
    restoreAgentEntry(registry, id, entry.value);
  }
  for (const role of names.weightRoles) {
    const weight = next(parseWeight);
    if (!weight.ok) return weight;
    registry.weights.set(role, weight.value);
  }
  for (const role of names.quotaRoles) {
    const quota = next(parseQuota);
    if (!quota.ok) return quota;
    registry.quota.set(role, quota.value);
  }
  const schedule = next(parseSchedule);
  if (!schedule.ok) return schedule;
  registry.schedule = schedule.value;
  const down: DownMachineEntry[] = [];
  const positions = new Map<string, number>();
  for (const key of names.downKeys) {
    const path = paths[at] as string;
    const machine = next(parseDownMachine);
    if (!machine.ok) return machine;
    if (machineKey(machine.value.machine) !== key) return err(`${path} holds the machine ${machineKey(machine.value.machine)}, not the one its name says`);
    positions.set(key, machine.value.position);
    down.push(machine.value);
  }
  registry.downMachines = down.sort((a, b) => a.position - b.position).map((entry) => entry.machine);
  return ok({ registry, positions, nextPosition: down.reduce((max, entry) => Math.max(max, entry.position + 1), 0) });
}

/** Reads every entry with many requests in flight; refuses, naming the znode, what this berth cannot read. */
async function readRegistry(client: zookeeper.Client, layout: RegistryLayout): Promise<Result<Recovered>> {
  const refuse = (why: string): Result<Recovered> => err(`Cannot use the registry in ZooKeeper at ${layout.root}: ${why}`);
  const problem = formatProblem(await getData(client, layout.root));
  if (problem !== undefined) return refuse(problem);
  const names = await listEntries(client, layout);
  if (!names.ok) return refuse(names.error);
  const paths = entryPaths(layout, names.value);
  const data = (await readAll(client, paths)).map((buffer) => buffer.toString('utf8'));
  const recovered = parseEntries(names.value, paths, data);
  return recovered.ok ? recovered : refuse(recovered.error);
}
