/**
 * Parses a command's argv against its flag definitions, with stout's rules and
 * error wording. The parser neither prints nor exits: it returns the typed values
 * or the first error as one line, and reports `--help` so the CLI can print usage.
 *
 * Order, as in stout: `--help` wins over every other error (Mesos prints usage
 * when help was asked for, even next to a bad flag); then each occurrence is
 * loaded in turn; then absent flags take their defaults, required ones are
 * checked, and every present value passes its kind's range check.
 */
import { readFileSync } from 'node:fs';
import { err, ok, type Result } from '../result.js';
import { splitCommandLine, trimWhitespace, type FlagOccurrence } from './command-line.js';
import type { FlagDefinition, FlagDefinitions, FlagValues } from './definition.js';
import { helpFlag, helpFlagName } from './help.js';

export interface ParseFlagsOptions {
  /** Reads the file a `file://` value names; tests inject real temp files or a stub. */
  readonly readFile?: (path: string) => string;
}

/** When help was asked for, the other flags are not checked, so there are no values. */
export type ParsedFlags<D extends FlagDefinitions> =
  | { readonly helpRequested: false; readonly values: FlagValues<D>; readonly positional: string[] }
  | { readonly helpRequested: true; readonly values: undefined; readonly positional: string[] };

const fileUrlPrefix = 'file://';

/** `argv` holds the arguments after the command name (no program name). */
export function parseFlags<const D extends FlagDefinitions>(
  definitions: D,
  argv: readonly string[],
  options: ParseFlagsOptions = {},
): Result<ParsedFlags<D>, string> {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const lookup = new Map<string, FlagDefinition<unknown>>([...Object.entries(definitions), [helpFlagName, helpFlag]]);
  const { occurrences, positional } = splitCommandLine(argv, (name) => lookup.get(name)?.isBoolean === false);

  if (isHelpRequested(occurrences, readFile)) return ok({ helpRequested: true, values: undefined, positional });

  const loaded = new Map<string, unknown>();
  for (const occurrence of occurrences) {
    const definition = lookup.get(occurrence.name);
    if (definition === undefined) return failure(unknownFlagError(occurrence));
    if (loaded.has(occurrence.name)) {
      return failure(`Flag '${occurrence.name}' is already loaded via name '${occurrence.name}'`);
    }
    const value = loadOccurrence(definition, occurrence, readFile);
    if (!value.ok) return failure(value.error);
    loaded.set(occurrence.name, value.value);
  }

  const values = completeValues(definitions, loaded);
  if (!values.ok) return failure(values.error);
  // The record holds one value per definition, each from that definition's own
  // parse or default, which is what FlagValues<D> describes.
  return ok({ helpRequested: false, values: values.value as FlagValues<D>, positional });
}

/** Any `--help` that loads as true; a malformed one is reported later as an ordinary flag error. */
function isHelpRequested(occurrences: readonly FlagOccurrence[], readFile: (path: string) => string): boolean {
  return occurrences.some((occurrence) => {
    if (occurrence.name !== helpFlagName) return false;
    const value = loadOccurrence(helpFlag, occurrence, readFile);
    return value.ok && value.value === true;
  });
}

function unknownFlagError(occurrence: FlagOccurrence): string {
  const via = occurrence.isNegated ? ` via '${occurrence.writtenName}'` : '';
  return `Failed to load unknown flag '${occurrence.name}'${via}`;
}

/** Turns one occurrence into a value, applying stout's boolean and `no-` rules. */
function loadOccurrence(
  definition: FlagDefinition<unknown>,
  occurrence: FlagOccurrence,
  readFile: (path: string) => string,
): Result<unknown, string> {
  const { name, writtenName, isNegated, value } = occurrence;
  let text: string;
  if (!definition.isBoolean) {
    if (isNegated) return err(`Failed to load non-boolean flag '${name}' via '${writtenName}'`);
    if (value === undefined) return err(`Failed to load non-boolean flag '${name}': Missing value`);
    text = value;
  } else if (value === undefined || value === '') {
    // `--name` and `--name=` mean true; `--no-name` and `--no-name=` mean false.
    text = isNegated ? 'false' : 'true';
  } else if (isNegated) {
    return err(`Failed to load boolean flag '${name}' via '${writtenName}' with value '${value}'`);
  } else {
    text = value;
  }

  const parsed = fetchValue(definition, text, readFile);
  return parsed.ok ? parsed : err(`Failed to load flag '${name}': Failed to load value '${text}': ${parsed.error}`);
}

/**
 * stout's fetch: for every kind but paths, `file://<path>` is replaced by the
 * file's contents before parsing. stout parses the contents as read; berth trims
 * stout's whitespace (space, tab, CR, LF) first, so that a file written by
 * `echo 15secs > f` holds a valid duration rather than one with a stray newline.
 */
function fetchValue(
  definition: FlagDefinition<unknown>,
  text: string,
  readFile: (path: string) => string,
): Result<unknown, string> {
  if (!definition.readsFileUrls || !text.startsWith(fileUrlPrefix)) return definition.parse(text);
  const path = text.slice(fileUrlPrefix.length);
  let contents: string;
  try {
    contents = readFile(path);
  } catch (error) {
    return err(`Error reading file '${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
  return definition.parse(trimWhitespace(contents));
}

/** Fills defaults, rejects missing required flags, and runs each value's check. */
function completeValues(
  definitions: FlagDefinitions,
  loaded: ReadonlyMap<string, unknown>,
): Result<Record<string, unknown>, string> {
  const entries: Array<[string, unknown]> = [];
  for (const [name, definition] of Object.entries(definitions)) {
    const value = loaded.has(name) ? loaded.get(name) : definition.defaultValue;
    if (value === undefined && definition.presence === 'required') {
      return err(`Flag '${name}' is required, but it was not provided`);
    }
    const problem = value === undefined ? undefined : definition.check(value, name);
    if (problem !== undefined) return err(problem);
    entries.push([name, value]);
  }
  return ok(Object.fromEntries(entries));
}

/**
 * Every error is one line: a value or a custom parser may carry line breaks,
 * which are shown escaped so that the line still says everything.
 */
function failure(message: string): Result<never, string> {
  return err(message.replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
}
