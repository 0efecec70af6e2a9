/**
 * The registry in one SQLite file under the master's work directory
 * (`<work_dir>/registry.sqlite`), for a master that runs alone. Each operation
 * is one transaction, committed with synchronous=FULL in WAL mode: durable when
 * apply() returns, which is before its effect is seen (registry.ts). An
 * operation writes only the rows it touches, and the store's copy of the
 * registry is changed in place, so it costs the same at 40,000 agents as at 4.
 *
 * Opening checks before it writes anything: a file that is not a registry
 * (corrupt, or another program's) or one written by a newer berth (a higher
 * format) is refused with one line naming the file and the cause, and left
 * exactly as it was. A file of an older format is upgraded in place, in one
 * transaction, and keeps its data.
 *
 * Formats:
 *   1  agents, weights, quota
 *   2  adds deactivated_agents, drains, maintenance_schedule, down_machines
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { fsyncDirectory } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { maintenanceAfter, machineOf } from './registry-entries.js';
import {
  applyInPlace,
  mutableRegistry,
  type AgentDrain,
  type MachineId,
  type MaintenanceWindow,
  type MutableRegistry,
  type RegisteredAgent,
  type RegistryOperation,
  type RegistrySnapshot,
  type RegistryStore,
} from './registry.js';

/** The layout this berth writes; a file with a higher one is refused, a lower one upgraded. */
export const registryFormatVersion = 2;

export const registryFileName = 'registry.sqlite';

/**
 * Every table of the current format. CREATE ... IF NOT EXISTS makes it also
 * the upgrade from format 1, whose tables (meta, agents, weights, quota) are
 * unchanged.
 */
const schema = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('admitted', 'unreachable', 'gone')),
    hostname TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    port INTEGER NOT NULL DEFAULT 0,
    time_ms INTEGER
  );
  CREATE TABLE IF NOT EXISTS weights (role TEXT PRIMARY KEY, weight REAL NOT NULL);
  CREATE TABLE IF NOT EXISTS quota (role TEXT PRIMARY KEY, config TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS deactivated_agents (id TEXT PRIMARY KEY);
  CREATE TABLE IF NOT EXISTS drains (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('DRAINING', 'DRAINED')),
    max_grace_period_ms INTEGER,
    mark_gone INTEGER NOT NULL CHECK (mark_gone IN (0, 1))
  );
  CREATE TABLE IF NOT EXISTS maintenance_schedule (id INTEGER PRIMARY KEY CHECK (id = 1), windows TEXT NOT NULL);
  -- '' for an absent hostname or ip; rowid order is the order the machines went down in.
  CREATE TABLE IF NOT EXISTS down_machines (hostname TEXT NOT NULL, ip TEXT NOT NULL, UNIQUE (hostname, ip));
`;

interface AgentRow {
  readonly id: string;
  readonly state: 'admitted' | 'unreachable' | 'gone';
  readonly hostname: string;
  readonly ip: string;
  readonly port: number;
  readonly time_ms: number | null;
}

interface DrainRow {
  readonly id: string;
  readonly state: AgentDrain['state'];
  readonly max_grace_period_ms: number | null;
  readonly mark_gone: 0 | 1;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The format of an existing file, read without writing; undefined for an empty or new file. */
function existingFormat(path: string): Result<number | undefined> {
  if (!existsSync(path) || statSync(path).size === 0) return ok(undefined);
  let database: Database.Database | undefined;
  try {
    database = new Database(path, { readonly: true, fileMustExist: true });
    const table = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (table === undefined) return err(`Cannot use the registry ${path}: it is an SQLite file without berth's tables`);
    const row = database.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined;
    const format = Number(row?.value);
    if (!Number.isInteger(format) || format < 1) return err(`Cannot use the registry ${path}: its format '${row?.value ?? ''}' is not a version number`);
    return ok(format);
  } catch (error) {
    return err(`Cannot read the registry ${path}: ${messageOf(error)}`);
  } finally {
    database?.close();
  }
}

