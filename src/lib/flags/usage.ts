/**
 * The `--help` text, laid out as stout's FlagsBase::usage lays it out: flags sorted
 * by name (with the built-in `--help`), booleans as `--[no-]name`, others as
 * `--name=VALUE`, help text in a second column with continuation lines indented,
 * and the default appended, on its own line when the help ends with a newline.
 */
import type { FlagDefinition, FlagDefinitions } from './definition.js';
import { helpFlag, helpFlagName } from './help.js';

/** Spaces between the widest flag column and the help column, as in stout. */
const columnGap = 5;

export function flagsUsage(definitions: FlagDefinitions, command: string): string {
  const all = new Map<string, FlagDefinition<unknown>>([...Object.entries(definitions), [helpFlagName, helpFlag]]);
  const names = [...all.keys()].sort();
  const firstColumns = new Map(names.map((name) => [name, firstColumn(name, all.get(name))]));
  const width = Math.max(...[...firstColumns.values()].map((column) => column.length));

  const lines = [`Usage: ${command} [options]`, ''];
  for (const name of names) {
    const [first = '', ...rest] = helpWithDefault(all.get(name)).split(/\r?\n|\r/);
    const column = firstColumns.get(name) ?? '';
    lines.push(column + ' '.repeat(width + columnGap - column.length) + first);
    for (const line of rest) lines.push(' '.repeat(width + columnGap) + line);
  }
  return lines.join('\n') + '\n';
}

function firstColumn(name: string, definition: FlagDefinition<unknown> | undefined): string {
  return definition?.isBoolean === true ? `  --[no-]${name}` : `  --${name}=VALUE`;
}

/** stout appends the default to every defaulted flag; berth also marks required ones. */
function helpWithDefault(definition: FlagDefinition<unknown> | undefined): string {
  if (definition === undefined) return '';
  const { help } = definition;
  const separator = help === '' || /[\r\n]$/.test(help) ? '' : ' ';
  if (definition.presence === 'required') return `${help}${separator}(required)`;
  if (definition.presence === 'optional' || definition.defaultValue === undefined) return help;
  return `${help}${separator}(default: ${definition.format(definition.defaultValue)})`;
}
