/**
 * Persistent volumes made visible in a container's sandbox (spec/storage.md
 * 3.4): the host's half. Each volume appears at `<sandbox>/<containerPath>`.
 *
 * filesystem/linux (the default for an agent that is root with CAP_SYS_ADMIN):
 *   here the mount point is made, an empty directory owned like the sandbox;
 *   the supervisor's child then, before it becomes the task and while still
 *   root, enters a mount namespace of its own, makes every mount in it a slave
 *   of the host's (host mounts still propagate in, none of its own propagate
 *   out) and bind-mounts each source on its mount point, read-only when asked
 *   (native/supervisor.c). The host's mount namespace never holds a volume
 *   mount, hence:
 *     - nothing is unmounted when a container ends: the namespace and its
 *       mounts go away with the container's last process;
 *     - removing a sandbox (garbage collection) never recurses through a bind
 *       mount into volume data (MESOS-7366), not even while the task runs: on
 *       the host the mount point is an empty directory;
 *     - an agent restart has nothing to redo: a recovered container's
 *       processes still hold their namespace, mounts included.
 * filesystem/posix (the agent is not root, or the option forces it): a
 *   symlink from the mount point to the source. Read-only cannot be enforced,
 *   so such a launch carries a warning. Removing the sandbox removes the link,
 *   never what it points to (a recursive rm does not follow links).
 *
 * How failures surface. What the host can check is checked here, before the
 * supervisor starts: the source is a directory, the mount point can be made.
 * Failing that, the launch fails (container_failed, stage 'launch') naming the
 * volume and the reason, and nothing runs. A mount(2) that fails after these
 * checks (the source removed meanwhile, a security module refusing) fails
 * inside the task's namespace, after container_started was reported: the
 * supervisor's child then never runs the command, says why on the sandbox's
 * stderr and exits volumeMountFailedExitCode. Reporting that as
 * container_failed instead would mean holding container_started back until
 * the supervisor confirms its mounts (one more watch or poll per launch, on a
 * launch path kept lean on purpose) for a failure the checks here make rare.
 */
