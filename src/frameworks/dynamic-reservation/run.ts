/**
 * `berth framework dynamic-reservation`: options checked, the machine built,
 * driven against the master, and the summary printed (a table of agents and
 * their tasks, or JSON with --json).
 */
import type { Resources } from '../../resources/index.js';
import { runReferenceFramework } from '../run-reference.js';
import { referenceFrameworkInfo } from '../framework-info.js';
import { formatElapsed, type OutputOptions } from '../output.js';
import { processTerminal, type Terminal } from '../../lib/terminal.js';
import type { Reserver } from '../resources.js';
import { DynamicReservationMachine, type DynamicReservationSummary } from './machine.js';

export const dynamicReservationCommand = 'berth framework dynamic-reservation';

export interface DynamicReservationOptions {
  readonly masters: readonly string[];
  readonly reserver: Reserver;
  readonly user: string;
  readonly taskCount: number;
  readonly command: string;
  /** Each task's resources, unreserved. */
  readonly taskResources: Resources;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly quiet: boolean;
}

export async function runDynamicReservation(options: DynamicReservationOptions, terminal: Terminal = processTerminal()): Promise<number> {
  const output: OutputOptions = { command: dynamicReservationCommand, json: options.json, quiet: options.quiet };
  const machine = new DynamicReservationMachine({
    reserver: options.reserver,
    taskCount: options.taskCount,
    command: options.command,
    taskResources: options.taskResources,
  });
  return runReferenceFramework(terminal, output, {
    masters: options.masters,
    frameworkInfo: referenceFrameworkInfo({
      name: 'Dynamic Reservation Framework (berth)',
      user: options.user,
      reserver: options.reserver,
      sharedResources: false,
    }),
    machine,
    timeoutMs: options.timeoutMs,
    table,
    closing,
  });
}

function table(summary: DynamicReservationSummary): string[][] {
  return [['AGENT', 'TASKS'], ...summary.agents.map((agent) => [agent.agent_id, agent.tasks.join(', ')])];
}

function closing(summary: DynamicReservationSummary, elapsedMs: number): string {
  const agents = summary.agents.length;
  return (
    `${summary.tasks_finished} tasks finished on ${agents} agent${agents === 1 ? '' : 's'} in ${formatElapsed(elapsedMs)}; ` +
    `${summary.reservation} reserved per agent for role '${summary.role}', and released`
  );
}
