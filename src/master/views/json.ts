/**
 * Small encoders shared by every view: times, doubles and resource lists in
 * the two JSON dialects Mesos tools read (spec/core.md 0.2 and 6.4).
 *
 * - v1 ("protobuf JSON"): ids are `{value}`, times are `{nanoseconds}`,
 *   resources are lists of Resource messages.
 * - legacy (/master/state and friends): ids are plain strings, times are
 *   seconds as doubles, resources are summary objects.
 */
import { fromFixed, toCanonicalJson, toEndpointResource } from '../../resources/index.js';
import type { Resources, ResourceQuantities } from '../../resources/index.js';
import type { Quantities } from '../allocator/quantities.js';

export type JsonObject = Record<string, unknown>;

export interface TimeInfo {
  nanoseconds: number;
}

/** Legacy endpoints print times as seconds (doubles). */
export function seconds(timeMs: number): number {
  return timeMs / 1000;
}

/** v1 TimeInfo. Nanoseconds since the epoch exceed 2^53, so the last digits are approximate, as in any JSON reader. */
export function timeInfo(timeMs: number): TimeInfo {
  return { nanoseconds: Math.round(timeMs * 1_000_000) };
}

/** JSON has no infinities: Mesos' JSON readers accept the strings instead (spec/core.md 0.2). */
export function jsonDouble(value: number): number | string {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

/**
 * Stored (canonical) format, one element per distinct resource: Mesos walks a
 * Resources collection once per entry, so a shared volume held twice prints once.
 */
export function canonicalList(resources: Resources): JsonObject[] {
  return resources.toDistinctList().map((resource) => toCanonicalJson(resource) as unknown as JsonObject);
}

/** Endpoint format (spec/storage.md 1.2): canonical plus `role`/`reservation` when the stack is short enough. */
export function endpointList(resources: Resources): JsonObject[] {
  return resources.toDistinctList().map((resource) => toEndpointResource(resource) as unknown as JsonObject);
}

/** Mesos' json(ResourceQuantities): only the names present, in name order. */
export function quantitiesObject(quantities: ResourceQuantities): Record<string, number> {
  const object: Record<string, number> = {};
  for (const name of quantities.names()) object[name] = quantities.get(name);
  return object;
}

/** The allocator's fixed-point quantities (thousandths) as `{name: amount}`, in name order. */
export function fixedQuantitiesObject(quantities: Quantities): Record<string, number> {
  const object: Record<string, number> = {};
  for (const name of [...quantities.keys()].sort()) object[name] = fromFixed(quantities.get(name) ?? 0);
  return object;
}

/** A scalar Resource message as Mesos builds it for quota and role summaries: no reservation fields. */
export function scalarResource(name: string, value: number): JsonObject {
  return { name, type: 'SCALAR', scalar: { value } };
}

/** Legacy JSON of Labels is the bare list of labels. */
export function labelList(labels: unknown): unknown[] {
  if (labels !== null && typeof labels === 'object' && Array.isArray((labels as { labels?: unknown }).labels)) {
    return (labels as { labels: unknown[] }).labels;
  }
  return [];
}
