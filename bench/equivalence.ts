/**
 * A behaviour fingerprint of the allocator, for performance work: a seeded,
 * randomised workload drives the Allocator directly (reservations, refined
 * reservations, shared and persistent volumes, revocable resources, GPUs,
 * quota guarantees and limits, weights, partial declines with filters,
 * suppress and revive, agents and frameworks coming and going) and hashes
 * every plan (offers in order, their resources and their wire form) and the
 * bookkeeping after it. A change that only makes things faster must leave the
 * printed digests unchanged.
 *
 * Usage: node dist/bench/equivalence.js [seeds] [steps]
 */
import { createHash, type Hash } from 'node:crypto';
import { SeededRandom, type Random } from '../src/lib/random.js';
import { Allocator } from '../src/master/allocator/allocator.js';
import { allocate } from '../src/master/allocator/allocate.js';
import { OfferConstraintFilter } from '../src/master/allocator/offer-constraints.js';
import type { FrameworkPolicy, PlannedOffer } from '../src/master/allocator/types.js';
import type { SorterKind } from '../src/master/allocator/sorter/sorter.js';
import { resourcesForFramework } from '../src/master/core/resources-out.js';
import type { Framework } from '../src/master/core/state.js';
import type { FrameworkCapability } from '../src/protocol/mesos.js';
import { parseMinAllocatable, Resources, ResourceQuantities, type Resource, type ReservationInfo } from '../src/resources/index.js';

const roles = ['*', 'eng', 'eng/fe', 'ops', 'dev'] as const;
const capabilityPool: FrameworkCapability[] = ['MULTI_ROLE', 'SHARED_RESOURCES', 'REVOCABLE_RESOURCES', 'RESERVATION_REFINEMENT', 'GPU_RESOURCES'];

function pick<T>(random: Random, items: readonly T[]): T {
  return items[random.int(items.length)] as T;
}

function chance(random: Random, probability: number): boolean {
  return random.next() < probability;
}

function reservationFor(random: Random, role: string): ReservationInfo[] {
  if (role === 'eng/fe') return [{ type: 'DYNAMIC', role: 'eng', principal: 'p' }, { type: 'DYNAMIC', role: 'eng/fe' }];
  if (chance(random, 0.5)) return [{ type: 'STATIC', role }];
  return [{ type: 'DYNAMIC', role, principal: 'alice', ...(chance(random, 0.5) ? { labels: { labels: [{ key: 'k', value: 'v' }] } } : {}) }];
}

function agentTotal(random: Random, index: number): Resources {
  const list: Resource[] = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 1 + random.int(16) }, reservations: [] },
    { name: 'mem', type: 'SCALAR', scalar: { value: 256 * (1 + random.int(16)) }, reservations: [] },
    { name: 'disk', type: 'SCALAR', scalar: { value: 1024 }, reservations: [] },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31000 + random.int(100) }, { begin: 32000, end: 32010 }] }, reservations: [] },
  ];
  if (chance(random, 0.3)) list.push({ name: 'gpus', type: 'SCALAR', scalar: { value: 1 + random.int(2) }, reservations: [] });
  for (let i = random.int(3); i > 0; i--) {
    const role = pick(random, roles.slice(1));
    list.push({ name: pick(random, ['cpus', 'mem']), type: 'SCALAR', scalar: { value: 0.5 + random.int(4) }, reservations: reservationFor(random, role) });
  }
  if (chance(random, 0.3)) list.push({ name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, reservations: [], revocable: {} });
  if (chance(random, 0.4)) {
    const role = pick(random, ['eng', 'ops']);
    list.push({
      name: 'disk',
      type: 'SCALAR',
      scalar: { value: 64 },
      reservations: [{ type: 'DYNAMIC', role, principal: 'alice' }],
      disk: { persistence: { id: `pv-${index}`, principal: 'alice' }, volume: { container_path: 'data', mode: 'RW' } },
      ...(chance(random, 0.6) ? { shared: {} } : {}),
    });
  }
  if (chance(random, 0.2)) {
    list.push({ name: 'disk', type: 'SCALAR', scalar: { value: 2048 }, reservations: [], disk: { source: { type: 'MOUNT', mount: { root: '/mnt/a' } } } });
  }
  return Resources.of(list);
}

