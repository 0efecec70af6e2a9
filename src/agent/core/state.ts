/**
 * The agent's soft state as the core sees it: its id, and the link to the
 * master. The link goes none -> linking -> linked, and back to none when it
 * breaks; each attempt uses a new, larger epoch.
 */
import type { Random } from '../../lib/random.js';
import type { DrainConfig } from '../../protocol/internal.js';
import type { WireMasterInfo } from '../../protocol/outputs.js';
import type { AgentConfig } from './config.js';
import type { AgentFramework, StatusStream } from './model.js';
import { applyCheckpointedResources, type Resources } from '../../resources/index.js';
import type { ResourceState } from '../volumes/resource-state.js';
import { assert } from '../../lib/assert.js';

export type LinkState =
  | { readonly status: 'none'; readonly nextAttemptMs: number; readonly failures: number }
  | { readonly status: 'linking'; readonly epoch: number; readonly failures: number }
  | {
      readonly status: 'linked';
      readonly epoch: number;
      readonly master: WireMasterInfo;
      readonly pingTimeoutMs: number;
      lastHeardMs: number;
      /** Next agent-to-master sequence number on this link. */
      nextSeq: number;
      /** Last master-to-agent sequence number received on this link. */
      lastSeqIn: number;
    };

/** A drain the master asked for (drain.ts), journaled until nothing is left. */
export interface AgentDrain {
  readonly config: DrainConfig;
  /**
   * When the agent began draining (Mesos' estimated drain start time, shown by
   * /state). Undefined from recovery until the drain is replayed.
   */
  readonly startedAtMs: number | undefined;
}

export interface AgentState {
  readonly config: AgentConfig;
  readonly random: Random;
  readonly startTimeMs: number;
  agentId: string | undefined;
  link: LinkState;
  /** Highest epoch used so far: the next link uses a larger one. */
  lastEpoch: number;
  /** Set once the master told this agent to shut down. */
  shutdownMessage: string | undefined;
  readonly frameworks: Map<string, AgentFramework>;
  /** Frameworks removed (SHUTDOWN_FRAMEWORK) and all their executors done, newest last, bounded. */
  completedFrameworks: AgentFramework[];
  /** The reservations and volumes the agent has (or is making) durable, and the feedback it owes on operations. */
  resourceState: ResourceState;
  /** The declared resources with `resourceState.resources` applied: what the agent offers the cluster. */
  totalResources: Resources;
  /** Status update streams by (framework id, task id). */
  readonly streams: Map<string, StatusStream>;
  /**
   * Until this time (after a restart) the agent waits for executors to
   * re-subscribe and does not link to the master (spec/core.md 5.5 step 6).
   */
  recoveringUntilMs: number | undefined;
  /** Set while the agent drains: its tasks are killed, new ones refused, kill updates marked. */
  drain: AgentDrain | undefined;
}

export function createAgentState(config: AgentConfig, random: Random, nowMs: number, agentId: string | undefined): AgentState {
  return {
    config,
    random,
    startTimeMs: nowMs,
    agentId,
    // Mesos waits a random part of the backoff factor before the first attempt, so
    // that agents restarted together do not all register at once.
    link: { status: 'none', nextAttemptMs: nowMs + random.next() * config.registrationBackoffFactorMs, failures: 0 },
    lastEpoch: 0,
    shutdownMessage: undefined,
    frameworks: new Map(),
    completedFrameworks: [],
    resourceState: config.recoveredResources,
    totalResources: totalOf(config, config.recoveredResources.resources),
    streams: new Map(),
    recoveringUntilMs: undefined,
    drain: undefined,
  };
}

/** The agent's total with `checkpointed` applied; the shell checked at start that the recovered ones fit. */
export function totalOf(config: AgentConfig, checkpointed: Resources): Resources {
  const total = applyCheckpointedResources(config.declared, checkpointed);
  assert(total.ok, 'checkpointed resources that do not fit the declared ones');
  return total.value;
}
