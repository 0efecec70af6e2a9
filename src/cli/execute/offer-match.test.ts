// Method: allocateTaskResources over literal offer resources (as the master sends them) and parsed --resources.
import { describe, expect, it } from 'vitest';
import type { WireJsonResource } from '../../protocol/outputs.js';
import { parseResourcesString, type Resource } from '../../resources/index.js';
import { allocateTaskResources } from './offer-match.js';

function required(text: string): Resource[] {
  const parsed = parseResourcesString(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function scalar(name: string, value: number, role = '*'): WireJsonResource {
  return { name, type: 'SCALAR', scalar: { value }, role };
}

describe('execute: offer matching', () => {
  it('takes just the amounts asked for, keeping the offer format', () => {
    const offered = [scalar('cpus', 4), scalar('mem', 1024), scalar('disk', 500)];
    expect(allocateTaskResources(offered, required('cpus:0.1;mem:32'), '*')).toEqual([scalar('cpus', 0.1), scalar('mem', 32)]);
  });

  it('refuses an offer that is too small or lacks a resource', () => {
    expect(allocateTaskResources([scalar('cpus', 0.05), scalar('mem', 1024)], required('cpus:0.1;mem:32'), '*')).toBeUndefined();
    expect(allocateTaskResources([scalar('cpus', 4)], required('cpus:0.1;mem:32'), '*')).toBeUndefined();
  });

  it('uses resources reserved for the role first, then unreserved ones', () => {
    const offered = [scalar('cpus', 1), scalar('cpus', 0.5, 'eng')];
    expect(allocateTaskResources(offered, required('cpus:1'), 'eng')).toEqual([scalar('cpus', 0.5, 'eng'), scalar('cpus', 0.5)]);
  });

  it('takes port ranges and set items from the resource that holds them', () => {
    const ports: WireJsonResource = { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] }, role: '*' };
    expect(allocateTaskResources([ports], required('ports:[31005-31006]'), '*')).toEqual([
      { ...ports, ranges: { range: [{ begin: 31005, end: 31006 }] } },
    ]);
    expect(allocateTaskResources([ports], required('ports:[30000-30000]'), '*')).toBeUndefined();
  });

  it('never takes revocable resources or volumes', () => {
    const revocable = { ...scalar('cpus', 4), revocable: {} };
    const volume = { ...scalar('disk', 100), disk: { persistence: { id: 'v1' }, volume: { container_path: 'data', mode: 'RW' } } };
    expect(allocateTaskResources([revocable], required('cpus:1'), '*')).toBeUndefined();
    expect(allocateTaskResources([volume], required('disk:10'), '*')).toBeUndefined();
  });

  it('does not count the same resource twice', () => {
    expect(allocateTaskResources([scalar('cpus', 1)], required('cpus:1;cpus:1'), '*')).toBeUndefined();
  });
});
