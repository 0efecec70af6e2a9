/**
 * MOUNT disks made from loop images (issue 5 point 3). A MOUNT disk is what
 * gives a volume a hard size limit: writes past it fail with ENOSPC. An
 * operator without spare partitions gets one from a file: berth allocates the
 * image (real blocks, so the host's disk cannot run out under it), formats it
 * ext4 and loop-mounts it, and the agent declares the mount point a MOUNT disk.
 *
 * The image holds volume data, so the rules lean towards refusing: an image
 * is formatted only by the call that just made it, never resized, never
 * deleted; a mount point that is a mount of something else, or a directory
 * with files in it, is refused. Each call is idempotent: an image already
 * mounted at its mount point is left alone.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { err, ok, type Result } from '../../lib/result.js';
import { validateLoopDiskPaths, validateLoopDiskSpec, type LoopDiskSpec } from './loop-disk-spec.js';
import { describeMount, loopBackingFile, readMountTable, topMountAt } from './mount-table.js';
import { runTool } from './system-tool.js';

export {
  loopDiskSizeMbMax,
  loopDiskSizeMbMin,
  loopDiskSpecText,
  mountDiskResource,
  parseLoopDiskSpecs,
  validateLoopDiskPaths,
  validateLoopDiskSpec,
  type LoopDiskSpec,
} from './loop-disk-spec.js';

/** What ensureLoopDisk did: made (and formatted) the image, mounted it; both false when it was in place. */
export interface LoopDiskOutcome {
  readonly made: boolean;
  readonly mounted: boolean;
}

const bytesPerMegabyte = 1024 * 1024;

/** Images hold volume data: readable by root only. */
const imageMode = 0o600;

/** ext2, ext3 and ext4 keep their superblock at byte 1024, with the magic 0xEF53 (little-endian) 56 bytes in. */
const superblockMagicOffsetBytes = 1024 + 56;
const extSuperblockMagic = 0xef53;

/**
 * Makes the image if it is missing, then mounts it at the mount point unless
 * it is mounted there already. `progress` gets one line per step taken.
 */
export function ensureLoopDisk(spec: LoopDiskSpec, progress: (line: string) => void): Result<LoopDiskOutcome> {
  const invalid = validateLoopDiskSpec(spec);
  if (invalid !== undefined) return err(`Invalid loop disk: ${invalid}`);
  const image = resolve(spec.image);
  const mountPoint = resolve(spec.mountPoint);
  const existing = existingImage(image, spec.sizeMb);
  if (!existing.ok) return existing;
  const placement = mountPointState(image, mountPoint);
  if (!placement.ok) return placement;
  if (placement.value === 'mounted') return ok({ made: false, mounted: false });

  if (existing.value) {
    const formatted = hasExtFilesystem(image);
    if (!formatted.ok) return formatted;
  } else {
    const made = makeImage(image, spec.sizeMb, progress);
    if (!made.ok) return made;
  }
  const mounted = mountImage(image, mountPoint, progress);
  if (!mounted.ok) return mounted;
  return ok({ made: !existing.value, mounted: true });
}

/**
 * Unmounts the image from its mount point; the loop device goes with it (mount
 * -o loop sets autoclear). Nothing mounted there is not an error. The image
 * is kept: deleting it is the operator's decision.
 */
export function releaseLoopDisk(spec: Pick<LoopDiskSpec, 'image' | 'mountPoint'>): Result<void> {
  const invalid = validateLoopDiskPaths(spec);
  if (invalid !== undefined) return err(`Invalid loop disk: ${invalid}`);
  const image = resolve(spec.image);
  const mountPoint = resolve(spec.mountPoint);
  const pointReal = realPathOrUndefined(mountPoint);
  const top = pointReal === undefined ? undefined : topMountAt(readMountTable(), pointReal);
  if (top === undefined) return ok(undefined);
  const backing = loopBackingFile(top.device);
  if (backing === undefined || backing !== realPathOrUndefined(image)) {
    return err(`Cannot release loop disk image '${image}': '${mountPoint}' is a mount of ${describeMount(top)}, not of this image`);
  }
  const unmounted = runTool('umount', [mountPoint]);
  if (!unmounted.ok) return err(`Cannot unmount loop disk image '${image}' from '${mountPoint}': ${unmounted.error}`);
  return ok(undefined);
}

/** Whether the image exists (a regular file of the declared size); a size mismatch is an error, never a resize. */
function existingImage(image: string, sizeMb: number): Result<boolean> {
  let sizeBytes: number;
  try {
    const stats = statSync(image);
    if (!stats.isFile()) return err(`Loop disk image '${image}' is not a regular file`);
    sizeBytes = stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(false);
    return err(`Cannot read loop disk image '${image}': ${reason(error)}`);
  }
  if (sizeBytes !== sizeMb * bytesPerMegabyte) {
    return err(
      `Loop disk image '${image}' is ${describeSize(sizeBytes)}, not the declared ${sizeMb} MB: ` +
        'berth never reformats, grows or shrinks an existing image (it holds data)',
    );
  }
  return ok(true);
}

/**
 * 'mounted' when the mount point's top mount is this image's loop device;
 * 'free' when nothing is mounted there and the image is mounted nowhere else.
 */
