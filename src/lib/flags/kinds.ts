/**
 * The flag kinds: how text becomes a value and how a value prints back. Each
 * builder takes the help text and one of three presences (a `default`,
 * `required: true`, or neither for an optional flag); the overloads keep a typo
 * such as `defualt` or a default of the wrong type a compile error.
 */
import { formatBytes, parseBytes } from '../bytes.js';
import { formatDuration, parseDuration } from '../duration.js';
import { err, ok, type Result } from '../result.js';
import type { FlagDefinition } from './definition.js';

interface CommonOptions<T> {
  readonly help: string;
  /** An extra rule run after parsing, e.g. a cross-value limit; returns the one-line error. */
  readonly check?: (value: T, name: string) => string | undefined;
}

type DefaultedOptions<T> = CommonOptions<T> & { readonly default: T; readonly required?: false };
type RequiredOptions<T> = CommonOptions<T> & { readonly required: true; readonly default?: never };
type OptionalOptions<T> = CommonOptions<T> & { readonly required?: false; readonly default?: never };
type PresenceOptions<T> = DefaultedOptions<T> | RequiredOptions<T> | OptionalOptions<T>;

/** Inclusive bounds in the kind's own unit (milliseconds for durations, bytes for sizes). */
interface RangeOptions {
  readonly min?: number;
  readonly max?: number;
}

export interface FlagBuilder<T, Extra = Record<never, never>> {
  (options: Extra & DefaultedOptions<T>): FlagDefinition<T, 'defaulted'>;
  (options: Extra & RequiredOptions<T>): FlagDefinition<T, 'required'>;
  (options: Extra & OptionalOptions<T>): FlagDefinition<T, 'optional'>;
}

/** What distinguishes one kind from another; presence and help come from the options. */
interface FlagKind<T> {
  readonly kind: string;
  readonly isBoolean?: boolean;
  readonly readsFileUrls?: boolean;
  readonly parse: (text: string) => Result<T, string>;
  readonly format: (value: T) => string;
  readonly check?: (value: T, name: string) => string | undefined;
}

function makeDefinition<T>(kind: FlagKind<T>, options: PresenceOptions<T>): FlagDefinition<T> {
  const userCheck = options.check;
  return {
    kind: kind.kind,
    help: options.help,
    presence: 'default' in options ? 'defaulted' : options.required === true ? 'required' : 'optional',
    defaultValue: 'default' in options ? options.default : undefined,
    isBoolean: kind.isBoolean ?? false,
    readsFileUrls: kind.readsFileUrls ?? true,
    parse: kind.parse,
    format: kind.format,
    check: (value, name) => kind.check?.(value, name) ?? userCheck?.(value, name),
  };
}

function builder<T, Extra = Record<never, never>>(kindOf: (options: Extra) => FlagKind<T>): FlagBuilder<T, Extra> {
  const build = (options: Extra & PresenceOptions<T>): FlagDefinition<T> => makeDefinition(kindOf(options), options);
  // The overloads differ only in `presence`, which makeDefinition derives from
  // the very options that picked the overload.
  return build as FlagBuilder<T, Extra>;
}

/** Mesos' validators word range errors this way, e.g. for `--agent_ping_timeout`. */
function rangeCheck(range: RangeOptions, format: (value: number) => string) {
  const { min, max } = range;
  return (value: number, name: string): string | undefined => {
    const flagText = `\`--${name}\``;
    if (min !== undefined && max !== undefined) {
      const isInside = value >= min && value <= max;
      return isInside ? undefined : `Expected ${flagText} to be between ${format(min)} and ${format(max)}`;
    }
    if (min !== undefined && value < min) return `Expected ${flagText} to be at least ${format(min)}`;
    if (max !== undefined && value > max) return `Expected ${flagText} to be not more than ${format(max)}`;
    return undefined;
  };
}

