/**
 * Where `berth local` keeps things. Every path hangs off one work directory, so
 * that two clusters in two directories never meet and a restarted process finds
 * its state again:
 *
 *   <work_dir>/
 *     local.sock            control socket of the running `berth local`
 *     master/               the master's --work_dir (its registry)
 *       master.log          the master's stdout and stderr, appended across restarts
 *     agent1/               agent 1's --work_dir (meta/, sandboxes, volumes)
 *       agent1.log
 *     agent2/ ...
 */
import { join, resolve } from 'node:path';

export interface LocalLayout {
  /** Absolute. */
  readonly workDir: string;
  readonly socketPath: string;
}

export function localLayout(workDir: string, cwd: string): LocalLayout {
  const absolute = resolve(cwd, workDir);
  return { workDir: absolute, socketPath: join(absolute, 'local.sock') };
}

/** `master`, `agent1`, `agent2`, ...: the names `berth local restart` takes. */
export function agentName(agentIndex: number): string {
  return `agent${agentIndex}`;
}

export function processDir(layout: LocalLayout, name: string): string {
  return join(layout.workDir, name);
}

export function processLogPath(layout: LocalLayout, name: string): string {
  return join(layout.workDir, name, `${name}.log`);
}
