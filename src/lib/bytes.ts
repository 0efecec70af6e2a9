/**
 * Byte sizes in Mesos' text form (stout's Bytes): `512MB`, `1GB`, `1023B`. berth
 * holds sizes as a whole number of bytes; the text form is what flags accept and
 * what messages such as "Disk usage (2MB) exceeds quota (1MB)" print.
 */
import { assert } from './assert.js';
import { err, ok, type Result } from './result.js';

const bytesPerUnit = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
} as const;

type BytesUnit = keyof typeof bytesPerUnit;

/** Largest unit first: printing takes the first unit that divides the value. */
const bytesUnitsDescending: readonly BytesUnit[] = ['TB', 'GB', 'MB', 'KB'];

function isBytesUnit(text: string): text is BytesUnit {
  return Object.hasOwn(bytesPerUnit, text);
}

/**
 * Parses `<digits><unit>` into bytes. As in stout: the unit is case-insensitive,
 * a fraction is an error (stout has no fractional bytes, so neither `1.5GB` nor
 * `1.5B` is accepted), and a number without a unit is invalid.
 */
export function parseBytes(text: string): Result<number, string> {
  const numberEnd = text.search(/[^0-9]/);
  if (numberEnd === -1) return err(`Invalid bytes '${text}'`);
  if (text[numberEnd] === '.') return err(`Fractional bytes '${text}'`);

  const numberText = text.slice(0, numberEnd);
  // stout would report "Failed to convert '' to number" for `MB` or `-1MB`.
  if (numberText === '') return err(`Invalid bytes '${text}'`);

  const unit = text.slice(numberEnd).toUpperCase();
  if (!isBytesUnit(unit)) return err(`Unknown bytes unit '${unit}'`);

  const bytes = Number(numberText) * bytesPerUnit[unit];
  // stout holds a uint64; berth holds a double, exact only up to 2^53 (8 PB).
  if (!Number.isSafeInteger(bytes)) return err(`Bytes '${text}' is larger than berth can represent exactly`);
  return ok(bytes);
}

/**
 * Prints bytes the way stout's `operator<<(Bytes)` does: the largest unit that
 * represents the value without loss (`2MB`, `1025KB`, `1000B`, `0B`).
 */
export function formatBytes(bytes: number): string {
  assert(Number.isSafeInteger(bytes) && bytes >= 0, `formatBytes expects a whole number of bytes, got ${bytes}`);
  const unit = bytesUnitsDescending.find((candidate) => bytes !== 0 && bytes % bytesPerUnit[candidate] === 0) ?? 'B';
  return `${bytes / bytesPerUnit[unit]}${unit}`;
}
