/**
 * From a started HTTP server to a runtime ready to link (spec/core.md 5.5):
 * the core replays the journal, the containerizer takes back the containers
 * that still run and reports those that ended while the agent was down,
 * processes no known container owns are killed, the recovered sandboxes are
 * served and their logs rotated, and sandboxes of executors that completed
 * before the restart are handed to garbage collection.
 */
import type { Logger } from 'pino';
import { systemClock } from '../../lib/clock.js';
import { systemRandom } from '../../lib/random.js';
import type { TaskJournal } from '../checkpoint/journal.js';
import type { JournalRecord } from '../checkpoint/records.js';
import { AgentCore } from '../core/agent-core.js';
import type { AgentConfig } from '../core/config.js';
import type { AgentExecutor } from '../core/model.js';
import type { AgentState } from '../core/state.js';
import { containerResources, containerVolumes } from '../core/task-volumes.js';
import { latestRunVirtualPath } from '../paths.js';
import { completedSandboxes, openJournal, recordBoot, type BootCheck } from './recovery.js';
import { AgentRuntime } from './runtime.js';
import type { ResourceJournal } from '../volumes/resource-journal.js';
import { sandboxLogPaths, type BuiltServices } from './services.js';

export interface RecoveryInput {
  readonly config: AgentConfig;
  readonly agentId: string | undefined;
  /** The journal of `agentId` as opened, with what it held. */
  readonly journal: { readonly journal: TaskJournal; readonly records: readonly JournalRecord[] } | undefined;
  readonly boot: BootCheck;
  readonly workDir: string;
  readonly strict: boolean;
  readonly masterUrl: () => string | undefined;
  readonly services: BuiltServices;
  /** The checkpointed resources' journal, opened before the configuration was checked against it. */
  readonly resourceJournal: ResourceJournal;
  readonly logger: Logger;
}

export async function recoverRuntime(input: RecoveryInput): Promise<AgentRuntime> {
  const { services, boot, workDir, logger } = input;
  const core = new AgentCore(input.config, systemRandom, systemClock.nowMs(), input.agentId);
  const known = core.recover(input.journal?.records ?? [], systemClock.nowMs(), boot.rebooted);
  if (boot.rebooted) logger.warn('The host rebooted since the last run: every task of that run has ended');
  const openAgentJournal = (agentId: string): TaskJournal => {
    const opened = openJournal(workDir, agentId, input.strict);
    if (!opened.ok) throw new Error(opened.error);
    return opened.value.journal;
  };
  const runtime = new AgentRuntime(core, systemClock, logger, input.masterUrl, workDir, { ...services, openJournal: openAgentJournal, resourceJournal: input.resourceJournal }, input.journal?.journal);
  for (const executor of liveExecutors(core.state)) {
    services.fileRoots.set(latestRunVirtualPath(executor.frameworkId, executor.id), executor.directory);
    services.fileRoots.set(executor.directory, executor.directory);
    for (const path of sandboxLogPaths(executor.directory)) services.logs.register(path);
    runtime.exposeVolumes(executor.containerId, executor.directory, containerVolumes(core.state, containerResources(executor)));
  }
  // The runtime listens to the containerizer already: what ended while the agent was down reaches the core now.
  services.containerizer.recover(known.containers, boot.rebooted);
  const orphans = await services.containerizer.killOrphans(boot.rebooted ? [] : known.containers);
  if (orphans > 0) logger.warn(`Killed ${orphans} processes of containers this agent no longer knows`);
  recordBoot(workDir, boot.bootId);
  // Executors the agent still knows keep their directories, also terminated ones whose tasks' ends await acknowledgement.
  const inUse = new Set(knownExecutors(core.state).flatMap((executor) => [executor.directory, executor.runDirectory]));
  for (const sandbox of completedSandboxes(workDir, inUse)) services.gc.schedule(sandbox.path, sandbox.completedAtMs);
  services.gc.start();
  services.logs.start();
  return runtime;
}

function knownExecutors(state: AgentState): AgentExecutor[] {
  return [...state.frameworks.values()].flatMap((framework) => [...framework.executors.values()]);
}

/** The volumes an executor's container was given: those of its ExecutorInfo and of its tasks. */
export function liveExecutors(state: AgentState): AgentExecutor[] {
  return knownExecutors(state).filter((executor) => executor.state !== 'terminated');
}
