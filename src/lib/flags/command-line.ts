/**
 * Splits argv into flag occurrences and positional arguments, following stout's
 * FlagsBase::load: each token is trimmed; a lone `--` ends the flags; a token not
 * starting with `--` (including `-name`) is positional; names are lowercased.
 *
 * berth adds one form stout lacks: `--name value`. The next token is taken as the
 * value only for a known non-boolean flag and only when it does not start with
 * `--`, so `--hostname_lookup --port=1` and `--verbose file.txt` mean what they say.
 */

/** One `--name[=value]` on the command line, before its name is looked up. */
export interface FlagOccurrence {
  /** The name as written, lowercased and without `--`: `no-hostname_lookup`, `port`. */
  readonly writtenName: string;
  /** The flag meant: `writtenName` without a `no-` prefix. */
  readonly name: string;
  readonly isNegated: boolean;
  /** `undefined` when the flag was written without a value (`--name`). */
  readonly value: string | undefined;
}

export interface CommandLine {
  readonly occurrences: readonly FlagOccurrence[];
  readonly positional: string[];
}

/** stout's strings::trim default: exactly these four characters. */
export function trimWhitespace(text: string): string {
  return text.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
}

/**
 * `takesSeparateValue(name)` says whether `--name` (not negated, no '=') may take
 * the next token as its value: true only for known non-boolean flags.
 */
export function splitCommandLine(argv: readonly string[], takesSeparateValue: (name: string) => boolean): CommandLine {
  const occurrences: FlagOccurrence[] = [];
  const positional: string[] = [];

  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? '';
    const trimmed = trimWhitespace(token);
    if (trimmed === '--') {
      positional.push(...argv.slice(index + 1));
      break;
    }
    if (!trimmed.startsWith('--')) {
      // stout keeps the untrimmed argument for the program.
      positional.push(token);
      continue;
    }

    const equals = trimmed.indexOf('=');
    const writtenName = (equals === -1 ? trimmed.slice(2) : trimmed.slice(2, equals)).toLowerCase();
    const isNegated = writtenName.startsWith('no-');
    const name = isNegated ? writtenName.slice('no-'.length) : writtenName;
    let value = equals === -1 ? undefined : trimmed.slice(equals + 1);

    const next = argv[index + 1];
    const nextIsValue = next !== undefined && !trimWhitespace(next).startsWith('--');
    if (value === undefined && !isNegated && nextIsValue && takesSeparateValue(name)) {
      value = next;
      index += 1;
    }
    occurrences.push({ writtenName, name, isNegated, value });
  }

  return { occurrences, positional };
}
