/**
 * `berth execute` flags: mesos-execute's names for what it runs (one command
 * task), checked with the shared stout-style parser. Durations are
 * milliseconds.
 */
import { masterList, masterListError } from '../../sdk/master-list.js';

import { userInfo } from 'node:os';
import { defineFlags, flag, type FlagValues } from '../../lib/flags/index.js';
import { err, ok, type Result } from '../../lib/result.js';
import { parseResourcesString } from '../../resources/index.js';
import { validateRole } from '../../resources/roles.js';

/** The commands' callers read `--master` through these flags. */
export { masterList };

export const executeFlags = defineFlags({
  master: flag.string({
    required: true,
    help:
      'The master: host:port. Several, comma-separated (host1:port1,host2:port2),\n' +
      'are tried in turn when one cannot be reached.',
    check: (value) => checkMasters(value),
  }),
  name: flag.string({ required: true, help: "Name of the task; its id is '<name>-<random>'.", check: (value) => (value === '' ? 'Expected `--name` to be non-empty' : undefined) }),
  command: flag.string({ required: true, help: 'The command to run: a shell command line (see --shell).' }),
  resources: flag.string({
    default: 'cpus:0.1;mem:32',
    help: 'Resources of the task, taken from one offer:\ntext (cpus:1;mem:128;ports:[31000-31000]) or JSON.',
    check: (value) => checkResources(value),
  }),
  role: flag.string({ default: '*', help: 'Role to subscribe with; its reserved resources are used first.', check: (value) => validateRole(value) }),
  user: flag.string({ default: currentUser(), help: 'User to run the task as.' }),
  shell: flag.bool({
    default: true,
    help: "Run --command with 'sh -c'; with --no-shell it is split at spaces\ninto the program and its arguments.",
  }),
  env: flag.custom<Readonly<Record<string, string>>>({
    parse: parseEnvironment,
    format: (value) => JSON.stringify(value),
    help: 'Environment of the command, a JSON object of strings:\n{"NAME": "value"} (or file:///path to one).',
  }),
  checkpoint: flag.bool({ default: false, help: 'Whether the framework checkpoints: its task then survives\nan agent restart.' }),
  framework_name: flag.string({ default: 'berth-execute', help: 'Name of the framework.' }),
  kill_after: flag.duration({ min: 1, help: 'Kill the task this long after it is running (e.g. 10secs).' }),
});

export type ExecuteFlags = FlagValues<typeof executeFlags>;

/** The masters of `--master`, in order. */

function checkMasters(value: string): string | undefined {
  return masterListError(value);
}

function checkResources(value: string): string | undefined {
  const parsed = parseResourcesString(value);
  if (!parsed.ok) return `Invalid --resources: ${parsed.error}`;
  if (parsed.value.length === 0) return 'Expected `--resources` to name at least one resource (e.g. cpus:0.1;mem:32)';
  return undefined;
}

function parseEnvironment(text: string): Result<Readonly<Record<string, string>>, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return err(`Expected a JSON object: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return err('Expected a JSON object of strings');
  const variables: Record<string, string> = {};
  for (const [name, member] of Object.entries(value)) {
    if (typeof member !== 'string') return err(`Expected the value of '${name}' to be a string`);
    variables[name] = member;
  }
  return ok(variables);
}

/** The user this process runs as; '' (the agent's user) when the system cannot tell. */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? '';
  }
}
