/**
 * `berth maintenance status|schedule|down|up`: Mesos' maintenance primitives
 * through the v1 operator API (docs/maintenance.md). Machines are typed as
 * `<hostname>@<ip>`; a schedule is given by flags (one window) or as a JSON
 * file, and always replaces the one the master holds.
 */
import { readFileSync } from 'node:fs';
import { formatDuration } from '../../lib/duration.js';
import { flag } from '../../lib/flags/index.js';
import { oneLine } from '../../lib/one-line.js';
import { err, ok, type Result } from '../../lib/result.js';
import { processTerminal } from '../../lib/terminal.js';
import { sendChange } from '../storage/cluster-calls.js';
import { operatorCall, type CommandIo } from '../storage/operator-client.js';
import { masterFlag } from '../storage/storage-flags.js';
import { fail, runGroup, subcommand, type CommandGroup } from '../storage/subcommands.js';
import {
  getMaintenanceScheduleCall,
  getMaintenanceStatusCall,
  machinesPerCommandMax,
  machineText,
  parseMachineList,
  parseMachines,
  parseScheduleJson,
  parseStart,
  scheduleOf,
  startMaintenanceCall,
  stopMaintenanceCall,
  updateScheduleCall,
  type MachineId,
  type Schedule,
} from './maintenance-input.js';
import { maintenanceJson, maintenanceTables, maintenanceViewFromAnswers } from './maintenance-views.js';

const machinesArgument = { usage: '<hostname>@<ip> [...]', what: 'the machines', min: 1, max: machinesPerCommandMax };

const status = subcommand(
  'Machines DRAINING (with each framework answer) or DOWN, and the schedule.',
  { master: masterFlag, json: flag.bool({ default: false, help: 'Print one JSON object (machines, windows, and the schedule as posted)\ninstead of tables.' }) },
  async (flags, io) => {
    const [statusAnswer, scheduleAnswer] = await Promise.all([operatorCall(flags.master, getMaintenanceStatusCall), operatorCall(flags.master, getMaintenanceScheduleCall)]);
    if (!statusAnswer.ok) return fail(io, statusAnswer.error);
    if (!scheduleAnswer.ok) return fail(io, scheduleAnswer.error);
    const view = maintenanceViewFromAnswers(statusAnswer.value, scheduleAnswer.value);
    if (!view.ok) return fail(io, view.error);
    io.out(flags.json ? `${JSON.stringify(maintenanceJson(view.value), null, 2)}\n` : `${maintenanceTables(view.value)}\n`);
    return 0;
  },
);

const scheduleFlags = {
  master: masterFlag,
  machine: flag.custom<MachineId[]>({
    parse: parseMachineList,
    format: (machines) => machines.map(machineText).join(','),
    help: 'A machine of the one window: <hostname>@<ip>, <hostname> or @<ip>.\nRepeat it, or separate machines with commas.',
  }),
  start: flag.custom<number>({
    parse: (text) => parseStart(text, Date.now()),
    format: (ms) => new Date(ms).toISOString(),
    help: "With --machine: when the window starts: 'now' or an ISO 8601 date\n(2030-01-31T22:00:00Z; local time without Z or an offset). (default: now)",
  }),
  duration: flag.duration({ help: 'With --machine: how long the window lasts, e.g. 2hrs. (required with --machine)' }),
  file: flag.path({ help: 'A JSON Schedule ({"windows": [...]}), e.g. what \'berth maintenance status\n--json\' prints under "schedule".' }),
  clear: flag.bool({ default: false, help: 'Remove every window (a DOWN machine must be brought up first).' }),
};

const schedule = subcommand(
  'Replace the whole schedule: one window from flags, a JSON file, or --clear.',
  scheduleFlags,
  async (flags, io) => {
    const chosen = scheduleFromFlags(flags);
    if (!chosen.ok) return fail(io, chosen.error);
    return sendChange(flags.master, updateScheduleCall(chosen.value.schedule), io, chosen.value.done);
  },
  {
    repeatable: ['machine'],
    notes:
      "The schedule given REPLACES the master's whole schedule, as UPDATE_MAINTENANCE_SCHEDULE\n" +
      'does: machines it leaves out become UP (a DOWN machine must stay in it until brought up).\n' +
      "Give exactly one of --machine (one window), --file or --clear. Examples:\n" +
      '  berth maintenance schedule --machine=db-1@10.0.0.5 --machine=db-2@10.0.0.6 --start=now --duration=2hrs\n' +
      '  berth maintenance schedule --file=schedule.json\n',
  },
);

