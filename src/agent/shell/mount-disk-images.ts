/**
 * --mount_disk_images (docs/loop-disks.md): before the agent declares its
 * resources, each image is made if missing, formatted, and loop-mounted at
 * its mount point (ensureLoopDisk: idempotent, never formats an image it did
 * not just make), so that the MOUNT disk it declares is a real mount point.
 * Progress goes to the caller, one line per step; a failure is one line
 * naming the flag and the cause.
 */
import { err, ok, type Result } from '../../lib/result.js';
import { ensureLoopDisk, parseLoopDiskSpecs, type LoopDiskSpec } from '../disks/loop-disk.js';

export function prepareMountDiskImages(value: string, progress: (line: string) => void): Result<LoopDiskSpec[]> {
  const specs = parseLoopDiskSpecs(value);
  if (!specs.ok) return err(`Invalid value for flag 'mount_disk_images': ${specs.error}`);
  for (const spec of specs.value) {
    const ensured = ensureLoopDisk(spec, progress);
    if (!ensured.ok) return err(`--mount_disk_images: ${ensured.error}`);
  }
  return ok(specs.value);
}
