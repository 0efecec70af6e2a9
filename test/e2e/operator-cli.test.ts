/**
 * `berth agents` and `berth maintenance` end to end: the built CLI runs as a
 * child process against a real master and agent, as an operator would type
 * it, and the test reads what it prints and its exit status.
 *
 * Method: one master and one agent per test (the agent advertises
 * AGENT_DRAINING and --hostname=ops-e2e, so its machine is
 * ops-e2e@127.0.0.1). The maintenance test schedules that machine, takes it
 * DOWN (the master removes the agent and tells it to shut down), starts the
 * agent again while the machine is DOWN (refused), and brings the machine UP:
 * the agent links again by itself. The drain test runs a `sleep` task through
 * a framework session and drains with --wait; the framework acknowledges the
 * terminal update only once the CLI has said it waits for that, so the
 * progress lines are not left to timing. Refusals (a bad argument, the
 * master's 400) are one line on stderr and exit status 1.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { fastMasterFlags, frameworkInfo, useSessions, waitForActiveAgents } from './helpers.js';
import { commandTask, launch, nextOffer, taskAgentFlags, terminalUnacknowledged, untilState } from './task-helpers.js';

useCluster();

const { open } = useSessions();

const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

const hostname = 'ops-e2e';
const machine = `${hostname}@127.0.0.1`;
const agentFlags = [...taskAgentFlags, `--hostname=${hostname}`];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Running {
  /** What the command printed on stdout so far. */
  readonly stdout: () => string;
  readonly exited: Promise<Run>;
}

function startBerth(args: readonly string[]): Running {
  const child = spawn(process.execPath, [cliEntry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<Run>((resolveExit) => child.on('exit', (code) => resolveExit({ code, stdout, stderr })));
  return { stdout: () => stdout, exited };
}

/** Runs a command that must succeed; a failure shows what it printed. */
async function succeeds(args: readonly string[]): Promise<string> {
  const run = await startBerth(args).exited;
  expect({ code: run.code, stderr: run.stderr }, args.join(' ')).toEqual({ code: 0, stderr: '' });
  return run.stdout;
}

/** Runs a command that must fail with one line on stderr; returns that line. */
async function failsWithOneLine(args: readonly string[]): Promise<string> {
  const run = await startBerth(args).exited;
  expect(run.code, args.join(' ')).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  return lines[0] ?? '';
}

/** A table's lines, each split into its cells (cells hold no spaces). */
function tableOf(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/\s+/));
}

