/**
 * What `berth maintenance status` prints: the machines in maintenance from
 * GET_MAINTENANCE_STATUS (DRAINING with what each framework answered to its
 * inverse offers, or DOWN) and the windows of GET_MAINTENANCE_SCHEDULE, as
 * two tables or one JSON object. Pure.
 */
import { z } from 'zod';
import { formatDuration } from '../../lib/duration.js';
import { err, ok, type Result } from '../../lib/result.js';
import { formatTable } from '../../lib/text-table.js';
import { MaintenanceSchedule } from '../../protocol/operator.js';
import { machineText, type MachineId, type Schedule } from './maintenance-input.js';

const nanosecondsPerMs = 1_000_000;

const Machine = z.object({ hostname: z.string().optional(), ip: z.string().optional() });

const StatusAnswer = z.object({
  get_maintenance_status: z.object({
    status: z.object({
      draining_machines: z
        .array(
          z.object({
            id: Machine,
            statuses: z
              .array(z.object({ status: z.enum(['ACCEPT', 'DECLINE']), framework_id: z.object({ value: z.string() }), timestamp: z.object({ nanoseconds: z.number() }).optional() }))
              .optional(),
          }),
        )
        .optional(),
      down_machines: z.array(Machine).optional(),
    }),
  }),
});

const ScheduleAnswer = z.object({ get_maintenance_schedule: z.object({ schedule: MaintenanceSchedule }) });

export interface FrameworkAnswer {
  readonly frameworkId: string;
  readonly answer: 'ACCEPT' | 'DECLINE';
  readonly timeMs: number | undefined;
}

export interface MachineStatus {
  readonly machine: MachineId;
  readonly mode: 'DRAINING' | 'DOWN';
  readonly answers: readonly FrameworkAnswer[];
}

export interface MaintenanceView {
  readonly machines: readonly MachineStatus[];
  readonly schedule: Schedule;
}

/** Draining machines first, then down ones, as the master lists them. */
export function maintenanceViewFromAnswers(status: unknown, schedule: unknown): Result<MaintenanceView, string> {
  const parsedStatus = StatusAnswer.safeParse(status);
  if (!parsedStatus.success) return err('The master answered GET_MAINTENANCE_STATUS with something that is not a GET_MAINTENANCE_STATUS response');
  const parsedSchedule = ScheduleAnswer.safeParse(schedule);
  if (!parsedSchedule.success) return err('The master answered GET_MAINTENANCE_SCHEDULE with something that is not a GET_MAINTENANCE_SCHEDULE response');
  const { draining_machines: draining = [], down_machines: down = [] } = parsedStatus.data.get_maintenance_status.status;
  const machines: MachineStatus[] = [
    ...draining.map(
      (entry): MachineStatus => ({
        machine: entry.id,
        mode: 'DRAINING',
        answers: (entry.statuses ?? []).map((answer) => ({
          frameworkId: answer.framework_id.value,
          answer: answer.status,
          timeMs: answer.timestamp === undefined ? undefined : answer.timestamp.nanoseconds / nanosecondsPerMs,
        })),
      }),
    ),
    ...down.map((id): MachineStatus => ({ machine: id, mode: 'DOWN', answers: [] })),
  ];
  return ok({ machines, schedule: parsedSchedule.data.get_maintenance_schedule.schedule });
}

/** An ISO date; a time no Date can hold (a schedule may say anything) as its nanoseconds. */
export function isoText(nanoseconds: number): string {
  const date = new Date(nanoseconds / nanosecondsPerMs);
  return Number.isFinite(date.getTime()) ? date.toISOString() : `${nanoseconds}ns`;
}

function durationText(nanoseconds: number | undefined): string | undefined {
  return nanoseconds === undefined ? undefined : formatDuration(nanoseconds / nanosecondsPerMs);
}

/** Two tables: one row per machine and framework answer (a machine nobody answered for has one), then one per window. */
export function maintenanceTables(view: MaintenanceView): string {
  const machineRows = view.machines.flatMap((status) => {
    const name = machineText(status.machine);
    if (status.answers.length === 0) return [[name, status.mode, undefined, undefined]];
    return status.answers.map((answer) => [name, status.mode, answer.frameworkId, answer.answer]);
  });
  const windowRows = (view.schedule.windows ?? []).map((window, index) => [
    String(index + 1),
    (window.machine_ids ?? []).map(machineText).join(','),
    isoText(window.unavailability.start.nanoseconds),
    durationText(window.unavailability.duration?.nanoseconds),
  ]);
  const machines = formatTable(['MACHINE', 'MODE', 'FRAMEWORK', 'ANSWER'], machineRows);
  const windows = formatTable(['WINDOW', 'MACHINES', 'START', 'DURATION'], windowRows);
  return `${machines}\n\n${windows}`;
}

export function maintenanceJson(view: MaintenanceView): Record<string, unknown> {
  return {
    machines: view.machines.map((status) => ({
      machine: machineText(status.machine),
      hostname: status.machine.hostname ?? null,
      ip: status.machine.ip ?? null,
      mode: status.mode,
      answers: status.answers.map((answer) => ({
        framework_id: answer.frameworkId,
        answer: answer.answer,
        time: answer.timeMs === undefined ? null : isoText(answer.timeMs * nanosecondsPerMs),
      })),
    })),
    windows: (view.schedule.windows ?? []).map((window) => ({
      machines: (window.machine_ids ?? []).map(machineText),
      start: isoText(window.unavailability.start.nanoseconds),
      duration: durationText(window.unavailability.duration?.nanoseconds) ?? null,
    })),
    // As posted: `berth maintenance schedule --file` takes it back.
    schedule: view.schedule,
  };
}
