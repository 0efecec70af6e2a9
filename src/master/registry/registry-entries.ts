/**
 * The registry as entries, one per thing it holds: an agent (its state,
 * whether it is deactivated, its drain), a role's weight, a role's quota, the
 * maintenance schedule, a machine that is down. The ZooKeeper store keeps one
 * znode per entry and writes what an operation changed by comparing the
 * entries it touched before and after applyInPlace, so the pure registry
 * (registry.ts) stays the one definition of what an operation does, and an
 * operation costs what it touches. The SQLite store shares the maintenance
 * helpers.
 *
 * Pure: names, hashes, shapes and differences only; the stores do the I/O.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describeIssues } from '../../protocol/decode.js';
import { err, ok, type Result } from '../../lib/result.js';
import { applyInPlace, type AgentDrain, type MachineId, type MaintenanceWindow, type MutableRegistry, type RegisteredAgent, type RegistryOperation, type RegistrySnapshot } from './registry.js';

/**
 * Everything the registry holds about one agent id. The fields mirror the
 * registry's maps one for one (not a single state), so that whatever the pure
 * registry allows, for instance a deactivation for an id it holds nothing
 * else about, reads back the same.
 */
export interface AgentEntry {
  readonly admitted?: RegisteredAgent;
  readonly unreachable?: { readonly hostname: string; readonly unreachableTimeMs: number };
  readonly gone?: { readonly goneTimeMs: number };
  readonly deactivated?: true;
  readonly drain?: AgentDrain;
}

/** The agent `operation` changes, if it changes one. */
export function agentOfOperation(operation: RegistryOperation): string | undefined {
  return 'agentId' in operation ? operation.agentId : undefined;
}

/** What `registry` holds about `agentId`; undefined when nothing (the entry does not exist). */
export function agentEntry(registry: RegistrySnapshot, agentId: string): AgentEntry | undefined {
  const admitted = registry.admitted.get(agentId);
  const unreachable = registry.unreachable.get(agentId);
  const gone = registry.gone.get(agentId);
  const drain = registry.draining.get(agentId);
  const entry: { -readonly [K in keyof AgentEntry]: AgentEntry[K] } = {};
  if (admitted !== undefined) entry.admitted = { hostname: admitted.hostname, ip: admitted.ip, port: admitted.port };
  if (unreachable !== undefined) entry.unreachable = { hostname: unreachable.hostname, unreachableTimeMs: unreachable.unreachableTimeMs };
  if (gone !== undefined) entry.gone = { goneTimeMs: gone.goneTimeMs };
  if (registry.deactivated.has(agentId)) entry.deactivated = true;
  if (drain !== undefined) entry.drain = { state: drain.state, ...(drain.maxGracePeriodMs === undefined ? {} : { maxGracePeriodMs: drain.maxGracePeriodMs }), markGone: drain.markGone };
  return Object.keys(entry).length === 0 ? undefined : entry;
}

/** Puts a read entry into `registry` (which held nothing about `agentId`). */
export function restoreAgentEntry(registry: MutableRegistry, agentId: string, entry: AgentEntry): void {
  if (entry.admitted !== undefined) registry.admitted.set(agentId, entry.admitted);
  if (entry.unreachable !== undefined) registry.unreachable.set(agentId, entry.unreachable);
  if (entry.gone !== undefined) registry.gone.set(agentId, entry.gone);
  if (entry.deactivated === true) registry.deactivated.add(agentId);
  if (entry.drain !== undefined) registry.draining.set(agentId, entry.drain);
}

/** A machine id without empty fields (how stores that keep '' for "absent" give it back). */
export function machineOf(hostname: string, ip: string): MachineId {
  return { ...(hostname === '' ? {} : { hostname }), ...(ip === '' ? {} : { ip }) };
}

/** The schedule and down machines after a maintenance `operation`, leaving `registry` as it was. */
export function maintenanceAfter(registry: MutableRegistry, operation: RegistryOperation): { schedule: readonly MaintenanceWindow[]; downMachines: readonly MachineId[] } {
  // Maintenance operations only reassign these two fields, so a shallow copy (sharing the maps) is enough.
  const scratch: MutableRegistry = { ...registry };
  applyInPlace(scratch, operation);
  return { schedule: scratch.schedule, downMachines: scratch.downMachines };
}