function frameworkPolicy(random: Random): FrameworkPolicy {
  const frameworkRoles = new Set<string>();
  for (const role of roles) if (chance(random, 0.4)) frameworkRoles.add(role);
  if (frameworkRoles.size === 0) frameworkRoles.add(pick(random, roles));
  const capabilities = new Set<FrameworkCapability>(capabilityPool.filter(() => chance(random, 0.5)));
  const minAllocatable = new Map<string, readonly ResourceQuantities[]>();
  if (chance(random, 0.2)) {
    const parsed = parseMinAllocatable(pick(random, ['cpus:4', 'mem:1024|cpus:2', 'ports:5']));
    if (parsed.ok) minAllocatable.set(pick(random, [...frameworkRoles]), parsed.value);
  }
  return { roles: frameworkRoles, suppressedRoles: new Set(), capabilities, minAllocatable, constraints: OfferConstraintFilter.none };
}

/** A random part of an offer: some entries, scalars possibly halved. */
function partOf(random: Random, resources: Resources): Resources {
  const kept: Resource[] = [];
  for (const resource of resources.toList()) {
    if (!chance(random, 0.6)) continue;
    if (resource.type === 'SCALAR' && resource.disk === undefined && resource.shared === undefined && chance(random, 0.3)) {
      kept.push({ ...resource, scalar: { value: Math.max(0.001, Math.round((resource.scalar?.value ?? 0) * 500) / 1000) } });
    } else {
      kept.push(resource);
    }
  }
  return Resources.of(kept);
}

interface Outstanding {
  readonly frameworkId: string;
  readonly agentId: string;
  resources: Resources;
}

function wireOf(offer: PlannedOffer, capabilities: ReadonlySet<FrameworkCapability>): string {
  return JSON.stringify(resourcesForFramework({ capabilities } as unknown as Framework, offer.resources));
}

