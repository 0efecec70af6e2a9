/**
 * The flags as Mesos echoes them in `/master/flags`, `/flags` and GET_FLAGS: each
 * value printed by its kind (durations as `15secs`, sizes as `1GB`, booleans as
 * `true`/`false`), sorted by name as stout's flag map is, and optional flags that
 * were not given left out, as stout's stringify returns none for them.
 */
import type { FlagDefinitions, FlagValues } from './definition.js';

export interface FlagAsString {
  readonly name: string;
  readonly value: string;
}

export function flagsAsStrings<D extends FlagDefinitions>(definitions: D, values: FlagValues<D>): FlagAsString[] {
  const valuesByName: Readonly<Record<string, unknown>> = values;
  return Object.keys(definitions)
    .sort()
    .flatMap((name) => {
      const definition = definitions[name];
      const value = valuesByName[name];
      if (definition === undefined || value === undefined) return [];
      return [{ name, value: definition.format(value) }];
    });
}
