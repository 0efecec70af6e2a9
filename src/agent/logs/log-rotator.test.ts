/**
 * Method: real files in a temporary sandbox, a writer holding an O_APPEND
 * descriptor as a task's stdout would, and the tricks a task could play on a
 * root agent: its stdout swapped for a symlink, a symlink planted where the
 * copy goes, a hard link.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { chmod, link, lstat, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualTimers } from '../health/timers.js';
import { LogRotator, type LogRotationEvent } from './log-rotator.js';

let sandbox = '';

beforeEach(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'berth-logs-'));
});

afterEach(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

function rotator(maxSizeBytes: number, maxFiles = 3) {
  const timers = new ManualTimers();
  const logs = new LogRotator({ timers, maxSizeBytes, maxFiles, checkIntervalMs: 1000 });
  const events: LogRotationEvent[] = [];
  logs.onEvent((event) => events.push(event));
  return { timers, logs, events };
}

describe('logs: LogRotator', () => {
  it('leaves a file at or under the maximum size alone', async () => {
    const stdout = join(sandbox, 'stdout');
    await writeFile(stdout, '12345');
    const { logs, events } = rotator(5);
    logs.register(stdout);
    await logs.checkNow();
    expect(await readFile(stdout, 'utf8')).toBe('12345');
    expect(events).toEqual([]);
  });

  it('copies a file past the maximum to .1 and truncates it; an O_APPEND writer goes on at the new end', async () => {
    const stdout = join(sandbox, 'stdout');
    const writer = openSync(stdout, 'a');
    writeSync(writer, 'first line that is long\n');
    const { logs, events } = rotator(10);
    logs.register(stdout);
    await logs.checkNow();
    writeSync(writer, 'after\n');
    closeSync(writer);
    expect(await readFile(`${stdout}.1`, 'utf8')).toBe('first line that is long\n');
    // No hole of NUL bytes: the writer continued at offset 0.
    expect(await readFile(stdout, 'utf8')).toBe('after\n');
    expect(events).toEqual([{ type: 'rotated', path: stdout, sizeBytes: 24 }]);
  });

  it('shifts older copies and keeps at most --sandbox_log_max_files', async () => {
    const stdout = join(sandbox, 'stdout');
    const { logs } = rotator(3, 2);
    logs.register(stdout);
    for (const content of ['aaaa', 'bbbb', 'cccc']) {
      await writeFile(stdout, content);
      await logs.checkNow();
    }
    expect(await readFile(`${stdout}.1`, 'utf8')).toBe('cccc');
    expect(await readFile(`${stdout}.2`, 'utf8')).toBe('bbbb');
    await expect(stat(`${stdout}.3`)).rejects.toThrow();
  });

  it('gives the copy the owner and mode of the original', async () => {
    const stdout = join(sandbox, 'stdout');
    await writeFile(stdout, 'x'.repeat(20));
    await chmod(stdout, 0o640);
    const { logs } = rotator(10);
    logs.register(stdout);
    await logs.checkNow();
    const original = await stat(stdout);
    const copy = await stat(`${stdout}.1`);
    expect(copy.mode & 0o777).toBe(0o640);
    expect([copy.uid, copy.gid]).toEqual([original.uid, original.gid]);
  });

  it('checks every interval once started', async () => {
    const stdout = join(sandbox, 'stderr');
    const { timers, logs, events } = rotator(3);
    logs.register(stdout);
    logs.start();
    await writeFile(stdout, 'too long');
    await timers.advance(1000);
    await logs.checkNow();
    expect(events.map((event) => event.type)).toContain('rotated');
    logs.close();
    expect(timers.pendingCount()).toBe(0);
  });

  it('ignores a file that does not exist yet, and forgets an unregistered one', async () => {
    const stdout = join(sandbox, 'stdout');
    const { logs, events } = rotator(1);
    logs.register(stdout);
    await logs.checkNow();
    logs.unregister(stdout);
    await writeFile(stdout, 'long enough');
    await logs.checkNow();
    expect(events).toEqual([]);
    expect(logs.registered()).toEqual([]);
  });
});

describe('logs: LogRotator against a hostile task', () => {
  it('never follows stdout swapped for a symlink (the target is not truncated)', async () => {
    const outside = join(sandbox, 'outside');
    await writeFile(outside, 'precious data, longer than the maximum');
    const stdout = join(sandbox, 'stdout');
    await symlink(outside, stdout);
    const { logs, events } = rotator(5);
    logs.register(stdout);
    await logs.checkNow();
    expect(await readFile(outside, 'utf8')).toBe('precious data, longer than the maximum');
    expect(events).toEqual([{ type: 'skipped', path: stdout, reason: 'it is a symlink' }]);
  });

  it('replaces a symlink planted at stdout.1 instead of writing through it', async () => {
    const outside = join(sandbox, 'outside');
    await writeFile(outside, 'precious');
    const stdout = join(sandbox, 'stdout');
    await writeFile(stdout, 'the log, past the maximum');
    await symlink(outside, `${stdout}.1`);
    await symlink(outside, join(sandbox, '.stdout.rotating'));
    const { logs } = rotator(5, 1);
    logs.register(stdout);
    await logs.checkNow();
    expect(await readFile(outside, 'utf8')).toBe('precious');
    expect((await lstat(`${stdout}.1`)).isFile()).toBe(true);
    expect(await readFile(`${stdout}.1`, 'utf8')).toBe('the log, past the maximum');
  });

  it('leaves a hard-linked stdout alone', async () => {
    const outside = join(sandbox, 'outside');
    await writeFile(outside, 'precious and long');
    const stdout = join(sandbox, 'stdout');
    await link(outside, stdout);
    const { logs, events } = rotator(5);
    logs.register(stdout);
    await logs.checkNow();
    expect(await readFile(outside, 'utf8')).toBe('precious and long');
    expect(events).toEqual([{ type: 'skipped', path: stdout, reason: 'it has other hard links' }]);
  });
});
