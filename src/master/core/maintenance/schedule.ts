/**
 * The maintenance calls (spec/core.md 6.2; Mesos' master/http.cpp):
 * UPDATE_MAINTENANCE_SCHEDULE puts machines in DRAINING with a window of
 * unavailability, which their agents' offers carry and inverse offers
 * announce; START_MAINTENANCE takes draining machines DOWN, removing their
 * agents (tasks TASK_LOST) and refusing them until STOP_MAINTENANCE brings
 * the machines UP and out of the schedule. Each change is in the registry
 * before it takes effect; all answer 200 with no body.
 *
 * Better than Mesos: a schedule update touches only the machines whose window
 * changed; Mesos rescinds every registered agent's offers on any update.
 */
import type { MaintenanceSchedule, MachineID, OperatorCall } from '../../../protocol/operator.js';
import { machineKey, withoutMachines, type MachineId, type MaintenanceWindow, type Unavailability } from '../../registry/registry.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import { rescindOffer } from '../offers.js';
import type { Machine, MasterState } from '../state.js';
import { removeAgent } from '../agents/removal.js';
import { describeMachine, normalizeMachineId } from './machines.js';
import { rescindInverseOffersOn } from './inverse-offers.js';
import { machineListError, scheduleError } from './validation.js';
import { forbidden, operatorMay } from '../operator/authorize.js';

const ok: Reply = { status: 200 };

function missing(field: string): Reply {
  return { status: 400, body: `Failed to validate master::Call: Expecting '${field}' to be present` };
}

/** The schedule as kept: empty machine fields dropped, unavailability as given. */
export function scheduleWindows(schedule: MaintenanceSchedule): MaintenanceWindow[] {
  return (schedule.windows ?? []).map((window) => ({
    machine_ids: (window.machine_ids ?? []).map(normalizeMachineId),
    unavailability: {
      start: { nanoseconds: window.unavailability.start.nanoseconds },
      ...(window.unavailability.duration !== undefined && { duration: { nanoseconds: window.unavailability.duration.nanoseconds } }),
    },
  }));
}

export function machineIds(machines: readonly MachineID[] | undefined): MachineId[] {
  return (machines ?? []).map(normalizeMachineId);
}

function sameUnavailability(a: Unavailability | undefined, b: Unavailability | undefined): boolean {
  return a?.start.nanoseconds === b?.start.nanoseconds && a?.duration?.nanoseconds === b?.duration?.nanoseconds;
}

/**
 * A machine's window changed: its agents' offers and inverse offers are
 * withdrawn (they told of the old window), earlier answers and filters are
 * forgotten, and the agents are offered again at once, with the new window.
 */
function setUnavailability(ctx: StepContext, machine: Machine, unavailability: Unavailability | undefined): void {
  if (sameUnavailability(machine.unavailability, unavailability)) return;
  const state = ctx.state;
  machine.unavailability = unavailability;
  for (const agentId of machine.agents) {
    const agent = state.agents.get(agentId);
    if (agent === undefined) continue;
    for (const offerId of [...agent.offers]) rescindOffer(ctx, offerId);
    rescindInverseOffersOn(ctx, agent);
    for (const filters of state.inverseOfferFilters.values()) filters.delete(agentId);
    if (unavailability === undefined) state.agentMaintenance.delete(agentId);
    else state.agentMaintenance.set(agentId, { unavailability, statuses: new Map(), outstanding: new Set() });
    ctx.requestAllocation([agentId]);
  }
}

/** Also POST /master/maintenance/schedule, which the HTTP layer turns into this call. */
export function onUpdateMaintenanceSchedule(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const schedule = call.update_maintenance_schedule?.schedule;
  if (schedule === undefined) return missing('update_maintenance_schedule');
  return updateSchedule(ctx, scheduleWindows(schedule), principal);
}

