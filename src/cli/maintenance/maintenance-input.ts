/**
 * What people type to `berth maintenance`, turned into the v1 operator
 * calls (docs/maintenance.md): machines as `<hostname>@<ip>` (Mesos'
 * MachineID; `<hostname>` alone or `@<ip>` alone name one field), a window's
 * start as an ISO 8601 date or `now`, and a whole Schedule from a JSON file.
 * The master validates everything again. Pure.
 */
import { isIPv4 } from 'node:net';
import { err, ok, type Result } from '../../lib/result.js';
import { MaintenanceSchedule } from '../../protocol/operator.js';

/** Mesos' MachineID; at least one field is set. */
export interface MachineId {
  readonly hostname?: string | undefined;
  readonly ip?: string | undefined;
}

/** A window's schedule as UPDATE_MAINTENANCE_SCHEDULE takes it (nanoseconds since the epoch). */
export type Schedule = MaintenanceSchedule;

/** Most machines one command names: far more than a maintenance window holds. */
export const machinesPerCommandMax = 1000;

const nanosecondsPerMs = 1_000_000;

/** Dates people type: 2030-01-31, 2030-01-31T22:00, ...T22:00:00.5Z, ...T22:00:00+01:00 (space for T too). */
const isoDatePattern = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** `host@10.0.0.1`, `host` (hostname only) or `@10.0.0.1` (ip only). */
export function parseMachineId(text: string): Result<MachineId, string> {
  const expected = `Invalid machine '${text}': expected <hostname>@<ip>, <hostname> or @<ip>`;
  const parts = text.trim().split('@');
  if (parts.length > 2) return err(expected);
  const [hostname = '', ip = ''] = parts;
  if (hostname === '' && ip === '') return err(expected);
  if (/[\s,/]/.test(hostname)) return err(`${expected} (a hostname has no spaces, commas or slashes)`);
  if (ip !== '' && !isIPv4(ip)) return err(`Invalid machine '${text}': '${ip}' is not an IPv4 address`);
  return ok({ ...(hostname !== '' && { hostname }), ...(ip !== '' && { ip }) });
}

/** Several machines, comma-separated (repeated `--machine` flags arrive so). */
export function parseMachineList(text: string): Result<MachineId[], string> {
  return parseMachines(text.split(','));
}

export function parseMachines(texts: readonly string[]): Result<MachineId[], string> {
  if (texts.length > machinesPerCommandMax) return err(`At most ${machinesPerCommandMax} machines at once, got ${texts.length}`);
  const machines: MachineId[] = [];
  for (const text of texts) {
    const machine = parseMachineId(text);
    if (!machine.ok) return machine;
    machines.push(machine.value);
  }
  return ok(machines);
}

/** As typed: `host@10.0.0.1`, `host`, `@10.0.0.1`. */
export function machineText(machine: MachineId): string {
  return machine.ip === undefined ? (machine.hostname ?? '') : `${machine.hostname ?? ''}@${machine.ip}`;
}

/** `now`, or an ISO 8601 date (local time unless it ends in Z or an offset), as milliseconds since the epoch. */
export function parseStart(text: string, nowMs: number): Result<number, string> {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'now') return ok(nowMs);
  const ms = isoDatePattern.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isFinite(ms) ? ok(ms) : err(`Invalid start '${text}': expected 'now' or an ISO 8601 date such as 2030-01-31T22:00:00Z`);
}

/** One window of `machines` from `startMs`, `durationMs` long. */
export function scheduleOf(machines: readonly MachineId[], startMs: number, durationMs: number): Schedule {
  return {
    windows: [
      {
        machine_ids: [...machines],
        unavailability: { start: { nanoseconds: Math.round(startMs * nanosecondsPerMs) }, duration: { nanoseconds: Math.round(durationMs * nanosecondsPerMs) } },
      },
    ],
  };
}

/** A Schedule in JSON (`{"windows": [...]}`), as GET_MAINTENANCE_SCHEDULE and /master/maintenance/schedule print it. */
export function parseScheduleJson(text: string, where: string): Result<Schedule, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return err(`${where} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = MaintenanceSchedule.safeParse(json);
  if (parsed.success) return ok(parsed.data);
  const [issue] = parsed.error.issues;
  const path = issue === undefined || issue.path.length === 0 ? '' : ` at '${issue.path.join('.')}'`;
  return err(`${where} is not a maintenance Schedule ({"windows": [{"machine_ids": [...], "unavailability": {...}}]})${path}: ${issue?.message ?? 'invalid'}`);
}

export function startMaintenanceCall(machines: readonly MachineId[]): Record<string, unknown> {
  return { type: 'START_MAINTENANCE', start_maintenance: { machines } };
}

export function stopMaintenanceCall(machines: readonly MachineId[]): Record<string, unknown> {
  return { type: 'STOP_MAINTENANCE', stop_maintenance: { machines } };
}

export function updateScheduleCall(schedule: Schedule): Record<string, unknown> {
  return { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule } };
}

export const getMaintenanceStatusCall = { type: 'GET_MAINTENANCE_STATUS' };
export const getMaintenanceScheduleCall = { type: 'GET_MAINTENANCE_SCHEDULE' };
