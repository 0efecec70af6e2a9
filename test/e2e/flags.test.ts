/**
 * Method: runs the built CLI (`node dist/src/cli/main.js master|agent ...`) as
 * a child process with one bad flag among good ones, and checks that it exits
 * 1 at once, with exactly one line on stderr that names the flag, and without
 * ever listening. Every run gets --ip=127.0.0.1 --port=0 and a work directory
 * under the test root, so a process that wrongly starts binds nothing that
 * matters; a run that does not exit within the timeout is killed and fails.
 * The runs share nothing, so the tests run concurrently.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import { testRoot } from '../support/test-root.js';

const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const exitTimeoutMs = 15_000;

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function runCli(command: 'master' | 'agent', flags: readonly string[], withMaster = true): Promise<Run> {
  mkdirSync(testRoot(), { recursive: true });
  const workDir = mkdtempSync(join(testRoot(), `flags-${command}-`));
  const base = ['--ip=127.0.0.1', '--port=0', `--work_dir=${workDir}`];
  const agentBase = command === 'agent' && withMaster ? ['--master=127.0.0.1:1'] : [];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliEntry, command, ...base, ...agentBase, ...flags],
      { encoding: 'utf8', timeout: exitTimeoutMs, killSignal: 'SIGKILL', env: { ...process.env, BERTH_TEST_ROOT: testRoot() } },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
        const status = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null;
        resolve({ status, signal: failure?.signal ?? null, stdout, stderr });
      },
    );
  });
}

function expectOneLineNaming(expect: ExpectStatic, run: Run, flag: string): void {
  expect(run.signal, `exited by itself (stdout: ${run.stdout.slice(0, 200)})`).toBeNull();
  expect(run.status).toBe(1);
  expect(run.stdout).not.toMatch(/listening/);
  const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, `stderr: ${run.stderr}`).toHaveLength(1);
  expect(lines[0]).toContain(flag);
}

describe('flags: master', () => {
  const cases: [string, string, string][] = [
    ['an unknown flag', '--bogus', 'bogus'],
    ['an unknown flag with a value', '--no_such_flag=3', 'no_such_flag'],
    ['a port that is not a number', '--port=abc', 'port'],
    ['a port out of range', '--port=70000', 'port'],
    ['a heartbeat interval that is not a duration', '--heartbeat_interval=soon', 'heartbeat_interval'],
    ['an allocation interval of zero', '--allocation_interval=0ms', 'allocation_interval'],
    ['an offer timeout of zero', '--offer_timeout=0secs', 'offer_timeout'],
    ['a role sorter that does not exist', '--role_sorter=fifo', 'role_sorter'],
    ['weights that are not numbers', '--weights=eng=heavy', 'weights'],
    ['a boolean flag with a non-boolean value', '--hostname_lookup=maybe', 'hostname_lookup'],
    ['a flag that needs a value given none', '--agent_ping_timeout', 'agent_ping_timeout'],
    ['a removal rate that is not N/duration', '--agent_removal_rate_limit=fast', 'agent_removal_rate_limit'],
    ['a recovery removal limit over 100%', '--recovery_agent_removal_limit=150%', 'recovery_agent_removal_limit'],
  ];
  for (const [what, flag, named] of cases) {
    it.concurrent(`${what} (${flag}) exits 1 with one line naming '${named}'`, async ({ expect }) => {
      expectOneLineNaming(expect, await runCli('master', [flag]), named);
    });
  }
});

describe('flags: agent', () => {
  const cases: [string, string, string][] = [
    ['an unknown flag', '--bogus', 'bogus'],
    ['a registration backoff that is not a duration', '--registration_backoff_factor=fast', 'registration_backoff_factor'],
    ['resources that do not parse', '--resources=cpus:abc', 'resources'],
    ['attributes that do not parse', '--attributes=:x', 'attributes'],
    ['a recover mode that does not exist', '--recover=maybe', 'recover'],
    ['a master that is not host:port', '--master=bad:host:x', 'master'],
    ['a port that is not a number', '--port=abc', 'port'],
    ['an isolator that does not exist', '--isolation=filesystem/linux,gpu/nvidia', 'gpu/nvidia'],
    ['both filesystem isolators', '--isolation=filesystem/linux,filesystem/posix', 'isolation'],
    ['a cgroups root that climbs out', '--cgroups_root=../escape', 'cgroups_root'],
    ['a disk watch interval that is not a duration', '--container_disk_watch_interval=often', 'container_disk_watch_interval'],
  ];
  for (const [what, flag, named] of cases) {
    it.concurrent(`${what} (${flag}) exits 1 with one line naming '${named}'`, async ({ expect }) => {
      expectOneLineNaming(expect, await runCli('agent', [flag]), named);
    });
  }

  it.concurrent('a missing --master exits 1 with one line naming it', async ({ expect }) => {
    expectOneLineNaming(expect, await runCli('agent', [], false), 'master');
  });
});
