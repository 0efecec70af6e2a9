import { describe, expect, it } from 'vitest';
import { parseIsolation } from './names.js';

describe('isolation: --isolation names', () => {
  it('orders the isolators as the registry runs them, whatever the order given, each once', () => {
    expect(parseIsolation('cgroups/mem,disk/du,filesystem/linux,cgroups/cpu,disk/du', 'filesystem/posix')).toEqual({
      ok: true,
      value: ['filesystem/linux', 'disk/du', 'cgroups/cpu', 'cgroups/mem'],
    });
  });

  it("adds the default filesystem isolator when none is named, and reads Mesos' old and no-op names", () => {
    expect(parseIsolation('posix/cpu,posix/mem,posix/disk', 'filesystem/posix')).toEqual({ ok: true, value: ['filesystem/posix', 'disk/du'] });
    expect(parseIsolation('', 'filesystem/linux')).toEqual({ ok: true, value: ['filesystem/linux'] });
  });

  it('refuses an unknown isolator, naming it and the known ones', () => {
    const parsed = parseIsolation('filesystem/linux,gpu/nvidia', 'filesystem/linux');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/^--isolation: unknown isolator 'gpu\/nvidia' \(known: filesystem\/posix, .*cgroups\/blkio.*\)$/);
  });

  it('refuses both filesystem isolators at once', () => {
    expect(parseIsolation('filesystem/linux,filesystem/posix', 'filesystem/linux')).toEqual({
      ok: false,
      error: '--isolation: filesystem/linux and filesystem/posix exclude each other: name one',
    });
  });
});
