// Method: examples from stout's duration_tests.cpp (ParseAndTry, OutputFormat),
// each unit once, every error path by its message, and round trips of values
// that print exactly.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

const second = 1_000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const week = 7 * day;

function parsed(text: string): number {
  const result = parseDuration(text);
  if (!result.ok) throw new Error(`expected '${text}' to parse, got: ${result.error}`);
  return result.value;
}

function parseError(text: string): string {
  const result = parseDuration(text);
  if (result.ok) throw new Error(`expected '${text}' to be rejected, got ${result.value} ms`);
  return result.error;
}

describe('duration: parse', () => {
  it('duration: parse: reads every Mesos unit into milliseconds', () => {
    expect(parsed('7ns')).toBe(0.000007);
    expect(parsed('3us')).toBe(0.003);
    expect(parsed('100ms')).toBe(100);
    expect(parsed('15secs')).toBe(15 * second);
    expect(parsed('10mins')).toBe(10 * minute);
    expect(parsed('3hrs')).toBe(3 * hour);
    expect(parsed('1days')).toBe(day);
    expect(parsed('2weeks')).toBe(2 * week);
  });

  it('duration: parse: reads decimals (stout: 3.5hrs is 3 hours 30 minutes)', () => {
    expect(parsed('3.5hrs')).toBe(3 * hour + 30 * minute);
    expect(parsed('0.5secs')).toBe(500);
    expect(parsed('.5secs')).toBe(500);
  });

  it('duration: parse: truncates to whole nanoseconds as stout does', () => {
    expect(parsed('0.5ns')).toBe(0);
    expect(parsed('1.1secs')).toBe(1_100);
  });

  it('duration: parse: rejects an unknown unit naming it and the supported units', () => {
    expect(parseError('15seconds')).toBe(
      "Unknown duration unit 'seconds'; supported units are 'ns', 'us', 'ms', 'secs', 'mins', 'hrs', 'days', and 'weeks'",
    );
    expect(parseError('15 secs')).toMatch(/^Unknown duration unit ' secs'/);
    expect(parseError('1sec')).toMatch(/^Unknown duration unit 'sec'/);
  });

  it('duration: parse: rejects a number without a unit', () => {
    expect(parseError('15')).toBe("Invalid duration '15'");
    expect(parseError('')).toBe("Invalid duration ''");
  });

  it('duration: parse: rejects a unit without a number and negative durations', () => {
    expect(parseError('secs')).toBe("Invalid duration 'secs'");
    expect(parseError('-5secs')).toBe("Invalid duration '-5secs'");
  });

  it('duration: parse: rejects a malformed number', () => {
    expect(parseError('1.2.3secs')).toBe("Failed to convert '1.2.3' to number");
    expect(parseError('.secs')).toBe("Failed to convert '.' to number");
  });

  it('duration: parse: rejects values beyond an int64 of nanoseconds', () => {
    expect(parseError('9223372036854775807secs')).toBe(
      "Argument out of the range that a Duration can represent due to int64_t's size limit",
    );
    expect(parsed('15250weeks')).toBe(15_250 * week);
  });
});

describe('duration: format', () => {
  it("duration: format: prints stout's OutputFormat examples", () => {
    expect(formatDuration(0.000001)).toBe('1ns');
    expect(formatDuration(0.000002)).toBe('2ns');
    expect(formatDuration(3141.592653)).toBe('3.141592653secs');
    expect(formatDuration(3140)).toBe('3140ms');
    expect(formatDuration(10 * hour)).toBe('10hrs');
    expect(formatDuration(-10 * hour)).toBe('-10hrs');
    expect(formatDuration(10 * day)).toBe('10days');
    expect(formatDuration(day + 4 * hour + 30 * minute)).toBe('1.1875days');
    expect(formatDuration(14 * day)).toBe('2weeks');
    expect(formatDuration(0)).toBe('0ns');
  });

  it('duration: format: prints the largest duration with 15 significant digits', () => {
    // The nearest double to 2^63 - 1 nanoseconds, as stout prints Duration::max().
    const int64MaxNanoseconds = 2 ** 63;
    expect(formatDuration(int64MaxNanoseconds / 1e6)).toBe('15250.2844524715weeks');
    expect(formatDuration(-int64MaxNanoseconds / 1e6)).toBe('-15250.2844524715weeks');
  });

  it('duration: format: steps down one unit only when that gives a whole number', () => {
    expect(formatDuration(1.5)).toBe('1500us');
    expect(formatDuration(1.000001)).toBe('1.000001ms');
    expect(formatDuration(0.0015)).toBe('1500ns');
    expect(formatDuration(90 * second)).toBe('90secs');
    expect(formatDuration(90.5 * second)).toBe('1.50833333333333mins');
    expect(formatDuration(0.5 * second)).toBe('500ms');
  });

  it('duration: format: prints the berth flag defaults as Mesos would', () => {
    expect(formatDuration(5 * second)).toBe('5secs');
    expect(formatDuration(15 * second)).toBe('15secs');
    expect(formatDuration(minute)).toBe('1mins');
    expect(formatDuration(10 * minute)).toBe('10mins');
    expect(formatDuration(15 * minute)).toBe('15mins');
    expect(formatDuration(week)).toBe('1weeks');
  });

  it('duration: format: round-trips through parse for values that print exactly', () => {
    const exact = ['1ns', '999us', '100ms', '1500ms', '15secs', '90secs', '10mins', '90mins'];
    exact.push('2days', '10days', '2weeks');
    for (const text of exact) {
      expect(formatDuration(parsed(text)), text).toBe(text);
    }
    for (const ms of [0.001, 250, 5_000, 61_000, 3 * hour, 9 * day, 3 * week]) {
      expect(parsed(formatDuration(ms)), String(ms)).toBeCloseTo(ms, 9);
    }
  });
});