const down = subcommand(
  'Take DRAINING machines DOWN (START_MAINTENANCE): their agents are removed.',
  { master: masterFlag },
  async (flags, io, args) => {
    const machines = parseMachines(args);
    if (!machines.ok) return fail(io, machines.error);
    const done = `${machinesText(machines.value)} DOWN: the master removed ${its(machines.value)} agents and refuses them until 'berth maintenance up'`;
    return sendChange(flags.master, startMaintenanceCall(machines.value), io, done);
  },
  { arguments: machinesArgument },
);

const up = subcommand(
  'Bring DOWN machines UP (STOP_MAINTENANCE): out of the schedule, agents welcome.',
  { master: masterFlag },
  async (flags, io, args) => {
    const machines = parseMachines(args);
    if (!machines.ok) return fail(io, machines.error);
    const done = `${machinesText(machines.value)} UP and out of the schedule: ${its(machines.value)} agents may register again`;
    return sendChange(flags.master, stopMaintenanceCall(machines.value), io, done);
  },
  { arguments: machinesArgument },
);

export const maintenanceGroup: CommandGroup = {
  name: 'maintenance',
  subcommands: { status, schedule, down, up },
  trailer:
    'A machine is <hostname>@<ip>, as its agents announce them (<hostname> alone or @<ip> alone\n' +
    "names one field and matches no agent). 'schedule' REPLACES the master's whole schedule, as\n" +
    'UPDATE_MAINTENANCE_SCHEDULE does: machines left out become UP. Scheduled machines are\n' +
    "DRAINING: frameworks get inverse offers; 'down' then removes their agents and 'up' lets\n" +
    'them back. A refusal is printed as the master words it, and the exit status is 1.\n',
};

export function runMaintenance(argv: readonly string[], io: CommandIo = processTerminal()): Promise<number> {
  return runGroup(maintenanceGroup, argv, io);
}

interface ScheduleFlags {
  readonly machine: MachineId[] | undefined;
  readonly start: number | undefined;
  readonly duration: number | undefined;
  readonly file: string | undefined;
  readonly clear: boolean;
}

/** The schedule to post and the line that says what was done; exactly one of --machine, --file and --clear. */
function scheduleFromFlags(flags: ScheduleFlags): Result<{ schedule: Schedule; done: string }, string> {
  const sources = [flags.machine !== undefined && '--machine', flags.file !== undefined && '--file', flags.clear && '--clear'].filter((name) => name !== false);
  if (sources.length !== 1) return err(`Give exactly one of --machine (with --duration), --file and --clear${sources.length > 1 ? `, not ${sources.join(' and ')}` : ''}`);
  if (flags.machine === undefined && (flags.start !== undefined || flags.duration !== undefined)) return err('--start and --duration go with --machine');
  if (flags.clear) return ok({ schedule: {}, done: 'Cleared the maintenance schedule: every machine is UP' });
  if (flags.file !== undefined) {
    const read = readSchedule(flags.file);
    if (!read.ok) return read;
    const count = read.value.windows?.length ?? 0;
    return ok({ schedule: read.value, done: `Replaced the maintenance schedule with the ${count === 1 ? '1 window' : `${count} windows`} of ${flags.file}` });
  }
  const machines = flags.machine ?? [];
  if (flags.duration === undefined) return err('--machine needs --duration: how long the machines will be unavailable, e.g. 2hrs');
  const startMs = flags.start ?? Date.now();
  const done = `Replaced the maintenance schedule: ${machines.map(machineText).join(', ')} DRAINING, unavailable from ${new Date(startMs).toISOString()} for ${formatDuration(flags.duration)}`;
  return ok({ schedule: scheduleOf(machines, startMs, flags.duration), done });
}

function readSchedule(path: string): Result<Schedule, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return err(`Failed to read --file '${path}': ${oneLine(error instanceof Error ? error.message : String(error))}`);
  }
  return parseScheduleJson(text, `--file '${path}'`);
}

function machinesText(machines: readonly MachineId[]): string {
  const names = machines.map(machineText).join(', ');
  return machines.length === 1 ? `Machine ${names} is` : `Machines ${names} are`;
}

function its(machines: readonly MachineId[]): string {
  return machines.length === 1 ? 'its' : 'their';
}