import { chownSync, lchownSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { assert } from '../../lib/assert.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { ContainerVolume, VolumeIsolation } from './types.js';
import type { UserIds } from './user-lookup.js';

/**
 * The exit status of a task whose volumes could not be mounted (VOLUME_NOT_MOUNTED
 * in native/supervisor.c): what `docker run` exits with when it cannot set a
 * container up, next to the 126 and 127 of a command that cannot be run.
 */
export const volumeMountFailedExitCode = 125;

/** CAP_SYS_ADMIN: what unshare(CLONE_NEWNS) and mount(2) need. Root without it (an unprivileged container) gets EPERM. */
const capabilitySysAdmin = 21;

/** A volume as the supervisor mounts it (filesystem/linux): both paths absolute. */
export interface VolumeMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface PreparedVolumes {
  /** For the supervisor's command line; empty under filesystem/posix. */
  readonly mounts: readonly VolumeMount[];
  /** For container_started. */
  readonly warnings: readonly string[];
}

/** filesystem/linux when this process could make the mounts (root with CAP_SYS_ADMIN), else filesystem/posix. */
export function defaultVolumeIsolation(): VolumeIsolation {
  return process.getuid?.() === 0 && hasEffectiveCapability(capabilitySysAdmin) ? 'filesystem/linux' : 'filesystem/posix';
}

/**
 * Checks each volume's source and makes its mount point (linux) or link
 * (posix) in the sandbox, which exists by now. A failure names the volume;
 * what was made before it stays in the sandbox (empty directories, links),
 * harmless and removed with it.
 */
export function prepareVolumes(
  sandbox: string,
  volumes: readonly ContainerVolume[],
  isolation: VolumeIsolation,
  owner: UserIds | undefined,
): Result<PreparedVolumes> {
  const mounts: VolumeMount[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const volume of volumes) {
    assertContainerPath(volume);
    if (seen.has(volume.containerPath)) return err(`two volumes at container path '${volume.containerPath}'`);
    seen.add(volume.containerPath);
    const target = join(sandbox, volume.containerPath);
    const checked = checkSource(volume);
    if (!checked.ok) return checked;
    const given = giveSource(volume, owner);
    if (!given.ok) return given;
    if (isolation === 'filesystem/linux') {
      const made = makeMountPoint(volume, target, owner);
      if (!made.ok) return made;
      mounts.push({ source: resolve(volume.source), target, readOnly: volume.readOnly });
    } else {
      const made = makeLink(volume, target, owner);
      if (!made.ok) return made;
      if (volume.readOnly) warnings.push(readOnlyWarning(volume.containerPath));
    }
  }
  return ok({ mounts, warnings });
}

export function readOnlyWarning(containerPath: string): string {
  return `Allowing read-write access to read-only volume '${containerPath}': filesystem/posix cannot enforce read-only`;
}

/** The agent core validates container paths (spec/storage.md 3.4, section 8): anything else here is a bug. */
function assertContainerPath(volume: ContainerVolume): void {
  const path = volume.containerPath;
  const component = path !== '' && path !== '.' && path !== '..' && !path.includes('/') && !path.includes('\0');
  assert(component, `container path '${path}' is one path component`);
  assert(isAbsolute(volume.source), `volume source '${volume.source}' is absolute`);
}

function checkSource(volume: ContainerVolume): Result<void> {
  try {
    if (statSync(volume.source).isDirectory()) return ok(undefined);
    return err(`${subject(volume)}: its source ${volume.source} is not a directory`);
  } catch (error) {
    return err(`${subject(volume)}: cannot use its source ${volume.source}: ${errnoText(error)}`);
  }
}

function giveSource(volume: ContainerVolume, owner: UserIds | undefined): Result<void> {
  if (owner === undefined || !volume.giveToUser) return ok(undefined);
  try {
    chownSync(volume.source, owner.uid, owner.gid);
    return ok(undefined);
  } catch (error) {
    return err(`${subject(volume)}: cannot give its source ${volume.source} to uid ${owner.uid}: ${errnoText(error)}`);
  }
}

function makeMountPoint(volume: ContainerVolume, target: string, owner: UserIds | undefined): Result<void> {
  try {
    mkdirSync(target);
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') return err(`${subject(volume)}: cannot make its mount point ${target}: ${errnoText(error)}`);
    // A fetched archive may hold it: a directory will do (mounted over); a link would redirect the mount, a file refuse it.
    if (!isDirectoryNotLink(target)) return err(`${subject(volume)}: its mount point ${target} exists and is not a directory`);
  }
  try {
    if (owner !== undefined) chownSync(target, owner.uid, owner.gid);
  } catch (error) {
    return err(`${subject(volume)}: cannot give its mount point ${target} to uid ${owner?.uid ?? ''}: ${errnoText(error)}`);
  }
  return ok(undefined);
}

function makeLink(volume: ContainerVolume, target: string, owner: UserIds | undefined): Result<void> {
  try {
    symlinkSync(volume.source, target);
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') return err(`${subject(volume)}: cannot link ${target} to its source: ${errnoText(error)}`);
    // As Mesos does: a link that already leads to the source is kept, anything else refused.
    if (!leadsTo(target, volume.source)) return err(`${subject(volume)}: ${target} exists and is not a link to ${volume.source}`);
  }
  try {
    if (owner !== undefined) lchownSync(target, owner.uid, owner.gid);
  } catch (error) {
    return err(`${subject(volume)}: cannot give the link ${target} to uid ${owner?.uid ?? ''}: ${errnoText(error)}`);
  }
  return ok(undefined);
}

function isDirectoryNotLink(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function leadsTo(link: string, source: string): boolean {
  try {
    return lstatSync(link).isSymbolicLink() && realpathSync(link) === realpathSync(source);
  } catch {
    return false;
  }
}

function hasEffectiveCapability(capability: number): boolean {
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex !== undefined && ((BigInt(`0x${hex}`) >> BigInt(capability)) & 1n) === 1n;
  } catch {
    return false;
  }
}

function subject(volume: ContainerVolume): string {
  return `volume '${volume.containerPath}'`;
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** "ENOENT: no such file or directory": Node's message without the system call and path it appends (named already). */
function errnoText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, \w+ '.*$/s, '');
}
