/**
 * The master's extra checks on resources named by operations and tasks
 * (spec/storage.md 1.3 "master resource validation", 1.5 persistence IDs).
 * They run on canonical resources, after the per-resource rules of validate.ts.
 */
import { toFixed } from './fixed.js';
import { isDynamicallyReserved, isRevocable, isUnreserved } from './resource.js';
import { resourceToString } from './resource-string.js';
import { validateResources } from './validate.js';
import type { Resource } from './types.js';

/** NAME_MAX: IDs (persistence, framework, task...) name directories. */
export const idBytesMax = 255;

/** C0 controls, DEL and the C1 controls. */
const controlCharacter = /\p{Cc}/u;

/** What C iscntrl refuses in the C locale: C0 controls and DEL. */
const asciiControlCharacter = /[\x00-\x1f\x7f]/;

/**
 * Mesos' common ID rule (`validateID`) for framework, task, executor and agent
 * IDs: non-empty, at most NAME_MAX bytes, not "." or "..", no control character,
 * "/" or "\\" (IDs become directory names).
 */
export function validateId(id: string): string | undefined {
  return validateIdCharacters(id, asciiControlCharacter);
}

/**
 * Persistence IDs become directory names on the agent (spec 1.5). Mesos checks
 * bytes with iscntrl; berth also refuses the C1 control characters. The length
 * limit is in UTF-8 bytes, as the filesystem counts.
 */
export function validatePersistenceId(id: string): string | undefined {
  return validateIdCharacters(id, controlCharacter);
}

function validateIdCharacters(id: string, control: RegExp): string | undefined {
  if (id.length === 0) return 'ID must not be empty';
  if (utf8ByteLength(id) > idBytesMax) {
    return `ID must not be greater than ${idBytesMax} characters`;
  }
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  if (id.includes('/') || id.includes('\\') || control.test(id)) return `'${id}' contains invalid characters`;
  return undefined;
}

function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** DiskInfo rules: a volume is reserved, non-revocable, has a volume without host path and a valid ID. */
export function validateDiskInfo(resources: readonly Resource[]): string | undefined {
  for (const resource of resources) {
    const disk = resource.disk;
    if (disk === undefined) continue;
    if (disk.persistence !== undefined) {
      if (isRevocable(resource)) return 'Persistent volumes cannot be created from revocable resources';
      if (isUnreserved(resource)) return 'Persistent volumes cannot be created from unreserved resources';
      if (disk.volume === undefined) return "Expecting 'volume' to be set for persistent volume";
      if (disk.volume.host_path !== undefined) return "Expecting 'host_path' to be unset for persistent volume";
      const idError = validatePersistenceId(disk.persistence.id);
      if (idError !== undefined) return `Invalid persistence ID for persistent volume: ${idError}`;
    } else if (disk.volume !== undefined) {
      return 'Non-persistent volume not supported';
    } else if (disk.source === undefined) {
      return 'DiskInfo is set but empty';
    }
  }
  return undefined;
}

/** Revocable resources cannot be dynamically reserved. */
export function validateDynamicReservationInfo(resources: readonly Resource[]): string | undefined {
  for (const resource of resources) {
    if (isDynamicallyReserved(resource) && isRevocable(resource)) {
      return `Dynamically reserved resource ${resourceToString(resource)} cannot be created from revocable resources`;
    }
  }
  return undefined;
}

/** GPUs are whole devices: their sum over valid resources must be an integer. */
export function validateGpus(resources: readonly Resource[]): string | undefined {
  let gpusFixed = 0;
  for (const resource of resources) {
    if (resource.name === 'gpus' && resource.type === 'SCALAR') gpusFixed += toFixed(resource.scalar?.value ?? 0);
  }
  return gpusFixed % 1000 !== 0 ? "The 'gpus' resource must be an unsigned integer" : undefined;
}

/** All master resource checks in Mesos' order, each error with its upstream prefix. */
export function validateMasterResources(resources: readonly Resource[]): string | undefined {
  const resourceError = validateResources(resources);
  if (resourceError !== undefined) return `Invalid resources: ${resourceError}`;
  const gpusError = validateGpus(resources);
  if (gpusError !== undefined) return `Invalid 'gpus' resource: ${gpusError}`;
  const diskError = validateDiskInfo(resources);
  if (diskError !== undefined) return `Invalid DiskInfo: ${diskError}`;
  const reservationError = validateDynamicReservationInfo(resources);
  if (reservationError !== undefined) return `Invalid ReservationInfo: ${reservationError}`;
  return undefined;
}
