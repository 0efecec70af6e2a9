/**
 * `berth agent` flags: Mesos' names and defaults (spec core.md 0.4 and 0.5).
 * Durations are milliseconds. `--resources` and `--attributes` stay raw text here;
 * the agent parses them.
 */
import { defineFlags, flag, type FlagValues } from '../../lib/flags/index.js';

const secondMs = 1_000;
const minuteMs = 60 * secondMs;
const dayMs = 24 * 60 * minuteMs;

/** The highest TCP port; 0 asks the OS for a free port (tests use it). */
const portMax = 65_535;

/** Mesos caps it: the agent does not reregister with the master until it elapses. */
const executorReregistrationTimeoutMaxMs = 15 * secondMs;

export const agentFlags = defineFlags({
  master: flag.string({
    required: true,
    help:
      'The master to register with: host:port, or zk://host1:port1,.../path\n' +
      'to find the leading master through ZooKeeper.',
  }),
  ip: flag.string({ help: 'IP address to listen on.' }),
  port: flag.int({ default: 5051, min: 0, max: portMax, help: 'Port to listen on; 0 picks a free port.' }),
  advertise_ip: flag.string({ help: 'IP address advertised to reach this agent; the agent does not bind to it.' }),
  advertise_port: flag.int({
    min: 0,
    max: portMax,
    help: 'Port advertised (with --advertise_ip) to reach this agent.',
  }),
  hostname: flag.string({ help: 'Hostname the agent reports; by default it is looked up (see --hostname_lookup).' }),
  hostname_lookup: flag.bool({
    default: true,
    help:
      'Whether to look up the hostname when --hostname is not given;\n' +
      'with --no-hostname_lookup the IP address is used as the hostname.',
  }),
  work_dir: flag.path({
    required: true,
    help: 'Directory of sandboxes and checkpointed agent state (meta/).',
  }),
  resources: flag.string({
    help:
      'Total consumable resources, as text (cpus:4;mem:8192;ports:[31000-32000])\n' +
      'or JSON; by default detected from the host.',
  }),
  mount_disk_images: flag.string({
    default: '',
    help:
      'berth: MOUNT disks made from files, <image>:<mount point>:<size MB>[,...]:\n' +
      'at start each image is made and formatted ext4 if missing (never\n' +
      'reformatted), loop-mounted, and declared as a MOUNT disk of that size\n' +
      '(hard disk limits without a spare partition; see docs/loop-disks.md).',
  }),
  attributes: flag.string({ help: 'Attributes of the agent, e.g. rack:2;zone:a' }),
  default_role: flag.string({ default: '*', help: 'Role of resources given in --resources without one.' }),
  recover: flag.enum(['reconnect', 'cleanup'], {
    default: 'reconnect',
    help:
      'What to do with executors of an earlier run:\n' +
      'reconnect to those still alive, or cleanup (kill them and exit).',
  }),
  strict: flag.bool({
    default: true,
    help:
      'Whether any recovery error is fatal; with --no-strict expected\n' +
      'errors are skipped and as much state as possible is recovered.',
  }),
  recovery_timeout: flag.duration({
    default: 15 * minuteMs,
    help: 'Time the agent has to recover; executors still waiting after it terminate.',
  }),
  reconfiguration_policy: flag.enum(['equal', 'additive'], {
    default: 'equal',
    help: 'Which changes to the agent configuration recovery accepts:\nequal (none), or additive (only additions).',
  }),
  registration_backoff_factor: flag.duration({
    default: 1 * secondMs,
    help: 'Upper bound of the first random delay before (re)registering;\nthe bound doubles per attempt, up to 1mins.',
  }),
  executor_registration_timeout: flag.duration({
    default: 1 * minuteMs,
    help: 'Time an executor has to register before it is shut down.',
  }),
  executor_reregistration_timeout: flag.duration({
    default: 2 * secondMs,
    max: executorReregistrationTimeoutMaxMs,
    help: 'Time an executor has to reregister after an agent restart before it is\nconsidered gone.',
  }),
  executor_shutdown_grace_period: flag.duration({
    default: 5 * secondMs,
    help: 'Time an executor has to shut down before it is killed.',
  }),
  switch_user: flag.bool({
    default: true,
    help: 'Run tasks as the user the framework names, rather than as the agent user.',
  }),
  isolation: flag.string({
    default: 'filesystem/linux',
    help:
      'Comma-separated isolators, in any order (they run in a fixed one):\n' +
      'filesystem/linux or filesystem/posix, disk/du, cgroups/cpu, cgroups/mem,\n' +
      'cgroups/blkio (berth: IO limits from berth.io/* task labels).\n' +
      'Without filesystem/linux berth uses filesystem/posix; filesystem/linux\n' +
      'needs root (else the agent falls back to posix unless the flag names it).',
  }),
  enforce_container_disk_quota: flag.bool({
    default: false,
    help: 'With disk/du: a container whose sandbox or volume passes its disk\nquota is killed (TASK_FAILED, REASON_CONTAINER_LIMITATION_DISK).',
  }),
  container_disk_watch_interval: flag.duration({
    default: 15 * secondMs,
    min: 1,
    help: 'With disk/du: how long after measuring a path it is measured again.',
  }),
  container_disk_scanners: flag.int({
    default: 4,
    min: 1,
    max: 64,
    help: 'berth: with disk/du, how many du processes may measure at once.',
  }),
  cgroups_root: flag.string({
    default: 'berth',
    help: 'Name of the cgroup, in each hierarchy, under which the agent\nputs every container\'s cgroup.',
  }),
  cgroups_enable_cfs: flag.bool({
    default: false,
    help: 'With cgroups/cpu: a hard CFS quota of the container\'s cpus,\nnot only its share.',
  }),
  gc_delay: flag.duration({
    default: 7 * dayMs,
    help: 'Longest time after which the sandboxes of finished executors are removed;\nsooner as the disk fills (see --gc_disk_headroom).',
  }),
  disk_watch_interval: flag.duration({
    default: 1 * minuteMs,
    min: 1 * secondMs,
    help: 'How often the disk usage of the work directory is checked;\nthis drives the removal of sandboxes.',
  }),
  gc_disk_headroom: flag.double({
    default: 0.1,
    min: 0,
    max: 1,
    help:
      'Share of the disk to keep free: sandboxes are kept for at most\n' +
      'gc_delay x max(0, 1 - gc_disk_headroom - disk usage).',
  }),
  sandbox_log_max_size: flag.bytes({
    default: 10 * 1024 * 1024,
    min: 1024,
    help: "berth: size past which a sandbox's stdout or stderr is copied to <name>.1 and truncated.",
  }),
  sandbox_log_max_files: flag.int({
    default: 3,
    min: 1,
    max: 100,
    help: 'berth: rotated copies kept of each sandbox stdout and stderr (<name>.1 is the newest).',
  }),
  sandbox_log_rotation_interval: flag.duration({
    default: 10 * secondMs,
    min: 1 * secondMs,
    help: 'berth: how often the size of sandbox stdout and stderr is checked.',
  }),
  max_completed_executors_per_framework: flag.int({
    default: 150,
    min: 0,
    help: 'Completed executors of each framework kept for /state.',
  }),
  fetcher_cache_size: flag.bytes({
    default: 2 * 1024 * 1024 * 1024,
    help: 'Size of the fetcher cache (<work_dir>/fetch_cache).',
  }),
  fetcher_stall_timeout: flag.duration({
    default: 1 * minuteMs,
    min: 1,
    help: 'A download that receives nothing for this long fails.',
  }),
  status_update_retry_interval: flag.duration({
    default: 10 * secondMs,
    min: 1,
    help:
      'berth: first interval before an unacknowledged status update is sent again;\n' +
      'it doubles up to 10mins (Mesos fixes it at 10secs).',
  }),
  log_dir: flag.path({ help: 'Directory for log files; by default logs go to stderr only.' }),
  logging_level: flag.string({ default: 'INFO', help: 'Lowest level logged: INFO, WARNING or ERROR.' }),
  domain: flag.string({ help: 'Fault domain of the agent (region and zone), as JSON.' }),
  launcher_dir: flag.path({ help: 'Directory holding the executor and helper programs.' }),
});

export type AgentFlags = FlagValues<typeof agentFlags>;
