/**
 * A real filesystem for MOUNT disk tests (spec/storage.md 1.8, 1.9): a sparse
 * image file, formatted ext4, attached to a loop device and mounted, all under
 * the test root. Needs root (losetup, mount).
 *
 *   const disk = await makeLoopDisk(join(directory, 'mount-disk'), 64);
 *   // disk.mountPoint is a real mount point of a ~55 MB ext4 filesystem
 *
 * Undone after the test whether it passes or fails: before each step, the
 * step's undo is registered with onTestFinished, and those run last first
 * (after afterEach, so after useCluster's stopAll has stopped the agents and
 * their tasks): unmount, remove the mount point, detach the loop device,
 * delete the image. Each undo looks at the system rather than at what the step
 * returned, so it also undoes a step that failed half-way, and does nothing
 * for a step that never ran. A run killed before its undos ran leaves the
 * mount and the loop device to scripts/clean-test-root.sh, which unmounts what
 * is mounted under the test root and detaches loop devices whose backing file
 * is under it.
 */
import { execFile } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, realpathSync, rmSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { readMountTable } from '../../src/lib/mountinfo.js';
import { onTestFinished } from 'vitest';
import { testRoot } from './test-root.js';

const run = promisify(execFile);

/** Long enough for mkfs on a loaded machine; a hung command fails the test instead of hanging it. */
const commandTimeoutMs = 30_000;

/** Bounds the image: the tests need a small filesystem, never a real disk's worth. */
const imageSizeMegabytesMax = 1024;

export interface LoopDisk {
  /** The sparse image file, `<mountPoint>.img`. */
  readonly image: string;
  /** `/dev/loopN`. */
  readonly device: string;
  /** Where the filesystem is mounted: what a MOUNT disk's `mount.root` names. */
  readonly mountPoint: string;
  readonly sizeMegabytes: number;
}

/**
 * Makes and mounts an ext4 filesystem of `sizeMegabytes` at `mountPoint`
 * (which must not exist yet, under the test root). Call it inside a test.
 */
export async function makeLoopDisk(mountPoint: string, sizeMegabytes: number): Promise<LoopDisk> {
  const target = resolve(mountPoint);
  if (!target.startsWith(`${testRoot()}${sep}`)) throw new Error(`loop disk mount point ${target} is not under the test root ${testRoot()}`);
  if (!Number.isInteger(sizeMegabytes) || sizeMegabytes < 8 || sizeMegabytes > imageSizeMegabytesMax) {
    throw new Error(`loop disk size ${sizeMegabytes} MB is not a whole number from 8 to ${imageSizeMegabytesMax}`);
  }
  if (existsSync(target)) throw new Error(`loop disk mount point ${target} exists already`);
  const image = `${target}.img`;
  mkdirSync(dirname(target), { recursive: true });

  onTestFinished(() => rmSync(image, { force: true }));
  makeSparseFile(image, sizeMegabytes * 1024 * 1024);
  await command('mkfs.ext4', ['-q', '-F', image]);

  onTestFinished(() => detachLoopDevices(image));
  const device = (await command('losetup', ['--find', '--show', image])).trim();

  onTestFinished(() => removeMountPoint(target));
  mkdirSync(target);

  onTestFinished(() => unmount(target));
  await command('mount', ['-t', 'ext4', device, target]);

  return { image, device, mountPoint: target, sizeMegabytes };
}

/** Whether `path` is a mount point now (its real path listed in mountinfo, as the agent checks it). */
export function isMountPoint(path: string): boolean {
  if (!existsSync(path)) return false;
  return mountPoints().includes(realpathSync(path));
}

/** Mount points from /proc/self/mountinfo, as the agent reads them. */
export function mountPoints(): string[] {
  return readMountTable().map((entry) => entry.mountPoint);
}

function makeSparseFile(path: string, sizeBytes: number): void {
  const descriptor = openSync(path, 'wx');
  try {
    ftruncateSync(descriptor, sizeBytes);
  } finally {
    closeSync(descriptor);
  }
}

async function command(file: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(file, args, { encoding: 'utf8', timeout: commandTimeoutMs, killSignal: 'SIGKILL' });
    return stdout;
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${(failure.stderr ?? '').trim() || failure.message}`);
  }
}

/** Unmounts `path` if it is mounted; lazily if it is busy (a leftover task), so that the device can go. */
async function unmount(path: string): Promise<void> {
  if (!isMountPoint(path)) return;
  try {
    await command('umount', [path]);
  } catch {
    await command('umount', ['--lazy', path]);
  }
}

/** Removes the mount point, never through a mount still at or below it. */
function removeMountPoint(path: string): void {
  if (!existsSync(path)) return;
  const mounted = mountPoints().find((point) => point === path || point.startsWith(`${path}${sep}`));
  if (mounted !== undefined) throw new Error(`${mounted} is still mounted; not removing ${path}`);
  rmSync(path, { recursive: true, force: true });
}

/** Detaches every loop device backed by `image` (`losetup -j` lists them as `/dev/loopN: [...]`). */
async function detachLoopDevices(image: string): Promise<void> {
  if (!existsSync(image)) return;
  const listed = await command('losetup', ['--associated', image]);
  for (const line of listed.split('\n')) {
    const device = line.split(':')[0]?.trim() ?? '';
    if (device !== '') await command('losetup', ['--detach', device]);
  }
}
