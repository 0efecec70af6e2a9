/**
 * `berth master` flags: Mesos' names and defaults (spec core.md 0.4 and 0.5), plus
 * `--seed` and a shorter `--heartbeat_interval`, which berth adds on purpose.
 * Durations are milliseconds.
 */
import { readFileSync } from 'node:fs';
import { formatDuration } from '../../lib/duration.js';
import { defineFlags, flag, type FlagValues } from '../../lib/flags/index.js';
import { err, ok, type Result } from '../../lib/result.js';
import { formatAcls, parseAclsFlag } from '../../master/auth/acls.js';

const secondMs = 1_000;
const minuteMs = 60 * secondMs;

/** The highest TCP port; 0 asks the OS for a free port (tests use it). */
const portMax = 65_535;

const weightsForm = "--weights should be of the form 'role=weight,role=weight'";

/**
 * Parses `role1=2,role2=1.5`. As in Mesos empty entries between commas are
 * skipped; unlike Mesos (which runs the weight through atof and lets a repeated
 * role overwrite the earlier one) a weight must be a plain positive number and a
 * role may appear once, so a typo is an error rather than a silent zero or loss.
 */
export function parseWeights(text: string): Result<Map<string, number>, string> {
  const weights = new Map<string, number>();
  for (const entry of text.split(',').filter((part) => part !== '')) {
    const parts = entry.split('=');
    const [role, weightText] = parts;
    if (parts.length !== 2 || role === undefined || weightText === undefined || role === '' || weightText === '') {
      return err(`Invalid weight: '${entry}'. ${weightsForm}`);
    }
    if (/\s/.test(role)) return err(`Invalid weight: '${entry}'. '${role}' is not a valid role`);
    if (weights.has(role)) return err(`Invalid weight: '${entry}'. Role '${role}' is given more than once`);
    const weight = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(weightText) ? Number(weightText) : Number.NaN;
    if (!(weight > 0) || !Number.isFinite(weight)) {
      return err(`Invalid weight: '${entry}'. Weights must be positive numbers`);
    }
    weights.set(role, weight);
  }
  return ok(weights);
}

export function formatWeights(weights: ReadonlyMap<string, number>): string {
  return [...weights].map(([role, weight]) => `${role}=${weight}`).join(',');
}

