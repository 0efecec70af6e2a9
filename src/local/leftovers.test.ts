// Method: a made-up /proc under the test root, then one real marked child.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testRoot } from '../../test/support/test-root.js';
import { environHasEntry, findMarkedProcesses, killProcesses, markerEntry } from './leftovers.js';

function fakeProc(environs: Record<string, string>): string {
  mkdirSync(testRoot(), { recursive: true });
  const root = mkdtempSync(join(testRoot(), 'local-proc-'));
  for (const [pid, environ] of Object.entries(environs)) {
    mkdirSync(join(root, pid));
    writeFileSync(join(root, pid, 'environ'), environ);
  }
  mkdirSync(join(root, 'self'));
  return root;
}

describe('local: leftovers', () => {
  it('local: leftovers: only an exact entry marks a process', () => {
    const entry = markerEntry('/p/.berth');
    expect(entry).toBe('BERTH_LOCAL_WORK_DIR=/p/.berth');
    expect(environHasEntry(`HOME=/root\0${entry}\0`, entry)).toBe(true);
    expect(environHasEntry(`HOME=/root\0${entry}/agent1\0`, entry)).toBe(false);
    expect(environHasEntry('', entry)).toBe(false);
  });

  it('local: leftovers: marked pids are found; others, and entries that are not pids, are not', () => {
    const entry = markerEntry('/p/.berth');
    const root = fakeProc({ '11': `A=1\0${entry}\0`, '12': 'A=1\0', '13': `${entry}\0` });
    expect(findMarkedProcesses(entry, root).sort()).toEqual([11, 13]);
    expect(findMarkedProcesses(entry, join(root, 'missing'))).toEqual([]);
  });

  it('local: leftovers: a real marked process is found and killed', async () => {
    const entry = markerEntry(mkdtempSync(join(testRoot(), 'local-mark-')));
    const [name = '', value = ''] = entry.split('=');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], {
      env: { ...process.env, [name]: value },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(findMarkedProcesses(entry)).toEqual([child.pid]);
    await killProcesses(findMarkedProcesses(entry), 1_000);
    expect(await exited).toBe('SIGTERM');
  });
});
