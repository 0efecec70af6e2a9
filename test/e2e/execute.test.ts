/**
 * Method: `berth execute` (the built CLI) runs as a child process against a
 * real master and agent, as a user would run mesos-execute; the test reads
 * what it prints and its exit status. Bad flags are checked without a
 * cluster: one line on stderr, exit 1.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAgent, startMaster, useCluster } from '../support/cluster.js';
import { fastAgentFlags, fastMasterFlags, waitForActiveAgents } from './helpers.js';

useCluster();

const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function execute(args: readonly string[]): Promise<Run> {
  const child = spawn(process.execPath, [cliEntry, 'execute', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolveExit) => child.on('exit', (exitCode) => resolveExit(exitCode)));
  return { code, stdout, stderr };
}

describe('berth execute', () => {
  it('runs one task, prints its state changes and its stdout, and exits with its exit status', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    await startAgent(master.url, { flags: fastAgentFlags });
    await waitForActiveAgents(master.url, 1);
    const address = master.url.replace('http://', '');

    const failed = await execute([`--master=${address}`, '--name=three', '--command=echo out-line; echo err-line >&2; exit 3', '--resources=cpus:0.1;mem:32']);
    expect(failed.code).toBe(3);
    expect(failed.stdout).toContain('out-line');
    expect(failed.stderr).toContain('err-line');
    for (const state of ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']) expect(failed.stdout).toContain(state);

    const finished = await execute([`--master=${address}`, '--name=zero', '--command=echo done', '--user=nobody']);
    expect(finished.code).toBe(0);
    expect(finished.stdout).toContain('TASK_FINISHED');
  }, 60_000);

  it('refuses bad flags with one line and exit 1', async () => {
    const missing = await execute(['--name=x', '--command=true']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('master');
    const badResources = await execute(['--master=127.0.0.1:1', '--name=x', '--command=true', '--resources=cpus:lots']);
    expect(badResources.code).toBe(1);
    expect(badResources.stderr.trim().split('\n')).toHaveLength(1);
    expect(badResources.stderr).toContain('resources');
  }, 30_000);
});
