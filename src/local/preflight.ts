/**
 * What `berth local` checks before it starts anything, so that each way it can
 * fail is one line up front: the work directory cannot be made, another
 * `berth local` owns it, processes of an earlier one are still running, a port
 * is taken, or the machine is too small for the agents asked for.
 */
import { mkdirSync, unlinkSync } from 'node:fs';
import type { LocalFlags } from '../cli/flags/local-flags.js';
import { err, ok, type Result } from '../lib/result.js';
import { probeControlSocket, socketConnectPath } from './control-socket.js';
import { readHostCapacity } from './host.js';
import { agentName, type LocalLayout } from './layout.js';
import { findMarkedProcesses, markerEntry } from './leftovers.js';
import { firstTakenPort, type PlannedPort } from './port-check.js';
import { agentPort, localIp } from './process-specs.js';
import { agentShare, formatAgentResources } from './shares.js';

export interface Preflight {
  /** Where the control socket is bound (see socketConnectPath). */
  readonly connectPath: string;
  /** `--resources` of agent i at index i - 1. */
  readonly agentResources: readonly string[];
}

const portMax = 65_535;

export async function preflight(layout: LocalLayout, flags: LocalFlags, shown: string): Promise<Result<Preflight, string>> {
  try {
    mkdirSync(layout.workDir, { recursive: true });
  } catch (error) {
    return err(`cannot create the work directory ${shown}: ${(error as Error).message}`);
  }
  const connectPath = socketConnectPath(layout.socketPath, process.cwd());
  if (!connectPath.ok) return connectPath;
  const owner = await claimableSocket(connectPath.value, shown);
  if (!owner.ok) return owner;

  const leftovers = findMarkedProcesses(markerEntry(layout.workDir));
  if (leftovers.length > 0) {
    const pids = leftovers.join(' ');
    return err(`processes of an earlier berth local in ${shown} are still running; stop them first: kill ${pids}`);
  }

  const ports = plannedPorts(flags);
  if (!ports.ok) return ports;
  const taken = await firstTakenPort(ports.value, localIp);
  if (taken !== undefined) return err(`port ${taken.port} (for ${taken.name}) is already in use on ${localIp}`);

  const resources = agentResources(layout, flags.agents);
  if (!resources.ok) return resources;
  return ok({ connectPath: connectPath.value, agentResources: resources.value });
}

/** Free, or held by a dead `berth local` (then the stale socket file is removed). */
async function claimableSocket(connectPath: string, shown: string): Promise<Result<void, string>> {
  const probe = await probeControlSocket(connectPath);
  if (probe.state === 'running') {
    const pid = probe.pid === undefined ? '' : ` (pid ${probe.pid})`;
    return err(`another berth local${pid} is running in ${shown}; stop it first, or use another --work_dir`);
  }
  if (probe.state === 'stale') {
    try {
      unlinkSync(connectPath);
    } catch (error) {
      return err(`cannot remove the stale control socket ${connectPath}: ${(error as Error).message}`);
    }
  }
  return ok(undefined);
}

/** The master's port and agent i's (master + i); none when the master's port is 0. */
export function plannedPorts(flags: Pick<LocalFlags, 'port' | 'agents'>): Result<PlannedPort[], string> {
  if (flags.port === 0) return ok([]);
  const last = agentPort(flags.port, flags.agents);
  if (last > portMax) {
    return err(`--port=${flags.port} leaves no room for ${flags.agents} agents on the ports after it (up to ${last})`);
  }
  const agents = Array.from({ length: flags.agents }, (_, index) => ({
    port: agentPort(flags.port, index + 1),
    name: agentName(index + 1),
  }));
  return ok([{ port: flags.port, name: 'master' }, ...agents]);
}

function agentResources(layout: LocalLayout, agents: number): Result<string[], string> {
  const host = readHostCapacity(layout.workDir);
  const resources: string[] = [];
  for (let agentIndex = 1; agentIndex <= agents; agentIndex += 1) {
    const share = agentShare(host, agentIndex, agents);
    if (!share.ok) return share;
    resources.push(formatAgentResources(share.value));
  }
  return ok(resources);
}
