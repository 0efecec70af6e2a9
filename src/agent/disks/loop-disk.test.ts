/**
 * Loop disks (issue 5 point 3). Method: the flag form and the resource text
 * are pure and tested as values; making, mounting and releasing use REAL loop
 * devices under the test root (root only), and check the system afterwards:
 * mountinfo, the loop device list, the image's blocks, and dd running into
 * ENOSPC. After each test, whatever it left is undone by looking at the system
 * (mounts under the test's directory, loop devices backed by files in it),
 * also when the test failed half-way; scripts/clean-test-root.sh is the
 * backstop for a run killed before that.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { parseAgentResourcesFlag } from '../../resources/index.js';
import { ensureLoopDisk, mountDiskResource, parseLoopDiskSpecs, releaseLoopDisk, validateLoopDiskSpec, type LoopDiskSpec } from './loop-disk.js';
import { readMountTable, topMountAt } from './mount-table.js';

const isRoot = process.getuid?.() === 0;
const bytesPerMegabyte = 1024 * 1024;

describe('loop disk: --mount_disk_images', () => {
  it('loop disk: --mount_disk_images: an empty value declares none', () => {
    expect(parseLoopDiskSpecs('')).toEqual({ ok: true, value: [] });
    expect(parseLoopDiskSpecs('  ')).toEqual({ ok: true, value: [] });
  });

  it('loop disk: --mount_disk_images: reads each <image>:<mount point>:<size MB> entry', () => {
    expect(parseLoopDiskSpecs('/srv/a.img:/mnt/a:64, /srv/b.img:/mnt/b:1024')).toEqual({
      ok: true,
      value: [
        { image: '/srv/a.img', mountPoint: '/mnt/a', sizeMb: 64 },
        { image: '/srv/b.img', mountPoint: '/mnt/b', sizeMb: 1024 },
      ],
    });
  });

  const fieldsRule = "expected <image>:<mount point>:<size MB>, and paths may not contain ':' or ','";
  it.each([
    ['a.img:/mnt/a:64', "image 'a.img' is not an absolute path"],
    ['/srv/a.img:mnt/a:64', "mount point 'mnt/a' is not an absolute path"],
    [':/mnt/a:64', 'image is empty'],
    ['/srv/a.img:/mnt/a', fieldsRule],
    ['/srv/a:b.img:/mnt/a:64', fieldsRule],
    ['/srv/a.img:/mnt/a:x', "size 'x' is not a positive whole number of MB"],
    ['/srv/a.img:/mnt/a:16.5', "size '16.5' is not a positive whole number of MB"],
    ['/srv/a.img:/mnt/a:-16', "size '-16' is not a positive whole number of MB"],
    ['/srv/a.img:/mnt/a:0', 'size 0 is not a positive whole number of MB'],
    ['/srv/a.img:/mnt/a:4', 'size 4 MB is below 8 MB: ext4 needs a few MB for its own structures'],
    ['/srv/a.img:/mnt/a:17179869184', 'size 17179869184 MB is above 16777216 MB (16 TB); the size is in MB'],
    ['/mnt/a/a.img:/mnt/a:64', "image '/mnt/a/a.img' lies inside its own mount point '/mnt/a'"],
  ])('loop disk: --mount_disk_images: %j is refused: %s', (value, rule) => {
    expect(parseLoopDiskSpecs(value)).toEqual({ ok: false, error: `Invalid mount disk image entry '${value}': ${rule}` });
  });

  it.each([
    ['/srv/a.img:/mnt/a:64,', '', "the entry is empty (entries are separated by ',')"],
    ['/srv/a.img:/mnt/a:64,/srv/a.img:/mnt/b:64', '/srv/a.img:/mnt/b:64', "image '/srv/a.img' is already used by another entry"],
    ['/srv/a.img:/mnt/a:64,/srv/b.img:/mnt/a/:64', '/srv/b.img:/mnt/a/:64', "mount point '/mnt/a/' is already used by another entry"],
    ['/srv/a.img:/mnt/a:64,/mnt/a/b.img:/mnt/b:64', '/mnt/a/b.img:/mnt/b:64', "'/mnt/a/b.img' lies inside the mount point '/mnt/a' of another entry"],
    ['/srv/a.img:/mnt/a:64,/srv/b.img:/mnt/a/b:64', '/srv/b.img:/mnt/a/b:64', "'/mnt/a/b' lies inside the mount point '/mnt/a' of another entry"],
    ['/mnt/b/a.img:/mnt/a:64,/srv/b.img:/mnt/b:64', '/srv/b.img:/mnt/b:64', "'/mnt/b/a.img' lies inside the mount point '/mnt/b' of another entry"],
  ])('loop disk: --mount_disk_images: %j is refused at entry %j: %s', (value, entry, rule) => {
    expect(parseLoopDiskSpecs(value)).toEqual({ ok: false, error: `Invalid mount disk image entry '${entry}': ${rule}` });
  });

  it("loop disk: a path with ':' or ',' is refused outside the flag too (the command prints a flag entry)", () => {
    expect(validateLoopDiskSpec({ image: '/srv/a:b.img', mountPoint: '/mnt/a', sizeMb: 64 })).toBe(
      "image '/srv/a:b.img' contains ':', which separates mount disk images",
    );
    expect(validateLoopDiskSpec({ image: '/srv/a.img', mountPoint: '/mnt/a,b', sizeMb: 64 })).toBe(
      "mount point '/mnt/a,b' contains ',', which separates mount disk images",
    );
  });
});

describe('loop disk: the --resources text', () => {
  const spec: LoopDiskSpec = { image: '/srv/a.img', mountPoint: '/mnt/a', sizeMb: 64 };

  it("loop disk: the --resources text: the agent's parser reads one MOUNT disk of the image's size at the mount point", () => {
    const text = mountDiskResource(spec);
    expect(text).toBe('[{"name":"disk","type":"SCALAR","scalar":{"value":64},"role":"*","disk":{"source":{"type":"MOUNT","mount":{"root":"/mnt/a"}}}}]');
    const parsed = parseAgentResourcesFlag(text, '*');
    expect(parsed.ok).toBe(true);
    const disks = parsed.ok ? parsed.value.filter((resource) => resource.name === 'disk') : [];
    expect(disks).toHaveLength(1);
    expect(disks[0]?.scalar?.value).toBe(64);
    expect(disks[0]?.disk?.source).toEqual({ type: 'MOUNT', mount: { root: '/mnt/a' } });
    expect(disks[0]?.reservations).toEqual([]);
  });

  it('loop disk: the --resources text: a role reserves the disk statically', () => {
    const parsed = parseAgentResourcesFlag(mountDiskResource(spec, 'eng'), '*');
    expect(parsed.ok && parsed.value[0]?.reservations).toEqual([{ type: 'STATIC', role: 'eng' }]);
  });
});

// Skipped, with this reason in the report, when not root: losetup and mount need it.
describe.skipIf(!isRoot)('loop disk: real loop devices (needs root; skipped when not root)', () => {
  let directory = '';

  beforeEach(() => {
    mkdirSync(testRoot(), { recursive: true });
    directory = mkdtempSync(join(testRoot(), 'loop-disk-'));
  });

  afterEach(() => undoUnder(directory));

  function specIn(name: string, sizeMb = 16): LoopDiskSpec {
    return { image: join(directory, 'images', `${name}.img`), mountPoint: join(directory, 'mnt', name), sizeMb };
  }

  function ensure(spec: LoopDiskSpec) {
    const lines: string[] = [];
    const result = ensureLoopDisk(spec, (line) => lines.push(line));
    return { result, lines };
  }

  it('loop disk: makes a 16 MB image with real blocks, formats it, mounts it; writes past it fail with ENOSPC', () => {
    const spec = specIn('full');
    const { result, lines } = ensure(spec);
    expect(result).toEqual({ ok: true, value: { made: true, mounted: true } });
    expect(lines).toEqual([`making image ${spec.image} of 16 MB`, `formatting ${spec.image} (ext4, no reserved blocks)`, `mounting at ${spec.mountPoint}`]);
    const image = statSync(spec.image);
    expect(image.size).toBe(16 * bytesPerMegabyte);
    expect(image.blocks * 512).toBeGreaterThanOrEqual(16 * bytesPerMegabyte);
    expect(image.mode & 0o777).toBe(0o600);
    expect(mountAt(spec.mountPoint)?.fsType).toBe('ext4');

    const fill = join(spec.mountPoint, 'fill');
    const dd = spawnSync('dd', ['if=/dev/zero', `of=${fill}`, 'bs=1M', 'count=32', 'conv=fsync'], { encoding: 'utf8' });
    expect(dd.status).not.toBe(0);
    expect(dd.stderr).toContain('No space left on device');
    expect(statSync(fill).size).toBeLessThan(16 * bytesPerMegabyte);
    expect(statSync(fill).size).toBeGreaterThan(8 * bytesPerMegabyte);
  });

  it('loop disk: is idempotent: an image mounted at its mount point is left alone', () => {
    const spec = specIn('again');
    expect(ensure(spec).result.ok).toBe(true);
    const device = mountAt(spec.mountPoint)?.device;
    const { result, lines } = ensure(spec);
    expect(result).toEqual({ ok: true, value: { made: false, mounted: false } });
    expect(lines).toEqual([]);
    expect(mountAt(spec.mountPoint)?.device).toBe(device);
    expect(readMountTable().filter((entry) => entry.mountPoint === realpathSync(spec.mountPoint))).toHaveLength(1);
  });

  it('loop disk: release unmounts and frees the loop device; the image mounts again, unformatted, with its files', () => {
    const spec = specIn('kept');
    expect(ensure(spec).result.ok).toBe(true);
    writeFileSync(join(spec.mountPoint, 'data'), 'still here');
    expect(releaseLoopDisk(spec)).toEqual({ ok: true, value: undefined });
    expect(mountAt(spec.mountPoint)).toBeUndefined();
    expect(waitForNoLoopDevice(spec.image)).toEqual([]);
    expect(existsSync(spec.image)).toBe(true);
    expect(releaseLoopDisk(spec)).toEqual({ ok: true, value: undefined });

    const { result, lines } = ensure(spec);
    expect(result).toEqual({ ok: true, value: { made: false, mounted: true } });
    expect(lines).toEqual([`mounting at ${spec.mountPoint}`]);
    expect(readFileSync(join(spec.mountPoint, 'data'), 'utf8')).toBe('still here');
  });

  it('loop disk: an image of another size than declared is refused, mounted or not, and left as it is', () => {
    const spec = specIn('sized');
    expect(ensure(spec).result.ok).toBe(true);
    const refusal = `Loop disk image '${spec.image}' is 16 MB, not the declared 32 MB: berth never reformats, grows or shrinks an existing image (it holds data)`;
    expect(ensure({ ...spec, sizeMb: 32 }).result).toEqual({ ok: false, error: refusal });
    expect(releaseLoopDisk(spec).ok).toBe(true);
    expect(ensure({ ...spec, sizeMb: 32 })).toEqual({ result: { ok: false, error: refusal }, lines: [] });
    expect(statSync(spec.image).size).toBe(16 * bytesPerMegabyte);
    expect(mountAt(spec.mountPoint)).toBeUndefined();
  });

  it('loop disk: an image without an ext4 filesystem is refused, not formatted', () => {
    const spec = specIn('foreign');
    mkdirSync(join(directory, 'images'));
    const data = Buffer.alloc(16 * bytesPerMegabyte, 0xab);
    writeFileSync(spec.image, data);
    const { result, lines } = ensure(spec);
    expect(result).toEqual({
      ok: false,
      error: `Loop disk image '${spec.image}' has no ext4 filesystem; berth formats only an image it has just made, never one that may hold data`,
    });
    expect(lines).toEqual([]);
    expect(readFileSync(spec.image).equals(data)).toBe(true);
    expect(mountAt(spec.mountPoint)).toBeUndefined();
  });

  it('loop disk: a mount point that is a mount of something else is refused, by make and by release', () => {
    const spec = specIn('taken');
    mkdirSync(spec.mountPoint, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', spec.mountPoint]);
    expect(ensure(spec).result).toEqual({
      ok: false,
      error: `Cannot mount loop disk image '${spec.image}' at '${spec.mountPoint}': it is already a mount of tmpfs (tmpfs)`,
    });
    expect(existsSync(spec.image)).toBe(false);
    expect(releaseLoopDisk(spec)).toEqual({
      ok: false,
      error: `Cannot release loop disk image '${spec.image}': '${spec.mountPoint}' is a mount of tmpfs (tmpfs), not of this image`,
    });
    expect(mountAt(spec.mountPoint)?.fsType).toBe('tmpfs');
  });

  it('loop disk: where fallocate cannot allocate, zeros are written instead: real blocks still', () => {
    const spec = specIn('zeros');
    const { result, lines } = withFakeTool('fallocate', 'echo "fallocate: fallocate failed: Operation not supported" >&2; exit 1', () => ensure(spec));
    expect(result).toEqual({ ok: true, value: { made: true, mounted: true } });
    expect(lines[1]).toBe('fallocate cannot allocate here (fallocate: fallocate failed: Operation not supported); writing 16 MB of zeros instead');
    const image = statSync(spec.image);
    expect(image.size).toBe(16 * bytesPerMegabyte);
    expect(image.blocks * 512).toBeGreaterThanOrEqual(16 * bytesPerMegabyte);
    expect(image.mode & 0o777).toBe(0o600);
    expect(mountAt(spec.mountPoint)?.fsType).toBe('ext4');
  });

  it("loop disk: an image that could not be formatted is removed again; the error is the tool's first line", () => {
    const spec = specIn('unformatted');
    const failing = 'echo "mkfs.ext4: Device size reported to be zero." >&2; echo "a second line" >&2; exit 1';
    const { result } = withFakeTool('mkfs.ext4', failing, () => ensure(spec));
    expect(result).toEqual({ ok: false, error: `Cannot format loop disk image '${spec.image}': mkfs.ext4: Device size reported to be zero.` });
    expect(existsSync(spec.image)).toBe(false);
    expect(mountAt(spec.mountPoint)).toBeUndefined();
  });

  /** Runs `run` with a shell script named `name` first on the PATH, as the tools are looked up there. */
  function withFakeTool<T>(name: string, script: string, run: () => T): T {
    const bin = join(directory, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const path = process.env['PATH'];
    process.env['PATH'] = `${bin}:${path ?? ''}`;
    try {
      return run();
    } finally {
      if (path === undefined) delete process.env['PATH'];
      else process.env['PATH'] = path;
    }
  }

  it('loop disk: an image mounted at another mount point, or a mount point with files in it, is refused', () => {
    const spec = specIn('once');
    expect(ensure(spec).result.ok).toBe(true);
    const second = { ...spec, mountPoint: join(directory, 'mnt', 'twice') };
    expect(ensure(second).result).toEqual({
      ok: false,
      error: `Cannot mount loop disk image '${spec.image}' at '${second.mountPoint}': the image is mounted at '${realpathSync(spec.mountPoint)}' already; release it there first`,
    });
    const crowded = specIn('crowded');
    mkdirSync(crowded.mountPoint, { recursive: true });
    writeFileSync(join(crowded.mountPoint, 'file'), 'x');
    expect(ensure(crowded).result).toEqual({
      ok: false,
      error: `Cannot mount loop disk image '${crowded.image}' at '${crowded.mountPoint}': the mount point is not empty, and mounting over it would hide its files`,
    });
    expect(existsSync(crowded.image)).toBe(false);
  });
});