function load(database: Database.Database): RegistrySnapshot {
  const admitted = new Map<string, RegisteredAgent>();
  const unreachable = new Map<string, { hostname: string; unreachableTimeMs: number }>();
  const gone = new Map<string, { goneTimeMs: number }>();
  for (const row of database.prepare('SELECT id, state, hostname, ip, port, time_ms FROM agents').all() as AgentRow[]) {
    if (row.state === 'admitted') admitted.set(row.id, { hostname: row.hostname, ip: row.ip, port: row.port });
    else if (row.state === 'unreachable') unreachable.set(row.id, { hostname: row.hostname, unreachableTimeMs: row.time_ms ?? 0 });
    else gone.set(row.id, { goneTimeMs: row.time_ms ?? 0 });
  }
  const deactivated = new Set((database.prepare('SELECT id FROM deactivated_agents').all() as { id: string }[]).map((row) => row.id));
  const draining = new Map(
    (database.prepare('SELECT id, state, max_grace_period_ms, mark_gone FROM drains').all() as DrainRow[]).map((row): [string, AgentDrain] => [
      row.id,
      { state: row.state, ...(row.max_grace_period_ms === null ? {} : { maxGracePeriodMs: row.max_grace_period_ms }), markGone: row.mark_gone === 1 },
    ]),
  );
  const weights = new Map((database.prepare('SELECT role, weight FROM weights').all() as { role: string; weight: number }[]).map((row) => [row.role, row.weight]));
  const quota = new Map((database.prepare('SELECT role, config FROM quota').all() as { role: string; config: string }[]).map((row) => [row.role, JSON.parse(row.config) as unknown]));
  const scheduleRow = database.prepare('SELECT windows FROM maintenance_schedule WHERE id = 1').get() as { windows: string } | undefined;
  const schedule = scheduleRow === undefined ? [] : (JSON.parse(scheduleRow.windows) as MaintenanceWindow[]);
  const downMachines = (database.prepare('SELECT hostname, ip FROM down_machines ORDER BY rowid').all() as { hostname: string; ip: string }[]).map((row) => machineOf(row.hostname, row.ip));
  return { admitted, unreachable, gone, deactivated, draining, weights, quota, schedule, downMachines };
}

