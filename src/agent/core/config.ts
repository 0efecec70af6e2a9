/**
 * The agent's settings as the core uses them, compiled by the shell from flags,
 * detection and the work directory.
 */
import type { AgentInfoMessage } from '../../protocol/internal.js';
import type { Resources } from '../../resources/index.js';

export interface AgentConfig {
  /** What the agent tells the master about itself (resources as declared, canonical JSON). */
  readonly info: AgentInfoMessage;
  readonly resources: Resources;
  readonly version: string;
  readonly capabilities: readonly string[];
  /** `--registration_backoff_factor`: link attempts back off randomly in [0, factor x 2^n], capped. */
  readonly registrationBackoffFactorMs: number;
  readonly registrationBackoffMaxMs: number;
  /** Silence on the link this long (before the master says otherwise) means the master is gone. */
  readonly defaultPingTimeoutMs: number;
}
