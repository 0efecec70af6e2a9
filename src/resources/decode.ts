/**
 * Decoding a Resource from parsed JSON (protobuf JSON mapping of mesos.proto):
 * shape checks only, no semantic rules (those are validate.ts). Unknown fields
 * are ignored and `null` means unset, as protobuf JSON parsing does; a missing
 * required field or a wrongly typed one is an error naming the field.
 */
import { err, ok, type Result } from '../lib/result.js';
import type { DiskVolume, Label, Labels, Range, WireResource } from './types.js';

type Json = Record<string, unknown>;

/** Thrown only inside this module and turned into a Result at its edge. */
class DecodeError extends Error {}

function fail(path: string, expected: string): never {
  throw new DecodeError(`'${path}' ${expected}`);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, path: string): Json {
  return isObject(value) ? value : fail(path, 'must be an object');
}

function optionalObject(parent: Json, field: string, path: string): Json | undefined {
  const value = parent[field];
  return value === undefined || value === null ? undefined : object(value, `${path}.${field}`);
}

function string(parent: Json, field: string, path: string): string | undefined {
  const value = parent[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : fail(`${path}.${field}`, 'must be a string');
}

function requiredString(parent: Json, field: string, path: string): string {
  return string(parent, field, path) ?? fail(`${path}.${field}`, 'is required');
}

/** Doubles: JSON numbers, or strings holding a number or "Infinity"/"-Infinity"/"NaN". */
function double(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (value === 'NaN') return Number.NaN;
  return fail(path, 'must be a number');
}

/** uint64 fields: non-negative integers (exact in JS up to 2^53). */
function unsigned(value: unknown, path: string): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 0) return number;
  return fail(path, 'must be a non-negative integer');
}

function array(parent: Json, field: string, path: string): unknown[] {
  const value = parent[field];
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : fail(`${path}.${field}`, 'must be an array');
}

function oneOf<T extends string>(parent: Json, field: string, path: string, values: readonly T[]): T | undefined {
  const value = string(parent, field, path);
  if (value === undefined) return undefined;
  return (values as readonly string[]).includes(value) ? (value as T) : fail(`${path}.${field}`, `has unknown value '${value}'`);
}

function labels(parent: Json, field: string, path: string): Labels | undefined {
  const value = optionalObject(parent, field, path);
  if (value === undefined) return undefined;
  const list = array(value, 'labels', `${path}.${field}`).map((item, i): Label => {
    const labelPath = `${path}.${field}.labels[${i}]`;
    const label = object(item, labelPath);
    const text = string(label, 'value', labelPath);
    return { key: requiredString(label, 'key', labelPath), ...(text !== undefined && { value: text }) };
  });
  return { labels: list };
}

function reservation(value: unknown, path: string): NonNullable<WireResource['reservation']> {
  const info = object(value, path);
  const type = oneOf(info, 'type', path, ['STATIC', 'DYNAMIC', 'UNKNOWN'] as const);
  const role = string(info, 'role', path);
  const principal = string(info, 'principal', path);
  const labelList = labels(info, 'labels', path);
  return {
    // An UNKNOWN type is "set" for validation, which then refuses it.
    ...(type !== undefined && { type: type as 'STATIC' | 'DYNAMIC' }),
    ...(role !== undefined && { role }),
    ...(principal !== undefined && { principal }),
    ...(labelList !== undefined && { labels: labelList }),
  };
}

function root(parent: Json, field: string, path: string): { root?: string } | undefined {
  const value = optionalObject(parent, field, path);
  if (value === undefined) return undefined;
  const text = string(value, 'root', `${path}.${field}`);
  return text === undefined ? {} : { root: text };
}

function diskSource(disk: Json, path: string): NonNullable<WireResource['disk']>['source'] {
  const source = optionalObject(disk, 'source', path);
  if (source === undefined) return undefined;
  const sourcePath = `${path}.source`;
  const type = oneOf(source, 'type', sourcePath, ['PATH', 'MOUNT', 'BLOCK', 'RAW', 'UNKNOWN'] as const);
  const fields = {
    path: root(source, 'path', sourcePath),
    mount: root(source, 'mount', sourcePath),
    vendor: string(source, 'vendor', sourcePath),
    id: string(source, 'id', sourcePath),
    metadata: labels(source, 'metadata', sourcePath),
    profile: string(source, 'profile', sourcePath),
  };
  const known = type ?? fail(`${sourcePath}.type`, 'is required');
  // Two returns so that each branch of the union type checks on its own.
  return known === 'UNKNOWN' ? { ...definedFields(fields), type: known } : { ...definedFields(fields), type: known };
}

