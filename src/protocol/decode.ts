/**
 * Decoding a JSON request body into a wire message, with errors that name the
 * field and the rule it broke (berth improves on Mesos here, which names only
 * the last field).
 */
import { z } from 'zod';
import { err, ok, type Result } from '../lib/result.js';
import { hasNullsToStrip, stripNulls, TooDeeplyNested } from './wire.js';

export function decodeJson<S extends z.ZodType>(schema: S, body: string, messageName: string): Result<z.output<S>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return err(`Failed to parse body into JSON: ${(error as Error).message}`);
  }
  return decode(schema, parsed, messageName, 'owned');
}

export function decodeValue<S extends z.ZodType>(schema: S, value: unknown, messageName: string): Result<z.output<S>> {
  return decode(schema, value, messageName, 'shared');
}

/**
 * `owned`: the value is JSON.parse's, held by nobody else, so when stripping
 * nulls would change nothing the schema reads it in place (the result may
 * share its unknown-typed parts). A `shared` value is always copied, so the
 * result never aliases what the caller holds.
 */
function decode<S extends z.ZodType>(schema: S, value: unknown, messageName: string, ownership: 'owned' | 'shared'): Result<z.output<S>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return err(`Failed to convert JSON into ${messageName} protobuf: Expecting a JSON object`);
  }
  let stripped: unknown;
  try {
    stripped = ownership === 'owned' && !hasNullsToStrip(value) ? value : stripNulls(value);
  } catch (error) {
    if (error instanceof TooDeeplyNested) return err(`Failed to convert JSON into ${messageName} protobuf: ${error.message}`);
    throw error;
  }
  const result = schema.safeParse(stripped, { reportInput: true });
  if (result.success) return ok(result.data);
  return err(`Failed to convert JSON into ${messageName} protobuf: ${describeIssues(result.error.issues)}`);
}

/** One line describing what is wrong, missing fields first (as protobuf's IsInitialized does). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const issue of flatten(issues)) {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'invalid_type' && issue.input === undefined) missing.push(field);
    else wrong.push(`field '${field}': ${describeIssue(issue)}`);
  }
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`Missing required fields: ${missing.join(', ')}`);
  parts.push(...wrong);
  return parts.join('; ');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${typeOf(issue.input)}`;
  if (issue.code === 'invalid_union') return 'value of the wrong type';
  return issue.message;
}

/** Union failures report every branch; keep the most specific one. */
function flatten(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branch = pickBranch(issue.errors);
      if (branch.length > 0 && branch.every((inner) => inner.code !== 'invalid_type')) {
        out.push(...branch.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })));
        continue;
      }
    }
    out.push(issue);
  }
  return out;
}

function pickBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] {
  return branches.find((branch) => branch.some((issue) => issue.code !== 'invalid_type')) ?? [];
}

function typeOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
