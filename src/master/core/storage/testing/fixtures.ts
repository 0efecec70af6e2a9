/**
 * Builders for the master's storage tests through the harness: wire resources
 * (canonical form, as a framework with RESERVATION_REFINEMENT sends them),
 * offer operations, tasks, and the few steps every scenario repeats
 * (subscribe a storage framework, add an agent, accept, end a task).
 */
import { Harness } from '../../../../testing/harness.js';
import type { SimAgent, SimAgentOptions } from '../../../../testing/sim-agent.js';
import type { SimFramework, SimFrameworkOptions } from '../../../../testing/sim-framework.js';
import type { WireOffer } from '../../../../protocol/outputs.js';
import type { Reply } from '../../events.js';

export type WireResource = Record<string, unknown> & { name: string };

export const principal = 'alice';

/** Every capability a storage framework may need. */
export const storageFrameworkCapabilities = ['MULTI_ROLE', 'RESERVATION_REFINEMENT', 'SHARED_RESOURCES'];

export function scalar(name: string, value: number): WireResource {
  return { name, type: 'SCALAR', scalar: { value } };
}

/** `resource` dynamically reserved for `role` by alice. */
export function reserved(resource: WireResource, role = 'eng'): WireResource {
  return { ...resource, reservations: [{ type: 'DYNAMIC', role, principal }] };
}

export interface VolumeOptions {
  readonly role?: string;
  readonly containerPath?: string;
  readonly shared?: boolean;
}

/** A persistent volume on the ROOT disk, reserved for `role` (eng) by alice. */
export function volume(size: number, id: string, options: VolumeOptions = {}): WireResource {
  return {
    ...reserved(scalar('disk', size), options.role ?? 'eng'),
    disk: { persistence: { id, principal }, volume: { container_path: options.containerPath ?? 'data', mode: 'RW' } },
    ...(options.shared === true ? { shared: {} } : {}),
  };
}

type Id = { id?: { value: string } };

const withId = (id: string | undefined): Id => (id === undefined ? {} : { id: { value: id } });

export const reserve = (resources: WireResource[], id?: string) => ({ type: 'RESERVE', ...withId(id), reserve: { resources } });
export const unreserve = (resources: WireResource[], id?: string) => ({ type: 'UNRESERVE', ...withId(id), unreserve: { resources } });
export const create = (volumes: WireResource[], id?: string) => ({ type: 'CREATE', ...withId(id), create: { volumes } });
export const destroy = (volumes: WireResource[], id?: string) => ({ type: 'DESTROY', ...withId(id), destroy: { volumes } });
export const grow = (target: WireResource, addition: WireResource, id?: string) => ({
  type: 'GROW_VOLUME',
  ...withId(id),
  grow_volume: { volume: target, addition },
});
export const shrink = (target: WireResource, subtract: number, id?: string) => ({
  type: 'SHRINK_VOLUME',
  ...withId(id),
  shrink_volume: { volume: target, subtract: { value: subtract } },
});
export const launch = (tasks: object[]) => ({ type: 'LAUNCH', launch: { task_infos: tasks } });

export function task(agent: SimAgent, id: string, resources: WireResource[]) {
  return { name: id, task_id: { value: id }, agent_id: { value: agent.id ?? '' }, resources, command: { value: 'sleep 100' } };
}

export interface StorageSetup {
  readonly h: Harness;
  readonly framework: SimFramework;
  readonly agent: SimAgent;
}

export interface StorageSetupOptions {
  readonly framework?: SimFrameworkOptions;
  readonly agent?: SimAgentOptions;
}

/**
 * One framework of role "eng" (principal alice) with every storage
 * capability, and one agent with `cpus:4;mem:4096;disk:4096` and every
 * storage capability; the framework holds the agent's first offer.
 */
export function storageSetup(options: StorageSetupOptions = {}): StorageSetup {
  const h = new Harness();
  const framework = h.subscribe({
    roles: ['eng'],
    capabilities: storageFrameworkCapabilities,
    info: { principal },
    ...options.framework,
  });
  const agent = h.addAgent({ resources: 'cpus:4;mem:4096;disk:4096', ...options.agent });
  h.settle();
  return { h, framework, agent };
}

/** The framework's only outstanding offer; fails the test otherwise. */
export function onlyOffer(framework: SimFramework): WireOffer {
  const offers = framework.currentOffers();
  if (offers.length !== 1) throw new Error(`expected one outstanding offer, got ${offers.length}`);
  return offers[0] as WireOffer;
}

/** ACCEPT of `offerIds` (forgotten by the simulation: they are consumed) with `operations`. */
export function accept(framework: SimFramework, offerIds: string[], operations: object[], refuseSeconds?: number): Reply | undefined {
  for (const id of offerIds) framework.offers.delete(id);
  return framework.call({
    type: 'ACCEPT',
    accept: {
      offer_ids: offerIds.map((value) => ({ value })),
      operations,
      ...(refuseSeconds !== undefined ? { filters: { refuse_seconds: refuseSeconds } } : {}),
    },
  } as never);
}

/** The persistent volumes of an offer, as `id` → size. */
export function volumesIn(offer: WireOffer): Map<string, number> {
  const volumes = new Map<string, number>();
  for (const resource of offer.resources as WireResource[]) {
    const id = (resource['disk'] as { persistence?: { id: string } } | undefined)?.persistence?.id;
    if (id !== undefined) volumes.set(id, (resource['scalar'] as { value: number }).value);
  }
  return volumes;
}

/** The roles the resources of an offer are reserved for ('*' for unreserved ones), sorted and distinct. */
export function reservationRolesIn(offer: WireOffer): string[] {
  const roles = new Set<string>();
  for (const resource of offer.resources as WireResource[]) {
    const stack = (resource['reservations'] as { role: string }[] | undefined) ?? [];
    roles.add(stack.at(-1)?.role ?? '*');
  }
  return [...roles].sort();
}

/** Plain disk of an offer reserved for `role` (ROOT, no volume), in MB. */
export function reservedDiskIn(offer: WireOffer, role = 'eng'): number {
  let total = 0;
  for (const resource of offer.resources as WireResource[]) {
    const stack = (resource['reservations'] as { role: string }[] | undefined) ?? [];
    if (resource.name !== 'disk' || resource['disk'] !== undefined || stack.at(-1)?.role !== role) continue;
    total += (resource['scalar'] as { value: number }).value;
  }
  return total;
}

let statusNumber = 0;

/** The agent reports `taskId` ended (TASK_FINISHED) and the framework acknowledges the update. */
export function finishTask(agent: SimAgent, framework: SimFramework, taskId: string): void {
  const uuid = Buffer.alloc(16, 200 + (++statusNumber % 50)).toString('base64');
  agent.send({
    type: 'STATUS_UPDATE',
    status_update: {
      framework_id: { value: framework.id ?? '' },
      status: { task_id: { value: taskId }, state: 'TASK_FINISHED', source: 'SOURCE_EXECUTOR', uuid, agent_id: { value: agent.id ?? '' } },
    },
  });
  framework.call({
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: { value: agent.id ?? '' }, task_id: { value: taskId }, uuid },
  } as never);
}

/** The status updates of tasks the framework received, as [task id, state, message]. */
export function taskUpdates(framework: SimFramework): [string, string, string | undefined][] {
  return framework.eventsOf('UPDATE').map((e) => [e.update.status.task_id.value, e.update.status.state, e.update.status.message]);
}

/** The types of the records the agent received, without the pings. */
export function receivedTypes(agent: SimAgent): string[] {
  return agent.received.map((record) => record.type).filter((type) => type !== 'PING');
}
