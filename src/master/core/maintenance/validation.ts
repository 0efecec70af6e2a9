/**
 * Validation of maintenance requests, with Mesos' texts
 * (src/master/maintenance.cpp): a schedule's windows each name machines, no
 * machine twice, no negative duration, and a machine that is down stays in
 * the schedule until it is brought up.
 */
import { machineKey, type MachineId, type MaintenanceWindow } from '../../registry/registry.js';
import type { Machine } from '../state.js';
import { describeMachine } from './machines.js';

/**
 * Dotted-decimal IPv4 as inet_pton(AF_INET) reads it: four parts of 0-255,
 * no leading zeros. (node:net's isIPv4 says the same, but the core does no
 * I/O imports.)
 */
function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

/** One machine id: at least one field, and an IP that is IPv4. */
export function machineIdError(id: MachineId): string | undefined {
  if (id.hostname === undefined && id.ip === undefined) return "Both 'hostname' and 'ip' for a machine are empty";
  if (id.ip !== undefined && !isIPv4(id.ip)) return `Failed to parse IPv4: ${id.ip}`;
  return undefined;
}

function duplicateError(id: MachineId): string {
  // Mesos says "schedule" for START and STOP's lists too.
  return `Machine '${describeMachine(id)}' appears more than once in the schedule`;
}

export function scheduleError(windows: readonly MaintenanceWindow[], machines: ReadonlyMap<string, Machine>): string | undefined {
  const scheduled = new Set<string>();
  for (const window of windows) {
    if (window.machine_ids.length === 0) return 'List of machines in the maintenance window is empty';
    if ((window.unavailability.duration?.nanoseconds ?? 0) < 0) return "Unavailability 'duration' is negative";
    for (const id of window.machine_ids) {
      const invalid = machineIdError(id);
      if (invalid !== undefined) return invalid;
      const key = machineKey(id);
      if (scheduled.has(key)) return duplicateError(id);
      scheduled.add(key);
    }
  }
  for (const [key, machine] of machines) {
    if (machine.mode === 'DOWN' && !scheduled.has(key)) {
      return `Machine '${describeMachine(machine.id)}' is deactivated and cannot be removed from the schedule`;
    }
  }
  return undefined;
}

/** START_MAINTENANCE and STOP_MAINTENANCE's list (and /machine/down, /machine/up). */
export function machineListError(ids: readonly MachineId[]): string | undefined {
  if (ids.length === 0) return 'List of machines is empty';
  const seen = new Set<string>();
  for (const id of ids) {
    const invalid = machineIdError(id);
    if (invalid !== undefined) return invalid;
    const key = machineKey(id);
    if (seen.has(key)) return duplicateError(id);
    seen.add(key);
  }
  return undefined;
}
