/**
 * The resource value type, in the canonical ("post-refinement") form of
 * spec/storage.md 1.2: reservations are always a stack, never the legacy
 * `role` + `reservation` pair, which exists only at the API edge (format.ts).
 *
 * Field names are the Mesos wire names (snake_case) so that a canonical
 * Resource serialises to v1 JSON as it is. Values are immutable: every
 * operation returns new objects.
 */

export type ValueType = 'SCALAR' | 'RANGES' | 'SET';

export interface Label {
  readonly key: string;
  readonly value?: string;
}

export interface Labels {
  readonly labels: readonly Label[];
}

export type ReservationType = 'STATIC' | 'DYNAMIC';

/** One level of a reservation stack; the last element is the current reservation. */
export interface ReservationInfo {
  readonly type: ReservationType;
  readonly role: string;
  readonly principal?: string;
  readonly labels?: Labels;
}

export type DiskSourceType = 'PATH' | 'MOUNT' | 'BLOCK' | 'RAW';

export interface DiskSource {
  readonly type: DiskSourceType;
  readonly path?: { readonly root?: string };
  readonly mount?: { readonly root?: string };
  readonly vendor?: string;
  readonly id?: string;
  readonly metadata?: Labels;
  readonly profile?: string;
}

export type VolumeMode = 'RW' | 'RO';

/** Volume as it appears in DiskInfo (a persistent volume's mount description). */
export interface DiskVolume {
  readonly container_path: string;
  readonly mode: VolumeMode;
  readonly host_path?: string;
}

export interface Persistence {
  readonly id: string;
  /** The creator principal: DESTROY is authorized against this stored value. */
  readonly principal?: string;
}

export interface DiskInfo {
  readonly persistence?: Persistence;
  readonly volume?: DiskVolume;
  /** Absent = ROOT disk (the filesystem of the agent's work directory). */
  readonly source?: DiskSource;
}

export interface Range {
  readonly begin: number;
  readonly end: number;
}

/**
 * A single resource in canonical form. Exactly one of scalar / ranges / set is
 * present, matching `type`. Scalars are already rounded to three decimals
 * (fixed point, spec/storage.md 1.6).
 */
export interface Resource {
  readonly provider_id?: { readonly value: string };
  readonly name: string;
  readonly type: ValueType;
  readonly scalar?: { readonly value: number };
  readonly ranges?: { readonly range: readonly Range[] };
  readonly set?: { readonly item: readonly string[] };
  /** Bottom first; empty = unreserved. */
  readonly reservations: readonly ReservationInfo[];
  readonly allocation_info?: { readonly role: string };
  readonly disk?: DiskInfo;
  readonly revocable?: Record<string, never>;
  readonly shared?: Record<string, never>;
}

/**
 * A resource as it may arrive from a client or the agent flag: either
 * reservation format (legacy `role`/`reservation`, canonical `reservations`, or
 * the mixed form with exactly one element). Validated, then upgraded to
 * Resource by format.ts.
 */
export interface WireResource {
  readonly provider_id?: { readonly value: string };
  readonly name: string;
  readonly type: ValueType | 'TEXT';
  readonly scalar?: { readonly value: number };
  readonly ranges?: { readonly range: readonly Range[] };
  readonly set?: { readonly item: readonly string[] };
  readonly text?: { readonly value: string };
  readonly role?: string;
  readonly reservation?: {
    readonly type?: ReservationType;
    readonly role?: string;
    readonly principal?: string;
    readonly labels?: Labels;
  };
  readonly reservations?: readonly {
    readonly type?: ReservationType;
    readonly role?: string;
    readonly principal?: string;
    readonly labels?: Labels;
  }[];
  readonly allocation_info?: { readonly role?: string };
  /** Omit, not a plain intersection: `DiskInfo & {source?: ...}` would intersect the sources and lose UNKNOWN. */
  readonly disk?: Omit<DiskInfo, 'source'> & {
    readonly source?: DiskSource | (Omit<DiskSource, 'type'> & { readonly type: 'UNKNOWN' });
  };
  readonly revocable?: Record<string, never>;
  readonly shared?: Record<string, never>;
}