function runWorkload(seed: number, steps: number, sorter: SorterKind, hash: Hash): number {
  const random = new SeededRandom(seed);
  const allocationRandom = new SeededRandom(seed + 1000);
  const minAllocatable = parseMinAllocatable('cpus:0.01|mem:32');
  if (!minAllocatable.ok) throw new Error(minAllocatable.error);
  const allocator = new Allocator({
    allocationIntervalMs: 1000,
    minAllocatable: minAllocatable.value,
    filterGpuResources: true,
    fairnessExcludedNames: new Set(),
    roleSorter: sorter,
    frameworkSorter: sorter,
  });
  const frameworks = new Map<string, FrameworkPolicy>();
  const outstanding: Outstanding[] = [];
  let nowMs = 0;
  let agentNumber = 0;
  let frameworkNumber = 0;
  let offers = 0;
  const addAgent = (): void => {
    const id = `a${agentNumber++}`;
    allocator.addAgent(id, { hostname: id, attributes: [] }, new Set(['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT']), agentTotal(random, agentNumber), new Map());
  };
  const addFramework = (): void => {
    const id = `f${frameworkNumber++}`;
    const policy = frameworkPolicy(random);
    frameworks.set(id, policy);
    allocator.addFramework(id, policy, true);
  };
  for (let i = 0; i < 12; i++) addAgent();
  for (let i = 0; i < 6; i++) addFramework();
  for (let step = 0; step < steps; step++) {
    nowMs += 500;
    const action = random.int(100);
    if (action < 30) {
      allocator.expireFilters(nowMs);
      const agentIds = chance(random, 0.2) ? [...allocator.agents.keys()].filter(() => chance(random, 0.5)) : undefined;
      const plan = allocate(allocator, { random: allocationRandom, ...(agentIds !== undefined ? { agentIds } : {}) });
      // Sometimes the state changes between the run and the apply (a plan is applied to live state).
      if (chance(random, 0.15) && frameworks.size > 0) allocator.deactivateFramework(pick(random, [...frameworks.keys()]));
      else if (chance(random, 0.1)) allocator.updateWeights(new Map([[pick(random, ['eng', 'ops']), pick(random, [1, 3])]]));
      allocator.applyPlan(plan);
      for (const offer of plan.offers) {
        offers++;
        hash.update(`offer ${offer.frameworkId} ${offer.agentId} ${offer.role} ${offer.resources.toString()} ${offer.resources.key()}\n`);
        hash.update(`wire ${wireOf(offer, frameworks.get(offer.frameworkId)?.capabilities ?? new Set())}\n`);
        outstanding.push({ frameworkId: offer.frameworkId, agentId: offer.agentId, resources: offer.resources });
      }
      for (const [id, agent] of allocator.agents) hash.update(`available ${id} ${agent.available.key()}\n`);
    } else if (action < 60 && outstanding.length > 0) {
      const index = random.int(outstanding.length);
      const offer = outstanding[index] as Outstanding;
      const part = chance(random, 0.6) ? offer.resources : partOf(random, offer.resources);
      const refuse = pick(random, [undefined, 0, 1, 5, 3600, 2_147_483_647]);
      allocator.recoverResources(offer.frameworkId, offer.agentId, part, refuse, nowMs);
      offer.resources = offer.resources.minus(part);
      if (offer.resources.isEmpty()) outstanding.splice(index, 1);
    } else if (action < 66 && frameworks.size > 0) {
      const id = pick(random, [...frameworks.keys()]);
      const role = pick(random, [...(frameworks.get(id)?.roles ?? [])]);
      if (chance(random, 0.5)) allocator.suppressRoles(id, [role]);
      else allocator.reviveRoles(id, [role]);
    } else if (action < 70 && frameworks.size > 0) {
      const id = pick(random, [...frameworks.keys()]);
      if (chance(random, 0.5)) allocator.deactivateFramework(id);
      else allocator.activateFramework(id);
    } else if (action < 73) {
      const role = pick(random, ['eng', 'ops', 'dev']);
      const cpus = random.int(12) * 1000;
      const guarantees = new Map(chance(random, 0.5) ? [['cpus', cpus]] : []);
      const limits = new Map(chance(random, 0.5) ? [['cpus', cpus + 4000], ['mem', 8192 * 1000]] : []);
      allocator.updateQuota(role, { guarantees, limits });
    } else if (action < 75) {
      allocator.updateWeights(new Map([[pick(random, ['eng', 'ops', 'dev']), pick(random, [1, 2, 0.5])]]));
    } else if (action < 78) {
      addAgent();
    } else if (action < 80 && allocator.agents.size > 4) {
      const id = pick(random, [...allocator.agents.keys()]);
      allocator.removeAgent(id);
      for (let i = outstanding.length - 1; i >= 0; i--) if (outstanding[i]?.agentId === id) outstanding.splice(i, 1);
    } else if (action < 82) {
      const id = pick(random, [...allocator.agents.keys()]);
      if (chance(random, 0.5)) allocator.deactivateAgent(id);
      else allocator.activateAgent(id);
    } else if (action < 84) {
      addFramework();
    } else if (action < 85 && frameworks.size > 2) {
      const id = pick(random, [...frameworks.keys()]);
      allocator.removeFramework(id);
      frameworks.delete(id);
      for (let i = outstanding.length - 1; i >= 0; i--) if (outstanding[i]?.frameworkId === id) outstanding.splice(i, 1);
    } else {
      nowMs += random.int(20_000);
    }
  }
  for (const [id, framework] of allocator.frameworks) {
    for (const role of framework.roles) hash.update(`share ${id} ${role} ${allocator.frameworkSorter(role)?.share(id) ?? -1}\n`);
  }
  return offers;
}

function main(): void {
  const seeds = Number(process.argv[2] ?? 40);
  const steps = Number(process.argv[3] ?? 400);
  for (const sorter of ['drf', 'random'] as const) {
    const hash = createHash('sha256');
    let offers = 0;
    for (let seed = 1; seed <= seeds; seed++) offers += runWorkload(seed, steps, sorter, hash);
    process.stdout.write(`${sorter}: ${seeds} seeds x ${steps} steps, ${offers} offers, digest ${hash.digest('hex')}\n`);
  }
}

main();
