/**
 * How the containerizer starts a supervisor (native/supervisor.c): where the
 * binary is, and its command line. `scripts/build-native.mjs` builds it into
 * `dist/native/berth-supervisor`.
 */
import { basename, join, resolve } from 'node:path';
import { sandboxStderrPath, sandboxStdoutPath } from '../paths.js';
import type { ContainerLaunch } from './types.js';
import type { VolumeMount } from './volume-mounts.js';

export const supervisorName = 'berth-supervisor';

/**
 * The binary built beside this module's tree: `<repo>/dist/native/berth-supervisor`,
 * whether this module runs from `<repo>/src/...` (tests) or `<repo>/dist/src/...` (built).
 */
export function defaultSupervisorPath(): string {
  const sourceRoot = resolve(import.meta.dirname, '..', '..', '..');
  const repositoryRoot = basename(sourceRoot) === 'dist' ? resolve(sourceRoot, '..') : sourceRoot;
  return join(repositoryRoot, 'dist', 'native', supervisorName);
}

/**
 * The supervisor's arguments. `--agent-work-dir` marks it as this agent's
 * (killOrphans finds supervisors by it); `--user` is left out when the task
 * runs as the agent's own user; one `--cgroup` per cgroup the task joins, one
 * `--volume` per bind mount (volumeArgument).
 */
export function supervisorArguments(
  launch: ContainerLaunch,
  workDir: string,
  user: string | undefined,
  isolation: { readonly mounts: readonly VolumeMount[]; readonly cgroups: readonly string[] },
): string[] {
  const sandbox = resolve(launch.directory);
  const args = [`--agent-work-dir=${resolve(workDir)}`, `--run-dir=${resolve(launch.runDirectory)}`, `--sandbox=${sandbox}`];
  if (user !== undefined) args.push(`--user=${user}`);
  for (const cgroup of isolation.cgroups) args.push(`--cgroup=${cgroup}`);
  for (const mount of isolation.mounts) args.push(volumeArgument(mount));
  args.push(`--stdout=${sandboxStdoutPath(sandbox)}`, `--stderr=${sandboxStderrPath(sandbox)}`, '--', ...launch.argv);
  return args;
}

/**
 * `--volume=<ro|rw>:<source>:<target>`, both paths absolute. Paths may hold
 * ':', so in each path every '%' is written %25 and every ':' %3A (and nothing
 * else is escaped): the two ':' left are the separators, and a path with
 * neither character reads as itself in `ps`.
 */
export function volumeArgument(mount: VolumeMount): string {
  return `--volume=${mount.readOnly ? 'ro' : 'rw'}:${escapeVolumePath(mount.source)}:${escapeVolumePath(mount.target)}`;
}

function escapeVolumePath(path: string): string {
  return path.replaceAll('%', '%25').replaceAll(':', '%3A');
}