describe('operator CLI', () => {
  it('operator CLI: agents list; maintenance schedule, status, down and up; the agent registers again after up', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, { flags: agentFlags });
    const [listed] = await waitForActiveAgents(master.url, 1);
    const agentId = listed?.id ?? '';
    const at = `--master=${master.url.replace('http://', '')}`;
    const host = `${hostname}:${listed?.port ?? 0}`;

    expect(tableOf(await succeeds(['agents', 'list', at]))).toEqual([
      ['ID', 'HOST', 'REGISTERED', 'ACTIVE', 'DEACTIVATED', 'DRAIN', 'TASKS'],
      [agentId, host, 'yes', 'yes', 'no', '-', '0'],
    ]);
    expect(JSON.parse(await succeeds(['agents', 'list', at, '--json']))).toEqual([
      expect.objectContaining({ agent_id: agentId, hostname, recovered: false, active: true, deactivated: false, drain: null, tasks: 0 }),
    ]);

    expect(await succeeds(['maintenance', 'schedule', at, `--machine=${machine}`, '--machine=spare-e2e', '--start=2030-01-01T00:00:00Z', '--duration=2hrs'])).toBe(
      `Replaced the maintenance schedule: ${machine}, spare-e2e DRAINING, unavailable from 2030-01-01T00:00:00.000Z for 2hrs\n`,
    );
    expect((await succeeds(['maintenance', 'status', at])).trimEnd().split('\n')).toEqual([
      'MACHINE            MODE      FRAMEWORK  ANSWER',
      `${machine}  DRAINING  -          -`,
      'spare-e2e          DRAINING  -          -',
      '',
      'WINDOW  MACHINES                     START                     DURATION',
      `1       ${machine},spare-e2e  2030-01-01T00:00:00.000Z  2hrs`,
    ]);
    const status = JSON.parse(await succeeds(['maintenance', 'status', at, '--json'])) as Record<string, unknown>;
    expect(status['schedule']).toEqual({
      windows: [
        {
          machine_ids: [{ hostname, ip: '127.0.0.1' }, { hostname: 'spare-e2e' }],
          unavailability: { start: { nanoseconds: Date.UTC(2030, 0, 1) * 1e6 }, duration: { nanoseconds: 2 * 3600 * 1e9 } },
        },
      ],
    });
    // The master's own refusal is the one line.
    expect(await failsWithOneLine(['agents', 'drain', agentId, at])).toBe(`Agent ${agentId} is part of a maintenance schedule under Machine ${hostname} (127.0.0.1)`);

    expect(await succeeds(['maintenance', 'down', machine, at])).toBe(`Machine ${machine} is DOWN: the master removed its agents and refuses them until 'berth maintenance up'\n`);
    await agent.exited;
    expect(tableOf(await succeeds(['agents', 'list', at]))).toHaveLength(1);
    expect(await succeeds(['maintenance', 'status', at])).toMatch(new RegExp(`^${machine}\\s+DOWN\\s+-\\s+-$`, 'm'));

    // Started again while its machine is DOWN, the agent is refused; it links again by itself after up.
    await agent.restart();
    await waitFor(() => /Refusing the agent at .*DOWN for maintenance/.test(readFileSync(master.logPath, 'utf8')), { message: 'the master to refuse the agent' });
    expect(await succeeds(['maintenance', 'up', machine, at])).toBe(`Machine ${machine} is UP and out of the schedule: its agents may register again\n`);
    await waitForActiveAgents(master.url, 1, 20_000);
    // A new port: the agent was started again on port 0.
    expect(tableOf(await succeeds(['agents', 'list', at]))[1]?.slice(1)).toEqual([expect.stringMatching(`^${hostname}:\\d+$`), 'yes', 'yes', 'no', '-', '0']);
    expect(await failsWithOneLine(['maintenance', 'up', machine, at])).toBe(`Machine '{"hostname":"${hostname}","ip":"127.0.0.1"}' is not in DOWN mode and cannot be brought up`);
    expect(await succeeds(['maintenance', 'schedule', at, '--clear'])).toBe('Cleared the maintenance schedule: every machine is UP\n');
    expect(JSON.parse(await succeeds(['maintenance', 'status', at, '--json']))).toEqual({ machines: [], windows: [], schedule: {} });
  }, 60_000);

  it('operator CLI: drain --wait prints progress until DRAINED; deactivate and reactivate; bad input is one line', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    await startAgent(master.url, { flags: agentFlags });
    const [listed] = await waitForActiveAgents(master.url, 1);
    const agentId = listed?.id ?? '';
    const at = `--master=${master.url}`;
    const session = await open(master.url, frameworkInfo({ user: 'root', name: 'operator-cli-e2e' }));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'sleeper', 'exec sleep 1000')], 0);
    await untilState(session, 'sleeper', 'TASK_RUNNING');
    expect(tableOf(await succeeds(['agents', 'list', at]))[1]?.at(-1)).toBe('1');

    const drain = startBerth(['agents', 'drain', agentId, at, '--max_grace_period=0secs', '--wait', '--timeout=30secs']);
    const awaiting = `draining agent ${agentId}: 0 tasks left, 1 ended awaiting its framework's acknowledgement`;
    const status = await terminalUnacknowledged(session, 'sleeper');
    expect(status).toMatchObject({ state: 'TASK_KILLED', reason: 'REASON_AGENT_DRAINING' });
    await waitFor(() => drain.stdout().includes(awaiting), { message: 'the CLI to say the drain waits for the acknowledgement' });
    await session.acknowledgeStatus(status);
    const drained = await drain.exited;
    expect({ code: drained.code, stderr: drained.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = drained.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Draining agent ${agentId} (tasks killed at once)`);
    expect(lines.at(-1)).toBe(`Agent ${agentId} is DRAINED: it stays deactivated until 'berth agents reactivate ${agentId}'`);
    // A line each time what is left changed: perhaps the running task first, then the one awaiting its acknowledgement.
    expect(lines.slice(1, -1).at(-1)).toBe(awaiting);
    expect(lines.slice(1, -1).slice(0, -1)).toEqual(lines.length === 3 ? [] : [`draining agent ${agentId}: 1 task left`]);
    expect(tableOf(await succeeds(['agents', 'list', at]))[1]?.slice(2)).toEqual(['yes', 'no', 'yes', 'DRAINED', '0']);

    expect(await succeeds(['agents', 'reactivate', agentId, at])).toBe(`Reactivated agent ${agentId}: it is offered again\n`);
    expect(tableOf(await succeeds(['agents', 'list', at]))[1]?.slice(2)).toEqual(['yes', 'yes', 'no', '-', '0']);
    expect(await succeeds(['agents', 'deactivate', agentId, at])).toBe(`Deactivated agent ${agentId}: it is offered to no one, and its tasks keep running\n`);
    expect(tableOf(await succeeds(['agents', 'list', at]))[1]?.slice(2)).toEqual(['yes', 'no', 'yes', '-', '0']);
    expect(await succeeds(['agents', 'reactivate', agentId, at])).toBe(`Reactivated agent ${agentId}: it is offered again\n`);

    expect(await failsWithOneLine(['agents', 'reactivate', agentId, at])).toBe('Agent is not deactivated');
    expect(await failsWithOneLine(['agents', 'drain', 'no-such-agent', at])).toBe('Unknown agent');
    expect(await failsWithOneLine(['agents', 'drain', agentId, at, '--max_grace_period=30'])).toBe(
      "Failed to load flag 'max_grace_period': Failed to load value '30': Invalid duration '30'",
    );
    expect(await failsWithOneLine(['maintenance', 'down', 'ops@e2e@127.0.0.1', at])).toBe("Invalid machine 'ops@e2e@127.0.0.1': expected <hostname>@<ip>, <hostname> or @<ip>");
    expect(await failsWithOneLine(['maintenance', 'schedule', `--machine=${machine}`, '--duration=soon', at])).toContain("Failed to load flag 'duration'");
    expect(await failsWithOneLine(['agents', 'list', '--master=127.0.0.1:9'])).toMatch(/^Failed to reach the master at 127\.0\.0\.1:9: /);
  }, 60_000);
});
