/**
 * `berth disk make-mount|release`: MOUNT disks from loop images on this
 * machine, for an operator without spare partitions (issue 5 point 3). The
 * work is src/agent/disks/loop-disk.ts, the same code the agent's
 * `--mount_disk_images` runs at start; this command does it ahead of time and
 * says what to declare. Needs root (mount).
 */
import {
  ensureLoopDisk,
  loopDiskSpecText,
  mountDiskResource,
  releaseLoopDisk,
  type LoopDiskOutcome,
  type LoopDiskSpec,
} from '../../agent/disks/loop-disk.js';
import { flag } from '../../lib/flags/index.js';
import { processTerminal } from '../../lib/terminal.js';
import { validateRole } from '../../resources/index.js';
import type { CommandIo } from '../storage/operator-client.js';
import { fail, runGroup, subcommand, type CommandGroup } from '../storage/subcommands.js';

const imageFlag = flag.path({ required: true, help: 'The image file (an absolute path). Made when missing; never deleted.' });
const mountPointFlag = flag.path({ required: true, help: 'Where the image is mounted (an absolute path): the MOUNT disk root.' });

const makeMount = subcommand(
  'Make an ext4 image of --size MB if missing, and mount it at --mount_point.',
  {
    image: imageFlag,
    size: flag.int({ required: true, help: 'The image size in MB (at least 8); the usable space is a little less.' }),
    mount_point: mountPointFlag,
    role: flag.string({ default: '*', help: 'The role the printed --resources text reserves the disk for.', check: (value) => validateRole(value) }),
    json: flag.bool({ default: false, help: 'Print one JSON object (progress lines go to stderr).' }),
  },
  async (flags, io) => {
    const spec: LoopDiskSpec = { image: flags.image, mountPoint: flags.mount_point, sizeMb: flags.size };
    const progress = (line: string) => (flags.json ? io.err(`${line}\n`) : io.out(`${line}\n`));
    const outcome = ensureLoopDisk(spec, progress);
    if (!outcome.ok) return fail(io, outcome.error);
    const resource = mountDiskResource(spec, flags.role);
    io.out(flags.json ? `${JSON.stringify(outcomeJson(spec, outcome.value, resource))}\n` : peopleText(spec, outcome.value, resource));
    return 0;
  },
);

const release = subcommand(
  'Unmount the image from --mount_point (the image is kept).',
  { image: imageFlag, mount_point: mountPointFlag },
  async (flags, io) => {
    const spec = { image: flags.image, mountPoint: flags.mount_point };
    const released = releaseLoopDisk(spec);
    if (!released.ok) return fail(io, released.error);
    io.out(`Nothing mounts '${spec.image}' at '${spec.mountPoint}' now; the image is kept (delete it yourself to remove the disk)\n`);
    return 0;
  },
);

export const diskGroup: CommandGroup = {
  name: 'disk',
  subcommands: { 'make-mount': makeMount, release },
  trailer:
    'A loop disk is an ext4 image file mounted at a directory: a MOUNT disk with a hard size\n' +
    'limit on a machine without spare partitions. An existing image is never formatted again,\n' +
    'resized or deleted. Both commands need root. See docs/loop-disks.md.\n',
};

export function runDisk(argv: readonly string[], io: CommandIo = processTerminal()): Promise<number> {
  return runGroup(diskGroup, argv, io);
}

function outcomeJson(spec: LoopDiskSpec, outcome: LoopDiskOutcome, resource: string): Record<string, unknown> {
  return { image: spec.image, mount_point: spec.mountPoint, size_mb: spec.sizeMb, made: outcome.made, mounted: outcome.mounted, resource };
}

function peopleText(spec: LoopDiskSpec, outcome: LoopDiskOutcome, resource: string): string {
  const lines = outcome.mounted ? [] : [`'${spec.mountPoint}' mounts '${spec.image}' already; nothing to do`];
  lines.push(
    `Declare it to the agent: --resources=${shellQuote(resource)}`,
    '(merge it into your JSON --resources, if you have one), or start the agent with',
    `--mount_disk_images=${loopDiskSpecText(spec)} to have it mount the disk at start.`,
  );
  return `${lines.join('\n')}\n`;
}

/** Single quotes for a POSIX shell, so the printed flag can be pasted as is. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