function parseInteger(text: string): Result<number, string> {
  const value = Number(text);
  if (!/^[+-]?\d+$/.test(text)) return err('Failed to convert into required type (expected an integer)');
  if (!Number.isSafeInteger(value)) return err('Failed to convert into required type (integer out of range)');
  return ok(value);
}

function parseDouble(text: string): Result<number, string> {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    return err('Failed to convert into required type (expected a number)');
  }
  const value = Number(text);
  return Number.isFinite(value) ? ok(value) : err('Failed to convert into required type (number out of range)');
}

/** stout accepts exactly these four spellings. */
function parseBoolean(text: string): Result<boolean, string> {
  if (text === 'true' || text === '1') return ok(true);
  if (text === 'false' || text === '0') return ok(false);
  return err('Expecting a boolean (e.g., true or false)');
}

const identity = (text: string): Result<string, string> => ok(text);
const asText = (value: string): string => value;

const string = builder<string>(() => ({ kind: 'string', parse: identity, format: asText }));

/** A path is taken literally: stout's fetch skips `file://` reading for paths. */
const path = builder<string>(() => ({ kind: 'path', readsFileUrls: false, parse: identity, format: asText }));

const int = builder<number, RangeOptions>((range) => ({
  kind: 'int',
  parse: parseInteger,
  format: String,
  check: rangeCheck(range, String),
}));

const double = builder<number, RangeOptions>((range) => ({
  kind: 'double',
  parse: parseDouble,
  format: String,
  check: rangeCheck(range, String),
}));

const bool = builder<boolean>(() => ({ kind: 'bool', isBoolean: true, parse: parseBoolean, format: String }));

const duration = builder<number, RangeOptions>((range) => ({
  kind: 'duration',
  parse: parseDuration,
  format: formatDuration,
  check: rangeCheck(range, formatDuration),
}));

const bytes = builder<number, RangeOptions>((range) => ({
  kind: 'bytes',
  parse: parseBytes,
  format: formatBytes,
  check: rangeCheck(range, formatBytes),
}));

/** A string limited to a fixed set of words, e.g. `--role_sorter` (drf | random). */
function oneOf<const V extends string>(
  values: readonly V[],
  options: DefaultedOptions<NoInfer<V>>,
): FlagDefinition<V, 'defaulted'>;
function oneOf<const V extends string>(
  values: readonly V[],
  options: RequiredOptions<NoInfer<V>>,
): FlagDefinition<V, 'required'>;
function oneOf<const V extends string>(
  values: readonly V[],
  options: OptionalOptions<NoInfer<V>>,
): FlagDefinition<V, 'optional'>;
function oneOf<V extends string>(values: readonly V[], options: PresenceOptions<V>): FlagDefinition<V> {
  const isAllowed = (text: string): text is V => (values as readonly string[]).includes(text);
  const expected = values.map((value) => `'${value}'`).join(', ');
  const parse = (text: string): Result<V, string> => (isAllowed(text) ? ok(text) : err(`Expected one of ${expected}`));
  return makeDefinition({ kind: 'enum', parse, format: asText }, options);
}

interface CustomOptions<T> {
  readonly parse: (text: string) => Result<T, string>;
  /** How the value prints in `/master/flags` and as a usage default. */
  readonly format: (value: T) => string;
}

/** Any other value, e.g. `--weights` (role=weight pairs). Reads `file://` values like every non-path kind. */
function custom<T>(options: CustomOptions<T> & DefaultedOptions<T>): FlagDefinition<T, 'defaulted'>;
function custom<T>(options: CustomOptions<T> & RequiredOptions<T>): FlagDefinition<T, 'required'>;
function custom<T>(options: CustomOptions<T> & OptionalOptions<T>): FlagDefinition<T, 'optional'>;
function custom<T>(options: CustomOptions<T> & PresenceOptions<T>): FlagDefinition<T> {
  return makeDefinition({ kind: 'custom', parse: options.parse, format: options.format }, options);
}

export const flag = { string, path, int, double, bool, duration, bytes, enum: oneOf, custom } as const;
