/**
 * Durations in Mesos' text form (stout's Duration): `15secs`, `0.5secs`, `100ms`,
 * `2weeks`. berth holds durations as milliseconds (a plain number, possibly
 * fractional); the text form is what flags accept and what `/master/flags` echoes.
 *
 * stout keeps a Duration as int64 nanoseconds. We parse and print through the same
 * nanosecond count so that what we print is what Mesos would print for the value.
 */
import { err, ok, type Result } from './result.js';

const nanosecondsPerUnit = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  secs: 1_000_000_000n,
  mins: 60n * 1_000_000_000n,
  hrs: 3_600n * 1_000_000_000n,
  days: 86_400n * 1_000_000_000n,
  weeks: 604_800n * 1_000_000_000n,
} as const;

type DurationUnit = keyof typeof nanosecondsPerUnit;

/** Units from smallest to largest; printing walks them to find the value's bucket. */
const durationUnits: readonly DurationUnit[] = ['ns', 'us', 'ms', 'secs', 'mins', 'hrs', 'days', 'weeks'];

const nanosecondsPerMillisecond = 1e6;

/** stout's Duration is an int64 of nanoseconds; larger values cannot be represented. */
const durationNanosecondsMax = 2n ** 63n - 1n;

function isDurationUnit(text: string): text is DurationUnit {
  return Object.hasOwn(nanosecondsPerUnit, text);
}

/**
 * Parses `<non-negative decimal><unit>` into milliseconds. As in stout, the number
 * ends at the first character that is neither a digit nor '.', and the rest must be
 * exactly one unit (no spaces, no sign: negative durations are not accepted).
 */
export function parseDuration(text: string): Result<number, string> {
  const numberEnd = text.search(/[^0-9.]/);
  if (numberEnd === -1) return err(`Invalid duration '${text}'`);

  const numberText = text.slice(0, numberEnd);
  const unit = text.slice(numberEnd);
  // stout hands the prefix to numify, which rejects an empty prefix or a second '.';
  // naming the whole text reads better than "Failed to convert '' to number".
  if (!/^(\d+\.?\d*|\.\d+)$/.test(numberText)) {
    return numberText === '' ? err(`Invalid duration '${text}'`) : err(`Failed to convert '${numberText}' to number`);
  }
  if (!isDurationUnit(unit)) {
    return err(
      `Unknown duration unit '${unit}'; supported units are` +
        ` 'ns', 'us', 'ms', 'secs', 'mins', 'hrs', 'days', and 'weeks'`,
    );
  }

  const nanoseconds = Number(numberText) * Number(nanosecondsPerUnit[unit]);
  if (nanoseconds > Number(durationNanosecondsMax)) {
    return err("Argument out of the range that a Duration can represent due to int64_t's size limit");
  }
  // stout truncates toward zero when it converts to whole nanoseconds (0.5ns is 0ns).
  return ok(Math.trunc(nanoseconds) / nanosecondsPerMillisecond);
}

/**
 * Prints milliseconds the way stout's `operator<<(Duration)` does: find the unit
 * bucket the value falls in, then step down one unit if that unit gives a whole
 * number and the bucket's unit does not ("10days", not "1.42857142857143weeks").
 * Numbers print with 15 significant digits, as the C++ stream does.
 */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const nanoseconds = BigInt(Math.round(Math.abs(ms) * nanosecondsPerMillisecond));

  let bucket = 0;
  while (bucket + 1 < durationUnits.length && nanoseconds >= unitNanoseconds(bucket + 1)) bucket += 1;

  if (bucket === 0) return `${sign}${nanoseconds}ns`;

  const isWhole = (index: number): boolean => nanoseconds % unitNanoseconds(index) === 0n;
  const chosen = !isWhole(bucket) && isWhole(bucket - 1) ? bucket - 1 : bucket;
  const value = Number(nanoseconds) / Number(unitNanoseconds(chosen));
  return `${sign}${formatSignificant(value)}${unitName(chosen)}`;
}

function unitName(index: number): DurationUnit {
  const unit = durationUnits[index];
  if (unit === undefined) throw new RangeError(`no duration unit at index ${index}`);
  return unit;
}

function unitNanoseconds(index: number): bigint {
  return nanosecondsPerUnit[unitName(index)];
}

/**
 * A C++ stream with precision 15 in default float notation: 15 significant digits,
 * trailing zeros dropped. The values printed here are at least 1 and well below
 * 1e15, so the stream never switches to exponent notation.
 */
function formatSignificant(value: number): string {
  return String(Number(value.toPrecision(15)));
}
