/**
 * Method: the generated commands run under `sh -c` in a scratch directory
 * that stands for a task's sandbox (with `volume/` in it), as the agent runs
 * a command task; the test reads their exit status, stderr and the files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { concurrentTaskCommand, sequentialTaskCommand } from './task-commands.js';

let sandbox = '';

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'berth-task-commands-'));
  mkdirSync(join(sandbox, 'volume'));
});

afterEach(() => {
  rmSync(sandbox, { recursive: true, force: true });
});

function run(command: string): { status: number | null; stderr: string } {
  const result = spawnSync('sh', ['-c', command], { cwd: sandbox, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

function runAsync(command: string): Promise<number | null> {
  const child = spawn('sh', ['-c', command], { cwd: sandbox, stdio: 'ignore' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('persistent volumes: task commands', () => {
  it('the first task writes its file', () => {
    expect(run(sequentialTaskCommand('volume', 0, 'shard-0-task-0')).status).toBe(0);
    expect(readFileSync(join(sandbox, 'volume', 'task-0'), 'utf8')).toBe('shard-0-task-0\n');
  });

  it("a later task fails, naming the file, when a predecessor's file is missing, and writes nothing", () => {
    writeFileSync(join(sandbox, 'volume', 'task-0'), 'x\n');
    const result = run(sequentialTaskCommand('volume', 2, 'shard-0-task-2'));

    expect(result.status).toBe(1);
    expect(result.stderr).toBe('volume/task-1 is missing\n');
    expect(existsSync(join(sandbox, 'volume', 'task-2'))).toBe(false);
  });

  it("a later task writes its file when every predecessor's file is there", () => {
    writeFileSync(join(sandbox, 'volume', 'task-0'), 'x\n');
    writeFileSync(join(sandbox, 'volume', 'task-1'), 'x\n');

    expect(run(sequentialTaskCommand('volume', 2, 'shard-0-task-2')).status).toBe(0);
    expect(readFileSync(join(sandbox, 'volume', 'task-2'), 'utf8')).toBe('shard-0-task-2\n');
  });

  it("the tasks of a shared shard that run together each wait for the others' files", async () => {
    writeFileSync(join(sandbox, 'volume', 'task-0'), 'x\n');
    const statuses = await Promise.all([1, 2, 3].map((index) => runAsync(concurrentTaskCommand('volume', index, 4, `s-task-${index}`))));

    expect(statuses).toEqual([0, 0, 0]);
    expect(readFileSync(join(sandbox, 'volume', 'task-3'), 'utf8')).toBe('s-task-3\n');
  });

  it("a task of a shared shard fails at once when the first task's file is missing", () => {
    const result = run(concurrentTaskCommand('volume', 1, 3, 's-task-1'));

    expect(result.status).toBe(1);
    expect(result.stderr).toBe('volume/task-0 is missing\n');
  });
});
