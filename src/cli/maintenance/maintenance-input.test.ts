// Method: what people type to `berth maintenance` (machine ids, starts,
// schedule files) read into the calls' values, and refused in one sentence.
import { describe, expect, it } from 'vitest';
import { err, ok } from '../../lib/result.js';
import { machineText, parseMachineId, parseMachineList, parseScheduleJson, parseStart, scheduleOf, startMaintenanceCall, updateScheduleCall } from './maintenance-input.js';

describe('cli: maintenance: input', () => {
  it('cli: maintenance: input: a machine is hostname@ip, a hostname alone, or @ip alone, and prints back as typed', () => {
    expect(parseMachineId('db-1@10.0.0.5')).toEqual(ok({ hostname: 'db-1', ip: '10.0.0.5' }));
    expect(parseMachineId('db-1')).toEqual(ok({ hostname: 'db-1' }));
    expect(parseMachineId('@10.0.0.5')).toEqual(ok({ ip: '10.0.0.5' }));
    expect(parseMachineId('db-1@')).toEqual(ok({ hostname: 'db-1' }));
    for (const text of ['db-1@10.0.0.5', 'db-1', '@10.0.0.5']) {
      const parsed = parseMachineId(text);
      expect(parsed.ok && machineText(parsed.value)).toBe(text);
    }
  });

  it.each([
    ['', "Invalid machine '': expected <hostname>@<ip>, <hostname> or @<ip>"],
    ['@', "Invalid machine '@': expected <hostname>@<ip>, <hostname> or @<ip>"],
    ['a@b@10.0.0.1', "Invalid machine 'a@b@10.0.0.1': expected <hostname>@<ip>, <hostname> or @<ip>"],
    ['db 1@10.0.0.1', "Invalid machine 'db 1@10.0.0.1': expected <hostname>@<ip>, <hostname> or @<ip> (a hostname has no spaces, commas or slashes)"],
    ['db-1@10.0.0', "Invalid machine 'db-1@10.0.0': '10.0.0' is not an IPv4 address"],
    ['db-1@::1', "Invalid machine 'db-1@::1': '::1' is not an IPv4 address"],
  ])('cli: maintenance: input: machine %j is refused', (text, message) => {
    expect(parseMachineId(text)).toEqual(err(message));
  });

  it('cli: maintenance: input: repeated --machine flags arrive comma-separated; the first bad one is named', () => {
    expect(parseMachineList('a@10.0.0.1,b')).toEqual(ok([{ hostname: 'a', ip: '10.0.0.1' }, { hostname: 'b' }]));
    expect(parseMachineList('a@10.0.0.1,,b')).toEqual(err("Invalid machine '': expected <hostname>@<ip>, <hostname> or @<ip>"));
  });

  it("cli: maintenance: input: a start is 'now' or an ISO 8601 date; anything else is refused", () => {
    expect(parseStart('now', 1234)).toEqual(ok(1234));
    expect(parseStart('NOW', 1234)).toEqual(ok(1234));
    expect(parseStart('2030-01-31T22:00:00Z', 0)).toEqual(ok(Date.UTC(2030, 0, 31, 22)));
    expect(parseStart('2030-01-31T22:00:00.5+01:00', 0)).toEqual(ok(Date.UTC(2030, 0, 31, 21, 0, 0, 500)));
    expect(parseStart('2030-01-31', 0)).toEqual(ok(Date.UTC(2030, 0, 31)));
    for (const text of ['tomorrow', '1', '2030-13-45T00:00:00Z', 'Jan 31 2030']) {
      expect(parseStart(text, 0)).toEqual(err(`Invalid start '${text}': expected 'now' or an ISO 8601 date such as 2030-01-31T22:00:00Z`));
    }
  });

  it('cli: maintenance: input: one window from flags, in nanoseconds, as UPDATE_MAINTENANCE_SCHEDULE takes it', () => {
    const schedule = scheduleOf([{ hostname: 'a', ip: '10.0.0.1' }, { hostname: 'b' }], Date.UTC(2030, 0, 1), 2 * 3600 * 1000);
    expect(updateScheduleCall(schedule)).toEqual({
      type: 'UPDATE_MAINTENANCE_SCHEDULE',
      update_maintenance_schedule: {
        schedule: {
          windows: [
            {
              machine_ids: [{ hostname: 'a', ip: '10.0.0.1' }, { hostname: 'b' }],
              unavailability: { start: { nanoseconds: 1_893_456_000_000_000_000 }, duration: { nanoseconds: 7_200_000_000_000 } },
            },
          ],
        },
      },
    });
    expect(startMaintenanceCall([{ ip: '10.0.0.1' }])).toEqual({ type: 'START_MAINTENANCE', start_maintenance: { machines: [{ ip: '10.0.0.1' }] } });
  });

  it('cli: maintenance: input: a schedule file is a JSON Schedule; other JSON names where it goes wrong', () => {
    const text = '{"windows":[{"machine_ids":[{"hostname":"a"}],"unavailability":{"start":{"nanoseconds":"1000"}}}]}';
    expect(parseScheduleJson(text, 'f')).toEqual(ok({ windows: [{ machine_ids: [{ hostname: 'a' }], unavailability: { start: { nanoseconds: 1000 } } }] }));
    expect(parseScheduleJson('{}', 'f')).toEqual(ok({}));
    expect(parseScheduleJson('{"windows":', 'f')).toMatchObject(err(expect.stringMatching(/^f is not JSON: /)));
    const wrong = parseScheduleJson('{"windows":[{"machine_ids":[]}]}', 'f');
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.error).toMatch(/^f is not a maintenance Schedule \(.*\) at 'windows\.0\.unavailability': /);
  });
});
