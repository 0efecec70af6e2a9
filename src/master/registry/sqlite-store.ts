/**
 * The registry in one SQLite file under the master's work directory
 * (`<work_dir>/registry.sqlite`), for a master that runs alone. Each operation
 * is one transaction, committed with synchronous=FULL in WAL mode: durable when
 * apply() returns, which is before its effect is seen (registry.ts).
 *
 * Opening checks before it writes anything: a file that is not a registry
 * (corrupt, or another program's) or one written by a newer berth (a higher
 * format) is refused with one line naming the file and the cause, and left
 * exactly as it was.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { fsyncDirectory } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { applyRegistryOperation, emptyRegistry, type RegisteredAgent, type RegistryOperation, type RegistrySnapshot, type RegistryStore } from './registry.js';

/** The layout this berth writes; a file with a higher one is refused. */
export const registryFormatVersion = 1;

export const registryFileName = 'registry.sqlite';

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
`;

interface AgentRow {
  readonly id: string;
  readonly state: 'admitted' | 'unreachable' | 'gone';
  readonly hostname: string;
  readonly ip: string;
  readonly port: number;
  readonly time_ms: number | null;
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
  const weights = new Map((database.prepare('SELECT role, weight FROM weights').all() as { role: string; weight: number }[]).map((row) => [row.role, row.weight]));
  const quota = new Map((database.prepare('SELECT role, config FROM quota').all() as { role: string; config: string }[]).map((row) => [row.role, JSON.parse(row.config) as unknown]));
  return { ...emptyRegistry, admitted, unreachable, gone, weights, quota };
}

export class SqliteRegistryStore implements RegistryStore {
  private snapshot: RegistrySnapshot;

  private constructor(
    private readonly database: Database.Database,
    readonly recovered: RegistrySnapshot,
  ) {
    this.snapshot = recovered;
  }

  /** Opens (or makes) `path`; an unusable file is refused, untouched. */
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
      database.exec(schema);
      database.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('format', ?)").run(String(registryFormatVersion));
      if (created) fsyncDirectory(dirname(path));
      return ok(new SqliteRegistryStore(database, load(database)));
    } catch (error) {
      database?.close();
      return err(`Cannot open the registry ${path}: ${messageOf(error)}`);
    }
  }

  apply(operation: RegistryOperation): void {
    const database = this.database;
    const setAgent = (id: string, state: AgentRow['state'], agent: Partial<RegisteredAgent>, timeMs: number | null): void => {
      database
        .prepare('INSERT INTO agents (id, state, hostname, ip, port, time_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state, hostname = excluded.hostname, ip = excluded.ip, port = excluded.port, time_ms = excluded.time_ms')
        .run(id, state, agent.hostname ?? '', agent.ip ?? '', agent.port ?? 0, timeMs);
    };
    database.transaction(() => {
      switch (operation.type) {
        case 'admit_agent':
        case 'mark_agent_reachable':
          setAgent(operation.agentId, 'admitted', operation.agent, null);
          return;
        case 'mark_agent_unreachable':
          setAgent(operation.agentId, 'unreachable', { hostname: operation.hostname }, operation.unreachableTimeMs);
          return;
        case 'mark_agent_gone':
          setAgent(
            operation.agentId,
            'gone',
            this.snapshot.admitted.get(operation.agentId) ?? { hostname: this.snapshot.unreachable.get(operation.agentId)?.hostname ?? '' },
            operation.goneTimeMs,
          );
          return;
        case 'remove_agent':
          database.prepare('DELETE FROM agents WHERE id = ?').run(operation.agentId);
          return;
        case 'update_weights':
          for (const [role, weight] of operation.weights) database.prepare('INSERT OR REPLACE INTO weights (role, weight) VALUES (?, ?)').run(role, weight);
          return;
        case 'update_quota':
          if (operation.quota === undefined) database.prepare('DELETE FROM quota WHERE role = ?').run(operation.role);
          else database.prepare('INSERT OR REPLACE INTO quota (role, config) VALUES (?, ?)').run(operation.role, JSON.stringify(operation.quota));
          return;
      }
    })();
    this.snapshot = applyRegistryOperation(this.snapshot, operation);
  }

  close(): void {
    this.database.close();
  }
}
