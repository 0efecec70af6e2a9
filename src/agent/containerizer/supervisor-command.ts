/**
 * How the containerizer starts a supervisor (native/supervisor.c): where the
 * binary is, and its command line. `scripts/build-native.mjs` builds it into
 * `dist/native/berth-supervisor`.
 */
import { basename, join, resolve } from 'node:path';
import { sandboxStderrPath, sandboxStdoutPath } from '../paths.js';
import type { ContainerLaunch } from './types.js';

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
 * runs as the agent's own user.
 */
export function supervisorArguments(launch: ContainerLaunch, workDir: string, user: string | undefined): string[] {
  const sandbox = resolve(launch.directory);
  const args = [`--agent-work-dir=${resolve(workDir)}`, `--run-dir=${resolve(launch.runDirectory)}`, `--sandbox=${sandbox}`];
  if (user !== undefined) args.push(`--user=${user}`);
  args.push(`--stdout=${sandboxStdoutPath(sandbox)}`, `--stderr=${sandboxStderrPath(sandbox)}`, '--', ...launch.argv);
  return args;
}
