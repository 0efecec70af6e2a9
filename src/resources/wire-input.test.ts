/** Method: schema-typed inputs (undefined fields, omitted repeated fields) through fromWire, against the strict equivalent. */
import { describe, expect, it } from 'vitest';
import { fromWire, fromWireList } from './format.js';
import { wireResourceFromInput } from './wire-input.js';
import { ranges, scalar, set } from './testing/fixtures.js';

describe('resources: wire input', () => {
  it('resources: wire input: undefined fields mean unset', () => {
    const input = { name: 'cpus', type: 'SCALAR' as const, scalar: { value: 1 }, role: undefined, reservation: undefined, disk: undefined };
    expect(wireResourceFromInput(input)).toEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } });
    expect('role' in wireResourceFromInput(input)).toBe(false);
    expect(fromWire(input)).toEqual({ ok: true, value: scalar('cpus', 1) });
  });

  it('resources: wire input: omitted repeated fields are empty lists', () => {
    expect(fromWire({ name: 'ports', type: 'RANGES', ranges: {} })).toEqual({ ok: true, value: ranges('ports', []) });
    expect(fromWire({ name: 'gpus', type: 'SET', set: { item: undefined } })).toEqual({ ok: true, value: set('gpus', []) });
    const withLabels = fromWire({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'eng', reservation: { principal: 'p', labels: {} } });
    expect(withLabels.ok && withLabels.value.reservations).toEqual([{ type: 'DYNAMIC', role: 'eng', principal: 'p', labels: { labels: [] } }]);
    const metadata = wireResourceFromInput({ name: 'disk', type: 'SCALAR', scalar: { value: 1 }, disk: { source: { type: 'RAW', metadata: {} } } });
    expect(metadata.disk?.source?.metadata).toEqual({ labels: [] });
  });

  it('resources: wire input: validation still applies', () => {
    expect(fromWireList([{ name: 'cpus', type: 'SCALAR', scalar: { value: -1 }, role: undefined }])).toEqual({
      ok: false,
      error: "Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0",
    });
  });
});
