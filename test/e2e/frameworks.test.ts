/**
 * The reference frameworks (issue 4 point 10), as a user runs them: `berth
 * framework <name>` (the built CLI) as a child process against a real master
 * and agent. A run passes when it exits 0 with its summary and the agent is
 * left as it was found: every volume directory gone, no reservation in the
 * agent's /state. A run that cannot succeed exits non-zero with one line.
 *
 * Method: real master and agent processes (test/support/cluster.ts); the
 * test reads what the command prints, its exit status, the agent's work
 * directory and its /state endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchJson, startAgent, startMaster, useCluster, type ProcessHandle } from '../support/cluster.js';
import { fastAgentFlags, fastMasterFlags, waitForActiveAgents } from './helpers.js';

useCluster();

const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const role = 'eng';

/** Commands still running when a test ends (it failed or timed out) are killed. */
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function framework(args: readonly string[]): Promise<Run> {
  const child = spawn(process.execPath, [cliEntry, 'framework', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolveExit) => child.on('close', (exitCode) => resolveExit(exitCode)));
  children.delete(child);
  return { code, stdout, stderr };
}

async function cluster(masterFlags: readonly string[] = fastMasterFlags): Promise<{ address: string; agent: ProcessHandle }> {
  const master = await startMaster({ flags: masterFlags });
  const agent = await startAgent(master.url, { flags: fastAgentFlags });
  await waitForActiveAgents(master.url, 1);
  return { address: master.url.replace('http://', ''), agent };
}

async function agentReservations(agent: ProcessHandle): Promise<Record<string, unknown>> {
  return (await fetchJson<{ reserved_resources_full: Record<string, unknown> }>(`${agent.url}/state`)).reserved_resources_full;
}

interface PersistentVolumeSummary {
  framework: string;
  framework_id: string;
  role: string;
  principal?: string;
  shards: { name: string; shared: boolean; agent_id: string; volume_id: string; tasks: string[] }[];
  tasks_finished: number;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe('berth framework persistent-volumes', () => {
  it('runs every shard, shared and not, then destroys every volume and releases every reservation', async () => {
    const { address, agent } = await cluster();

    const run = await framework(['persistent-volumes', `--master=${address}`, `--role=${role}`, '--principal=ops', '--num-shards=3', '--tasks-per-shard=3', '--json']);

    expect(run.stderr).toContain('shared-shard-2: launching shared-shard-2-task-1, shared-shard-2-task-2');
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as PersistentVolumeSummary;
    expect(summary).toMatchObject({ framework: 'persistent-volumes', role, principal: 'ops', tasks_finished: 9 });
    expect(summary.shards.map((shard) => [shard.name, shard.shared, shard.tasks.length])).toEqual([
      ['shard-0', false, 3],
      ['shard-1', false, 3],
      ['shared-shard-2', true, 3],
    ]);
    for (const shard of summary.shards) {
      expect(existsSync(join(agent.workDir, 'volumes', 'roles', role, shard.volume_id)), `${shard.volume_id} is gone`).toBe(false);
    }
    expect(await agentReservations(agent)).toEqual({});
  }, 60_000);

  it('prints a table of shards and a closing line for people', async () => {
    const { address, agent } = await cluster();

    const run = await framework(['persistent-volumes', `--master=${address}`, `--role=${role}`, '--num_shards=2', '--shared_shards=0', '--quiet']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const [header, ...rest] = lines(run.stdout);
    expect(header).toMatch(/^SHARD\s+VOLUME KIND\s+VOLUME\s+AGENT\s+TASKS$/);
    expect(rest).toHaveLength(3);
    expect(rest[2]).toMatch(/^2 shards \(0 shared\), 4 tasks finished in [\d.]+s; every volume destroyed and every reservation of role 'eng' released$/);
    expect(await agentReservations(agent)).toEqual({});
  }, 60_000);

  it('exits 1 with one line when the master refuses the role', async () => {
    const { address } = await cluster([...fastMasterFlags, '--roles=eng']);

    const run = await framework(['persistent-volumes', `--master=${address}`, '--role=other']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^berth framework persistent-volumes: cannot subscribe .*Roles \{ other \} are not present in the master's --roles\n$/);
  }, 60_000);
});

describe('berth framework dynamic-reservation', () => {
  it('reserves, runs the tasks on the reservation, unreserves, and prints a table for people', async () => {
    const { address, agent } = await cluster();

    const run = await framework(['dynamic-reservation', `--master=${address}`, `--role=${role}`, '--tasks=3']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("reserving cpus:1;mem:128 for role 'eng'");
    expect(run.stderr).toContain('reservation released');
    const [header, row, closing] = lines(run.stdout);
    expect(header).toMatch(/^AGENT\s+TASKS$/);
    expect(row).toMatch(/\s+task-0, task-1, task-2$/);
    expect(closing).toMatch(/^3 tasks finished on 1 agent in [\d.]+s; cpus:1;mem:128 reserved per agent for role 'eng', and released$/);
    expect(await agentReservations(agent)).toEqual({});
  }, 60_000);

  it('prints the summary as JSON with --json', async () => {
    const { address, agent } = await cluster();

    const run = await framework(['dynamic-reservation', `--master=${address}`, `--role=${role}`, '--tasks=2', '--resources=cpus:0.5;mem:64', '--json', '--quiet']);

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ framework: 'dynamic-reservation', role, reservation: 'cpus:0.5;mem:64', tasks_finished: 2 });
    expect(await agentReservations(agent)).toEqual({});
  }, 60_000);

  it('exits 1 with one line, saying what it waited for, when no agent can hold a task', async () => {
    const { address } = await cluster();

    const run = await framework(['dynamic-reservation', `--master=${address}`, `--role=${role}`, '--resources=cpus:4;mem:128', '--timeout=2secs', '--quiet']);

    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      "berth framework dynamic-reservation: timed out after 2secs waiting for an offer holding cpus:4;mem:128 unreserved for role 'eng'",
    ]);
  }, 60_000);

  it('exits 1 with one line naming a task that fails', async () => {
    const { address } = await cluster();

    const run = await framework(['dynamic-reservation', `--master=${address}`, `--role=${role}`, '--command=exit 3', '--quiet']);

    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^berth framework dynamic-reservation: task task-0 on agent \S+ ended TASK_FAILED \(Command exited with status 3\); left in place: the reservation on agent \S+\n$/);
  }, 60_000);

  it('refuses a bad flag with one line and exit 1, without a cluster', async () => {
    const run = await framework(['dynamic-reservation', '--master=127.0.0.1:1', '--role=*']);

    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain("role other than '*'");
  });
});
