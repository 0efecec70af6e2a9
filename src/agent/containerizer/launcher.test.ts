/**
 * The task launcher (native/launcher.c) and its agent side (launcher.ts):
 * the protocol's edge cases with real processes. Files live under the
 * containerizer fixture's directory; every process a test starts is killed
 * after it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRequest, Launcher, launcherPathBeside, type LaunchRequest, type LaunchResult } from './launcher.js';
import { readProcessStat } from './proc.js';
import { isAlive, supervisorPath, useContainerizerFixture, waitUntil } from './test-fixture.js';

const fixture = useContainerizerFixture();
const launcherPath = launcherPathBeside(supervisorPath);
const environment = { PATH: '/usr/bin:/bin' };

/** A launcher whose exits and losses are recorded; closed after the test, its processes killed. */
function recordingLauncher(path = launcherPath): { launcher: Launcher; exits: Map<number, number>; lost: number[] } {
  const exits = new Map<number, number>();
  const lost: number[] = [];
  const launcher = new Launcher(path, { exited: (pid, status) => exits.set(pid, status), lost: (pids) => lost.push(...pids) });
  launchers.push(launcher);
  return { launcher, exits, lost };
}

function launch(launcher: Launcher, request: LaunchRequest): Promise<LaunchResult> {
  return new Promise((resolve) => launcher.launch(request, resolve));
}

async function started(launcher: Launcher, request: LaunchRequest): Promise<number> {
  const result = await launch(launcher, request);
  if (!result.ok) throw new Error(`expected a start, got ${result.message}`);
  pids.push(result.pid);
  return result.pid;
}

const launchers: Launcher[] = [];
const pids: number[] = [];

afterEach(() => {
  for (const launcher of launchers.splice(0)) launcher.close();
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
});

