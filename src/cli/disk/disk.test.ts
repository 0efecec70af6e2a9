// Method: `berth disk` runs in process with captured output, for what fails
// before anything is made or mounted (usage, unknown commands, bad flags: one
// line on stderr, exit 1), so it needs no root. Making and mounting for real
// is src/agent/disks/loop-disk.test.ts.
import { describe, expect, it } from 'vitest';
import { captureIo } from '../testing.js';
import { groupHelpFlags } from '../storage/subcommands.js';
import { diskGroup, runDisk } from './disk.js';

describe('cli: disk', () => {
  it('cli: disk: no subcommand prints the usage on stderr and fails; --help prints it on stdout', async () => {
    const bare = captureIo();
    expect(await runDisk([], bare)).toBe(1);
    expect(bare.stderr).toContain('Usage: berth disk <make-mount|release> [options]');
    const help = captureIo();
    expect(await runDisk(['--help'], help)).toBe(0);
    expect(help.stdout).toContain('Usage: berth disk <make-mount|release> [options]');
  });

  it("cli: disk: make-mount --help lists its flags; '-' in a flag name is read as '_'", async () => {
    const io = captureIo();
    expect(await runDisk(['make-mount', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('Usage: berth disk make-mount [options]');
    expect(io.stdout).toContain('--mount_point=VALUE');
    const dashed = captureIo();
    expect(await runDisk(['make-mount', '--image=/srv/a.img', '--size=4', '--mount-point=/mnt/a'], dashed)).toBe(1);
    expect(dashed.stderr).toContain('size 4 MB is below 8 MB');
  });

  it.each([
    [['format'], "Unknown command 'berth disk format'"],
    [['make-mount', '--size=16', '--mount_point=/mnt/a'], "Flag 'image' is required"],
    [['make-mount', '--image=/srv/a.img', '--mount_point=/mnt/a'], "Flag 'size' is required"],
    [['make-mount', '--image=/srv/a.img', '--size=16'], "Flag 'mount_point' is required"],
    [['make-mount', '--image=/srv/a.img', '--size=16MB', '--mount_point=/mnt/a'], "Failed to load flag 'size'"],
    [['make-mount', '--image=a.img', '--size=16', '--mount_point=/mnt/a'], "Invalid loop disk: image 'a.img' is not an absolute path"],
    [['make-mount', '--image=/srv/a.img', '--size=16', '--mount_point=mnt'], "Invalid loop disk: mount point 'mnt' is not an absolute path"],
    [['make-mount', '--image=/srv/a.img', '--size=0', '--mount_point=/mnt/a'], 'Invalid loop disk: size 0 is not a positive whole number of MB'],
    [['make-mount', '--image=/srv/a.img', '--size=4', '--mount_point=/mnt/a'], 'Invalid loop disk: size 4 MB is below 8 MB: ext4 needs a few MB'],
    [['make-mount', '--image=/mnt/a/a.img', '--size=16', '--mount_point=/mnt/a'], "lies inside its own mount point '/mnt/a'"],
    [['make-mount', '--image=/srv/a:b.img', '--size=16', '--mount_point=/mnt/a'], "image '/srv/a:b.img' contains ':'"],
    [['make-mount', '--image=/srv/a.img', '--size=16', '--mount_point=/mnt/a', '--role=/eng'], "Role '/eng' cannot start with a slash"],
    [['make-mount', '--image=/srv/a.img', '--size=16', '--mount_point=/mnt/a', 'now'], "Unexpected argument 'now'"],
    [['release', '--image=/srv/a.img'], "Flag 'mount_point' is required"],
    [['release', '--image=/srv/a.img', '--mount_point=/mnt/a', '--size=16'], "Failed to load unknown flag 'size'"],
    [['release', '--image=/srv/a.img', '--mount_point=relative'], "Invalid loop disk: mount point 'relative' is not an absolute path"],
  ])('cli: disk: %j fails with one line', async (argv, text) => {
    const io = captureIo();
    expect(await runDisk(argv, io)).toBe(1);
    expect(io.stdout).toBe('');
    expect(io.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(io.stderr).toContain(text);
  });

  it('cli: disk: `berth help disk` lists every flag with the subcommands that take it', () => {
    const flags = groupHelpFlags(diskGroup);
    expect(flags['image']?.help).toContain('(make-mount, release)');
    expect(flags['size']?.help).toContain('(make-mount)');
    expect(flags['json']?.help).toContain('(make-mount)');
  });
});
