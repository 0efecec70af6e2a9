/**
 * What callers may hand to fromWire: a WireResource as schema validators (zod)
 * type it, where an optional field may hold `undefined` and a repeated field
 * (ranges.range, set.item, labels.labels) may be missing, as protobuf JSON
 * allows for empty repeated fields. wireResourceFromInput turns it into the
 * exact WireResource the validators read.
 */
import type { Labels, WireResource } from './types.js';

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type ArrayKeys<T> = { [K in keyof T]-?: NonNullable<T[K]> extends readonly unknown[] ? K : never }[keyof T];
type LooseKeys<T> = OptionalKeys<T> | ArrayKeys<T>;

/** T with `undefined` allowed in optional fields and arrays made optional, recursively. */
export type Loose<T> = T extends readonly (infer E)[]
  ? readonly Loose<E>[]
  : T extends Record<string, never>
    ? T
    : T extends object
      ? { readonly [K in Exclude<keyof T, LooseKeys<T>>]: Loose<T[K]> } & {
          readonly [K in LooseKeys<T>]?: Loose<NonNullable<T[K]>> | undefined;
        }
      : T;

export type WireResourceInput = Loose<WireResource>;

/** A copy without `undefined` values (they mean "unset", as a missing field does). */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) result[key] = withoutUndefined(field);
  return result;
}

function filledLabels(labels: Labels | undefined): Labels | undefined {
  return labels === undefined || Array.isArray(labels.labels) ? labels : { labels: [] };
}

type Reservation = NonNullable<WireResource['reservation']>;

function filledReservation(reservation: Reservation): Reservation {
  const labels = filledLabels(reservation.labels);
  return labels === undefined ? reservation : { ...reservation, labels };
}

/** Fills missing repeated fields with empty lists and drops undefined fields. */
export function wireResourceFromInput(input: WireResourceInput): WireResource {
  const wire = withoutUndefined(input) as WireResource;
  const source = wire.disk?.source;
  const metadata = filledLabels(source?.metadata);
  return {
    ...wire,
    ...(wire.ranges !== undefined && { ranges: { range: wire.ranges.range ?? [] } }),
    ...(wire.set !== undefined && { set: { item: wire.set.item ?? [] } }),
    ...(wire.reservation !== undefined && { reservation: filledReservation(wire.reservation) }),
    ...(wire.reservations !== undefined && { reservations: wire.reservations.map(filledReservation) }),
    ...(wire.disk !== undefined &&
      source !== undefined &&
      metadata !== undefined && { disk: { ...wire.disk, source: { ...source, metadata } } }),
  };
}
