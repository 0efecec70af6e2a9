/**
 * Machines as maintenance knows them (spec/core.md 6.2; Mesos'
 * master::Machine): each one scheduled, down, or that an agent ran on. An
 * agent's machine is its hostname and IP; a machine id matches it when both
 * fields match, the hostname without regard to case and the IP exactly, so a
 * schedule entry with only one of the two is kept and reported but never
 * touches an agent (as in Mesos: "both the hostname and ip fields must
 * match").
 */
import { machineKey, type MachineId, type RegistrySnapshot } from '../../registry/registry.js';
import type { Agent, Machine, MasterState } from '../state.js';

export function agentMachineId(agent: Pick<Agent, 'hostname' | 'ip'>): MachineId {
  return { hostname: agent.hostname, ip: agent.ip };
}

/** A machine id as Mesos prints it in error texts: its JSON, hostname first, only the fields given. */
export function describeMachine(id: MachineId): string {
  return JSON.stringify({ ...(id.hostname !== undefined && { hostname: id.hostname }), ...(id.ip !== undefined && { ip: id.ip }) });
}

/** Empty fields count as absent, so that `{"hostname":"h","ip":""}` and `{"hostname":"h"}` name one machine. */
export function normalizeMachineId(id: { hostname?: string | undefined; ip?: string | undefined }): MachineId {
  return { ...(id.hostname !== undefined && id.hostname !== '' && { hostname: id.hostname }), ...(id.ip !== undefined && id.ip !== '' && { ip: id.ip }) };
}

/** The machines a registry names: scheduled ones are draining, down ones down. */
export function machinesFromRegistry(registry: RegistrySnapshot): Map<string, Machine> {
  const machines = new Map<string, Machine>();
  for (const window of registry.schedule) {
    for (const id of window.machine_ids) {
      machines.set(machineKey(id), { id, mode: 'DRAINING', unavailability: window.unavailability, agents: new Set() });
    }
  }
  for (const id of registry.downMachines) {
    const machine = machines.get(machineKey(id));
    if (machine !== undefined) machine.mode = 'DOWN';
    else machines.set(machineKey(id), { id, mode: 'DOWN', unavailability: undefined, agents: new Set() });
  }
  return machines;
}

export function machineOfAgent(state: MasterState, agent: Pick<Agent, 'hostname' | 'ip'>): Machine | undefined {
  return state.machines.get(machineKey(agentMachineId(agent)));
}

/** Puts a registered agent on its machine (known from now on, UP unless scheduled). */
export function addAgentToMachine(state: MasterState, agent: Agent): Machine {
  const id = agentMachineId(agent);
  const key = machineKey(id);
  let machine = state.machines.get(key);
  if (machine === undefined) {
    machine = { id, mode: 'UP', unavailability: undefined, agents: new Set() };
    state.machines.set(key, machine);
  }
  machine.agents.add(agent.id);
  if (machine.unavailability !== undefined) {
    state.agentMaintenance.set(agent.id, { unavailability: machine.unavailability, statuses: new Map(), outstanding: new Set() });
  }
  return machine;
}

/** Takes an agent off its machine (removed, or its address changed); the machine stays known. */
export function removeAgentFromMachine(state: MasterState, agent: Pick<Agent, 'id' | 'hostname' | 'ip'>): void {
  machineOfAgent(state, agent)?.agents.delete(agent.id);
  state.agentMaintenance.delete(agent.id);
}
