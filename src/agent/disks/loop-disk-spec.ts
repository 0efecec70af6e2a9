/**
 * What a loop disk is, as an operator writes it: an image file, the directory
 * it is mounted at, and its size in MB (issue 5 point 3). One rule set serves
 * the agent's `--mount_disk_images` flag and `berth disk make-mount`, so that
 * whatever the command accepts can be copied into the flag. Pure: making and
 * mounting the image is loop-disk.ts.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import { err, ok, type Result } from '../../lib/result.js';

export interface LoopDiskSpec {
  /** The image file (absolute). Made and formatted ext4 when missing; never deleted by berth. */
  readonly image: string;
  /** Where the image is mounted (absolute): the MOUNT disk's `mount.root`. */
  readonly mountPoint: string;
  /** The image's size in MB (MiB, as Mesos counts disk); the usable space is a little less. */
  readonly sizeMb: number;
}

/** ext4 needs a few MB for its superblocks, inode tables and journal; below this, mkfs fails or leaves nothing. */
export const loopDiskSizeMbMin = 8;

/** 16 TB: bounds the image, and catches a size typed in bytes or KB instead of MB. */
export const loopDiskSizeMbMax = 16 * 1024 * 1024;

/** Separate entries and fields in `--mount_disk_images`, so no path may hold them. */
const entrySeparator = ',';
const fieldSeparator = ':';

/**
 * `<image>:<mount point>:<size MB>[,...]`, each entry checked by
 * validateLoopDiskSpec, and no image or mount point used twice or inside
 * another entry's mount point. An empty value declares no loop disks.
 */
export function parseLoopDiskSpecs(value: string): Result<LoopDiskSpec[]> {
  if (value.trim() === '') return ok([]);
  const specs: LoopDiskSpec[] = [];
  for (const rawEntry of value.split(entrySeparator)) {
    const entry = rawEntry.trim();
    const spec = parseEntry(entry);
    if (!spec.ok) return err(`Invalid mount disk image entry '${entry}': ${spec.error}`);
    const clash = specs.map((earlier) => clashBetween(earlier, spec.value)).find((text) => text !== undefined);
    if (clash !== undefined) return err(`Invalid mount disk image entry '${entry}': ${clash}`);
    specs.push(spec.value);
  }
  return ok(specs);
}

/** The rules one spec must keep; the one-line error names the field and the rule. */
export function validateLoopDiskSpec(spec: LoopDiskSpec): string | undefined {
  const pathError = validateLoopDiskPaths(spec);
  if (pathError !== undefined) return pathError;
  if (!Number.isSafeInteger(spec.sizeMb) || spec.sizeMb <= 0) return `size ${spec.sizeMb} is not a positive whole number of MB`;
  if (spec.sizeMb < loopDiskSizeMbMin) {
    return `size ${spec.sizeMb} MB is below ${loopDiskSizeMbMin} MB: ext4 needs a few MB for its own structures`;
  }
  if (spec.sizeMb > loopDiskSizeMbMax) return `size ${spec.sizeMb} MB is above ${loopDiskSizeMbMax} MB (16 TB); the size is in MB`;
  return undefined;
}

/** The path rules alone, for releasing, which needs no size. */
export function validateLoopDiskPaths(spec: Pick<LoopDiskSpec, 'image' | 'mountPoint'>): string | undefined {
  const pathError = pathRule('image', spec.image) ?? pathRule('mount point', spec.mountPoint);
  if (pathError !== undefined) return pathError;
  if (isAtOrUnder(spec.image, spec.mountPoint)) {
    return `image '${spec.image}' lies inside its own mount point '${spec.mountPoint}'`;
  }
  return undefined;
}

/**
 * The agent's `--resources` text declaring the disk, in Mesos' JSON form (the
 * text form cannot say MOUNT): one disk of the image's size whose source is
 * the mount point. A role other than '*' is a static reservation.
 */
export function mountDiskResource(spec: LoopDiskSpec, role = '*'): string {
  const disk = {
    name: 'disk',
    type: 'SCALAR',
    scalar: { value: spec.sizeMb },
    role,
    disk: { source: { type: 'MOUNT', mount: { root: resolve(spec.mountPoint) } } },
  };
  return JSON.stringify([disk]);
}

/** The spec as one `--mount_disk_images` entry: what parseLoopDiskSpecs reads back. */
export function loopDiskSpecText(spec: LoopDiskSpec): string {
  return [spec.image, spec.mountPoint, String(spec.sizeMb)].join(fieldSeparator);
}

function parseEntry(entry: string): Result<LoopDiskSpec> {
  if (entry === '') return err("the entry is empty (entries are separated by ',')");
  const fields = entry.split(fieldSeparator);
  const [image, mountPoint, sizeText] = fields;
  if (fields.length !== 3 || image === undefined || mountPoint === undefined || sizeText === undefined) {
    return err(`expected <image>:<mount point>:<size MB>, and paths may not contain '${fieldSeparator}' or '${entrySeparator}'`);
  }
  if (!/^\d+$/.test(sizeText)) return err(`size '${sizeText}' is not a positive whole number of MB`);
  const spec = { image, mountPoint, sizeMb: Number(sizeText) };
  const error = validateLoopDiskSpec(spec);
  return error === undefined ? ok(spec) : err(error);
}

function pathRule(field: string, path: string): string | undefined {
  if (path === '') return `${field} is empty`;
  if (!isAbsolute(path)) return `${field} '${path}' is not an absolute path`;
  for (const separator of [fieldSeparator, entrySeparator]) {
    if (path.includes(separator)) return `${field} '${path}' contains '${separator}', which separates mount disk images`;
  }
  return undefined;
}

/**
 * Two entries clash when they share an image or mount point, or when one's
 * image or mount point is inside the other's mount point: mounting one would
 * hide the other's file or directory, depending on the order.
 */
function clashBetween(earlier: LoopDiskSpec, later: LoopDiskSpec): string | undefined {
  if (resolve(earlier.image) === resolve(later.image)) return `image '${later.image}' is already used by another entry`;
  if (resolve(earlier.mountPoint) === resolve(later.mountPoint)) {
    return `mount point '${later.mountPoint}' is already used by another entry`;
  }
  for (const [inner, outer] of [
    [later.image, earlier.mountPoint],
    [later.mountPoint, earlier.mountPoint],
    [earlier.image, later.mountPoint],
    [earlier.mountPoint, later.mountPoint],
  ] as const) {
    if (isAtOrUnder(inner, outer)) return `'${inner}' lies inside the mount point '${outer}' of another entry`;
  }
  return undefined;
}

function isAtOrUnder(path: string, directory: string): boolean {
  const inner = resolve(path);
  const outer = resolve(directory);
  return inner === outer || inner.startsWith(outer === sep ? sep : `${outer}${sep}`);
}
