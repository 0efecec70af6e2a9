// Method: parse `berth execute` command lines against the real definitions.
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../lib/flags/index.js';
import { executeFlags, masterList } from './flags.js';

const needed = ['--master=m:5050', '--name=job', '--command=echo hi'];

function parsed(argv: readonly string[]) {
  const result = parseFlags(executeFlags, argv);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(argv)} to parse, got: ${result.error}`);
  if (result.value.helpRequested) throw new Error('expected values, not help');
  return result.value.values;
}

function failure(argv: readonly string[]): string {
  const result = parseFlags(executeFlags, argv);
  if (result.ok) throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
  return result.error;
}

describe('execute flags', () => {
  it('execute flags: defaults: a tenth of a cpu and 32 MB, role *, a shell, no checkpointing', () => {
    const flags = parsed(needed);
    expect(flags).toMatchObject({
      master: 'm:5050',
      name: 'job',
      command: 'echo hi',
      resources: 'cpus:0.1;mem:32',
      role: '*',
      shell: true,
      checkpoint: false,
      framework_name: 'berth-execute',
    });
    expect(flags.env).toBeUndefined();
    expect(flags.kill_after).toBeUndefined();
    expect(typeof flags.user).toBe('string');
  });

  it('execute flags: values: every flag can be set, Mesos style', () => {
    const flags = parsed([
      ...needed,
      '--resources',
      'cpus:1;mem:128;ports:[31000-31000]',
      '--role=eng',
      '--user=nobody',
      '--no-shell',
      '--env={"A":"1","B":"two"}',
      '--checkpoint',
      '--framework_name=mine',
      '--kill_after=10secs',
    ]);
    expect(flags).toMatchObject({
      resources: 'cpus:1;mem:128;ports:[31000-31000]',
      role: 'eng',
      user: 'nobody',
      shell: false,
      env: { A: '1', B: 'two' },
      checkpoint: true,
      framework_name: 'mine',
      kill_after: 10_000,
    });
  });

  it('execute flags: errors: the required flags are named', () => {
    expect(failure(['--name=job', '--command=true'])).toBe("Flag 'master' is required, but it was not provided");
    expect(failure(['--master=m:5050', '--command=true'])).toBe("Flag 'name' is required, but it was not provided");
  });

  it('execute flags: errors: malformed values say what is wrong in one line', () => {
    expect(failure([...needed, '--resources=cpus:x'])).toMatch(/^Invalid --resources: /);
    expect(failure([...needed, '--env=[1]'])).toBe("Failed to load flag 'env': Failed to load value '[1]': Expected a JSON object of strings");
    expect(failure([...needed, '--env={"A":1}'])).toMatch(/Expected the value of 'A' to be a string/);
    expect(failure([...needed, '--kill_after=soon'])).toMatch(/^Failed to load flag 'kill_after'/);
    expect(failure([...needed, '--role=/bad'])).toBe("Role '/bad' cannot start with a slash");
    expect(failure(['--master=zk://z/mesos', '--name=j', '--command=true'])).toMatch(/names 'z', which is not host:port/);
  });

  it('execute flags: masters: a comma-separated list, in order', () => {
    expect(masterList('a:1, b:2,,c:3')).toEqual(['a:1', 'b:2', 'c:3']);
  });
});