function updateSchedule(ctx: StepContext, windows: MaintenanceWindow[], principal: string | undefined): Reply {
  const state = ctx.state;
  const invalid = scheduleError(windows, state.machines);
  if (invalid !== undefined) return { status: 400, body: invalid };
  if (!operatorMay(state, 'update_maintenance_schedules', principal)) return forbidden;
  ctx.registry({ type: 'update_maintenance_schedule', windows });
  const scheduled = new Map<string, { id: MachineId; unavailability: Unavailability }>();
  for (const window of windows) for (const id of window.machine_ids) scheduled.set(machineKey(id), { id, unavailability: window.unavailability });
  for (const [key, machine] of state.machines) {
    const next = scheduled.get(key);
    if (next !== undefined) {
      // An UP machine entering the schedule is the loop below's.
      if (machine.mode !== 'UP') setUnavailability(ctx, machine, next.unavailability);
      continue;
    }
    machine.mode = 'UP';
    setUnavailability(ctx, machine, undefined);
  }
  for (const [key, next] of scheduled) {
    let machine = state.machines.get(key);
    if (machine === undefined) {
      machine = { id: next.id, mode: 'UP', unavailability: undefined, agents: new Set() };
      state.machines.set(key, machine);
    }
    if (machine.mode !== 'UP') continue;
    machine.mode = 'DRAINING';
    setUnavailability(ctx, machine, next.unavailability);
  }
  state.schedule = windows;
  return ok;
}

/** START_MAINTENANCE or STOP_MAINTENANCE: which machines may change, who may change them, and the change. */
interface ModeChange {
  readonly from: Machine['mode'];
  /** Why a machine in another mode may not change. */
  readonly refusal: string;
  readonly list: 'start_maintenances' | 'stop_maintenances';
  readonly operation: 'start_maintenance' | 'stop_maintenance';
  readonly apply: (ctx: StepContext, machine: Machine) => void;
}

const machineDownWhy = "Operator initiated 'Machine DOWN'";

/** Its agents are told to shut down and removed; agents are refused on it until it is up. */
const bringDown: ModeChange = {
  from: 'DRAINING',
  refusal: 'is not in DRAINING mode and cannot be brought down',
  list: 'start_maintenances',
  operation: 'start_maintenance',
  apply: (ctx, machine) => {
    for (const agentId of [...machine.agents]) {
      const agent = ctx.state.agents.get(agentId);
      if (agent === undefined) continue;
      if (agent.link !== undefined) ctx.sendToAgent(agent, { type: 'SHUTDOWN', shutdown: { message: machineDownWhy } });
      removeAgent(ctx, agent, 'maintenance', `Agent ${agent.hostname} removed: ${machineDownWhy}`);
    }
    machine.mode = 'DOWN';
  },
};

/** Up and out of the schedule; its agents may register again. */
const bringUp: ModeChange = {
  from: 'DOWN',
  refusal: 'is not in DOWN mode and cannot be brought up',
  list: 'stop_maintenances',
  operation: 'stop_maintenance',
  apply: (ctx, machine) => {
    machine.mode = 'UP';
    machine.unavailability = undefined;
    ctx.state.schedule = withoutMachines(ctx.state.schedule, [machine.id]);
  },
};

/** Also POST /master/machine/down. */
export function onStartMaintenance(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  if (call.start_maintenance === undefined) return missing('start_maintenance');
  return changeModes(ctx, machineIds(call.start_maintenance.machines), principal, bringDown);
}

/** Also POST /master/machine/up. */
export function onStopMaintenance(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  if (call.stop_maintenance === undefined) return missing('stop_maintenance');
  return changeModes(ctx, machineIds(call.stop_maintenance.machines), principal, bringUp);
}

function changeModes(ctx: StepContext, ids: MachineId[], principal: string | undefined, change: ModeChange): Reply {
  const state = ctx.state;
  const invalid = machineListError(ids) ?? modeError(ctx, ids, change.from, change.refusal);
  if (invalid !== undefined) return { status: 400, body: invalid };
  if (!operatorMay(state, change.list, principal)) return forbidden;
  const machines = ids.map((id) => asScheduled(state, id));
  ctx.registry({ type: change.operation, machines });
  for (const id of machines) change.apply(ctx, state.machines.get(machineKey(id)) as Machine);
  return ok;
}

/**
 * The machine as the schedule spells it: hostnames match without regard to
 * case, so `machine1` brings down and up the scheduled `Machine1`, and the
 * registry and GET_MAINTENANCE_STATUS keep the one spelling the operator
 * scheduled.
 */
function asScheduled(state: MasterState, id: MachineId): MachineId {
  const key = machineKey(id);
  for (const window of state.schedule) for (const scheduled of window.machine_ids) if (machineKey(scheduled) === key) return scheduled;
  return id;
}

function modeError(ctx: StepContext, ids: readonly MachineId[], mode: Machine['mode'], text: string): string | undefined {
  for (const id of ids) {
    const machine = ctx.state.machines.get(machineKey(id));
    if (machine === undefined) return `Machine '${describeMachine(id)}' is not part of a maintenance schedule`;
    if (machine.mode !== mode) return `Machine '${describeMachine(id)}' ${text}`;
  }
  return undefined;
}