/** Makes the file the current format in one transaction: a new file, or an older one keeping its rows. */
function upgrade(database: Database.Database): void {
  database.transaction(() => {
    database.exec(schema);
    database.prepare("INSERT INTO meta (key, value) VALUES ('format', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(registryFormatVersion));
  })();
}

/** The statements apply() runs, prepared once. */
function prepareStatements(database: Database.Database) {
  return {
    setAgent: database.prepare(
      'INSERT INTO agents (id, state, hostname, ip, port, time_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state, hostname = excluded.hostname, ip = excluded.ip, port = excluded.port, time_ms = excluded.time_ms',
    ),
    deleteAgent: database.prepare('DELETE FROM agents WHERE id = ?'),
    deactivate: database.prepare('INSERT OR IGNORE INTO deactivated_agents (id) VALUES (?)'),
    reactivate: database.prepare('DELETE FROM deactivated_agents WHERE id = ?'),
    setDrain: database.prepare('INSERT OR REPLACE INTO drains (id, state, max_grace_period_ms, mark_gone) VALUES (?, ?, ?, ?)'),
    markDrained: database.prepare("UPDATE drains SET state = 'DRAINED' WHERE id = ?"),
    deleteDrain: database.prepare('DELETE FROM drains WHERE id = ?'),
    setWeight: database.prepare('INSERT OR REPLACE INTO weights (role, weight) VALUES (?, ?)'),
    setQuota: database.prepare('INSERT OR REPLACE INTO quota (role, config) VALUES (?, ?)'),
    deleteQuota: database.prepare('DELETE FROM quota WHERE role = ?'),
    setSchedule: database.prepare('INSERT OR REPLACE INTO maintenance_schedule (id, windows) VALUES (1, ?)'),
    // A machine's hostname is compared without regard to case (registry.ts sameMachine).
    addDownMachine: database.prepare(
      'INSERT INTO down_machines (hostname, ip) SELECT @hostname, @ip WHERE NOT EXISTS (SELECT 1 FROM down_machines WHERE hostname = @hostname COLLATE NOCASE AND ip = @ip)',
    ),
    deleteDownMachine: database.prepare('DELETE FROM down_machines WHERE hostname = @hostname COLLATE NOCASE AND ip = @ip'),
  };
}

export class SqliteRegistryStore implements RegistryStore {
  readonly durable = true;
  /** The registry as the file holds it, changed in place after each committed operation. */
  private readonly current: MutableRegistry;
  private readonly statements: ReturnType<typeof prepareStatements>;

  private constructor(
    private readonly database: Database.Database,
    readonly recovered: RegistrySnapshot,
  ) {
    this.current = mutableRegistry(recovered);
    this.statements = prepareStatements(database);
  }

  /** Opens (or makes, or upgrades) `path`; an unusable file is refused, untouched. */
  static open(path: string): Result<SqliteRegistryStore> {
    const format = existingFormat(path);
    if (!format.ok) return format;
    if (format.value !== undefined && format.value > registryFormatVersion) {
      return err(`Cannot use the registry ${path}: it has format ${format.value}, written by a newer berth (this one reads format ${registryFormatVersion})`);
    }
    const created = format.value === undefined;
    let database: Database.Database | undefined;
    try {
      database = new Database(path);
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = FULL');
      upgrade(database);
      if (created) fsyncDirectory(dirname(path));
      return ok(new SqliteRegistryStore(database, load(database)));
    } catch (error) {
      database?.close();
      return err(`Cannot open the registry ${path}: ${messageOf(error)}`);
    }
  }

  apply(operation: RegistryOperation): void {
    // The file first: if the transaction throws, the copy in memory still matches it.
    this.database.transaction(() => this.write(operation))();
    applyInPlace(this.current, operation);
  }

  close(): void {
    this.database.close();
  }

  /** The rows `operation` changes, computed from the registry before it. */
  private write(operation: RegistryOperation): void {
    const statements = this.statements;
    const setAgent = (id: string, state: AgentRow['state'], agent: Partial<RegisteredAgent>, timeMs: number | null): void => {
      statements.setAgent.run(id, state, agent.hostname ?? '', agent.ip ?? '', agent.port ?? 0, timeMs);
    };
    const forgetOperatorState = (id: string): void => {
      statements.reactivate.run(id);
      statements.deleteDrain.run(id);
    };
    switch (operation.type) {
      case 'admit_agent':
      case 'mark_agent_reachable':
        return setAgent(operation.agentId, 'admitted', operation.agent, null);
      case 'mark_agent_unreachable':
        return setAgent(operation.agentId, 'unreachable', { hostname: operation.hostname }, operation.unreachableTimeMs);
      case 'mark_agent_gone':
        // The row keeps the hostname for whoever reads the file; the registry itself forgets it.
        setAgent(
          operation.agentId,
          'gone',
          this.current.admitted.get(operation.agentId) ?? { hostname: this.current.unreachable.get(operation.agentId)?.hostname ?? '' },
          operation.goneTimeMs,
        );
        return forgetOperatorState(operation.agentId);
      case 'remove_agent':
        statements.deleteAgent.run(operation.agentId);
        return forgetOperatorState(operation.agentId);
      case 'update_weights':
        for (const [role, weight] of operation.weights) statements.setWeight.run(role, weight);
        return;
      case 'update_quota':
        if (operation.quota === undefined) statements.deleteQuota.run(operation.role);
        else statements.setQuota.run(operation.role, JSON.stringify(operation.quota));
        return;
      case 'deactivate_agent':
        statements.deactivate.run(operation.agentId);
        return;
      case 'reactivate_agent':
        return forgetOperatorState(operation.agentId);
      case 'drain_agent': {
        const drain = operation.drain;
        statements.deactivate.run(operation.agentId);
        statements.setDrain.run(operation.agentId, drain.state, drain.maxGracePeriodMs ?? null, drain.markGone ? 1 : 0);
        return;
      }
      case 'mark_agent_drained':
        statements.markDrained.run(operation.agentId);
        return;
      case 'update_maintenance_schedule':
      case 'start_maintenance':
      case 'stop_maintenance':
        return this.writeMaintenance(operation);
    }
  }

  /** The schedule (one row, small) when it changed, and the machines that went down or came up. */
  private writeMaintenance(operation: RegistryOperation): void {
    const after = maintenanceAfter(this.current, operation);
    if (after.schedule !== this.current.schedule) this.statements.setSchedule.run(JSON.stringify(after.schedule));
    // '' stands for an absent field in the table.
    const row = (machine: MachineId): { hostname: string; ip: string } => ({ hostname: machine.hostname ?? '', ip: machine.ip ?? '' });
    if (operation.type === 'start_maintenance') for (const machine of operation.machines) this.statements.addDownMachine.run(row(machine));
    if (operation.type === 'stop_maintenance') for (const machine of operation.machines) this.statements.deleteDownMachine.run(row(machine));
  }
}
