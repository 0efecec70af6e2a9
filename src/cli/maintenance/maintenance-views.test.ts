// Method: GET_MAINTENANCE_STATUS and GET_MAINTENANCE_SCHEDULE answers as the
// master prints them read into one view, then printed as `berth maintenance
// status` prints it: two tables, or one JSON object.
import { describe, expect, it } from 'vitest';
import { isoText, maintenanceJson, maintenanceTables, maintenanceViewFromAnswers, type MaintenanceView } from './maintenance-views.js';

const unavailability = { start: { nanoseconds: 1_893_456_000_000_000_000 }, duration: { nanoseconds: 7_200_000_000_000 } };

const statusAnswer = {
  type: 'GET_MAINTENANCE_STATUS',
  get_maintenance_status: {
    status: {
      draining_machines: [
        {
          id: { hostname: 'db-1', ip: '10.0.0.5' },
          statuses: [
            { status: 'ACCEPT', framework_id: { value: 'F0' }, timestamp: { nanoseconds: 1_893_456_000_000_000_000 } },
            { status: 'DECLINE', framework_id: { value: 'F1' }, timestamp: { nanoseconds: 1_893_456_001_000_000_000 } },
          ],
        },
        { id: { ip: '10.0.0.7' } },
      ],
      down_machines: [{ hostname: 'db-2', ip: '10.0.0.6' }],
    },
  },
};

const scheduleAnswer = {
  type: 'GET_MAINTENANCE_SCHEDULE',
  get_maintenance_schedule: {
    schedule: {
      windows: [
        { machine_ids: [{ hostname: 'db-1', ip: '10.0.0.5' }, { hostname: 'db-2', ip: '10.0.0.6' }], unavailability },
        { machine_ids: [{ ip: '10.0.0.7' }], unavailability: { start: unavailability.start } },
      ],
    },
  },
};

function view(): MaintenanceView {
  const read = maintenanceViewFromAnswers(statusAnswer, scheduleAnswer);
  if (!read.ok) throw new Error(read.error);
  return read.value;
}

describe('cli: maintenance: views', () => {
  it("cli: maintenance: views: a row per framework answer (or one for a machine nobody answered for), then the schedule's windows", () => {
    expect(maintenanceTables(view()).split('\n')).toEqual([
      'MACHINE        MODE      FRAMEWORK  ANSWER',
      'db-1@10.0.0.5  DRAINING  F0         ACCEPT',
      'db-1@10.0.0.5  DRAINING  F1         DECLINE',
      '@10.0.0.7      DRAINING  -          -',
      'db-2@10.0.0.6  DOWN      -          -',
      '',
      'WINDOW  MACHINES                     START                     DURATION',
      '1       db-1@10.0.0.5,db-2@10.0.0.6  2030-01-01T00:00:00.000Z  2hrs',
      '2       @10.0.0.7                    2030-01-01T00:00:00.000Z  -',
    ]);
  });

  it('cli: maintenance: views: JSON has the machines, the windows, and the schedule as posted', () => {
    const json = maintenanceJson(view());
    expect(json['machines']).toEqual([
      {
        machine: 'db-1@10.0.0.5',
        hostname: 'db-1',
        ip: '10.0.0.5',
        mode: 'DRAINING',
        answers: [
          { framework_id: 'F0', answer: 'ACCEPT', time: '2030-01-01T00:00:00.000Z' },
          { framework_id: 'F1', answer: 'DECLINE', time: '2030-01-01T00:00:01.000Z' },
        ],
      },
      { machine: '@10.0.0.7', hostname: null, ip: '10.0.0.7', mode: 'DRAINING', answers: [] },
      { machine: 'db-2@10.0.0.6', hostname: 'db-2', ip: '10.0.0.6', mode: 'DOWN', answers: [] },
    ]);
    expect(json['windows']).toEqual([
      { machines: ['db-1@10.0.0.5', 'db-2@10.0.0.6'], start: '2030-01-01T00:00:00.000Z', duration: '2hrs' },
      { machines: ['@10.0.0.7'], start: '2030-01-01T00:00:00.000Z', duration: null },
    ]);
    expect(json['schedule']).toEqual(scheduleAnswer.get_maintenance_schedule.schedule);
  });

  it('cli: maintenance: views: nothing in maintenance is two header lines; an answer of another shape is one sentence', () => {
    const empty = maintenanceViewFromAnswers({ get_maintenance_status: { status: {} } }, { get_maintenance_schedule: { schedule: {} } });
    expect(empty.ok && maintenanceTables(empty.value)).toBe('MACHINE  MODE  FRAMEWORK  ANSWER\n\nWINDOW  MACHINES  START  DURATION');
    expect(maintenanceViewFromAnswers({}, {})).toEqual({
      ok: false,
      error: 'The master answered GET_MAINTENANCE_STATUS with something that is not a GET_MAINTENANCE_STATUS response',
    });
  });

  it('cli: maintenance: views: a start no date can hold prints as nanoseconds', () => {
    expect(isoText(9e30)).toBe('9e+30ns');
  });
});
