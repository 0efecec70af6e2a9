/**
 * The agent --resources flag (spec/storage.md 1.8): a JSON array of resources
 * or the text form "cpus:4;mem:2048;cpus(ads):8;ports(*):[31000-32000]".
 * Error texts follow Mesos (`Resources::fromSimpleString`, `Resources::parse`).
 * Reading `file://` values, auto-detection and /proc/mounts checks are I/O and
 * belong to the agent shell.
 */
import { err, ok, type Result } from '../lib/result.js';
import { decodeWireResourceList } from './decode.js';
import { addEntry, entryOf, type ResourceEntry } from './entries.js';
import { upgradeResource } from './format.js';
import { isDynamicallyReserved, isPersistentVolume, isRevocable } from './resource.js';
import { resourceToString } from './resource-string.js';
import { defaultRole } from './roles.js';
import { validateWireResource } from './validate.js';
import { parseValue, tokenize, trimWhitespace } from './value-text.js';
import type { Resource, WireResource } from './types.js';

/** One `name(role):value` token; roles other than "*" are static reservations. */
function parseResourceToken(token: string, roleDefault: string): Result<WireResource, string> {
  const pair = tokenize(token, ':');
  const [head, valueText] = pair;
  if (pair.length !== 2 || head === undefined || valueText === undefined) {
    return err(`Bad value for resources, missing or extra ':' in ${token}`);
  }
  let name = trimWhitespace(head);
  let role = roleDefault;
  const openParen = head.indexOf('(');
  if (openParen >= 0) {
    const closeParen = head.indexOf(')');
    if (closeParen < 0 || closeParen < openParen) {
      return err(`Bad value for resources, mismatched parentheses in ${token}`);
    }
    name = trimWhitespace(head.slice(0, openParen));
    role = trimWhitespace(head.slice(openParen + 1, closeParen));
  }
  const parsed = parseValue(valueText);
  if (!parsed.ok) return err(`Failed to parse resource ${name} value ${valueText} error ${parsed.error}`);
  const value = parsed.value;
  const reservations = role === defaultRole ? [] : [{ type: 'STATIC' as const, role }];
  switch (value.type) {
    case 'SCALAR':
      return ok({ name, type: 'SCALAR', scalar: { value: value.value }, reservations });
    case 'RANGES':
      return ok({ name, type: 'RANGES', ranges: { range: value.ranges }, reservations });
    case 'SET':
      return ok({ name, type: 'SET', set: { item: value.items }, reservations });
    case 'TEXT': {
      // Mesos reports only the TEXT type; we add why a number was refused.
      const reason = value.reason === undefined ? '' : ` (${value.reason})`;
      return err(`Bad type for resource ${name} value ${valueText} type TEXT${reason}`);
    }
  }
}

/**
 * The text form, each resource validated (spec 1.3) and canonical. Empty
 * resources are kept, so callers can tell `disk:0` from no disk at all.
 */
export function parseResourceText(text: string, roleDefault = defaultRole): Result<Resource[], string> {
  const resources: Resource[] = [];
  for (const token of tokenize(text, ';')) {
    const parsed = parseResourceToken(token, roleDefault);
    if (!parsed.ok) return parsed;
    const error = validateWireResource(parsed.value);
    if (error !== undefined) return err(error);
    resources.push(upgradeResource(parsed.value));
  }
  return ok(resources);
}

/** A JSON array of resources; those without role and reservations get `roleDefault`. */
function parseResourceJson(json: unknown, roleDefault: string): Result<Resource[], string> {
  const decoded = decodeWireResourceList(json);
  if (!decoded.ok) return err(`Some JSON resources were not formatted properly: ${decoded.error}`);
  const resources: Resource[] = [];
  for (const wire of decoded.value) {
    const withRole =
      wire.role === undefined && (wire.reservations?.length ?? 0) === 0 ? { ...wire, role: roleDefault } : wire;
    const error = validateWireResource(withRole);
    if (error !== undefined) return err(error);
    resources.push(upgradeResource(withRole));
  }
  return ok(resources);
}

function tryParseJsonArray(text: string): unknown[] | undefined {
  try {
    const json: unknown = JSON.parse(text);
    return Array.isArray(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

/**
 * JSON array first, text form otherwise; every resource validated and canonical,
 * empty ones kept. No command-line restrictions (see parseAgentResourcesFlag).
 */
export function parseResourcesString(text: string, roleDefault = defaultRole): Result<Resource[], string> {
  const json = tryParseJsonArray(text);
  return json !== undefined ? parseResourceJson(json, roleDefault) : parseResourceText(text, roleDefault);
}

/** What operators may not declare: volumes, revocable or dynamically reserved resources, mixed types. */
export function validateCommandLineResources(resources: readonly Resource[]): string | undefined {
  const typeByName = new Map<string, Resource['type']>();
  for (const resource of resources) {
    if (isPersistentVolume(resource)) return 'Persistent volumes cannot be specified at the command line';
    if (isRevocable(resource)) {
      return "Revocable resources cannot be specified at the command line; do not include a 'revocable' key in the resources JSON";
    }
    if (isDynamicallyReserved(resource)) {
      return (
        'Dynamic reservations cannot be specified at the command line; do not include a reservation ' +
        'with DYNAMIC type in the resources JSON'
      );
    }
    const known = typeByName.get(resource.name);
    if (known !== undefined && known !== resource.type) {
      return `Resources with the same name ('${resource.name}') but different types are not allowed`;
    }
    typeByName.set(resource.name, resource.type);
  }
  return undefined;
}

/** Disk sources an agent can serve from the flag: PATH and MOUNT with a root directory. */
export function validateFlagDiskSources(resources: readonly Resource[]): string | undefined {
  for (const resource of resources) {
    const source = resource.disk?.source;
    if (source === undefined) continue;
    if (source.type === 'PATH' && source.path?.root === undefined) {
      return `PATH disk root directory is not specified '${resourceToString(resource)}'`;
    }
    if (source.type === 'MOUNT' && source.mount?.root === undefined) {
      return `MOUNT disk root directory is not specified '${resourceToString(resource)}'`;
    }
    if (source.type === 'BLOCK' || source.type === 'RAW') {
      return `Unsupported 'DiskInfo.Source.Type' in '${resourceToString(resource)}'`;
    }
  }
  return undefined;
}

/**
 * The agent --resources flag without its I/O: parse (JSON, then text), validate,
 * then the command-line and disk-source checks, which look at the merged,
 * non-empty resources as Mesos does. Returns every parsed resource, empty ones
 * included, so that namesPresent() sees `disk:0`; build the total with Resources.of.
 */
export function parseAgentResourcesFlag(value: string, roleDefault: string): Result<Resource[], string> {
  const parsed = parseResourcesString(value, roleDefault);
  if (!parsed.ok) return parsed;
  const merged: ResourceEntry[] = [];
  for (const resource of parsed.value) addEntry(merged, entryOf(resource));
  const declared = merged.map((entry) => entry.resource);
  const error = validateCommandLineResources(declared) ?? validateFlagDiskSources(declared);
  return error === undefined ? ok(parsed.value) : err(error);
}

/**
 * Names given in the flag, empty resources included: auto-detection fills in
 * only names that are absent, so `disk:0` means "no disk", not "detect it".
 */
export function namesPresent(resources: readonly Resource[]): Set<string> {
  return new Set(resources.map((resource) => resource.name));
}