describe('launcher', () => {
  it('starts a process as spawn(…, { detached, stdio: ignore, env }) did, and reports its wait status', async () => {
    const { launcher, exits } = recordingLauncher();
    const pid = await started(launcher, { argv: ['/bin/sleep', '1000'], environment: { ...environment, GREETING: 'hi' } });
    // The pid comes right after the fork: what it looks like once running is checked after its exec.
    // The kernel installs the new command line before it closes the close-on-exec descriptors (the
    // launcher's signalfd and /dev/null), so the exec is over once those are gone too; a descriptor
    // that leaks stays, and the wait times out.
    const descriptors = (): string[] => readdirSync(`/proc/${pid}/fd`).sort();
    await waitUntil(() => readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('/bin/sleep\0'), 'the exec');
    await waitUntil(() => descriptors().join() === '0,1,2', 'only descriptors 0, 1 and 2 after the exec');

    // A session of its own; stdin, stdout and stderr on /dev/null and nothing else; no signal blocked or ignored.
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    expect(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]).toBe(String(pid));
    expect(descriptors()).toEqual(['0', '1', '2']);
    for (const fd of [0, 1, 2]) expect(readlinkSync(`/proc/${pid}/fd/${fd}`)).toBe('/dev/null');
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    expect(status).toMatch(/^SigBlk:\s+0+$/m);
    expect(status).toMatch(/^SigIgn:\s+0+$/m);
    expect(readFileSync(`/proc/${pid}/environ`, 'latin1')).toBe('PATH=/usr/bin:/bin\0GREETING=hi\0');

    process.kill(pid, 'SIGKILL');
    await waitUntil(() => exits.has(pid), 'the exit');
    expect(exits.get(pid)).toBe(9);
    const exiting = await started(launcher, { argv: ['/bin/sh', '-c', 'exit 3'], environment });
    await waitUntil(() => exits.has(exiting), 'the exit');
    expect(exits.get(exiting)).toBe(3 << 8);
  });

  it('passes big arguments and environments byte for byte', async () => {
    const { launcher, exits } = recordingLauncher();
    mkdirSync(fixture().root, { recursive: true });
    const out = join(fixture().root, 'echo.json');
    const big = 'é€\n\t= x'.repeat(12_000);
    const bigEnvironment: Record<string, string> = { ...environment };
    for (let index = 0; index < 2_000; index++) bigEnvironment[`VARIABLE_${index}`] = `${index}=${'v'.repeat(400)}\n€`;
    const echo = 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ argv: process.argv.slice(2), env: process.env }))';
    const pid = await started(launcher, { argv: [process.execPath, '-e', echo, out, big, ''], environment: bigEnvironment });

    await waitUntil(() => exits.has(pid), 'the echo to exit', 20_000);
    expect(exits.get(pid)).toBe(0);
    const echoed = JSON.parse(readFileSync(out, 'utf8')) as { argv: string[]; env: Record<string, string> };
    expect(echoed.argv).toEqual([big, '']);
    expect(echoed.env).toEqual(bigEnvironment);
  });

  it('refuses a request over its limit and goes on with the next one', async () => {
    const { launcher } = recordingLauncher();
    const huge: Record<string, string> = { HUGE: 'x'.repeat(5 << 20) };
    const [refused, next] = await Promise.all([launch(launcher, { argv: ['/bin/true'], environment: huge }), launch(launcher, { argv: ['/bin/true'], environment })]);

    expect(refused).toMatchObject({ ok: false, failure: 'refused', message: expect.stringMatching(/^request of \d+ bytes is over the limit of 4194304$/) as string });
    expect(next.ok).toBe(true);
  });

  it('reports a program that cannot be run, and a NUL byte in a string, without starting anything', async () => {
    const { launcher } = recordingLauncher();
    const notExecutable = join(fixture().root, 'not-executable');
    mkdirSync(fixture().root, { recursive: true });
    writeFileSync(notExecutable, '#!/bin/sh\n', { mode: 0o644 });
    expect(await launch(launcher, { argv: ['/no/such/program'], environment })).toEqual({ ok: false, failure: 'refused', message: 'No such file or directory' });
    expect(await launch(launcher, { argv: [notExecutable], environment })).toEqual({ ok: false, failure: 'refused', message: 'Permission denied' });
    expect(await launch(launcher, { argv: ['/bin/true', 'a\0b'], environment })).toMatchObject({ ok: false, message: expect.stringContaining('NUL') as string });
    expect((await launch(launcher, { argv: ['/bin/true'], environment })).ok).toBe(true);
  });

  it('starts a supervisor whose user does not exist: the supervisor records that the command could not start', async () => {
    const { launcher, exits } = recordingLauncher();
    const runDirectory = join(fixture().root, 'run');
    const sandbox = join(fixture().root, 'sandbox');
    mkdirSync(runDirectory, { recursive: true });
    mkdirSync(sandbox, { recursive: true });
    const argv = [
      supervisorPath,
      `--run-dir=${runDirectory}`,
      `--sandbox=${sandbox}`,
      '--user=no-such-user-anywhere',
      `--stdout=${join(sandbox, 'stdout')}`,
      `--stderr=${join(sandbox, 'stderr')}`,
      '--',
      'true',
    ];
    const pid = await started(launcher, { argv, environment });

    await waitUntil(() => exits.has(pid), 'the supervisor to exit');
    expect(exits.get(pid)).toBe(0);
    expect(readFileSync(join(runDirectory, 'exit_status'), 'utf8')).toBe('berth-exit-status 1 exited 127\n');
    expect(readFileSync(join(sandbox, 'stderr'), 'utf8')).toContain("user 'no-such-user-anywhere' does not exist");
  });

  it('fails the requests it had not answered when it is killed, hands over what it started, and is started again', async () => {
    const { launcher, exits, lost } = recordingLauncher();
    const sleeper = await started(launcher, { argv: ['/bin/sleep', '1000'], environment });
    const first = launcher.pid ?? 0;
    process.kill(first, 'SIGSTOP');
    const pending = [1, 2, 3].map(() => launch(launcher, { argv: ['/bin/true'], environment }));
    process.kill(first, 'SIGKILL');

    for (const result of await Promise.all(pending)) {
      expect(result).toEqual({ ok: false, failure: 'died', message: `the task launcher (pid ${first}) was killed by SIGKILL` });
    }
    expect(lost).toEqual([sleeper]);
    expect(isAlive(sleeper)).toBe(true);

    const again = await started(launcher, { argv: ['/bin/true'], environment });
    expect(launcher.pid).not.toBe(first);
    await waitUntil(() => exits.has(again), 'the exit, reported by the new launcher');
    expect(exits.has(sleeper)).toBe(false);
  });

  it('exits when the agent closes it, leaving what it started running', async () => {
    const { launcher } = recordingLauncher();
    const sleeper = await started(launcher, { argv: ['/bin/sleep', '1000'], environment });
    const pid = launcher.pid ?? 0;
    launcher.close();

    await waitUntil(() => !isAlive(pid), 'the launcher to exit');
    expect(isAlive(sleeper)).toBe(true);
    expect(readProcessStat(sleeper)?.ppid).not.toBe(pid);
    expect(await launch(launcher, { argv: ['/bin/true'], environment })).toMatchObject({ ok: false, message: 'the task launcher is closed' });
  });

  it('says in one line that the binary is missing', async () => {
    const { launcher } = recordingLauncher(join(fixture().root, 'no-launcher-here'));
    const result = await launch(launcher, { argv: ['/bin/true'], environment });
    expect(result).toEqual({
      ok: false,
      failure: 'unavailable',
      message: `cannot start the task launcher ${join(fixture().root, 'no-launcher-here')}: it does not exist (build it: node scripts/build-native.mjs)`,
    });
  });
});

