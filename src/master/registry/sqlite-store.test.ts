/**
 * The SQLite registry on real files under the test root: what is applied is
 * there after reopening; a file that is not a registry, or one of a newer
 * format, is refused with one line and left byte for byte as it was.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { applyRegistryOperation, emptyRegistry, type RegistryOperation } from './registry.js';
import { registryFormatVersion, SqliteRegistryStore } from './sqlite-store.js';

let directory: string;
beforeEach(() => {
  mkdirSync(testRoot(), { recursive: true });
  directory = mkdtempSync(join(testRoot(), 'registry-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const agent = (n: number) => ({ hostname: `host${n}`, ip: '10.0.0.1', port: 5050 + n });

const operations: RegistryOperation[] = [
  { type: 'admit_agent', agentId: 'S1', agent: agent(1) },
  { type: 'admit_agent', agentId: 'S2', agent: agent(2) },
  { type: 'admit_agent', agentId: 'S3', agent: agent(3) },
  { type: 'admit_agent', agentId: 'S4', agent: agent(4) },
  { type: 'mark_agent_unreachable', agentId: 'S2', hostname: 'host2', unreachableTimeMs: 1_000 },
  { type: 'mark_agent_gone', agentId: 'S3', goneTimeMs: 2_000 },
  { type: 'remove_agent', agentId: 'S4' },
  { type: 'update_weights', weights: new Map([['eng', 2.5]]) },
  { type: 'update_quota', role: 'eng', quota: { role: 'eng', guarantees: { cpus: { value: 1 } } } },
  { type: 'update_quota', role: 'ops', quota: { role: 'ops' } },
  { type: 'update_quota', role: 'ops', quota: undefined },
];

function open(path: string): SqliteRegistryStore {
  const opened = SqliteRegistryStore.open(path);
  if (!opened.ok) throw new Error(opened.error);
  return opened.value;
}

describe('registry: SQLite', () => {
  it('keeps every operation across a reopen, as the pure registry computes it', () => {
    const path = join(directory, 'registry.sqlite');
    const store = open(path);
    expect(store.recovered).toEqual(emptyRegistry);
    for (const operation of operations) store.apply(operation);
    store.close();
    const expected = operations.reduce(applyRegistryOperation, emptyRegistry);
    const reopened = open(path);
    expect(reopened.recovered).toEqual(expected);
    expect([...reopened.recovered.admitted.keys()]).toEqual(['S1']);
    expect(reopened.recovered.unreachable.get('S2')).toEqual({ hostname: 'host2', unreachableTimeMs: 1_000 });
    expect([...reopened.recovered.gone.keys()]).toEqual(['S3']);
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
