/**
 * The agent's settings as the core uses them, compiled by the shell from flags,
 * detection and the work directory.
 */
import type { AgentInfoMessage } from '../../protocol/internal.js';
import type { Resources } from '../../resources/index.js';
import type { ResourceState } from '../volumes/resource-state.js';

export interface AgentConfig {
  /** What the agent tells the master about itself (resources as declared, canonical JSON). */
  readonly info: AgentInfoMessage;
  /** The resources the agent declares (--resources and detection), before its checkpointed ones are applied. */
  readonly declared: Resources;
  /** The reservations and volumes recovered at start (spec/storage.md 3.2), already found to fit `declared`. */
  readonly recoveredResources: ResourceState;
  readonly version: string;
  readonly capabilities: readonly string[];
  /** `--registration_backoff_factor`: link attempts back off randomly in [0, factor x 2^n], capped. */
  readonly registrationBackoffFactorMs: number;
  readonly registrationBackoffMaxMs: number;
  /** Silence on the link this long (before the master says otherwise) means the master is gone. */
  readonly defaultPingTimeoutMs: number;
  readonly workDir: string;
  /** `ip:port` of this agent's HTTP endpoint (MESOS_AGENT_ENDPOINT for executors). */
  readonly endpoint: string;
  /** Run tasks as their user (`--switch_user`, and the agent runs as root). */
  readonly switchUser: boolean;
  readonly executorRegistrationTimeoutMs: number;
  readonly executorReregistrationTimeoutMs: number;
  readonly executorShutdownGracePeriodMs: number;
  readonly recoveryTimeoutMs: number;
  readonly maxCompletedExecutorsPerFramework: number;
  /** Status updates are sent again after this, doubling each time up to the maximum (spec/core.md 2.4). */
  readonly statusUpdateRetryInitialMs: number;
  readonly statusUpdateRetryMaxMs: number;
  /** `--recover`: reconnect to executors after a restart, or clean them up and exit. */
  readonly recover: 'reconnect' | 'cleanup';
  /** The environment every task inherits (the agent's own, as Mesos executors get by default). */
  readonly baseEnvironment: Readonly<Record<string, string>>;
}

/** The command executor's kill grace period when neither the kill nor the task sets one (spec/core.md 0.4). */
export const commandKillGracePeriodMsDefault = 3_000;
