/**
 * What maintenance reports (GET_MAINTENANCE_SCHEDULE, GET_MAINTENANCE_STATUS,
 * /master/maintenance/schedule and /status), in Mesos' shapes: empty lists
 * are left out, so nothing scheduled reads `{}`.
 */
import type { MachineId, MaintenanceWindow } from '../registry/registry.js';
import type { MasterState } from '../core/state.js';
import { operatorMay } from '../core/operator/authorize.js';

/** What `principal` may see of the schedule: all of it, or nothing (Mesos' machines are implicit objects). */
export function maintenanceSchedule(state: MasterState, principal: string | undefined): { windows?: readonly MaintenanceWindow[] } {
  return state.schedule.length > 0 && operatorMay(state, 'get_maintenance_schedules', principal) ? { windows: state.schedule } : {};
}

interface InverseOfferStatus {
  status: 'ACCEPT' | 'DECLINE';
  framework_id: { value: string };
  timestamp: { nanoseconds: number };
}

/** Draining machines with what frameworks answered for their agents, and down machines; nothing for a principal who may not see them. */
export function maintenanceStatus(
  state: MasterState,
  principal: string | undefined,
): {
  draining_machines?: { id: MachineId; statuses?: InverseOfferStatus[] }[];
  down_machines?: MachineId[];
} {
  if (!operatorMay(state, 'get_maintenance_statuses', principal)) return {};
  const draining: { id: MachineId; statuses?: InverseOfferStatus[] }[] = [];
  const down: MachineId[] = [];
  for (const machine of state.machines.values()) {
    if (machine.mode === 'DOWN') down.push(machine.id);
    if (machine.mode !== 'DRAINING') continue;
    const statuses: InverseOfferStatus[] = [];
    for (const agentId of machine.agents) {
      for (const [frameworkId, answer] of state.agentMaintenance.get(agentId)?.statuses ?? []) {
        statuses.push({ status: answer.status, framework_id: { value: frameworkId }, timestamp: { nanoseconds: answer.timestampMs * 1_000_000 } });
      }
    }
    draining.push({ id: machine.id, ...(statuses.length > 0 && { statuses }) });
  }
  return { ...(draining.length > 0 && { draining_machines: draining }), ...(down.length > 0 && { down_machines: down }) };
}