/** Whether `operation` changes the schedule or the down machines (and nothing else). */
export function isMaintenanceOperation(operation: RegistryOperation): boolean {
  return operation.type === 'update_maintenance_schedule' || operation.type === 'start_maintenance' || operation.type === 'stop_maintenance';
}

/** How many bucket nodes agents are spread over in ZooKeeper (part of the layout: changing it moves every agent). */
export const agentBucketCount = 256;

/** The bucket of `agentId`: the first byte of its SHA-1, two lowercase hex digits. */
export function agentBucket(agentId: string): string {
  return createHash('sha1').update(agentId, 'utf8').digest('hex').slice(0, 2);
}

/** All bucket names, '00' to 'ff'. */
export function agentBuckets(): string[] {
  return Array.from({ length: agentBucketCount }, (_, index) => index.toString(16).padStart(2, '0'));
}

/**
 * A znode name for `value` (a role such as `a/b`, an agent id): percent-encoded,
 * so '/' and characters ZooKeeper refuses cannot appear, and '.' and '..'
 * (relative names ZooKeeper refuses) are spelled %2E.
 */
export function znodeName(value: string): string {
  if (value === '') throw new Error('an empty name cannot be a znode name');
  const name = encodeURIComponent(value);
  return name === '.' || name === '..' ? name.replaceAll('.', '%2E') : name;
}

/**
 * The value the child `name` of `parent` encodes, or why it is not a name
 * berth writes: a name spelled another way (`S%31` for `S1`) would leave a
 * second node for one entry after the next write.
 */
export function valueOfZnodeName(parent: string, name: string): Result<string> {
  let value: string;
  try {
    value = decodeURIComponent(name);
  } catch {
    return err(`${parent}/${name} is not a percent-encoded name`);
  }
  if (value === '' || znodeName(value) !== name) return err(`${parent}/${name} is not named as berth names it${value === '' ? '' : ` (${znodeName(value)})`}`);
  return ok(value);
}

const topNodes = ['agents', 'weights', 'quota', 'maintenance'] as const;

/** The znodes of a registry in ZooKeeper at `root` (drawn in zookeeper-store.ts). */
export class RegistryLayout {
  readonly agents: string;
  readonly weights: string;
  readonly quota: string;
  readonly schedule: string;
  readonly down: string;

  constructor(readonly root: string) {
    this.agents = `${root}/agents`;
    this.weights = `${root}/weights`;
    this.quota = `${root}/quota`;
    this.schedule = `${root}/maintenance/schedule`;
    this.down = `${root}/maintenance/down`;
  }

  /** The children the root must have. */
  static readonly topNodes: readonly string[] = topNodes;

  agent(agentId: string): string {
    return `${this.agents}/${agentBucket(agentId)}/${znodeName(agentId)}`;
  }

  weight(role: string): string {
    return `${this.weights}/${znodeName(role)}`;
  }

  roleQuota(role: string): string {
    return `${this.quota}/${znodeName(role)}`;
  }

  /** `key`: a machineKey(), already a valid znode name. */
  downMachine(key: string): string {
    return `${this.down}/${key}`;
  }

  /** Every node a new registry starts with, parents first, and what each holds. */
  initial(): [string, string][] {
    return [
      ...topNodes.map((name): [string, string] => [`${this.root}/${name}`, '']),
      ...agentBuckets().map((bucket): [string, string] => [`${this.agents}/${bucket}`, '']),
      [this.schedule, JSON.stringify({ windows: [] })],
      [this.down, ''],
    ];
  }
}

/** A change to one entry's znode. */
export type EntryWrite = { readonly kind: 'create' | 'set'; readonly path: string; readonly data: string } | { readonly kind: 'remove'; readonly path: string };

