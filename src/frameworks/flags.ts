/**
 * The flags of `berth framework <name>`, with berth's (Mesos') flag syntax:
 * `--name=value` or `--name value`, `file://` values, one-line errors. Names
 * take '_' as everywhere in berth, and '-' as well (`--num-shards=3`).
 */
import { masterList, masterListError } from '../sdk/master-list.js';

import { defineFlags, flag, type FlagDefinitions } from '../lib/flags/index.js';
import { err, ok, type Result } from '../lib/result.js';
import { parseResourcesString, Resources, validateRole } from '../resources/index.js';
import { describeResources } from './resources.js';

/** The commands' callers read `--master` through these flags. */
export { masterList };

/** How long a run may take, by default, before it gives up and says what it was waiting for. */
export const runTimeoutMsDefault = 5 * 60_000;
/** Bounds that keep a typo from asking a cluster for thousands of volumes or tasks. */
export const shardsMax = 100;
export const tasksMax = 1000;
/** Each task's resources in the dynamic-reservation framework (the Mesos example's). */
export const taskResourcesDefault = 'cpus:1;mem:128';

const commonFlags = {
  master: flag.string({
    required: true,
    help: 'The master: host:port. Several, comma-separated, are tried in turn.',
    check: (value) => checkMasters(value),
  }),
  role: flag.string({ required: true, help: 'The role to reserve for (not *).', check: (value) => checkReservationRole(value) }),
  principal: flag.string({ help: 'The principal of the framework, of its reservations and of its volumes.' }),
  timeout: flag.duration({ default: runTimeoutMsDefault, min: 1, help: 'Give up after this long, saying what the run was waiting for.' }),
  json: flag.bool({ default: false, help: 'Print the summary as one JSON object.' }),
  quiet: flag.bool({ default: false, help: 'No progress lines on stderr.' }),
} as const;

export const persistentVolumesFlags = defineFlags({
  ...commonFlags,
  num_shards: flag.int({ default: 3, min: 1, max: shardsMax, help: 'Shards: each a reservation, a volume and its tasks.' }),
  shared_shards: flag.int({
    min: 0,
    max: shardsMax,
    help: 'How many of the shards (the last ones) use a shared volume; their tasks\nafter the first run at once. (default: 1, or 0 when there is one shard)',
  }),
  tasks_per_shard: flag.int({ default: 2, min: 1, max: tasksMax, help: 'Tasks per shard.' }),
});

export const dynamicReservationFlags = defineFlags({
  ...commonFlags,
  tasks: flag.int({ default: 3, min: 1, max: tasksMax, help: 'Tasks to run.' }),
  command: flag.string({ default: 'echo hello', help: 'The shell command each task runs.' }),
  resources: flag.custom<Resources>({
    default: Resources.parse(taskResourcesDefault),
    parse: parseTaskResources,
    format: describeResources,
    help: "Each task's resources (text or JSON), unreserved: the framework\nreserves them on each agent it uses.",
  }),
});

/** Every flag of the group, for `berth help framework`: each says which commands take it. */
export function frameworkHelpFlags(): FlagDefinitions {
  const groups: Readonly<Record<string, FlagDefinitions>> = {
    'persistent-volumes': persistentVolumesFlags,
    'dynamic-reservation': dynamicReservationFlags,
  };
  const described: Record<string, FlagDefinitions[string]> = {};
  for (const [name, flags] of Object.entries(groups)) {
    for (const [flagName, definition] of Object.entries(flags)) {
      const users = Object.entries(groups)
        .filter(([, other]) => flagName in other)
        .map(([user]) => user);
      const only = users.length === 1 ? `\n(${name} only)` : '';
      described[flagName] ??= { ...definition, help: `${definition.help.trimEnd()}${only}` };
    }
  }
  return described;
}

/** The masters of `--master`, in order. */

/**
 * `--num-shards=3` as `--num_shards=3` (`--no-json` untouched): dashes inside
 * a flag's name become underscores. Values, and everything after a lone `--`,
 * are left alone.
 */
export function normalizeFlagNames(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  const normalized = flags.map((token) => {
    const match = /^--(no-)?([^=]*)(.*)$/s.exec(token);
    if (match === null) return token;
    const [, negation = '', name = '', value = ''] = match;
    return `--${negation}${name.replace(/-/g, '_')}${value}`;
  });
  return end === -1 ? normalized : [...normalized, ...argv.slice(end)];
}

function checkMasters(value: string): string | undefined {
  return masterListError(value);
}

function checkReservationRole(value: string): string | undefined {
  if (value === '*') return "Expected `--role` to be a role other than '*': the default role cannot be reserved for";
  return validateRole(value);
}

/** Plain, unreserved resources; zero amounts dropped. */
function parseTaskResources(text: string): Result<Resources, string> {
  const parsed = parseResourcesString(text);
  if (!parsed.ok) return parsed;
  const list = parsed.value.filter((resource) => !(resource.type === 'SCALAR' && (resource.scalar?.value ?? 0) === 0));
  if (list.length === 0) return err('Expected at least one resource, e.g. cpus:1;mem:128');
  const odd = list.find((r) => r.reservations.length > 0 || r.disk !== undefined || r.revocable !== undefined || r.shared !== undefined);
  if (odd !== undefined) return err(`Expected '${odd.name}' to be plain and unreserved: the framework reserves it`);
  return ok(Resources.of(list));
}
