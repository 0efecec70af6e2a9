/** Parsing what /proc says about processes, and this test process as a live example. */
import { describe, expect, it } from 'vitest';
import { isRunning, parseIdentity, parseProcessStat, processStartTime, readProcessStat } from './proc.js';

describe('containerizer: /proc', () => {
  it('parses a stat line whose command name holds spaces and parentheses', () => {
    const fields = ['S', '1', '42', '42', '0', '-1', '4194560', '90', '0', '0', '0', '7', '3', '0', '0', '20', '0', '2', '0', '123456', '1000', '300'];
    const stat = parseProcessStat(`4242 (a) b (c)) ${fields.join(' ')} 0 0\n`);
    expect(stat).toEqual({ state: 'S', ppid: 1, pgid: 42, userTicks: 7, systemTicks: 3, threads: 2, startTime: '123456' });
  });

  it('refuses a stat line it cannot read', () => {
    expect(parseProcessStat('')).toBeUndefined();
    expect(parseProcessStat('12 (x) S 1 2')).toBeUndefined();
  });

  it('tells this process from a recycled pid by its start time', () => {
    const startTime = processStartTime(process.pid);
    expect(startTime).toMatch(/^\d+$/);
    expect(readProcessStat(process.pid)?.ppid).toBe(process.ppid);
    expect(isRunning({ pid: process.pid, startTime: startTime ?? '' })).toBe(true);
    expect(isRunning({ pid: process.pid, startTime: `${Number(startTime) + 1}` })).toBe(false);
  });

  it('reads "<pid> <start time>" pid files', () => {
    expect(parseIdentity('123 456\n')).toEqual({ pid: 123, startTime: '456' });
    expect(parseIdentity('123\n')).toBeUndefined();
    expect(parseIdentity('')).toBeUndefined();
  });
});
