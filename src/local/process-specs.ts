/**
 * The command lines `berth local` runs: what each process is started with, and
 * started again with on `berth local restart`. Pure: the machine's capacity and
 * the master's address come in as values.
 */
import type { LocalLayout } from './layout.js';
import { agentName, processDir, processLogPath } from './layout.js';

/** Everything listens on loopback: `berth local` is for one machine. */
export const localIp = '127.0.0.1';

export interface ProcessSpec {
  /** `master` or `agent<i>`. */
  readonly name: string;
  readonly command: 'master' | 'agent';
  /** 0 lets the process pick a free port. */
  readonly port: number;
  /** The process's own --work_dir (absolute). */
  readonly workDir: string;
  readonly logPath: string;
  /** Flags beyond --ip, --port and --work_dir. */
  readonly extraFlags: readonly string[];
}

/** `name`: `master`, or with --ha `master1`, `master2`, ...; `extraFlags`: with --ha, --zk. */
export function masterSpec(layout: LocalLayout, port: number, name = 'master', extraFlags: readonly string[] = []): ProcessSpec {
  return {
    name,
    command: 'master',
    port,
    workDir: processDir(layout, name),
    logPath: processLogPath(layout, name),
    extraFlags,
  };
}

export interface AgentSpecOptions {
  readonly agentIndex: number;
  /** The master's port; agent i listens on it + i, or on any free port when it is 0. */
  readonly masterPort: number;
  /** `host:port` of the running master, or with --ha the masters' zk:// URL. */
  readonly masterAddress: string;
  /** `--resources` text (see shares.ts). */
  readonly resources: string;
}

/**
 * Each agent reports its own name as `--hostname` (agent1, agent2, ...). The
 * master and frameworks tell hosts apart by hostname (Marathon's
 * `hostname:UNIQUE`, Mesos' maintenance schedules, placement constraints), and
 * agents on one machine would otherwise all report the same one.
 */
export function agentSpec(layout: LocalLayout, options: AgentSpecOptions): ProcessSpec {
  const name = agentName(options.agentIndex);
  return {
    name,
    command: 'agent',
    port: agentPort(options.masterPort, options.agentIndex),
    workDir: processDir(layout, name),
    logPath: processLogPath(layout, name),
    extraFlags: [`--master=${options.masterAddress}`, `--hostname=${name}`, `--resources=${options.resources}`],
  };
}

export function agentPort(masterPort: number, agentIndex: number): number {
  return masterPort === 0 ? 0 : masterPort + agentIndex;
}

/** The arguments after `node`: the CLI entry, the command, then its flags. */
export function commandLine(cliEntry: string, spec: ProcessSpec): string[] {
  return [
    cliEntry,
    spec.command,
    `--ip=${localIp}`,
    `--port=${spec.port}`,
    `--work_dir=${spec.workDir}`,
    ...spec.extraFlags,
  ];
}

/**
 * The spec a restart uses: a process that picked a free port keeps the one it
 * got, so that agents (and browsers) still find the master where it was.
 */
export function withPort(spec: ProcessSpec, port: number): ProcessSpec {
  return { ...spec, port };
}

/** `host:port` of a `http://host:port` URL, as agents take `--master`. */
export function addressOfUrl(url: string): string {
  return new URL(url).host;
}

/** The port of a `http://host:port` URL. */
export function portOfUrl(url: string): number {
  const parsed = new URL(url);
  // URL leaves the port empty when it is the scheme's default.
  if (parsed.port === '') return parsed.protocol === 'https:' ? 443 : 80;
  return Number(parsed.port);
}
