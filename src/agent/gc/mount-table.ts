/**
 * Mount points (src/lib/mountinfo.ts). GC reads them before deleting
 * anything: a sandbox with a volume bind-mounted in it must never be deleted
 * through that mount.
 */
import { readFile } from 'node:fs/promises';
import { mountInfoPath, parseMountInfo } from '../../lib/mountinfo.js';
import { isWithin } from '../files/resolve.js';

export function parseMountPoints(mountInfo: string): string[] {
  return parseMountInfo(mountInfo).map((entry) => entry.mountPoint);
}

export async function readMountPoints(path = mountInfoPath): Promise<string[]> {
  return parseMountPoints(await readFile(path, 'utf8'));
}

/** Mount points at `path` or below it. */
export function mountPointsWithin(points: readonly string[], path: string): string[] {
  return points.filter((point) => isWithin(point, path));
}
