/**
 * Mount points from /proc/self/mountinfo (proc(5)): the fifth field of each
 * line, with the kernel's octal escapes (\040 for a space, \011, \012, \134)
 * undone. GC reads them before deleting anything: a sandbox with a volume
 * bind-mounted in it must never be deleted through that mount.
 */
import { readFile } from 'node:fs/promises';
import { isWithin } from '../files/resolve.js';

export const mountInfoPath = '/proc/self/mountinfo';

export function parseMountPoints(mountInfo: string): string[] {
  const points: string[] = [];
  for (const line of mountInfo.split('\n')) {
    const field = line.split(' ')[4];
    if (field !== undefined && field !== '') points.push(unescapeMountField(field));
  }
  return points;
}

function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export async function readMountPoints(path = mountInfoPath): Promise<string[]> {
  return parseMountPoints(await readFile(path, 'utf8'));
}

/** Mount points at `path` or below it. */
export function mountPointsWithin(points: readonly string[], path: string): string[] {
  return points.filter((point) => isWithin(point, path));
}
