/**
 * The SQLite registry on real files under the test root: what is applied is
 * there after reopening, equal to what the pure registry computes from the
 * same operations; a format-1 file (written here with that format's schema)
 * is upgraded in place and keeps its rows; a file that is not a registry, or
 * one of a newer format, is refused with one line and left byte for byte as
 * it was.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { applyRegistryOperation, emptyRegistry, type RegistryOperation } from './registry.js';
import { agent, operations, window } from './testing/operations.js';
import { registryFormatVersion, SqliteRegistryStore } from './sqlite-store.js';

let directory: string;
beforeEach(() => {
  mkdirSync(testRoot(), { recursive: true });
  directory = mkdtempSync(join(testRoot(), 'registry-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));


/** The tables of format 1, as berth wrote them before format 2. */
const formatOneSchema = `
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

function open(path: string): SqliteRegistryStore {
  const opened = SqliteRegistryStore.open(path);
  if (!opened.ok) throw new Error(opened.error);
  return opened.value;
}

describe('registry: SQLite', () => {
  it('keeps every operation across a reopen, as the pure registry computes it', () => {
    const path = join(directory, 'registry.sqlite');
    const store = open(path);
    expect(store.durable).toBe(true);
    expect(store.recovered).toEqual(emptyRegistry);
    for (const operation of operations) store.apply(operation);
    store.close();
    const expected = operations.reduce(applyRegistryOperation, emptyRegistry);
    const reopened = open(path);
    expect(reopened.recovered).toStrictEqual(expected);
    expect([...reopened.recovered.admitted.keys()].sort()).toEqual(['S1', 'S5', 'S6', 'S7', 'a/b .. c']);
    expect(reopened.recovered.unreachable.get('S2')).toEqual({ hostname: 'host2', unreachableTimeMs: 1_000 });
    expect([...reopened.recovered.gone.keys()].sort()).toEqual(['S3', 'S8']);
    expect([...reopened.recovered.deactivated].sort()).toEqual(['S1', 'S5', 'S6']);
    expect(reopened.recovered.draining).toStrictEqual(
      new Map([
        ['S5', { state: 'DRAINED', maxGracePeriodMs: 30_000, markGone: false }],
        ['S6', { state: 'DRAINING', markGone: true }],
      ]),
    );
    expect(reopened.recovered.schedule).toStrictEqual([window(1.7e18, { hostname: 'host1', ip: '10.0.0.1' }), window(1.8e18, { ip: '10.0.0.9' })]);
    // host2 went down, up, and down again (the operations do not validate; the master does).
    expect(reopened.recovered.downMachines).toStrictEqual([{ ip: '10.0.0.9' }, { hostname: 'host9', ip: '10.0.0.9' }, { hostname: 'host2' }]);
    reopened.close();
  });

  it('keeps what each operation did at every step, not only at the end', () => {
    const path = join(directory, 'registry.sqlite');
    let expected = emptyRegistry;
    for (const operation of operations) {
      const store = open(path);
      store.apply(operation);
      store.close();
      expected = applyRegistryOperation(expected, operation);
      const reopened = open(path);
      expect(reopened.recovered, `after ${operation.type}`).toStrictEqual(expected);
      reopened.close();
    }
  });

  it('brings up a machine named with another hostname case than it went down with (Mesos compares hostnames without case)', () => {
    const path = join(directory, 'registry.sqlite');
    const store = open(path);
    const window = { machine_ids: [{ hostname: 'Machine1', ip: '10.0.0.1' }], unavailability: { start: { nanoseconds: 0 } } };
    store.apply({ type: 'update_maintenance_schedule', windows: [window] });
    store.apply({ type: 'start_maintenance', machines: [{ hostname: 'Machine1', ip: '10.0.0.1' }] });
    store.apply({ type: 'start_maintenance', machines: [{ hostname: 'MACHINE1', ip: '10.0.0.1' }] });
    store.close();
    expect(open(path).recovered.downMachines).toEqual([{ hostname: 'Machine1', ip: '10.0.0.1' }]);
    const again = open(path);
    again.apply({ type: 'stop_maintenance', machines: [{ hostname: 'machine1', ip: '10.0.0.1' }] });
    again.close();
    const reopened = open(path);
    expect([reopened.recovered.downMachines, reopened.recovered.schedule]).toEqual([[], []]);
    reopened.close();
  });

  it('stores an agent that comes back as admitted, and one marked gone from unreachable with its hostname', () => {
    const path = join(directory, 'registry.sqlite');
    const store = open(path);
    store.apply({ type: 'admit_agent', agentId: 'S5', agent: agent(5) });
    store.apply({ type: 'mark_agent_unreachable', agentId: 'S5', hostname: 'host5', unreachableTimeMs: 7 });
    store.apply({ type: 'mark_agent_reachable', agentId: 'S5', agent: agent(5) });
    store.apply({ type: 'admit_agent', agentId: 'S6', agent: agent(6) });
    store.apply({ type: 'mark_agent_unreachable', agentId: 'S6', hostname: 'host6', unreachableTimeMs: 8 });
    store.apply({ type: 'mark_agent_gone', agentId: 'S6', goneTimeMs: 9 });
    store.close();
    const reopened = open(path);
    expect(reopened.recovered.admitted.get('S5')).toEqual(agent(5));
    expect(reopened.recovered.unreachable.size).toBe(0);
    expect(reopened.recovered.gone.get('S6')).toEqual({ goneTimeMs: 9 });
    reopened.close();
    const database = new Database(path, { readonly: true });
    expect(database.prepare("SELECT hostname, state FROM agents WHERE id = 'S6'").get()).toEqual({ hostname: 'host6', state: 'gone' });
    database.close();
  });

  it('pure: an unreachable agent that comes back is admitted again; a gone one stays gone', () => {
    const state = [
      { type: 'mark_agent_unreachable', agentId: 'S1', hostname: 'h', unreachableTimeMs: 5 },
      { type: 'mark_agent_reachable', agentId: 'S1', agent: agent(1) },
      { type: 'mark_agent_gone', agentId: 'S1', goneTimeMs: 9 },
    ].reduce((registry, operation) => applyRegistryOperation(registry, operation as RegistryOperation), emptyRegistry);
    expect(state.admitted.size + state.unreachable.size).toBe(0);
    expect(state.gone.get('S1')).toEqual({ goneTimeMs: 9 });
  });

  it('upgrades a format-1 file in place: it keeps its agents, weights and quota, and takes the new operations', () => {
    const path = join(directory, 'registry.sqlite');
    const old = new Database(path);
    old.exec(formatOneSchema);
    old.prepare("INSERT INTO meta (key, value) VALUES ('format', '1')").run();
    old.prepare("INSERT INTO agents (id, state, hostname, ip, port, time_ms) VALUES ('S1', 'admitted', 'host1', '10.0.0.1', 5051, NULL)").run();
    old.prepare("INSERT INTO agents (id, state, hostname, ip, port, time_ms) VALUES ('S2', 'unreachable', 'host2', '', 0, 1000)").run();
    old.prepare("INSERT INTO agents (id, state, hostname, ip, port, time_ms) VALUES ('S3', 'gone', 'host3', '', 0, 2000)").run();
    old.prepare("INSERT INTO weights (role, weight) VALUES ('eng', 2.5)").run();
    old.prepare("INSERT INTO quota (role, config) VALUES ('eng', ?)").run(JSON.stringify({ role: 'eng', guarantees: { cpus: { value: 1 } } }));
    old.close();

    const store = open(path);
    const expected = {
      ...emptyRegistry,
      admitted: new Map([['S1', { hostname: 'host1', ip: '10.0.0.1', port: 5051 }]]),
      unreachable: new Map([['S2', { hostname: 'host2', unreachableTimeMs: 1_000 }]]),
      gone: new Map([['S3', { goneTimeMs: 2_000 }]]),
      weights: new Map([['eng', 2.5]]),
      quota: new Map([['eng', { role: 'eng', guarantees: { cpus: { value: 1 } } }]]),
    };
    expect(store.recovered).toStrictEqual(expected);
    const later: RegistryOperation[] = [
      { type: 'drain_agent', agentId: 'S1', drain: { state: 'DRAINING', markGone: false } },
      { type: 'start_maintenance', machines: [{ hostname: 'host2' }] },
    ];
    for (const operation of later) store.apply(operation);
    store.close();

    const database = new Database(path, { readonly: true });
    expect(database.prepare("SELECT value FROM meta WHERE key = 'format'").get()).toEqual({ value: String(registryFormatVersion) });
    database.close();
    const reopened = open(path);
    expect(reopened.recovered).toStrictEqual(later.reduce(applyRegistryOperation, expected));
    reopened.close();
  });

  it('refuses a file that is not a database, and leaves it untouched', () => {
    const path = join(directory, 'registry.sqlite');
    const garbage = Buffer.from('not a database, but somebody\'s data '.repeat(200));
    writeFileSync(path, garbage);
    const opened = SqliteRegistryStore.open(path);
    expect(opened.ok).toBe(false);
    expect(!opened.ok && opened.error).toMatch(new RegExp(`^Cannot read the registry ${path}: file is not a database$`));
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('refuses a registry of a newer format, and another program\'s SQLite file, leaving them untouched', () => {
    const newer = join(directory, 'newer.sqlite');
    const store = open(newer);
    store.close();
    const database = new Database(newer);
    database.prepare("UPDATE meta SET value = ? WHERE key = 'format'").run(String(registryFormatVersion + 1));
    database.close();
    const before = readFileSync(newer);
    expect(SqliteRegistryStore.open(newer)).toEqual({
      ok: false,
      error: `Cannot use the registry ${newer}: it has format ${registryFormatVersion + 1}, written by a newer berth (this one reads format ${registryFormatVersion})`,
    });
    expect(readFileSync(newer).equals(before)).toBe(true);

    const foreign = join(directory, 'foreign.sqlite');
    const other = new Database(foreign);
    other.exec('CREATE TABLE photos (id INTEGER)');
    other.close();
    expect(SqliteRegistryStore.open(foreign)).toEqual({ ok: false, error: `Cannot use the registry ${foreign}: it is an SQLite file without berth's tables` });
  });
});
