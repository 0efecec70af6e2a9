// Method: the command groups run in process with captured output, for what
// needs no master: usage, help, unknown commands and bad flags (one line on
// stderr, exit 1). Conversations with a real master are test/e2e/operator-storage.test.ts.
import { describe, expect, it } from 'vitest';
import { captureIo } from '../testing.js';
import { runReservations } from './reservations.js';
import { groupHelpFlags } from './subcommands.js';
import { runVolumes, volumesGroup } from './volumes.js';

describe('cli: storage: command groups', () => {
  it('cli: storage: command groups: no subcommand prints the usage on stderr and fails; --help on stdout', async () => {
    const bare = captureIo();
    expect(await runVolumes([], bare)).toBe(1);
    expect(bare.stderr).toContain('Usage: berth volumes <list|create|destroy|grow|shrink> [options]');
    const help = captureIo();
    expect(await runReservations(['--help'], help)).toBe(0);
    expect(help.stdout).toContain('Usage: berth reservations <list|reserve|unreserve> [options]');
  });

  it("cli: storage: command groups: a subcommand's --help lists its own flags", async () => {
    const io = captureIo();
    expect(await runVolumes(['create', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('Usage: berth volumes create [options]');
    expect(io.stdout).toContain('--container_path=VALUE');
    expect(io.stdout).not.toContain('--by=VALUE');
  });

  it.each([
    [['frob'], "Unknown command 'berth volumes frob'"],
    [['create', '--agent=S0', '--role=eng', '--id=pv-1'], "Flag 'size' is required"],
    [['create', '--agent=S0', '--role=eng', '--id=pv-1', '--size=big'], "Failed to load flag 'size'"],
    [['grow', '--agent=S0', '--id=pv-1', '--by=1', '--size=2'], "Failed to load unknown flag 'size'"],
    [['destroy', '--agent=S0', '--id=pv-1', 'now'], "Unexpected argument 'now'"],
    [['create', '--agent=S0', '--role=/eng', '--id=pv-1', '--size=1'], "Role '/eng' cannot start with a slash"],
  ])('cli: storage: command groups: volumes %j fails with one line', async (argv, text) => {
    const io = captureIo();
    expect(await runVolumes(argv, io)).toBe(1);
    expect(io.stdout).toBe('');
    expect(io.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(io.stderr).toContain(text);
  });

  it('cli: storage: command groups: reserve refuses resources it cannot read, before calling a master', async () => {
    const io = captureIo();
    expect(await runReservations(['reserve', '--master=127.0.0.1:1', '--agent=S0', '--role=eng', '--resources=cpus(eng):1'], io)).toBe(1);
    expect(io.stderr).toBe('Invalid --resources: Give the amounts without a role (cpus:1, not cpus(eng):1): the role is --role\n');
  });

  it('cli: storage: command groups: `berth help volumes` lists every flag with the subcommands that take it', () => {
    const flags = groupHelpFlags(volumesGroup);
    expect(flags['by']?.help).toContain('(grow, shrink)');
    expect(flags['agent']?.presence).toBe('optional');
    expect(flags['agent']?.help).toContain('The agent id');
    expect(flags['master']?.defaultValue).toBe('127.0.0.1:5050');
  });
});
