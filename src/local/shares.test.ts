// Method: the share arithmetic on made-up machines, including the edges (tiny
// memory, many agents, ports near 65535).
import { describe, expect, it } from 'vitest';
import {
  agentShare,
  cpusPerAgent,
  diskPerAgentMb,
  formatAgentResources,
  memoryPerAgentMb,
  taskPortRange,
} from './shares.js';

const mib = 1024 * 1024;
const gib = 1024 * mib;

describe('local: shares', () => {
  it('local: shares: cpus are divided evenly and rounded down to hundredths', () => {
    expect(cpusPerAgent(8, 3)).toBe(2.66);
    expect(cpusPerAgent(4, 4)).toBe(1);
    expect(cpusPerAgent(7, 25)).toBe(0.28);
    expect(cpusPerAgent(29, 100)).toBe(0.29);
  });

  it('local: shares: cpus never go below 0.1', () => {
    expect(cpusPerAgent(1, 64)).toBe(0.1);
  });

  it('local: shares: memory keeps 1 GiB back, or half on a machine under 2 GiB', () => {
    expect(memoryPerAgentMb(16 * gib, 3)).toBe(Math.floor((15 * 1024) / 3));
    expect(memoryPerAgentMb(2 * gib, 1)).toBe(1024);
    expect(memoryPerAgentMb(1.5 * gib, 1)).toBe(768);
    expect(memoryPerAgentMb(1 * gib, 2)).toBe(256);
  });

  it('local: shares: disk keeps one share of the free space back', () => {
    expect(diskPerAgentMb(400 * mib, 3)).toBe(100);
    expect(diskPerAgentMb(401 * mib, 3)).toBe(100);
  });

  it('local: shares: agent i gets its own thousand task ports', () => {
    expect(taskPortRange(1, 3)).toEqual({ begin: 31_000, end: 31_999 });
    expect(taskPortRange(2, 3)).toEqual({ begin: 32_000, end: 32_999 });
    expect(taskPortRange(3, 3)).toEqual({ begin: 33_000, end: 33_999 });
    expect(taskPortRange(34, 34)).toEqual({ begin: 64_000, end: 64_999 });
  });

  it('local: shares: with many agents the port ranges shrink, stay disjoint and end below 65536', () => {
    const agents = 64;
    const ranges = Array.from({ length: agents }, (_, index) => taskPortRange(index + 1, agents));
    for (const [index, range] of ranges.entries()) {
      expect(range.end).toBeGreaterThanOrEqual(range.begin);
      expect(range.end).toBeLessThanOrEqual(65_535);
      const next = ranges[index + 1];
      if (next !== undefined) expect(next.begin).toBe(range.end + 1);
    }
  });

  it('local: shares: the resources text is what --resources takes', () => {
    const host = { cpuCount: 8, memoryBytes: 16 * gib, diskFreeBytes: 400 * gib };
    const share = agentShare(host, 2, 3);
    expect(share.ok && formatAgentResources(share.value)).toBe(
      'cpus:2.66;mem:5120;disk:102400;ports:[32000-32999]',
    );
  });

  it('local: shares: a machine too small for the agents asked for is an error naming the shortfall', () => {
    const tiny = { cpuCount: 1, memoryBytes: 512 * mib, diskFreeBytes: 10 * gib };
    const share = agentShare(tiny, 1, 64);
    expect(share).toEqual({ ok: false, error: '64 agents would get 4 MB of memory each; at least 32 MB is needed' });
    const full = agentShare({ cpuCount: 1, memoryBytes: 8 * gib, diskFreeBytes: 1000 }, 1, 3);
    expect(full.ok).toBe(false);
  });
});
