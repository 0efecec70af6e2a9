// Method: parse `berth agent` command lines against the real definitions: the
// required flags, the defaults from spec core.md 0.4/0.5 as one table, and each
// range and enum rule by its message.
import { describe, expect, it } from 'vitest';
import { flagsUsage, parseFlags } from '../../lib/flags/index.js';
import { agentFlags } from './agent-flags.js';

const required = ['--master=127.0.0.1:5050', '--work_dir=/var/lib/berth-agent'];

function parsed(argv: readonly string[]) {
  const result = parseFlags(agentFlags, [...required, ...argv]);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(argv)} to parse, got: ${result.error}`);
  if (result.value.helpRequested) throw new Error('expected values, not help');
  return result.value.values;
}

function failure(argv: readonly string[]): string {
  const result = parseFlags(agentFlags, argv);
  if (result.ok) throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
  return result.error;
}

describe('agent flags: required', () => {
  it('agent flags: required: --master must be given', () => {
    expect(failure(['--work_dir=/w'])).toBe("Flag 'master' is required, but it was not provided");
  });

  it('agent flags: required: --work_dir must be given', () => {
    expect(failure(['--master=m:5050'])).toBe("Flag 'work_dir' is required, but it was not provided");
  });

  it('agent flags: required: --help works without them', () => {
    expect(parseFlags(agentFlags, ['--help'])).toMatchObject({ ok: true, value: { helpRequested: true } });
  });

  it('agent flags: required: usage marks them', () => {
    const usage = flagsUsage(agentFlags, 'berth agent');
    expect(usage).toMatch(/--master=VALUE .*\n.*\(required\)/);
    expect(usage).toMatch(/--work_dir=VALUE .*\(required\)/);
  });
});

describe('agent flags: defaults', () => {
  it('agent flags: defaults: match Mesos (and berth\'s own flags have theirs)', () => {
    expect(parsed([])).toEqual({
      master: '127.0.0.1:5050',
      ip: undefined,
      port: 5051,
      advertise_ip: undefined,
      advertise_port: undefined,
      hostname: undefined,
      hostname_lookup: true,
      work_dir: '/var/lib/berth-agent',
      resources: undefined,
      mount_disk_images: '',
      attributes: undefined,
      default_role: '*',
      recover: 'reconnect',
      strict: true,
      recovery_timeout: 15 * 60_000,
      reconfiguration_policy: 'equal',
      registration_backoff_factor: 1_000,
      executor_registration_timeout: 60_000,
      executor_reregistration_timeout: 2_000,
      executor_shutdown_grace_period: 5_000,
      switch_user: true,
      isolation: 'filesystem/linux',
      enforce_container_disk_quota: false,
      container_disk_watch_interval: 15_000,
      container_disk_scanners: 4,
      cgroups_root: 'berth',
      cgroups_enable_cfs: false,
      gc_delay: 7 * 24 * 60 * 60_000,
      disk_watch_interval: 60_000,
      gc_disk_headroom: 0.1,
      sandbox_log_max_size: 10 * 1024 * 1024,
      sandbox_log_max_files: 3,
      sandbox_log_rotation_interval: 10_000,
      max_completed_executors_per_framework: 150,
      fetcher_cache_size: 2 * 1024 * 1024 * 1024,
      fetcher_stall_timeout: 60_000,
      status_update_retry_interval: 10_000,
      log_dir: undefined,
      logging_level: 'INFO',
      domain: undefined,
      launcher_dir: undefined,
    });
  });
});

describe('agent flags: values', () => {
  it('agent flags: values: resources and attributes stay raw text', () => {
    const values = parsed(['--resources', 'cpus:4;mem:8192;ports:[31000-32000]', '--attributes=rack:2;zone:a']);
    expect(values.resources).toBe('cpus:4;mem:8192;ports:[31000-32000]');
    expect(values.attributes).toBe('rack:2;zone:a');
  });

  it('agent flags: values: port 0 is allowed, to pick a free port', () => {
    expect(parsed(['--port=0']).port).toBe(0);
  });

  it('agent flags: values: recovery options parse', () => {
    expect(parsed(['--recover=cleanup', '--no-strict', '--reconfiguration_policy=additive'])).toMatchObject({
      recover: 'cleanup',
      strict: false,
      reconfiguration_policy: 'additive',
    });
  });
});

describe('agent flags: errors', () => {
  it('agent flags: errors: unknown recover and reconfiguration_policy values name the flag', () => {
    expect(failure([...required, '--recover=restart'])).toBe(
      "Failed to load flag 'recover': Failed to load value 'restart': Expected one of 'reconnect', 'cleanup'",
    );
    expect(failure([...required, '--reconfiguration_policy=any'])).toBe(
      "Failed to load flag 'reconfiguration_policy': Failed to load value 'any': Expected one of 'equal', 'additive'",
    );
  });

  it('agent flags: errors: executor_reregistration_timeout above 15secs is refused as Mesos refuses it', () => {
    expect(failure([...required, '--executor_reregistration_timeout=16secs'])).toBe(
      'Expected `--executor_reregistration_timeout` to be not more than 15secs',
    );
    expect(parsed(['--executor_reregistration_timeout=15secs']).executor_reregistration_timeout).toBe(15_000);
  });

  it('agent flags: errors: a bad duration names the flag', () => {
    expect(failure([...required, '--gc_delay=1week'])).toMatch(
      /^Failed to load flag 'gc_delay': Failed to load value '1week': Unknown duration unit 'week'/,
    );
  });
});
