/**
 * A status update from an agent (spec/core.md 2.4, master side): forwarded to
 * the framework with its uuid when the framework is connected (otherwise the
 * agent retries later); the task's state follows the agent's latest state;
 * resources return the first time the task is terminal or unreachable, before
 * the framework acknowledges.
 */
import type { TaskStatus } from '../../../protocol/mesos.js';
import type { WireTaskStatus } from '../../../protocol/outputs.js';
import type { z } from 'zod';
import type { StepContext } from '../context.js';
import type { Agent, Task } from '../state.js';
import { countTaskState } from './master-update.js';
import { recoverTaskResources } from './removal.js';
import { parseTaskState, releasesResources } from './task-state.js';

type WireStatus = z.output<typeof TaskStatus>;

export function onAgentStatusUpdate(
  ctx: StepContext,
  agent: Agent,
  frameworkId: string,
  status: WireStatus,
  latestStateText: string | undefined,
): void {
  const state = ctx.state;
  state.counters.increment('master/messages_status_update');
  if (status.uuid === undefined || Buffer.from(status.uuid, 'base64').length !== 16) {
    state.counters.increment('master/invalid_status_updates');
    ctx.log('warn', `Ignoring a status update without a valid uuid from agent ${agent.id}`);
    return;
  }
  const framework = state.frameworks.get(frameworkId);
  // A task of that id on another agent is not this update's task (Mesos looks it up on the agent).
  const known = framework?.tasks.get(status.task_id.value);
  const task = known?.agentId === agent.id ? known : undefined;
  const wire = status as WireTaskStatus;
  let valid = true;
  if (framework !== undefined && framework.connection !== undefined) {
    if (task !== undefined) {
      task.statusUpdateState = status.state;
      task.statusUpdateUuid = status.uuid;
    }
    ctx.sendToFramework(framework, { type: 'UPDATE', update: { status: wire } });
  } else {
    valid = false;
    ctx.log('warn', `Status update for task ${status.task_id.value} of ${framework === undefined ? 'an unknown' : 'a disconnected'} framework ${frameworkId}`);
  }
  if (task === undefined) {
    state.counters.increment('master/invalid_status_updates');
    return;
  }
  updateTask(ctx, task, wire, parseTaskState(latestStateText) ?? status.state);
  state.counters.increment(valid ? 'master/valid_status_updates' : 'master/invalid_status_updates');
}

/** Mesos' updateTask: state from latest_state, one status entry per state, resources back once. */
function updateTask(ctx: StepContext, task: Task, status: WireTaskStatus, latestState: Task['state']): void {
  const previous = task.state;
  if (!isTerminal(previous)) task.state = latestState;
  const { data: _data, ...stored } = status;
  const last = task.statuses[task.statuses.length - 1];
  const healthUpdate = status.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' || status.reason === 'REASON_TASK_CHECK_STATUS_UPDATED';
  const newState = last?.state !== status.state;
  if (!newState) task.statuses.pop();
  task.statuses.push(stored);
  if (newState || healthUpdate) {
    ctx.sendToOperators({ type: 'TASK_UPDATED', task_updated: { framework_id: { value: task.frameworkId }, status: stored, state: task.state } });
  }
  if (!releasesResources(previous) && releasesResources(latestState)) {
    recoverTaskResources(ctx, task);
    countTaskState(ctx, latestState, status.source ?? 'SOURCE_AGENT', status.reason);
  }
}

function isTerminal(state: Task['state']): boolean {
  return releasesResources(state) && state !== 'TASK_UNREACHABLE';
}
