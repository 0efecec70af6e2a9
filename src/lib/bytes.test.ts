// Method: examples from stout's bytes_tests.cpp (Parse, Stringify), each error
// path by its message, the quota message format, and parse/format round trips.
import { describe, expect, it } from 'vitest';
import { formatBytes, parseBytes } from './bytes.js';

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;
const TB = 1024 * GB;

function parsed(text: string): number {
  const result = parseBytes(text);
  if (!result.ok) throw new Error(`expected '${text}' to parse, got: ${result.error}`);
  return result.value;
}

function parseError(text: string): string {
  const result = parseBytes(text);
  if (result.ok) throw new Error(`expected '${text}' to be rejected, got ${result.value} bytes`);
  return result.error;
}

describe('bytes: parse', () => {
  it("bytes: parse: reads stout's units", () => {
    expect(parsed('1TB')).toBe(TB);
    expect(parsed('1GB')).toBe(GB);
    expect(parsed('1MB')).toBe(MB);
    expect(parsed('1KB')).toBe(KB);
    expect(parsed('1B')).toBe(1);
    expect(parsed('0B')).toBe(0);
  });

  it('bytes: parse: accepts units in any case, as stout uppercases them', () => {
    expect(parsed('512mb')).toBe(512 * MB);
    expect(parsed('2Gb')).toBe(2 * GB);
  });

  it('bytes: parse: rejects fractions, as stout has no fractional bytes', () => {
    expect(parseError('1.5GB')).toBe("Fractional bytes '1.5GB'");
    expect(parseError('1.5B')).toBe("Fractional bytes '1.5B'");
  });

  it('bytes: parse: rejects an unknown unit naming it in upper case', () => {
    expect(parseError('1PB')).toBe("Unknown bytes unit 'PB'");
    expect(parseError('1 MB')).toBe("Unknown bytes unit ' MB'");
  });

  it('bytes: parse: rejects a number without a unit and a unit without a number', () => {
    expect(parseError('1024')).toBe("Invalid bytes '1024'");
    expect(parseError('MB')).toBe("Invalid bytes 'MB'");
    expect(parseError('-1MB')).toBe("Invalid bytes '-1MB'");
  });

  it('bytes: parse: rejects sizes a double cannot hold exactly', () => {
    expect(parseError('9000000TB')).toMatch(/larger than berth can represent/);
    expect(parsed('8000TB')).toBe(8000 * TB);
  });
});

describe('bytes: format', () => {
  it("bytes: format: prints stout's Stringify examples", () => {
    expect(formatBytes(0)).toBe('0B');
    expect(formatBytes(KB)).toBe('1KB');
    expect(formatBytes(MB)).toBe('1MB');
    expect(formatBytes(GB)).toBe('1GB');
    expect(formatBytes(TB)).toBe('1TB');
    expect(formatBytes(1023)).toBe('1023B');
    expect(formatBytes(1023 * KB)).toBe('1023KB');
    expect(formatBytes(1023 * MB)).toBe('1023MB');
    expect(formatBytes(1023 * GB)).toBe('1023GB');
  });

  it('bytes: format: uses the largest unit that loses nothing', () => {
    expect(formatBytes(2 * MB)).toBe('2MB');
    expect(formatBytes(1025 * KB)).toBe('1025KB');
    expect(formatBytes(1000)).toBe('1000B');
    expect(formatBytes(1025)).toBe('1025B');
    expect(formatBytes(2048 * TB)).toBe('2048TB');
  });

  it('bytes: format: gives the disk quota message its sizes', () => {
    expect(`Disk usage (${formatBytes(2 * MB)}) exceeds quota (${formatBytes(MB)})`).toBe(
      'Disk usage (2MB) exceeds quota (1MB)',
    );
  });

  it('bytes: format: refuses fractional or negative byte counts as a programmer error', () => {
    expect(() => formatBytes(1.5)).toThrow(/whole number of bytes/);
    expect(() => formatBytes(-1)).toThrow(/whole number of bytes/);
  });

  it('bytes: format: round-trips through parse', () => {
    for (const text of ['0B', '1B', '1023B', '1KB', '1025KB', '2MB', '1023GB', '5TB']) {
      expect(formatBytes(parsed(text)), text).toBe(text);
    }
    expect(formatBytes(parsed('1024MB'))).toBe('1GB');
  });
});
