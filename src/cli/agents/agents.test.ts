// Method: `berth agents` run in process with captured output, against no
// master (127.0.0.1:1 refuses): usage, help and bad arguments fail with one
// line before any call; the calls the subcommands send are built from what
// was typed. Conversations with a real master are test/e2e/operator-cli.test.ts.
import { describe, expect, it } from 'vitest';
import { captureIo } from '../testing.js';
import { groupHelpFlags } from '../storage/subcommands.js';
import { deactivateAgentCall, drainAgentCall, protobufDuration, reactivateAgentCall } from './agent-requests.js';
import { agentsGroup, runAgents } from './agents.js';

const nowhere = '--master=127.0.0.1:1';

describe('cli: agents: command group', () => {
  it('cli: agents: command group: no subcommand prints the usage on stderr and fails; --help on stdout', async () => {
    const bare = captureIo();
    expect(await runAgents([], bare)).toBe(1);
    expect(bare.stderr).toContain('Usage: berth agents <list|drain|deactivate|reactivate> [options]');
    const help = captureIo();
    expect(await runAgents(['--help'], help)).toBe(0);
    expect(help.stdout).toContain('TASKS counts the tasks on an agent that have not ended');
  });

  it("cli: agents: command group: drain's --help names its argument and its flags", async () => {
    const io = captureIo();
    expect(await runAgents(['drain', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('Usage: berth agents drain <agent-id> [options]');
    expect(io.stdout).toContain('--max_grace_period=VALUE');
    expect(io.stdout).toContain('--[no-]wait');
  });

  it.each([
    [['frob'], "Unknown command 'berth agents frob': expected one of list, drain, deactivate, reactivate (see 'berth agents --help')"],
    [['drain', nowhere], 'Missing the agent id (usage: berth agents drain <agent-id> [options])'],
    [['deactivate', 'S0', 'S1', nowhere], "Unexpected argument 'S1' (usage: berth agents deactivate <agent-id> [options])"],
    [['list', 'S0', nowhere], "Unexpected argument 'S0': flags take the form --name=value"],
    [['drain', 'S0', '--max_grace_period=30', nowhere], "Failed to load flag 'max_grace_period': Failed to load value '30': Invalid duration '30'"],
    [['drain', 'S0', '--timeout=1mins', nowhere], '--timeout applies only with --wait'],
    [['drain', 'S0', '--wait', '--timeout=soon', nowhere], "Failed to load flag 'timeout'"],
    [['reactivate', 'S0', '--grace=1secs', nowhere], "Failed to load unknown flag 'grace'"],
  ])('cli: agents: command group: %j fails with one line before calling a master', async (argv, text) => {
    const io = captureIo();
    expect(await runAgents(argv, io)).toBe(1);
    expect(io.stdout).toBe('');
    expect(io.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(io.stderr).toContain(text);
  });

  it('cli: agents: command group: an unreachable master is one line naming it', async () => {
    const io = captureIo();
    expect(await runAgents(['drain', 'S0', '--max-grace-period=0secs', '--wait', nowhere], io)).toBe(1);
    expect(io.stderr).toMatch(/^Failed to reach the master at 127\.0\.0\.1:1: [^\n]+\n$/);
  });

  it('cli: agents: command group: DRAIN_AGENT carries max_grace_period as seconds and nanos, and mark_gone', () => {
    expect(drainAgentCall('S0', { maxGracePeriodMs: 30_000.5, markGone: true })).toEqual({
      type: 'DRAIN_AGENT',
      drain_agent: { agent_id: { value: 'S0' }, max_grace_period: { seconds: 30, nanos: 500_000 }, mark_gone: true },
    });
    expect(drainAgentCall('S0', { maxGracePeriodMs: undefined, markGone: false })).toEqual({ type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: 'S0' }, mark_gone: false } });
    expect(protobufDuration(0)).toEqual({ seconds: 0, nanos: 0 });
    expect(protobufDuration(1_500)).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(deactivateAgentCall('S0')).toEqual({ type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: 'S0' } } });
    expect(reactivateAgentCall('S0')).toEqual({ type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: 'S0' } } });
  });

  it('cli: agents: command group: `berth help agents` lists every flag with the subcommands that take it', () => {
    const flags = groupHelpFlags(agentsGroup);
    expect(flags['master']?.help).toContain('(list, drain, deactivate, reactivate)');
    expect(flags['wait']?.help).toContain('(drain)');
  });
});
