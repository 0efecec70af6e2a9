/**
 * `berth reservations` and `berth volumes` end to end: the built CLI runs as
 * a child process against a real master and agent, as an operator would type
 * it, and the test reads what it prints, its exit status, and the volume's
 * directory on the agent. Refusals (a bad argument, the master's 409) are
 * one line on stderr and exit status 1.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { fastMasterFlags, waitForActiveAgents } from './helpers.js';
import { agentReserved, storageAgentFlags } from './operator-storage-helpers.js';

useCluster();

const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function berth(args: readonly string[]): Promise<Run> {
  const child = spawn(process.execPath, [cliEntry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolveExit) => child.on('exit', (exitCode) => resolveExit(exitCode)));
  return { code, stdout, stderr };
}

/** Runs a command that must succeed; a failure shows what it printed. */
async function succeeds(args: readonly string[]): Promise<string> {
  const run = await berth(args);
  expect({ code: run.code, stderr: run.stderr }, args.join(' ')).toEqual({ code: 0, stderr: '' });
  return run.stdout;
}

/** Runs a command that must fail with one line on stderr; returns that line. */
async function failsWithOneLine(args: readonly string[]): Promise<string> {
  const run = await berth(args);
  expect(run.code, args.join(' ')).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  return lines[0] ?? '';
}

describe('storage CLI', () => {
  it('storage CLI: reserve, create, list (table and JSON), grow, destroy and unreserve against a real cluster', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, { flags: storageAgentFlags });
    const [listed] = await waitForActiveAgents(master.url, 1);
    const agentId = listed?.id ?? '';
    const common = [`--master=${master.url.replace('http://', '')}`, `--agent=${agentId}`];
    const directory = join(agent.workDir, 'volumes', 'roles', 'eng', 'pv-1');

    expect(await succeeds(['reservations', 'reserve', ...common, '--role=eng', '--principal=ops', '--resources=cpus:1;mem:256;disk:1024'])).toBe(
      `Reserved cpus:1;mem:256;disk:1024 for role eng on agent ${agentId}\n`,
    );
    expect(await succeeds(['volumes', 'create', ...common, '--role=eng', '--principal=ops', '--id=pv-1', '--size=512', '--container-path=data'])).toBe(
      `Created volume 'pv-1' (512 MB, role eng) on agent ${agentId}\n`,
    );
    await waitFor(() => existsSync(directory), { message: 'the volume directory' });

    const table = (await succeeds(['volumes', 'list', `--master=${master.url}`])).trimEnd().split('\n');
    expect(table[0]?.split(/\s{2,}/)).toEqual(['AGENT', 'ROLE', 'PRINCIPAL', 'ID', 'SIZE (MB)', 'DISK', 'CONTAINER PATH', 'MODE', 'SHARED']);
    expect(table.slice(1).map((line) => line.split(/\s+/))).toEqual([[agentId, 'eng', 'ops', 'pv-1', '512', 'ROOT', 'data', 'RW', 'no']]);

    expect(await succeeds(['volumes', 'grow', ...common, '--id=pv-1', '--by=256'])).toBe("Grew volume 'pv-1' by 256 MB to 768 MB\n");
    const json = JSON.parse(await succeeds(['volumes', 'list', `--master=${master.url}`, '--role=eng', '--json'])) as Record<string, unknown>[];
    expect(json).toEqual([
      expect.objectContaining({ agent_id: agentId, role: 'eng', principal: 'ops', id: 'pv-1', size_mb: 768, disk_source: 'ROOT', container_path: 'data', mode: 'RW', shared: false }),
    ]);
    const reservations = await succeeds(['reservations', 'list', `--master=${master.url}`, `--agent=${agentId}`]);
    expect(reservations).toMatch(/eng\s+DYNAMIC\s+ops\s+disk:768\s+pv-1/);
    expect(reservations).toMatch(/eng\s+DYNAMIC\s+ops\s+disk:256\s+-/);

    // The master's own refusal is the one line: more than the role's reserved disk.
    expect(await failsWithOneLine(['volumes', 'create', ...common, '--role=eng', '--id=pv-2', '--size=4GB'])).toContain('does not contain');
    expect(await failsWithOneLine(['volumes', 'create', ...common, '--role=eng', '--id=pv-1', '--size=1'])).toBe(
      `Invalid CREATE operation on agent ${agentId} (${listed?.hostname ?? ''}): Persistence ID 'pv-1' is not unique`,
    );

    expect(await succeeds(['volumes', 'destroy', ...common, '--id=pv-1'])).toBe(`Destroyed volume 'pv-1' on agent ${agentId}; the agent deletes its data\n`);
    await waitFor(() => !existsSync(directory), { message: 'the volume directory to go' });
    expect(await succeeds(['reservations', 'unreserve', ...common, '--role=eng', '--resources=cpus:1;mem:256;disk:1024'])).toBe(
      `Unreserved cpus:1;mem:256;disk:1024 from role eng on agent ${agentId}\n`,
    );
    await waitFor(async () => Object.keys(await agentReserved(agent.url)).length === 0, { message: 'the agent to hold no reservation' });
    expect((await succeeds(['volumes', 'list', `--master=${master.url}`])).trimEnd().split('\n')).toHaveLength(1);
  }, 90_000);

  it('storage CLI: bad arguments, an unknown volume and an unreachable master are one line and exit status 1', async () => {
    expect(await failsWithOneLine(['volumes', 'create', '--agent=S0', '--role=eng', '--id=pv-1'])).toBe("Flag 'size' is required, but it was not provided");
    expect(await failsWithOneLine(['volumes', 'grow', '--agent=S0', '--id=pv-1', '--by=lots'])).toContain("Failed to load flag 'by'");
    expect(await failsWithOneLine(['volumes', 'resize'])).toContain("Unknown command 'berth volumes resize'");
    expect(await failsWithOneLine(['reservations', 'reserve', '--agent=S0', '--role=eng', '--resources=cpus:lots'])).toContain('Invalid --resources');
    expect(await failsWithOneLine(['volumes', 'list', '--master=127.0.0.1:9'])).toMatch(/^Failed to reach the master at 127\.0\.0\.1:9: /);

    const master = await startMaster({ flags: fastMasterFlags });
    await startAgent(master.url, { flags: storageAgentFlags });
    const [listed] = await waitForActiveAgents(master.url, 1);
    expect(await failsWithOneLine(['volumes', 'destroy', `--master=${master.url}`, `--agent=${listed?.id ?? ''}`, '--id=pv-9'])).toBe(
      `No volume 'pv-9' on agent ${listed?.id ?? ''}`,
    );
    expect(await failsWithOneLine(['volumes', 'destroy', `--master=${master.url}`, '--agent=S9', '--id=pv-9'])).toBe("No agent with id 'S9' is registered with the master");
  }, 60_000);
});