/** How each entry changed between `before` and `after` (JSON by znode; absent: no entry); unchanged ones are left out. */
export function entryWrites(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): EntryWrite[] {
  const writes: EntryWrite[] = [];
  for (const [path, data] of after) {
    const old = before.get(path);
    if (old === undefined) writes.push({ kind: 'create', path, data });
    else if (old !== data) writes.push({ kind: 'set', path, data });
  }
  for (const path of before.keys()) if (!after.has(path)) writes.push({ kind: 'remove', path });
  return writes;
}

const machineSchema = z.looseObject({ hostname: z.string().optional(), ip: z.string().optional() });

const drainSchema = z.object({
  state: z.enum(['DRAINING', 'DRAINED']),
  maxGracePeriodMs: z.number().optional(),
  markGone: z.boolean(),
});

const agentEntrySchema = z.object({
  admitted: z.object({ hostname: z.string(), ip: z.string(), port: z.number() }).optional(),
  unreachable: z.object({ hostname: z.string(), unreachableTimeMs: z.number() }).optional(),
  gone: z.object({ goneTimeMs: z.number() }).optional(),
  deactivated: z.literal(true).optional(),
  drain: drainSchema.optional(),
});

const weightSchema = z.object({ weight: z.number() });

const scheduleSchema = z.object({
  windows: z.array(
    z.looseObject({
      machine_ids: z.array(machineSchema),
      unavailability: z.looseObject({ start: z.looseObject({ nanoseconds: z.number() }), duration: z.looseObject({ nanoseconds: z.number() }).optional() }),
    }),
  ),
});

const downMachineSchema = z.object({ hostname: z.string().optional(), ip: z.string().optional(), position: z.number().int() });

/** A machine that is down, as its node holds it: `position` orders the machines as they went down. */
export interface DownMachineEntry {
  readonly machine: MachineId;
  readonly position: number;
}

/** The JSON of a down machine's node. */
export function downMachineJson(machine: MachineId, position: number): string {
  return JSON.stringify({ ...machineOf(machine.hostname ?? '', machine.ip ?? ''), position });
}

function parseWith<T>(schema: z.ZodType<T>, text: string, what: string): Result<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // V8 quotes the text in its message: keep the error on one line whatever the text holds.
    return err(`is not JSON (${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ')})`);
  }
  const parsed = schema.safeParse(json, { reportInput: true });
  if (!parsed.success) return err(`is not ${what}: ${describeIssues(parsed.error.issues)}`);
  return ok(parsed.data);
}

/*
 * Parsers for what a store read back. An error says what the text is not, to
 * follow the name of the record that holds it: "<znode> is not JSON (...)".
 * Validated values are returned as written (the loose schedule keeps fields
 * this berth does not know), cast to the registry's types.
 */

export function parseAgentEntry(text: string): Result<AgentEntry> {
  const parsed = parseWith(agentEntrySchema, text, 'an agent entry') as Result<AgentEntry>;
  // A store removes an entry that holds nothing; an empty one would make the next write to it fail.
  if (parsed.ok && agentEntryIsEmpty(parsed.value)) return err('is an empty agent entry (berth removes those)');
  return parsed;
}

function agentEntryIsEmpty(entry: AgentEntry): boolean {
  return entry.admitted === undefined && entry.unreachable === undefined && entry.gone === undefined && entry.deactivated === undefined && entry.drain === undefined;
}

export function parseWeight(text: string): Result<number> {
  const parsed = parseWith(weightSchema, text, 'a weight ({"weight": number})');
  return parsed.ok ? ok(parsed.value.weight) : parsed;
}

export function parseQuota(text: string): Result<unknown> {
  return parseWith(z.unknown(), text, 'a quota configuration');
}

export function parseSchedule(text: string): Result<readonly MaintenanceWindow[]> {
  const parsed = parseWith(scheduleSchema, text, 'a maintenance schedule ({"windows": [...]})');
  return parsed.ok ? ok(parsed.value.windows as readonly MaintenanceWindow[]) : parsed;
}

export function parseDownMachine(text: string): Result<DownMachineEntry> {
  const parsed = parseWith(downMachineSchema, text, 'a down machine ({"hostname", "ip", "position"})');
  return parsed.ok ? ok({ machine: machineOf(parsed.value.hostname ?? '', parsed.value.ip ?? ''), position: parsed.value.position }) : parsed;
}