export const masterFlags = defineFlags({
  ip: flag.string({ help: 'IP address to listen on.' }),
  port: flag.int({ default: 5050, min: 0, max: portMax, help: 'Port to listen on; 0 picks a free port.' }),
  advertise_ip: flag.string({ help: 'IP address advertised to reach this master; the master does not bind to it.' }),
  advertise_port: flag.int({
    min: 0,
    max: portMax,
    help: 'Port advertised (with --advertise_ip) to reach this master.',
  }),
  hostname: flag.string({
    help: 'Hostname the master advertises; by default it is looked up (see --hostname_lookup).',
  }),
  hostname_lookup: flag.bool({
    default: true,
    help:
      'Whether to look up the hostname when --hostname is not given;\n' +
      'with --no-hostname_lookup the IP address is used as the hostname.',
  }),
  work_dir: flag.path({ help: 'Directory of the master\'s persistent state (the registry).' }),
  cluster: flag.string({ help: 'Human readable name of the cluster, shown in state and the web UI.' }),
  roles: flag.string({
    help: 'Deprecated: comma-separated whitelist of roles frameworks may use;\nwithout it any role name is allowed.',
  }),
  weights: flag.custom({
    parse: parseWeights,
    format: formatWeights,
    help:
      'Deprecated: comma-separated role=weight pairs that seed role weights\n' +
      'at bootstrap; use the /weights endpoint instead.',
  }),
  allocation_interval: flag.duration({
    default: 1 * secondMs,
    min: 1,
    help: 'Time between batch allocations (e.g., 500ms, 1secs).',
  }),
  offer_timeout: flag.duration({
    help: 'Time after which an unanswered offer is rescinded; by default offers never expire.',
    // Mesos' own wording for the check it makes at master startup.
    check: (valueMs) =>
      valueMs > 0
        ? undefined
        : `Invalid value '${formatDuration(valueMs)}' for --offer_timeout: Must be greater than zero`,
  }),
  heartbeat_interval: flag.duration({
    default: 5 * secondMs,
    min: 1,
    help:
      'Interval of HEARTBEAT events on scheduler and operator event streams.\n' +
      'berth defaults to 5secs where Mesos uses 15secs: the npm package\n' +
      'mesos-framework drops a stream that has been idle for 10 seconds.',
  }),
  agent_ping_timeout: flag.duration({
    default: 15 * secondMs,
    min: 1 * secondMs,
    max: 15 * minuteMs,
    help: 'Time within which an agent must answer a ping from the master.',
  }),
  max_agent_ping_timeouts: flag.int({
    default: 5,
    min: 1,
    help: 'Number of consecutive unanswered pings after which an agent is marked unreachable.',
  }),
  agent_reregister_timeout: flag.duration({
    default: 10 * minuteMs,
    help:
      'Time within which agents must reregister after a master failover\nbefore they are marked unreachable' +
      ' (berth accepts less than Mesos\' 10mins floor).',
  }),
  agent_removal_rate_limit: flag.string({
    help: 'Most agents marked unreachable per period, as N/<duration> (1/1mins);\nby default, no limit.',
  }),
  recovery_agent_removal_limit: flag.string({
    default: '100%',
    help:
      'After a restart or failover: when more than this share of the agents in\n' +
      'the registry has not come back by --agent_reregister_timeout, the master\n' +
      'stops instead of marking them unreachable.',
  }),
  min_allocatable_resources: flag.string({
    default: 'cpus:0.01|mem:32',
    help:
      'Smallest resources worth offering: alternatives separated by |,\n' +
      'each a ;-separated list of name:quantity that must all be met.',
  }),
  role_sorter: flag.enum(['drf', 'random'], { default: 'drf', help: 'Policy for ordering roles: drf or random.' }),
  framework_sorter: flag.enum(['drf', 'random'], {
    default: 'drf',
    help: "Policy for ordering a role's frameworks: drf or random.",
  }),
  filter_gpu_resources: flag.bool({
    default: true,
    help: 'Offer GPU agents only to frameworks with the GPU_RESOURCES capability.',
  }),
  max_completed_frameworks: flag.int({ default: 50, min: 0, help: 'Completed frameworks kept in memory.' }),
  max_completed_tasks_per_framework: flag.int({
    default: 1000,
    min: 0,
    help: 'Completed tasks kept in memory per framework.',
  }),
  max_unreachable_tasks_per_framework: flag.int({
    default: 1000,
    min: 0,
    help: 'Unreachable tasks kept in memory per framework.',
  }),
  max_operator_event_stream_subscribers: flag.int({
    default: 1000,
    min: 0,
    help: 'Operator API event stream subscribers at once; the oldest is closed beyond this.',
  }),
  fair_sharing_excluded_resource_names: flag.string({
    help: 'Comma-separated resource names left out of fair sharing (e.g., gpus).',
  }),
  publish_per_framework_metrics: flag.bool({ default: true, help: 'Publish metrics for each framework.' }),
  root_submissions: flag.bool({ default: true, help: 'Whether root may submit frameworks.' }),
  authenticate_http_readwrite: flag.bool({
    default: false,
    help:
      'If true, only authenticated requests (HTTP Basic, see --credentials)\n' +
      'reach the read-write endpoints, e.g. /master/reserve and /api/v1.',
  }),
  authenticate_http_readonly: flag.bool({
    default: false,
    help:
      'If true, only authenticated requests (HTTP Basic, see --credentials)\n' +
      'reach the read-only endpoints, e.g. /master/state.',
  }),
  credentials: flag.path({
    help:
      'Path (/path or file:///path) to a JSON file of credentials:\n' +
      '{"credentials": [{"principal": "ops", "secret": "s3cret"}]}\n' +
      '(the legacy text form, one "principal secret" per line, is read too).',
  }),
  acls: flag.custom({
    // Mesos still reads a bare absolute path here (deprecated); file:// is resolved before.
    parse: (text) => parseAclsFlag(text, (path) => readFileSync(path, 'utf8')),
    format: formatAcls,
    help:
      'JSON ACLs for the local authorizer, inline or file:///path, e.g.\n' +
      '{"permissive": false, "reserve_resources": [{"principals": {"values": ["ops"]},\n' +
      '"roles": {"type": "ANY"}}]}; without it every action is allowed.',
  }),
  zk: flag.string({ help: 'ZooKeeper URL for leader election among masters: zk://host1:port1,.../path' }),
  zk_session_timeout: flag.duration({ default: 10 * secondMs, min: 1, help: 'ZooKeeper session timeout.' }),
  quorum: flag.int({ min: 1, help: 'Size of the registry quorum; more than half of the masters.' }),
  registry: flag.enum(['in_memory', 'replicated_log'], {
    default: 'replicated_log',
    help:
      'Where the registry persists: replicated_log (one SQLite file under --work_dir;\n' +
      'with --zk, shared by the masters in ZooKeeper under <path>/registry), or in_memory (for testing).',
  }),
  log_dir: flag.path({ help: 'Directory for log files; by default logs go to stderr only.' }),
  logging_level: flag.string({ default: 'INFO', help: 'Lowest level logged: INFO, WARNING or ERROR.' }),
  seed: flag.int({
    help: "berth-specific: seed for the allocator's shuffles, so that a run can be replayed.",
  }),
});

export type MasterFlags = FlagValues<typeof masterFlags>;
