/**
 * The allocator benchmark in the shape of Mesos' DeclineOffers
 * (src/tests/hierarchical_allocator_tests.cpp, HierarchicalAllocator_BENCHMARK_Test):
 * agents of cpus:24;mem:4096;disk:4096;ports:[31000-32000], each with
 * cpus:16;mem:2014;disk:1024 and 16 ports already used by one framework
 * (round robin), all frameworks in role `*`; every round each framework
 * declines all its offers with an unlimited filter, then the next allocation
 * cycle is timed. Runs on the deterministic harness: the real master core, no
 * sockets, a fake clock.
 */
import { Harness } from '../src/testing/harness.js';
import type { LinkRequest, ReportedTask } from '../src/protocol/internal.js';
import type { SimFramework } from '../src/testing/sim-framework.js';

export interface DeclineOffersResult {
  readonly agents: number;
  readonly frameworks: number;
  readonly rounds: number;
  readonly roundsOfMesos: number;
  readonly cycleMs: number[];
  readonly offersPerRound: number[];
  readonly setupMs: number;
}

/** Mesos' benchmark declines with refuse_seconds = INT_MAX (capped at 365 days by the allocator). */
const refuseForeverSeconds = 2_147_483_647;

/** 16 port ranges fragmenting [31000-32000], as Mesos' fragment(createRange(31000, 32000), 16). */
function usedPorts(): { begin: number; end: number }[] {
  const ranges = [];
  for (let i = 0; i < 16; i++) ranges.push({ begin: 31000 + i * 60, end: 31000 + i * 60 + 29 });
  return ranges;
}

function usedTask(frameworkId: string, agentIndex: number, role: string): ReportedTask {
  const resources = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 16 }, allocation_info: { role } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 2014 }, allocation_info: { role } },
    { name: 'disk', type: 'SCALAR', scalar: { value: 1024 }, allocation_info: { role } },
    { name: 'ports', type: 'RANGES', ranges: { range: usedPorts() }, allocation_info: { role } },
  ];
  return {
    framework_id: { value: frameworkId },
    task: { name: `used-${agentIndex}`, task_id: { value: `used-${agentIndex}` }, agent_id: { value: `bench-S${agentIndex}` }, resources },
    state: 'TASK_RUNNING',
  } as unknown as ReportedTask;
}

/** Called around each timed cycle (the profiler starts and stops there). */
export interface CycleHooks {
  readonly beforeCycle?: () => void;
  /** Sees each framework's outstanding offers after the cycle (bench/decline-digest.ts hashes them). */
  readonly afterCycle?: (frameworks: readonly SimFramework[]) => void;
}

/**
 * What differs from Mesos' shape (bench/allocation-with-volumes.ts): by
 * default, nothing.
 */
export interface AgentLayout {
  /** The frameworks' one role, which the tasks already running are allocated to; default `*`. */
  readonly role?: string;
  /** Dynamic reservations and persistent volumes agent `agentIndex` re-registers with; default none. */
  readonly checkpointedResources?: (agentIndex: number) => NonNullable<LinkRequest['checkpointed_resources']>;
}

/** One benchmark's cluster, set up; each `round()` declines every outstanding offer and times one cycle. */
export interface DeclineOffersCluster {
  readonly frameworks: readonly SimFramework[];
  readonly setupMs: number;
  round(hooks?: CycleHooks): { readonly cycleMs: number; readonly offers: number };
}

export function setUpDeclineOffers(agentCount: number, frameworkCount: number, layout: AgentLayout = {}): DeclineOffersCluster {
  const role = layout.role ?? '*';
  const setupStart = performance.now();
  // Pings and heartbeats would fire inside the timed ticks; Mesos' benchmark has neither.
  const quietMs = 24 * 3600 * 1000;
  const h = new Harness({ seed: 42, config: { agentPingTimeoutMs: quietMs, heartbeatIntervalMs: quietMs } });
  const frameworks: SimFramework[] = [];
  for (let i = 0; i < frameworkCount; i++) frameworks.push(h.subscribe({ name: `fw${i}`, roles: [role], recordEvents: false }));
  for (let i = 0; i < agentCount; i++) {
    const owner = frameworks[i % frameworkCount] as SimFramework;
    h.addAgent({
      agentId: `bench-S${i}`,
      resources: 'cpus:24;mem:4096;disk:4096;ports:[31000-32000]',
      tasks: [usedTask(owner.id ?? '', i, role)],
      frameworks: [owner.info()],
      ...(layout.checkpointedResources !== undefined ? { checkpointedResources: layout.checkpointedResources(i), resourceVersion: `bench-v${i}` } : {}),
    });
  }
  const setupMs = performance.now() - setupStart;
  // The agents' registrations asked for allocations: run them now, untimed, as Mesos' setup does.
  h.settle();
  return {
    frameworks,
    setupMs,
    round(hooks: CycleHooks = {}) {
      for (const framework of frameworks) if (framework.offers.size > 0) framework.declineAll(refuseForeverSeconds);
      const before = countOffers(frameworks);
      hooks.beforeCycle?.();
      const start = performance.now();
      h.advance(h.state.config.allocationIntervalMs);
      const cycleMs = performance.now() - start;
      hooks.afterCycle?.(frameworks);
      return { cycleMs, offers: countOffers(frameworks) - before };
    },
  };
}

export function runDeclineOffers(agentCount: number, frameworkCount: number, maxRounds: number, hooks: CycleHooks = {}): DeclineOffersResult {
  const cluster = setUpDeclineOffers(agentCount, frameworkCount);
  const roundsOfMesos = frameworkCount * 2;
  const rounds = Math.min(roundsOfMesos, maxRounds);
  const cycleMs: number[] = [];
  const offersPerRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const result = cluster.round(hooks);
    cycleMs.push(result.cycleMs);
    offersPerRound.push(result.offers);
  }
  return { agents: agentCount, frameworks: frameworkCount, rounds, roundsOfMesos, cycleMs, offersPerRound, setupMs: cluster.setupMs };
}

function countOffers(frameworks: readonly SimFramework[]): number {
  let total = 0;
  for (const framework of frameworks) total += framework.offers.size;
  return total;
}
