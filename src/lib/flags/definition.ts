/**
 * What a flag is: its kind (how text becomes a value and back), its help text,
 * and how it is present when the command line does not name it. A command's flags
 * are a record of definitions; the type of the parsed values is inferred from it.
 */
import { assert } from '../assert.js';
import type { Result } from '../result.js';

/**
 * How a flag gets a value when the command line does not give one:
 * `defaulted` uses its default, `required` is an error, `optional` is `undefined`.
 */
export type FlagPresence = 'defaulted' | 'required' | 'optional';

export interface FlagDefinition<T, P extends FlagPresence = FlagPresence> {
  /** The kind's name, e.g. 'duration'; usage text and tests read it. */
  readonly kind: string;
  readonly help: string;
  readonly presence: P;
  /** Set exactly when `presence` is 'defaulted'. */
  readonly defaultValue: T | undefined;
  /** Booleans take `--name`, `--no-name` and `--name=false`, and never consume the next token. */
  readonly isBoolean: boolean;
  /** Every kind but paths replaces a `file://` value by the file's contents, as stout's fetch does. */
  readonly readsFileUrls: boolean;
  readonly parse: (text: string) => Result<T, string>;
  // `format` and `check` are methods rather than function-valued properties on
  // purpose: method parameters are compared bivariantly, which lets a
  // FlagDefinition<number> sit in a record of FlagDefinition<unknown>.
  /** The value as Mesos prints it (`/master/flags`, usage defaults). */
  format(value: T): string;
  /** A range or consistency rule, run after parsing; returns the one-line error, if any. */
  check(value: T, name: string): string | undefined;
}

export type FlagDefinitions = Readonly<Record<string, FlagDefinition<unknown>>>;

/** The parsed value of one flag: optional flags that were not given are `undefined`. */
export type FlagValue<D> =
  D extends FlagDefinition<infer T, infer P> ? (P extends 'optional' ? T | undefined : T) : never;

/** The parsed values of a command's flags, keyed by flag name. */
export type FlagValues<D extends FlagDefinitions> = { readonly [K in keyof D]: FlagValue<D[K]> };

/** `help` is every command's built-in boolean, as in stout's FlagsBase. */
export const helpFlagName = 'help';

/**
 * Names a command's flags. The names must be reachable from the command line:
 * stout lowercases the names it reads and reserves the `no-` prefix for negation
 * (the pattern below admits neither capitals nor '-'), and `help` is built in. A
 * definition breaking those rules is a programmer error.
 */
export function defineFlags<const D extends FlagDefinitions>(definitions: D): D {
  for (const name of Object.keys(definitions)) {
    assert(/^[a-z][a-z0-9_]*$/.test(name), `flag name '${name}' must be lowercase letters, digits and '_'`);
    assert(name !== helpFlagName, `flag '${helpFlagName}' is built in`);
  }
  return definitions;
}
