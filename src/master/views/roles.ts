/**
 * Roles as the master reports them (Mesos' knownRoles and RoleResourceBreakdown,
 * spec/core.md 6.2 GET_ROLES and 6.4 /master/roles): which roles exist, which
 * frameworks belong to each, and per role the quantities allocated, offered,
 * reserved and consumed against quota. Every quantity covers the role's subtree
 * (`eng` includes `eng/backend`).
 */
import { isStrictSubRole, reservationRole, ResourceQuantities, roleAncestors, Resources } from '../../resources/index.js';
import type { Resource } from '../../resources/index.js';
import type { MasterState } from '../core/state.js';
import { isDefaultQuota } from '../allocator/quota.js';
import { agentUsed, frameworkOffered, frameworkUsed } from './usage.js';

/** The weight of a role without an explicit one. */
export const defaultWeight = 1;

/** Usage computed once per roles view: walking the tasks once, not once per role. */
export interface RoleUsage {
  /** Registered frameworks only (Mesos' breakdown ignores completed ones). */
  readonly usedByFramework: ReadonlyMap<string, Resources>;
  readonly offeredByFramework: ReadonlyMap<string, Resources>;
  /** Registered agents: everything used on each, over all frameworks. */
  readonly usedByAgent: ReadonlyMap<string, Resources>;
}

export interface RoleBreakdown {
  readonly allocated: ResourceQuantities;
  readonly offered: ResourceQuantities;
  readonly reserved: ResourceQuantities;
  /** Quota consumption: allocations plus reservations nobody uses (spec/core.md 4.8). */
  readonly consumed: ResourceQuantities;
}

export function roleUsage(state: MasterState): RoleUsage {
  const usedByFramework = new Map<string, Resources>();
  const offeredByFramework = new Map<string, Resources>();
  for (const framework of state.frameworks.values()) {
    usedByFramework.set(framework.id, frameworkUsed(framework));
    offeredByFramework.set(framework.id, frameworkOffered(state, framework));
  }
  const usedByAgent = new Map<string, Resources>();
  for (const agent of state.agents.values()) usedByAgent.set(agent.id, agentUsed(state, agent));
  return { usedByFramework, offeredByFramework, usedByAgent };
}

function inSubtree(role: string, root: string): boolean {
  return role === root || isStrictSubRole(role, root);
}

function allocatedToSubtree(resources: Resources, root: string): Resources {
  return resources.filter((r: Resource) => r.allocation_info !== undefined && inSubtree(r.allocation_info.role, root));
}

function reservedToSubtree(resources: Resources, root: string): Resources {
  return resources.filter((r: Resource) => r.reservations.length > 0 && inSubtree(reservationRole(r), root));
}

function sumQuantities(all: Iterable<Resources>, select: (resources: Resources) => Resources): ResourceQuantities {
  let total = ResourceQuantities.empty();
  for (const resources of all) total = total.plus(select(resources).quantities());
  return total;
}

export function roleBreakdown(state: MasterState, usage: RoleUsage, role: string): RoleBreakdown {
  const allocated = sumQuantities(usage.usedByFramework.values(), (r) => allocatedToSubtree(r, role));
  const offered = sumQuantities(usage.offeredByFramework.values(), (r) => allocatedToSubtree(r, role));
  let reserved = ResourceQuantities.empty();
  let unallocatedReservation = ResourceQuantities.empty();
  for (const agent of state.agents.values()) {
    const agentReserved = reservedToSubtree(agent.totalResources, role).quantities();
    const used = reservedToSubtree(usage.usedByAgent.get(agent.id) ?? Resources.empty(), role).quantities();
    reserved = reserved.plus(agentReserved);
    // Per agent, floored at zero, as Mesos subtracts ResourceQuantities.
    unallocatedReservation = unallocatedReservation.plus(agentReserved.minus(used));
  }
  return { allocated, offered, reserved, consumed: allocated.plus(unallocatedReservation) };
}

/** Roles each registered framework belongs to: subscribed, or holding resources allocated to it. */
export function roleFrameworks(state: MasterState, usage: RoleUsage): Map<string, string[]> {
  const byRole = new Map<string, string[]>();
  const add = (role: string, frameworkId: string): void => {
    const list = byRole.get(role) ?? [];
    if (!list.includes(frameworkId)) list.push(frameworkId);
    byRole.set(role, list);
  };
  for (const framework of state.frameworks.values()) {
    for (const role of framework.roles) add(role, framework.id);
    for (const held of [usage.usedByFramework.get(framework.id), usage.offeredByFramework.get(framework.id)]) {
      for (const { resource } of held?.entries ?? []) {
        if (resource.allocation_info !== undefined) add(resource.allocation_info.role, framework.id);
      }
    }
  }
  return byRole;
}

/**
 * Mesos' knownRoles(): with a `--roles` whitelist, the whitelist; otherwise the
 * roles of frameworks, of reservations, with weights or with quota; always with
 * their ancestors, sorted.
 */
export function knownRoles(state: MasterState, usage: RoleUsage): string[] {
  const roles = new Set<string>();
  const insert = (role: string): void => {
    roles.add(role);
    for (const ancestor of roleAncestors(role)) roles.add(ancestor);
  };
  const whitelist = state.config.rolesWhitelist;
  if (whitelist !== undefined) {
    for (const role of whitelist) insert(role);
  } else {
    for (const role of roleFrameworks(state, usage).keys()) insert(role);
    for (const agent of state.agents.values()) for (const role of agent.totalResources.reservations().keys()) insert(role);
    for (const role of state.allocator.weights.keys()) insert(role);
    for (const role of quotaRoles(state)) insert(role);
  }
  return [...roles].sort();
}

/** Roles with a quota other than the default (no guarantees, no limits), sorted. */
export function quotaRoles(state: MasterState): string[] {
  const roles: string[] = [];
  for (const node of state.allocator.roles.nodes.values()) if (!isDefaultQuota(node.quota)) roles.push(node.role);
  return roles.sort();
}

export function roleWeight(state: MasterState, role: string): number {
  return state.allocator.weights.get(role) ?? defaultWeight;
}