function volume(disk: Json, path: string): DiskVolume | undefined {
  const value = optionalObject(disk, 'volume', path);
  if (value === undefined) return undefined;
  const volumePath = `${path}.volume`;
  const mode = oneOf(value, 'mode', volumePath, ['RW', 'RO'] as const) ?? fail(`${volumePath}.mode`, 'is required');
  const hostPath = string(value, 'host_path', volumePath);
  return {
    container_path: requiredString(value, 'container_path', volumePath),
    mode,
    ...(hostPath !== undefined && { host_path: hostPath }),
  };
}

function disk(resource: Json, path: string): WireResource['disk'] {
  const value = optionalObject(resource, 'disk', path);
  if (value === undefined) return undefined;
  const diskPath = `${path}.disk`;
  const persistence = optionalObject(value, 'persistence', diskPath);
  const principal = persistence && string(persistence, 'principal', `${diskPath}.persistence`);
  return definedFields({
    persistence: persistence && {
      id: requiredString(persistence, 'id', `${diskPath}.persistence`),
      ...(principal !== undefined && { principal }),
    },
    volume: volume(value, diskPath),
    source: diskSource(value, diskPath),
  });
}

/** Drops undefined fields, so that exactOptionalPropertyTypes holds and JSON stays minimal. */
function definedFields<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) result[key] = value;
  return result as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function value(resource: Json, path: string): Pick<WireResource, 'scalar' | 'ranges' | 'set' | 'text'> {
  const scalar = optionalObject(resource, 'scalar', path);
  const ranges = optionalObject(resource, 'ranges', path);
  const set = optionalObject(resource, 'set', path);
  const text = optionalObject(resource, 'text', path);
  return definedFields({
    scalar: scalar && { value: double(scalar['value'] ?? fail(`${path}.scalar.value`, 'is required'), `${path}.scalar.value`) },
    ranges: ranges && {
      range: array(ranges, 'range', `${path}.ranges`).map((item, i): Range => {
        const rangePath = `${path}.ranges.range[${i}]`;
        const range = object(item, rangePath);
        return { begin: unsigned(range['begin'], `${rangePath}.begin`), end: unsigned(range['end'], `${rangePath}.end`) };
      }),
    },
    set: set && {
      item: array(set, 'item', `${path}.set`).map((item, i) =>
        typeof item === 'string' ? item : fail(`${path}.set.item[${i}]`, 'must be a string'),
      ),
    },
    text: text && { value: requiredString(text, 'value', `${path}.text`) },
  });
}

function resourceFields(json: unknown, path: string): WireResource {
  const resource = object(json, path);
  const type = oneOf(resource, 'type', path, ['SCALAR', 'RANGES', 'SET', 'TEXT'] as const);
  const provider = optionalObject(resource, 'provider_id', path);
  const reservationValue = resource['reservation'];
  const allocation = optionalObject(resource, 'allocation_info', path);
  const allocationRole = allocation && string(allocation, 'role', `${path}.allocation_info`);
  return {
    name: requiredString(resource, 'name', path),
    type: type ?? fail(`${path}.type`, 'is required'),
    ...value(resource, path),
    ...definedFields({
      provider_id: provider && { value: requiredString(provider, 'value', `${path}.provider_id`) },
      role: string(resource, 'role', path),
      reservation: reservationValue === undefined || reservationValue === null ? undefined : reservation(reservationValue, `${path}.reservation`),
      reservations: resource['reservations'] == null ? undefined : array(resource, 'reservations', path).map((item, i) => reservation(item, `${path}.reservations[${i}]`)),
      allocation_info: allocation && (allocationRole === undefined ? {} : { role: allocationRole }),
      disk: disk(resource, path),
      revocable: optionalObject(resource, 'revocable', path) && {},
      shared: optionalObject(resource, 'shared', path) && {},
    }),
  };
}

/** One Resource from parsed JSON. */
export function decodeWireResource(json: unknown, path = 'resource'): Result<WireResource, string> {
  try {
    return ok(resourceFields(json, path));
  } catch (error) {
    if (error instanceof DecodeError) return err(error.message);
    throw error;
  }
}

/** A JSON array of Resources. */
export function decodeWireResourceList(json: unknown): Result<WireResource[], string> {
  if (!Array.isArray(json)) return err("'resources' must be an array");
  const result: WireResource[] = [];
  for (let i = 0; i < json.length; i++) {
    const decoded = decodeWireResource(json[i], `resources[${i}]`);
    if (!decoded.ok) return decoded;
    result.push(decoded.value);
  }
  return ok(result);
}
