// Method: `berth maintenance` run in process with captured output, against
// no master (127.0.0.1:1 refuses): usage, help and bad arguments fail with one
// line before any call is made. Conversations with a real master are
// test/e2e/operator-cli.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../testing.js';
import { joinRepeatedFlags } from '../storage/subcommands.js';
import { runMaintenance } from './maintenance.js';

const nowhere = '--master=127.0.0.1:1';

describe('cli: maintenance: command group', () => {
  it('cli: maintenance: command group: the usage says a schedule replaces the whole one; so does schedule --help', async () => {
    const bare = captureIo();
    expect(await runMaintenance([], bare)).toBe(1);
    expect(bare.stderr).toContain('Usage: berth maintenance <status|schedule|down|up> [options]');
    expect(bare.stderr).toContain("'schedule' REPLACES the master's whole schedule");
    const help = captureIo();
    expect(await runMaintenance(['schedule', '--help'], help)).toBe(0);
    expect(help.stdout).toContain('Usage: berth maintenance schedule [options]');
    expect(help.stdout).toContain("The schedule given REPLACES the master's whole schedule");
    const down = captureIo();
    expect(await runMaintenance(['down', '--help'], down)).toBe(0);
    expect(down.stdout).toContain('Usage: berth maintenance down <hostname>@<ip> [...] [options]');
  });

  it.each([
    [['down', nowhere], 'Missing the machines (usage: berth maintenance down <hostname>@<ip> [...] [options])'],
    [['down', 'db-1@10.0.0.5', 'db@2@x', nowhere], "Invalid machine 'db@2@x': expected <hostname>@<ip>, <hostname> or @<ip>"],
    [['up', '@300.0.0.1', nowhere], "Invalid machine '@300.0.0.1': '300.0.0.1' is not an IPv4 address"],
    [['schedule', nowhere], 'Give exactly one of --machine (with --duration), --file and --clear'],
    [['schedule', '--clear', '--file=s.json', nowhere], 'Give exactly one of --machine (with --duration), --file and --clear, not --file and --clear'],
    [['schedule', '--machine=db-1', nowhere], '--machine needs --duration'],
    [['schedule', '--clear', '--duration=1hrs', nowhere], '--start and --duration go with --machine'],
    [['schedule', '--machine=db-1', '--duration=2', nowhere], "Failed to load flag 'duration': Failed to load value '2': Invalid duration '2'"],
    [['schedule', '--machine=db-1', '--machine=@1.2.3', '--duration=1hrs', nowhere], "Invalid machine '@1.2.3': '1.2.3' is not an IPv4 address"],
    [['schedule', '--machine=db-1', '--duration=1hrs', '--start=soon', nowhere], "Invalid start 'soon'"],
    [['schedule', '--file=/nonexistent/schedule.json', nowhere], "Failed to read --file '/nonexistent/schedule.json': ENOENT"],
    [['status', 'now', nowhere], "Unexpected argument 'now': flags take the form --name=value"],
  ])('cli: maintenance: command group: %j fails with one line before calling a master', async (argv, text) => {
    const io = captureIo();
    expect(await runMaintenance(argv, io)).toBe(1);
    expect(io.stdout).toBe('');
    expect(io.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(io.stderr).toContain(text);
  });

  it('cli: maintenance: command group: a schedule file that is not a Schedule is refused before calling a master', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'berth-maintenance-')), 'schedule.json');
    writeFileSync(path, '{"windows":[{"machine_ids":[{"hostname":"a"}]}]}');
    const io = captureIo();
    expect(await runMaintenance(['schedule', `--file=${path}`, nowhere], io)).toBe(1);
    expect(io.stderr).toMatch(new RegExp(`^--file '${path}' is not a maintenance Schedule .* at 'windows\\.0\\.unavailability': [^\\n]+\\n$`));
  });

  it('cli: maintenance: command group: a good schedule reaches the master, whose absence is the one line', async () => {
    const io = captureIo();
    expect(await runMaintenance(['schedule', '--machine', 'db-1@10.0.0.5', '--machine=db-2', '--duration=1hrs', nowhere], io)).toBe(1);
    expect(io.stderr).toMatch(/^Failed to reach the master at 127\.0\.0\.1:1: [^\n]+\n$/);
  });

  it('cli: maintenance: command group: repeated flags are joined where the first stood; the rest is left alone', () => {
    expect(joinRepeatedFlags(['--machine=a', '--start=now', '--machine', 'b', 'x', '--', '--machine=c'], ['machine'])).toEqual([
      '--machine=a,b',
      '--start=now',
      'x',
      '--',
      '--machine=c',
    ]);
    expect(joinRepeatedFlags(['--start=now'], ['machine'])).toEqual(['--start=now']);
    expect(joinRepeatedFlags(['--MACHINE=a', '--machine=b'], ['machine'])).toEqual(['--machine=a,b']);
  });
});
