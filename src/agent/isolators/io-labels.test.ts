import { describe, expect, it } from 'vitest';
import { ioLimitsOf } from './io-labels.js';

describe('isolation: berth.io/* task labels', () => {
  it('reads rates in bytes (plain or with a unit), operations and a weight; other labels are not its business', () => {
    expect(
      ioLimitsOf({ 'berth.io/read_bps': '1048576', 'berth.io/write_bps': '2MB', 'berth.io/read_iops': '100', 'berth.io/write_iops': '50', 'berth.io/weight': '500', team: 'db' }),
    ).toEqual({ ok: true, value: { readBps: 1_048_576, writeBps: 2_097_152, readIops: 100, writeIops: 50, weight: 500 } });
    expect(ioLimitsOf({})).toEqual({ ok: true, value: {} });
  });

  it('names the label and the rule of a value that does not parse', () => {
    expect(ioLimitsOf({ 'berth.io/write_iops': '1.5' })).toEqual({ ok: false, error: "label berth.io/write_iops: '1.5' is not a positive whole number" });
    expect(ioLimitsOf({ 'berth.io/read_bps': '0' })).toEqual({ ok: false, error: "label berth.io/read_bps: '0' is not a positive whole number" });
    expect(ioLimitsOf({ 'berth.io/weight': '5000' })).toEqual({ ok: false, error: 'label berth.io/weight: 5000 is not within 1 to 1000' });
    expect(ioLimitsOf({ 'berth.io/write_bps': 'fast' }).ok).toBe(false);
    expect(ioLimitsOf({ 'berth.io/speed': '1' })).toEqual({
      ok: false,
      error: 'label berth.io/speed: unknown IO limit (known: read_bps, write_bps, read_iops, write_iops, weight)',
    });
  });
});
