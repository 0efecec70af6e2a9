/**
 * Draining, the agent's side of DRAIN_AGENT (Mesos' Slave::drain). The master
 * sends DRAIN after the operator's call and again each time a draining agent
 * (re-)registers. The agent:
 *  - journals the config (Mesos' drain.config) before it kills anything, so
 *    that a restarted agent drains on. An agent with nothing to drain is
 *    drained already: it journals nothing;
 *  - kills every task, each kill grace period capped at max_grace_period;
 *  - marks the kills it reports (drain-updates.ts) and refuses new tasks;
 *  - once no executor and no operation update is left, journals that the
 *    drain is over and forgets it. It tells the master nothing: the master
 *    decides DRAINED on its own view (terminal updates acknowledged).
 * A restarted agent replays the drain, killing what still runs, once its
 * executors had their chance to re-subscribe.
 *
 *   DRAIN ─► journal `drain`, kill all ─► ... acks ... ─► nothing left ─► journal `drain_finished`
 */
import { DrainConfig } from '../../protocol/internal.js';
import { agentUpdate, completeExecutorIfDone, ensureFramework, partitionAware, unknownTaskExecutor } from './executors.js';
import { killTask } from './kill-task.js';
import { idValue, infoTaskId, taskIdOf, type AgentFramework, type Json } from './model.js';
import type { AgentState } from './state.js';
import type { AgentStep } from './step.js';

/**
 * DRAIN from the master. Link records are not checked on arrival, but this
 * one's config is journaled, and the journal takes a malformed record for a
 * bug and stops the agent: so it is checked here.
 */
export function onDrainRecord(step: AgentStep, drain: unknown): void {
  const parsed = DrainConfig.safeParse((drain as { config?: unknown } | undefined)?.config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    step.log('error', `Ignoring DRAIN with an invalid config: ${issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`}`);
    return;
  }
  drainAgent(step, parsed.data);
}

/** Begins (or begins again, with this config) to drain: journal, then kill every task. */
export function drainAgent(step: AgentStep, config: DrainConfig): void {
  const { state } = step;
  const previous = state.drain === undefined ? undefined : describe(state.drain.config);
  if (nothingLeft(state)) {
    step.log(
      'info',
      `Received drain config ${describe(config)}${previous === undefined ? '' : `; previous drain config ${previous}`}; ` +
        'the agent has no frameworks, tasks or operations, so draining is already complete',
    );
    return;
  }
  step.log('info', `Initiating drain with drain config ${describe(config)}${previous === undefined ? '' : `, overwriting drain config ${previous}`}`);
  step.persist({ v: 1, type: 'drain', config });
  state.drain = { config, startedAtMs: step.nowMs };
  for (const framework of [...state.frameworks.values()]) {
    for (const executor of [...framework.executors.values()]) {
      // As in Mesos: an executor shutting down or ended is not sent kills; its tasks end with it.
      if (executor.state === 'terminating' || executor.state === 'terminated') continue;
      for (const task of [...executor.launchedTasks.values(), ...executor.queuedTasks.values()]) {
        killTask(step, framework.id, taskIdOf(task), drainKillPolicy(config, task.info));
      }
    }
  }
}

/**
 * The kill policy a drain kills a task with (Mesos' calculateKillPolicy):
 * max_grace_period, when the task has no grace period of its own or a longer
 * one. Otherwise none, and the task's own policy holds, as without a max.
 */
export function drainKillPolicy(config: DrainConfig, task: Json): Json | undefined {
  const max = config.max_grace_period;
  if (max === undefined) return undefined;
  const own = ((task['kill_policy'] as Json | undefined)?.['grace_period'] as { nanoseconds?: number } | undefined)?.nanoseconds;
  return own === undefined || max.nanoseconds < own ? { grace_period: { nanoseconds: max.nanoseconds } } : undefined;
}

/**
 * A task sent while draining is not launched (Mesos' Slave::run): it is
 * TASK_DROPPED, or TASK_LOST for a framework that is not partition-aware. The
 * master set resources aside for the custom executor the task would have
 * started: that executor is reported exited, so that it gives them back.
 */
export function refuseWhileDraining(step: AgentStep, frameworkInfo: Json, task: Json): void {
  const frameworkId = idValue(frameworkInfo['id']);
  const taskId = infoTaskId(task);
  step.log('warn', `Ignoring running task ${taskId} of framework ${frameworkId} because the agent is draining`);
  const framework = ensureFramework(step, frameworkId, frameworkInfo);
  const executorId = task['executor'] === undefined ? undefined : idValue((task['executor'] as Json)['executor_id']);
  const expectedExecutorId = executorId !== undefined && !hasExecutor(framework, executorId) ? executorId : undefined;
  const placeholder = unknownTaskExecutor(step, frameworkId, taskId);
  agentUpdate(step, placeholder, taskId, {
    state: partitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST',
    source: 'SOURCE_AGENT',
    reason: 'REASON_AGENT_DRAINING',
    message: 'Task was received while agent was already draining',
  });
  completeExecutorIfDone(step, placeholder);
  if (expectedExecutorId !== undefined) {
    step.sendToMaster({ type: 'EXITED_EXECUTOR', exited_executor: { framework_id: { value: frameworkId }, executor_id: { value: expectedExecutorId } } });
  }
}

/** An executor the master still counts: one that has not ended (an ended one was reported exited). */
function hasExecutor(framework: AgentFramework, executorId: string): boolean {
  const executor = framework.executors.get(executorId);
  return executor !== undefined && executor.state !== 'terminated';
}

/**
 * After every step: a drain recovered from the journal is replayed once
 * recovery is over (custom executors re-subscribed or ran out of time, so
 * that the kills reach them), and a drain with nothing left ends.
 */
export function onDrainProgress(step: AgentStep): void {
  const { state } = step;
  if (state.drain === undefined) return;
  if (state.drain.startedAtMs === undefined && state.recoveringUntilMs === undefined) {
    step.log('info', 'Replaying in-process agent draining');
    drainAgent(step, state.drain.config);
  }
  if (!nothingLeft(state)) return;
  step.log('info', 'Agent finished draining');
  step.persist({ v: 1, type: 'drain_finished' });
  state.drain = undefined;
}

/**
 * Mesos' condition, no frameworks and no operations. Here a framework stays
 * after its last executor is done, so: no executor (an ended one waiting for
 * its tasks' terminal updates to be acknowledged counts), and no operation
 * update waiting for its acknowledgement.
 */
function nothingLeft(state: AgentState): boolean {
  if (state.resourceState.operationUpdates.length > 0) return false;
  for (const framework of state.frameworks.values()) if (framework.executors.size > 0) return false;
  return true;
}

/** The config as Mesos' /state shows it: max_grace_period if set, mark_gone always (it has a default). */
export function drainConfigJson(config: DrainConfig): Record<string, unknown> {
  return { ...(config.max_grace_period !== undefined ? { max_grace_period: { nanoseconds: config.max_grace_period.nanoseconds } } : {}), mark_gone: config.mark_gone };
}

function describe(config: DrainConfig): string {
  return JSON.stringify(drainConfigJson(config));
}
