/**
 * The master's settings, compiled from its flags (cli/flags/master-flags.ts)
 * into the units the core works in.
 */
import type { AllocatorConfig } from '../allocator/types.js';
import type { Acls } from '../auth/acls.js';

export interface MasterConfig {
  readonly heartbeatIntervalMs: number;
  readonly allocationIntervalMs: number;
  /** Offers are rescinded after this long; undefined = never (Mesos' default). */
  readonly offerTimeoutMs: number | undefined;
  readonly agentPingTimeoutMs: number;
  readonly maxAgentPingTimeouts: number;
  readonly agentReregisterTimeoutMs: number;
  /** --agent_removal_rate_limit as the time between two markings; undefined: no limit. */
  readonly agentRemovalIntervalMs: number | undefined;
  /** --recovery_agent_removal_limit as a fraction (1 = 100%). */
  readonly recoveryAgentRemovalLimit: number;
  readonly maxCompletedFrameworks: number;
  readonly maxCompletedTasksPerFramework: number;
  readonly maxUnreachableTasksPerFramework: number;
  /** Deprecated `--roles` whitelist; undefined = any valid role. */
  readonly rolesWhitelist: ReadonlySet<string> | undefined;
  readonly rootSubmissions: boolean;
  readonly maxOperatorSubscribers: number;
  readonly allocator: AllocatorConfig;
  /** Bootstrap weights from `--weights`. */
  readonly weights: ReadonlyMap<string, number>;
  readonly cluster: string | undefined;
  /** `--acls` for the local authorizer (master/auth); undefined: no authorizer, every action allowed. */
  readonly acls?: Acls | undefined;
  /** Flags as given, for /master/flags and GET_FLAGS. */
  readonly flags: readonly { readonly name: string; readonly value: string }[];
}
