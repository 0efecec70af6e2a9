// Method: parse `berth master` command lines against the real definitions: the
// defaults from spec core.md 0.4/0.5 as one table, each range and enum rule by
// its message, and the --weights parser on its own.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { flagsAsStrings, parseFlags } from '../../lib/flags/index.js';
import { err, ok } from '../../lib/result.js';
import { formatWeights, masterFlags, parseWeights } from './master-flags.js';

function parsed(argv: readonly string[]) {
  const result = parseFlags(masterFlags, argv);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(argv)} to parse, got: ${result.error}`);
  if (result.value.helpRequested) throw new Error('expected values, not help');
  return result.value.values;
}

function failure(argv: readonly string[]): string {
  const result = parseFlags(masterFlags, argv);
  if (result.ok) throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
  return result.error;
}

describe('master flags: defaults', () => {
  it('master flags: defaults: match Mesos, with berth-specific heartbeat_interval', () => {
    expect(parsed([])).toEqual({
      ip: undefined,
      port: 5050,
      advertise_ip: undefined,
      advertise_port: undefined,
      hostname: undefined,
      hostname_lookup: true,
      work_dir: undefined,
      cluster: undefined,
      roles: undefined,
      weights: undefined,
      allocation_interval: 1_000,
      offer_timeout: undefined,
      heartbeat_interval: 5_000,
      agent_ping_timeout: 15_000,
      max_agent_ping_timeouts: 5,
      agent_reregister_timeout: 600_000,
      agent_removal_rate_limit: undefined,
      recovery_agent_removal_limit: '100%',
      min_allocatable_resources: 'cpus:0.01|mem:32',
      role_sorter: 'drf',
      framework_sorter: 'drf',
      filter_gpu_resources: true,
      max_completed_frameworks: 50,
      max_completed_tasks_per_framework: 1000,
      max_unreachable_tasks_per_framework: 1000,
      max_operator_event_stream_subscribers: 1000,
      fair_sharing_excluded_resource_names: undefined,
      publish_per_framework_metrics: true,
      root_submissions: true,
      authenticate_http_readwrite: false,
      authenticate_http_readonly: false,
      credentials: undefined,
      acls: undefined,
      zk: undefined,
      zk_session_timeout: 10_000,
      quorum: undefined,
      registry: 'replicated_log',
      log_dir: undefined,
      logging_level: 'INFO',
      seed: undefined,
    });
  });

  it('master flags: defaults: echo as Mesos prints them in /master/flags', () => {
    const echoed = new Map(flagsAsStrings(masterFlags, parsed([])).map(({ name, value }) => [name, value]));
    expect(echoed.get('allocation_interval')).toBe('1secs');
    expect(echoed.get('agent_reregister_timeout')).toBe('10mins');
    expect(echoed.get('hostname_lookup')).toBe('true');
    expect(echoed.has('offer_timeout')).toBe(false);
  });

  it('master flags: defaults: the heartbeat help says why berth differs from Mesos', () => {
    expect(masterFlags.heartbeat_interval.help).toMatch(/mesos-framework/);
  });
});

describe('master flags: values', () => {
  it('master flags: values: port 0 is allowed, to pick a free port', () => {
    expect(parsed(['--port=0']).port).toBe(0);
  });

  it('master flags: values: a typical HA command line parses', () => {
    const values = parsed([
      '--ip=10.0.0.1',
      '--work_dir',
      '/var/lib/berth',
      '--zk=zk://10.0.0.1:2181/mesos',
      '--quorum=2',
      '--no-hostname_lookup',
      '--offer_timeout=30secs',
      '--role_sorter=random',
      '--registry=in_memory',
      '--seed=42',
    ]);
    expect(values).toMatchObject({
      ip: '10.0.0.1',
      work_dir: '/var/lib/berth',
      zk: 'zk://10.0.0.1:2181/mesos',
      quorum: 2,
      hostname_lookup: false,
      offer_timeout: 30_000,
      role_sorter: 'random',
      registry: 'in_memory',
      seed: 42,
    });
  });

  it('master flags: values: --weights becomes a map of role to weight', () => {
    expect(parsed(['--weights=role1=2,role2=1.5']).weights).toEqual(
      new Map([
        ['role1', 2],
        ['role2', 1.5],
      ]),
    );
  });
});

describe('master flags: errors', () => {
  it('master flags: errors: port outside 0..65535 names the flag', () => {
    expect(failure(['--port=65536'])).toBe('Expected `--port` to be between 0 and 65535');
  });

  it('master flags: errors: agent_ping_timeout outside 1secs..15mins names the flag', () => {
    const expected = 'Expected `--agent_ping_timeout` to be between 1secs and 15mins';
    expect(failure(['--agent_ping_timeout=500ms'])).toBe(expected);
    expect(failure(['--agent_ping_timeout=16mins'])).toBe(expected);
    expect(parsed(['--agent_ping_timeout=15mins']).agent_ping_timeout).toBe(900_000);
  });

  it('master flags: errors: max_agent_ping_timeouts below 1 names the flag', () => {
    expect(failure(['--max_agent_ping_timeouts=0'])).toBe('Expected `--max_agent_ping_timeouts` to be at least 1');
  });

  it('master flags: errors: a zero offer_timeout is refused as Mesos refuses it', () => {
    expect(failure(['--offer_timeout=0secs'])).toBe(
      "Invalid value '0ns' for --offer_timeout: Must be greater than zero",
    );
  });

  it('master flags: errors: a zero heartbeat or allocation interval names the flag', () => {
    expect(failure(['--heartbeat_interval=0secs'])).toBe('Expected `--heartbeat_interval` to be at least 1ms');
    expect(failure(['--allocation_interval=0ms'])).toBe('Expected `--allocation_interval` to be at least 1ms');
  });

  it('master flags: errors: unknown sorter and registry values name the flag', () => {
    expect(failure(['--role_sorter=fifo'])).toBe(
      "Failed to load flag 'role_sorter': Failed to load value 'fifo': Expected one of 'drf', 'random'",
    );
    expect(failure(['--framework_sorter=fifo'])).toMatch(/^Failed to load flag 'framework_sorter': /);
    expect(failure(['--registry=zookeeper'])).toBe(
      "Failed to load flag 'registry': Failed to load value 'zookeeper': Expected one of 'in_memory', 'replicated_log'",
    );
  });

  it('master flags: errors: a bad --weights entry names the flag and the entry', () => {
    expect(failure(['--weights=role1=x'])).toBe(
      "Failed to load flag 'weights': Failed to load value 'role1=x': Invalid weight: 'role1=x'. Weights must be positive numbers",
    );
  });
});

describe('master flags: weights', () => {
  it('master flags: weights: parses role=weight pairs, skipping empty entries as Mesos does', () => {
    expect(parseWeights('a=1,,b=0.25,')).toEqual(
      ok(
        new Map([
          ['a', 1],
          ['b', 0.25],
        ]),
      ),
    );
    expect(parseWeights('')).toEqual(ok(new Map()));
  });

  it('master flags: weights: an entry not of the form role=weight is refused', () => {
    const form = "--weights should be of the form 'role=weight,role=weight'";
    expect(parseWeights('a')).toEqual(err(`Invalid weight: 'a'. ${form}`));
    expect(parseWeights('a=1=2')).toEqual(err(`Invalid weight: 'a=1=2'. ${form}`));
    expect(parseWeights('=1')).toEqual(err(`Invalid weight: '=1'. ${form}`));
    expect(parseWeights('a=')).toEqual(err(`Invalid weight: 'a='. ${form}`));
  });

  it('master flags: weights: a weight must be a positive number', () => {
    expect(parseWeights('a=0')).toEqual(err("Invalid weight: 'a=0'. Weights must be positive numbers"));
    expect(parseWeights('a=-1')).toEqual(err("Invalid weight: 'a=-1'. Weights must be positive numbers"));
    expect(parseWeights('a=2x')).toEqual(err("Invalid weight: 'a=2x'. Weights must be positive numbers"));
  });

  it('master flags: weights: a role with whitespace or given twice is refused', () => {
    expect(parseWeights('a b=1')).toEqual(err("Invalid weight: 'a b=1'. 'a b' is not a valid role"));
    expect(parseWeights('a=1,a=2')).toEqual(err("Invalid weight: 'a=2'. Role 'a' is given more than once"));
  });

  it('master flags: weights: print back in the form they are given', () => {
    const weights = parseWeights('role1=2,role2=1.5');
    if (!weights.ok) throw new Error(weights.error);
    expect(formatWeights(weights.value)).toBe('role1=2,role2=1.5');
  });
});

describe('master flags: authentication and authorization', () => {
  const onlyFoo = '{"permissive":false,"reserve_resources":[{"principals":{"values":["foo"]},"roles":{"type":"ANY"}}]}';

  it('master flags: auth: the HTTP authentication switches and --credentials path', () => {
    const values = parsed([
      '--authenticate_http_readwrite',
      '--authenticate_http_readonly=true',
      '--credentials=file:///etc/berth/credentials',
    ]);
    expect(values).toMatchObject({
      authenticate_http_readwrite: true,
      authenticate_http_readonly: true,
      // A path, printed in /master/flags as given: the secrets are read at startup, never echoed.
      credentials: 'file:///etc/berth/credentials',
    });
  });

  it('master flags: auth: --acls inline becomes the ACL model and echoes as JSON', () => {
    const values = parsed([`--acls=${onlyFoo}`]);
    expect(values.acls?.permissive).toBe(false);
    expect(values.acls?.reserve_resources).toHaveLength(1);
    const echoed = new Map(flagsAsStrings(masterFlags, values).map(({ name, value }) => [name, value]));
    expect(echoed.get('acls')).toBe(onlyFoo);
  });

  it('master flags: auth: --acls reads file:// and bare absolute paths', () => {
    mkdirSync(testRoot(), { recursive: true });
    const path = join(mkdtempSync(join(testRoot(), 'master-flags-')), 'acls.json');
    writeFileSync(path, `${onlyFoo}\n`);
    expect(parsed([`--acls=file://${path}`]).acls?.permissive).toBe(false);
    expect(parsed([`--acls=${path}`]).acls?.permissive).toBe(false);
  });

  it('master flags: auth: a bad --acls is one line naming the flag and the rule', () => {
    const error = failure(['--acls={"reserve_resources":[{"principals":{"type":"ANY"}}]}']);
    expect(error).toMatch(/^Failed to load flag 'acls': Failed to load value '.*': Failed to convert JSON into ACLs protobuf: Missing required fields: reserve_resources\.0\.roles$/);
    expect(error).not.toContain('\n');
    expect(failure(['--acls={not json'])).toMatch(/^Failed to load flag 'acls': .*Invalid JSON: /);
  });
});
