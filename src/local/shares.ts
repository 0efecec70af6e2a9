/**
 * How `berth local` divides one machine among its agents, so that the agents
 * together never offer more than the machine has: each gets an equal share of
 * the CPUs, of the memory left after a reserve for everything else, of the free
 * disk (one share kept back), and a task port range of its own.
 */
import { err, ok, type Result } from '../lib/result.js';

const mebibyteBytes = 1024 * 1024;
const gibibyteBytes = 1024 * mebibyteBytes;

/** Below this an agent could not run even one small task. */
export const cpusPerAgentMin = 0.1;

/** The master's smallest allocatable memory (`--min_allocatable_resources`, mem:32). */
export const memoryPerAgentMbMin = 32;

/** Mesos' default task port range starts here (`ports:[31000-32000]`). */
export const taskPortFirst = 31_000;

/** The highest TCP port. */
export const taskPortLast = 65_535;

/** Each agent gets this many task ports while they fit below `taskPortLast`. */
export const taskPortsPerAgentMax = 1_000;

/** What the machine has, as `os` and `statfs` report it. */
export interface HostCapacity {
  readonly cpuCount: number;
  readonly memoryBytes: number;
  /** Bytes available to unprivileged users on the work directory's filesystem. */
  readonly diskFreeBytes: number;
}

/** An inclusive port range. */
export interface PortRange {
  readonly begin: number;
  readonly end: number;
}

/** One agent's share, in Mesos units (cpus, MB). */
export interface AgentShare {
  readonly cpus: number;
  readonly memoryMb: number;
  readonly diskMb: number;
  readonly ports: PortRange;
}

/** CPUs divided evenly, rounded down to hundredths, never below `cpusPerAgentMin`. */
export function cpusPerAgent(cpuCount: number, agents: number): number {
  // The epsilon keeps 0.29 * 100 = 28.999... from rounding down to 0.28.
  const hundredths = Math.floor((cpuCount / agents) * 100 + 1e-9);
  return Math.max(cpusPerAgentMin, hundredths / 100);
}

/**
 * Memory divided evenly after keeping 1 GiB for the master, berth local and the
 * desktop; on a machine with less than 2 GiB, half is kept instead.
 */
export function memoryPerAgentMb(memoryBytes: number, agents: number): number {
  const reservedBytes = memoryBytes < 2 * gibibyteBytes ? memoryBytes / 2 : gibibyteBytes;
  return Math.floor((memoryBytes - reservedBytes) / agents / mebibyteBytes);
}

/** Free disk divided into `agents + 1` shares: one stays free for logs and the master. */
export function diskPerAgentMb(diskFreeBytes: number, agents: number): number {
  return Math.floor(diskFreeBytes / (agents + 1) / mebibyteBytes);
}

/**
 * Agent `agentIndex` (1-based) gets ports 31000+(i-1)*1000 .. 31000+i*1000-1.
 * With more agents than 1000-port ranges fit below 65535, the ranges shrink
 * evenly so that they stay disjoint and valid.
 */
export function taskPortRange(agentIndex: number, agents: number): PortRange {
  const portsPerAgent = Math.min(taskPortsPerAgentMax, Math.floor((taskPortLast - taskPortFirst + 1) / agents));
  const begin = taskPortFirst + (agentIndex - 1) * portsPerAgent;
  return { begin, end: begin + portsPerAgent - 1 };
}

/** The same share for every agent but the ports; an error when the machine is too small. */
export function agentShare(host: HostCapacity, agentIndex: number, agents: number): Result<AgentShare, string> {
  const memoryMb = memoryPerAgentMb(host.memoryBytes, agents);
  if (memoryMb < memoryPerAgentMbMin) {
    return err(`${agents} agents would get ${memoryMb} MB of memory each; at least ${memoryPerAgentMbMin} MB is needed`);
  }
  const diskMb = diskPerAgentMb(host.diskFreeBytes, agents);
  if (diskMb < 1) return err(`${agents} agents would get no free disk space each; free some space or use fewer agents`);
  return ok({ cpus: cpusPerAgent(host.cpuCount, agents), memoryMb, diskMb, ports: taskPortRange(agentIndex, agents) });
}

/** The share in `--resources` text form: `cpus:2.66;mem:5120;disk:10000;ports:[31000-31999]`. */
export function formatAgentResources(share: AgentShare): string {
  const { cpus, memoryMb, diskMb, ports } = share;
  return `cpus:${cpus};mem:${memoryMb};disk:${diskMb};ports:[${ports.begin}-${ports.end}]`;
}