describe('launcher: the wire', () => {
  /** Runs the binary with `input` on stdin (then closed) and returns its stdout lines. */
  async function converse(input: Buffer[]): Promise<{ lines: string[]; code: number | null }> {
    const child = spawn(launcherPath, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    for (const chunk of input) child.stdin.write(chunk);
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    return { lines: output.split('\n').filter((line) => line !== ''), code };
  }

  function frame(body: Buffer): Buffer {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(body.length);
    return Buffer.concat([header, body]);
  }

  function counts(argc: number, envc: number, strings: string): Buffer {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(argc, 0);
    head.writeUInt32LE(envc, 4);
    return Buffer.concat([head, Buffer.from(strings, 'latin1')]);
  }

  it('answers malformed requests with errors, in order, and keeps its framing', async () => {
    const good = encodeRequest({ argv: ['/bin/true'], environment }) ?? Buffer.alloc(0);
    const { lines, code } = await converse([
      frame(Buffer.from('abc')),
      frame(counts(0, 0, '')),
      frame(counts(1, 0, '/bin/true')),
      frame(counts(1, 0, '/bin/true\0junk')),
      frame(counts(1, 50, '/bin/true\0')),
      // A good request, split across writes.
      good.subarray(0, 3),
      good.subarray(3),
    ]);

    expect(code).toBe(0);
    const replies = lines.filter((line) => !line.startsWith('exited '));
    expect(replies.slice(0, 5)).toEqual([
      'error 22 malformed request: shorter than its counts',
      'error 22 malformed request: bad counts',
      'error 22 malformed request: a string is not NUL-terminated',
      'error 22 malformed request: bytes after the last string',
      'error 22 malformed request: bad counts',
    ]);
    expect(replies[5]).toMatch(/^ok \d+ \d+$/);
    expect(replies).toHaveLength(6);
  });

  it('skips the whole of a request over the limit, however it arrives', async () => {
    const header = Buffer.alloc(4);
    header.writeUInt32LE((4 << 20) + 1);
    const body = Buffer.alloc((4 << 20) + 1, 0x61);
    const good = encodeRequest({ argv: ['/bin/true'], environment }) ?? Buffer.alloc(0);
    const { lines } = await converse([header, body.subarray(0, 1000), body.subarray(1000), good]);

    const replies = lines.filter((line) => !line.startsWith('exited '));
    expect(replies).toEqual([`error 7 request of ${(4 << 20) + 1} bytes is over the limit of ${4 << 20}`, expect.stringMatching(/^ok \d+ \d+$/) as string]);
  });
});
