/**
 * The `--isolation` flag: isolator names as Mesos spells them, in the order
 * their isolators run (registry.ts). berth's own, `cgroups/blkio`, limits a
 * task's disk IO. `posix/cpu` and `posix/mem` (Mesos' default) are accepted
 * and need nothing: every container's cpu and memory usage is read from
 * /proc already. `posix/disk` is Mesos' old name of `disk/du`.
 */
import { err, ok, type Result } from '../../lib/result.js';

export const isolatorNames = [
  'filesystem/posix',
  'filesystem/linux',
  'docker/volume',
  'disk/du',
  'cgroups/cpu',
  'cgroups/mem',
  'cgroups/blkio',
] as const;

export type IsolatorName = (typeof isolatorNames)[number];

/** Names that mean another isolator, or nothing more than berth always does. */
const aliases: Readonly<Record<string, IsolatorName | undefined>> = {
  'posix/disk': 'disk/du',
  'posix/cpu': undefined,
  'posix/mem': undefined,
};

function isIsolatorName(name: string): name is IsolatorName {
  return (isolatorNames as readonly string[]).includes(name);
}

/**
 * The isolators `--isolation` names, each once, in the table's order. A
 * filesystem isolator is always among them: `defaultFilesystem` when the flag
 * names none (Mesos adds filesystem/posix).
 */
export function parseIsolation(value: string, defaultFilesystem: 'filesystem/linux' | 'filesystem/posix'): Result<IsolatorName[]> {
  const chosen = new Set<IsolatorName>();
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (name in aliases) {
      const alias = aliases[name];
      if (alias !== undefined) chosen.add(alias);
      continue;
    }
    if (!isIsolatorName(name)) return err(`--isolation: unknown isolator '${name}' (known: ${[...isolatorNames, ...Object.keys(aliases)].join(', ')})`);
    chosen.add(name);
  }
  if (chosen.has('filesystem/linux') && chosen.has('filesystem/posix')) {
    return err('--isolation: filesystem/linux and filesystem/posix exclude each other: name one');
  }
  if (!chosen.has('filesystem/linux') && !chosen.has('filesystem/posix')) chosen.add(defaultFilesystem);
  return ok(isolatorNames.filter((name) => chosen.has(name)));
}
