// Method: parse `berth local` command lines against the real definitions.
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../lib/flags/index.js';
import { localFlags } from './local-flags.js';

function parsed(argv: readonly string[]) {
  const result = parseFlags(localFlags, argv);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(argv)} to parse, got: ${result.error}`);
  if (result.value.helpRequested) throw new Error('expected values, not help');
  return result.value.values;
}

function failure(argv: readonly string[]): string {
  const result = parseFlags(localFlags, argv);
  if (result.ok) throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
  return result.error;
}

describe('local flags', () => {
  it('local flags: defaults: three agents under .berth, master on 5050, no HA', () => {
    expect(parsed([])).toEqual({ agents: 3, work_dir: '.berth', port: 5050, ha: false });
  });

  it('local flags: values: every flag can be set', () => {
    expect(parsed(['--agents', '64', '--work_dir=/tmp/b', '--port=0', '--ha'])).toEqual({
      agents: 64,
      work_dir: '/tmp/b',
      port: 0,
      ha: true,
    });
  });

  it('local flags: errors: agents outside 1..64 names the flag', () => {
    expect(failure(['--agents=0'])).toBe('Expected `--agents` to be between 1 and 64');
    expect(failure(['--agents=65'])).toBe('Expected `--agents` to be between 1 and 64');
  });

  it('local flags: errors: master flags are unknown here', () => {
    expect(failure(['--zk=zk://a/b'])).toBe("Failed to load unknown flag 'zk'");
  });
});
