// Method: real child processes (`node -e` scripts standing in for berth
// processes), each with a log under the test root.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testRoot } from '../../test/support/test-root.js';
import { stopGroup } from './process-group.js';
import { describeStartFailure, startProcess, type StartRequest } from './start-process.js';

function request(name: string, script: string, readyTimeoutMs = 5_000): StartRequest {
  mkdirSync(testRoot(), { recursive: true });
  const logPath = join(mkdtempSync(join(testRoot(), 'local-start-')), `${name}.log`);
  return { name, args: ['-e', script], logPath, env: process.env, readyTimeoutMs };
}

/** Running, and not a zombie waiting for a parent (in a container, pid 1 may be slow to reap). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

const readyThenWait =
  "console.log('berth test listening on http://127.0.0.1:9'); setInterval(() => undefined, 1000);";

describe('local: start process', () => {
  it('local: start process: resolves with the URL of the ready line', async () => {
    const started = await startProcess(request('ready', readyThenWait));
    if (!started.ok) throw new Error('expected the process to start');
    expect(started.value.url).toBe('http://127.0.0.1:9');
    const status = await stopGroup(started.value.child, 5_000);
    expect(status.signal).toBe('SIGTERM');
  });

  it('local: start process: a process that exits first fails with its code and last log line', async () => {
    const exiting = request('agent1', "console.error('Failed to load flag'); process.exit(1);");
    const started = await startProcess(exiting);
    if (started.ok) throw new Error('expected a failure');
    expect(describeStartFailure(exiting, started.error, 'x/agent1.log')).toBe(
      'agent1 exited with code 1 before it was listening (last log line: "Failed to load flag"); see x/agent1.log',
    );
  });

  it('local: start process: a silent process is killed at the timeout', async () => {
    const silent = request('master', 'setInterval(() => undefined, 1000);', 300);
    const started = await startProcess(silent);
    if (started.ok) throw new Error('expected a failure');
    expect(started.error.reason).toBe('timeout');
    expect(describeStartFailure(silent, started.error, 'm.log')).toBe(
      'master did not say it was listening within 0.3s; see m.log',
    );
  });

  it('local: start process: stopping the group also stops what the process started, and SIGKILLs after the grace', async () => {
    const script =
      "const { spawn } = require('node:child_process');" +
      "const helper = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' });" +
      "process.on('SIGTERM', () => undefined);" +
      "console.log('helper ' + helper.pid); console.log('berth test listening on http://127.0.0.1:9');" +
      'setInterval(() => undefined, 1000);';
    const stubborn = request('stubborn', script);
    const started = await startProcess(stubborn);
    if (!started.ok) throw new Error('expected the process to start');
    const helperPid = Number(/helper (\d+)/.exec(readFileSync(stubborn.logPath, 'utf8'))?.[1]);
    expect(isAlive(helperPid)).toBe(true);
    const status = await stopGroup(started.value.child, 300);
    expect(status.signal).toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAlive(helperPid)).toBe(false);
  });
});