function mountAt(path: string) {
  return existsSync(path) ? topMountAt(readMountTable(), realpathSync(path)) : undefined;
}

/** Loop devices backed by `image`; the kernel frees an autoclear device as the unmount ends, so this waits up to 2 s. */
function waitForNoLoopDevice(image: string): string[] {
  let devices = loopDevicesOf(image);
  for (let attempt = 0; attempt < 20 && devices.length > 0; attempt += 1) {
    spawnSync('sleep', ['0.1']);
    devices = loopDevicesOf(image);
  }
  return devices;
}

function loopDevicesOf(image: string): string[] {
  const listed = execFileSync('losetup', ['--associated', image], { encoding: 'utf8' });
  return listed
    .split('\n')
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((device) => device !== '');
}

/**
 * Undoes what a test left under `directory`, deepest mount first, then the
 * loop devices backed by files there, then the directory itself (never
 * through a mount that is still there). Throws when something stays.
 */
function undoUnder(directory: string): void {
  if (directory === '' || !existsSync(directory)) return;
  const root = realpathSync(directory);
  const isUnder = (path: string) => path === root || path.startsWith(`${root}${sep}`);
  const mounted = () => readMountTable().filter((entry) => isUnder(entry.mountPoint));
  for (const entry of mounted().reverse()) {
    if (spawnSync('umount', [entry.mountPoint]).status !== 0) spawnSync('umount', ['--lazy', entry.mountPoint]);
  }
  const devices = execFileSync('losetup', ['--list', '--noheadings', '--output', 'NAME,BACK-FILE'], { encoding: 'utf8' });
  for (const line of devices.split('\n')) {
    const [device = '', backing = ''] = line.trim().split(/\s+/, 2);
    if (device !== '' && isUnder(backing.replace(/ \(deleted\)$/, ''))) spawnSync('losetup', ['--detach', device]);
  }
  const left = mounted();
  if (left.length > 0) throw new Error(`still mounted after the test: ${left.map((entry) => entry.mountPoint).join(', ')}`);
  rmSync(directory, { recursive: true, force: true });
}