function mountPointState(image: string, mountPoint: string): Result<'mounted' | 'free'> {
  const mounts = readMountTable();
  const imageReal = realPathOrUndefined(image);
  const pointReal = realPathOrUndefined(mountPoint);
  const top = pointReal === undefined ? undefined : topMountAt(mounts, pointReal);
  const refuse = (why: string) => err(`Cannot mount loop disk image '${image}' at '${mountPoint}': ${why}`);
  if (top !== undefined) {
    if (imageReal !== undefined && loopBackingFile(top.device) === imageReal) return ok('mounted');
    return refuse(`it is already a mount of ${describeMount(top)}`);
  }
  const elsewhere = imageReal === undefined ? undefined : mounts.find((entry) => loopBackingFile(entry.device) === imageReal);
  if (elsewhere !== undefined) return refuse(`the image is mounted at '${elsewhere.mountPoint}' already; release it there first`);
  const unusable = pointReal === undefined ? undefined : unusableMountPoint(pointReal);
  return unusable === undefined ? ok('free') : refuse(unusable);
}

/** Why an existing, unmounted directory cannot take the mount, if it cannot. */
function unusableMountPoint(realPath: string): string | undefined {
  try {
    if (!statSync(realPath).isDirectory()) return 'the mount point is not a directory';
    if (readdirSync(realPath).length > 0) return 'the mount point is not empty, and mounting over it would hide its files';
    return undefined;
  } catch (error) {
    return `cannot read the mount point: ${reason(error)}`;
  }
}

/**
 * Allocates and formats a new image. What this call made and could not finish
 * is removed again: it holds no data, and left behind it would be an image
 * without a filesystem, which the next call refuses.
 */
function makeImage(image: string, sizeMb: number, progress: (line: string) => void): Result<void> {
  progress(`making image ${image} of ${sizeMb} MB`);
  try {
    makeDirectories(dirname(image));
  } catch (error) {
    return err(`Cannot make loop disk image '${image}': cannot create its directory: ${reason(error)}`);
  }
  const allocated = allocateImage(image, sizeMb, progress);
  if (!allocated.ok) {
    rmSync(image, { force: true });
    return err(`Cannot make loop disk image '${image}': ${allocated.error}`);
  }
  progress(`formatting ${image} (ext4, no reserved blocks)`);
  // -m 0: no blocks kept for root, the volume gets them all. nodiscard: discarding
  // a file punches holes in it, which would make the image sparse again.
  const formatted = runTool('mkfs.ext4', ['-F', '-q', '-m', '0', '-E', 'nodiscard', image]);
  if (!formatted.ok) {
    rmSync(image, { force: true });
    return err(`Cannot format loop disk image '${image}': ${formatted.error}`);
  }
  return ok(undefined);
}

/** Real blocks, not a sparse file: fallocate, or zeros written out where the filesystem cannot fallocate. */
function allocateImage(image: string, sizeMb: number, progress: (line: string) => void): Result<void> {
  const allocated = runTool('fallocate', ['-l', `${sizeMb}MiB`, image]);
  if (allocated.ok) return setImageMode(image);
  if (!/not supported|not installed/i.test(allocated.error)) return allocated;
  progress(`fallocate cannot allocate here (${allocated.error}); writing ${sizeMb} MB of zeros instead`);
  rmSync(image, { force: true });
  return writeZeros(image, sizeMb);
}

function writeZeros(image: string, sizeMb: number): Result<void> {
  const zeros = Buffer.alloc(bytesPerMegabyte);
  let descriptor: number | undefined;
  try {
    descriptor = openSync(image, 'wx', imageMode);
    for (let written = 0; written < sizeMb; written += 1) writeSync(descriptor, zeros);
    fsyncSync(descriptor);
    return ok(undefined);
  } catch (error) {
    return err(`writing zeros failed: ${reason(error)}`);
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

function setImageMode(image: string): Result<void> {
  try {
    chmodSync(image, imageMode);
    return ok(undefined);
  } catch (error) {
    return err(`cannot make it private (mode 600): ${reason(error)}`);
  }
}

/** Only an ext filesystem is mounted: anything else may be someone's data, and berth does not format over it. */
function hasExtFilesystem(image: string): Result<void> {
  const magic = Buffer.alloc(2);
  let descriptor: number | undefined;
  try {
    descriptor = openSync(image, 'r');
    const read = readSync(descriptor, magic, 0, magic.length, superblockMagicOffsetBytes);
    if (read === magic.length && magic.readUInt16LE(0) === extSuperblockMagic) return ok(undefined);
  } catch (error) {
    return err(`Cannot read loop disk image '${image}': ${reason(error)}`);
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
  return err(`Loop disk image '${image}' has no ext4 filesystem; berth formats only an image it has just made, never one that may hold data`);
}

function mountImage(image: string, mountPoint: string, progress: (line: string) => void): Result<void> {
  try {
    makeDirectories(mountPoint);
  } catch (error) {
    return err(`Cannot mount loop disk image '${image}': cannot create the mount point '${mountPoint}': ${reason(error)}`);
  }
  progress(`mounting at ${mountPoint}`);
  const mounted = runTool('mount', ['-o', 'loop', '-t', 'ext4', image, mountPoint]);
  if (!mounted.ok) return err(`Cannot mount loop disk image '${image}' at '${mountPoint}': ${mounted.error}`);
  return ok(undefined);
}

/**
 * `mkdir -p`, one level at a time: Node 20's recursive mkdirSync never returns
 * for a path under /proc, where mkdir answers ENOENT however often it is asked.
 */
function makeDirectories(path: string): void {
  const parent = dirname(path);
  if (parent !== path && !existsSync(parent)) makeDirectories(parent);
  try {
    mkdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function realPathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** `32 MB`, or `1000000 bytes (0.95 MB)` for a size that is not whole megabytes. */
function describeSize(sizeBytes: number): string {
  const megabytes = sizeBytes / bytesPerMegabyte;
  return Number.isInteger(megabytes) ? `${megabytes} MB` : `${sizeBytes} bytes (${megabytes.toFixed(2)} MB)`;
}

/** A Node error's message is one line already ("ENOSPC: no space left on device, write"). */
function reason(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
}
