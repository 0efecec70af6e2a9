/**
 * Building blocks for the wire schemas: Mesos "protobuf JSON" (spec/core.md 0.2).
 *
 * - field names are proto names (snake_case); unknown fields are ignored;
 * - `null` means unset (stripped before parsing, see stripNulls);
 * - numbers may arrive as JSON strings; doubles also as "Infinity"/"-Infinity";
 * - an unknown enum name in an optional field is dropped, in a required field it
 *   is an error;
 * - bytes are base64 strings.
 */
import { z } from 'zod';

/**
 * The deepest nesting a message may have. Every Mesos message is far shallower;
 * the bound keeps a hostile body from exhausting the stack.
 */
export const messageDepthMax = 64;

export class TooDeeplyNested extends Error {
  constructor() {
    super(`JSON nested deeper than ${messageDepthMax} levels`);
  }
}

/**
 * Removes every `null` member and array element, recursively: null means
 * unset. A `__proto__` member is dropped too: no message has such a field
 * (unknown fields are ignored), and copying it would set the copy's
 * prototype, so that its fields would appear to be given.
 */
export function stripNulls(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= messageDepthMax) throw new TooDeeplyNested();
  if (Array.isArray(value)) return value.filter((item) => item !== null).map((item) => stripNulls(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== null && key !== '__proto__') out[key] = stripNulls(member, depth + 1);
  }
  return out;
}

/**
 * Whether stripNulls would change `value`, a value JSON.parse made: true at
 * the first `null`, or at the first `__proto__` key (stripNulls' copy assigns
 * that key, which sets its prototype rather than copying it). Throws
 * TooDeeplyNested exactly when stripNulls would. Without a null the copy is
 * the value itself, structurally, and this walk allocates nothing: a decoder
 * that owns the value may then skip the copy, which cost more than the
 * schema's whole parse of a re-registration (about 38 us against 23 us, and
 * as much again in garbage; bench/failover-reregistration.ts).
 */
export function hasNullsToStrip(value: object, depth = 0): boolean {
  if (depth >= messageDepthMax) throw new TooDeeplyNested();
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      if (item === null) return true;
      if (typeof item === 'object' && hasNullsToStrip(item, depth + 1)) return true;
    }
    return false;
  }
  const members = value as Record<string, unknown>;
  // for...in: JSON.parse makes plain objects, whose enumerable keys are their own (Object.entries' keys).
  for (const key in members) {
    if (key === '__proto__') return true;
    const member = members[key];
    if (member === null) return true;
    if (typeof member === 'object' && hasNullsToStrip(member, depth + 1)) return true;
  }
  return false;
}

const NUMERIC = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A proto double: a JSON number, a numeric string, or "Infinity"/"-Infinity". */
export const double = z.union([
  z.number(),
  z
    .string()
    .refine((s) => s === 'Infinity' || s === '-Infinity' || NUMERIC.test(s), { message: 'expected a number' })
    .transform((s) => (s === 'Infinity' ? Infinity : s === '-Infinity' ? -Infinity : Number(s))),
]);

/** A proto integer (int32/int64/uint32/uint64): a JSON integer or an integer string. */
export const integer = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/, { message: 'expected an integer' })
    .transform((s) => Number(s)),
]);

/**
 * An int64 that may exceed 2^53, as nanoseconds since the epoch do (Mesos'
 * TimeInfo, DurationInfo): kept to a double's precision, about 256 ns today.
 */
export const int64 = z.union([
  z.number().refine((n) => Number.isInteger(n), { message: 'expected an integer' }),
  z
    .string()
    .regex(/^-?\d+$/, { message: 'expected an integer' })
    .transform((s) => Number(s)),
]);

/** A proto unsigned integer. */
export const unsigned = integer.refine((n) => n >= 0, { message: 'expected a non-negative integer' });

export const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false']).transform((s) => s === 'true'),
]);

/** A proto `bytes` field: base64 text. Kept as the base64 string. */
export const bytes = z.string().refine((s) => BASE64.test(s), { message: 'expected base64 data' });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A required enum: an unknown name is an error naming the value. */
export function requiredEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => `Failed to find enum for '${String(issue.input)}'` });
}

/**
 * An optional enum: an unknown name is dropped, as proto2 does, so that a newer
 * client talking to berth is not refused for a value berth does not know.
 */
export function optionalEnum<const T extends readonly [string, ...string[]]>(values: T) {
  const known = new Set<string>(values);
  return z
    .string()
    .transform((s): T[number] | undefined => (known.has(s) ? (s as T[number]) : undefined))
    .optional();
}

/** An id wrapper message: `{"value": "..."}`. */
export const id = z.object({ value: z.string() });
export type Id = z.infer<typeof id>;

/** Drops `undefined` members so that exactOptionalPropertyTypes holds for parsed values. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = member;
  return out as T;
}
