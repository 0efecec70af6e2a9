/**
 * Framework fail-over with a task running (spec/core.md 5.8; scenarios 43
 * SchedulerFailoverWithinTimeout and 44 FailoverTimeoutExpires of 9.4): a
 * scheduler that dies and comes back within its failover_timeout finds its
 * task running, is sent the update it never acknowledged, and can kill it;
 * one that stays away past its timeout is removed, its task killed on the
 * agent, and its id refused.
 *
 * Method: one master and one agent for the file (task-helpers.ts), frameworks
 * over the scheduler API; the task's process is watched through its pid file.
 */
import { describe, expect, it } from 'vitest';
import type { FrameworkInfo } from '../../src/protocol/mesos.js';
import type { WireTaskStatus } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { waitFor } from '../support/cluster.js';
import { legacyFrameworks, pidIn } from './helpers.js';
import { agentExecutor, commandTask, launch, nextOffer, processExists, untilState, useTaskCluster } from './task-helpers.js';

const cluster = useTaskCluster();

function framework(name: string, failoverTimeoutSeconds: number, id?: string): FrameworkInfo {
  return { user: 'root', name, checkpoint: true, failover_timeout: failoverTimeoutSeconds, ...(id !== undefined ? { id: { value: id } } : {}) } as FrameworkInfo;
}

/** The next UPDATE of `taskId`, not acknowledged. */
async function nextUpdate(session: SchedulerSession, taskId: string): Promise<WireTaskStatus> {
  const event = await session.nextEvent((candidate) => candidate.type === 'UPDATE' && candidate.update.status.task_id.value === taskId, 20_000);
  if (event.type !== 'UPDATE') throw new Error('not an UPDATE');
  return event.update.status;
}

describe('framework fail-over with a running task', () => {
  it('43: a new instance within the failover timeout is sent the unacknowledged TASK_RUNNING, and its KILL works', async () => {
    const first = await cluster.open(framework('failing-over', 3600));
    const offer = await nextOffer(first);
    await launch(first, offer, [commandTask(offer, 'survivor', 'echo $$ > pid; exec sleep 1000')]);
    // TASK_STARTING is acknowledged, TASK_RUNNING is not: the scheduler dies before it does.
    let running: WireTaskStatus;
    for (;;) {
      const status = await nextUpdate(first, 'survivor');
      if (status.state === 'TASK_RUNNING') {
        running = status;
        break;
      }
      await first.acknowledgeStatus(status);
    }
    const pid = await pidIn((await agentExecutor(cluster.agent.url, first.frameworkId, 'survivor'))?.directory);
    await first.close();

    const second = await cluster.open(framework('failing-over', 3600, first.frameworkId));
    expect(second.frameworkId).toBe(first.frameworkId);
    const resent = await nextUpdate(second, 'survivor');
    expect(resent).toMatchObject({ state: 'TASK_RUNNING', uuid: running.uuid });
    await second.acknowledgeStatus(resent);
    expect(processExists(pid)).toBe(true);
    await second.kill({ value: 'survivor' }, offer.agent_id);
    await untilState(second, 'survivor', 'TASK_KILLED');
    await waitFor(() => !processExists(pid), { message: "the task's process to end" });
    // Its failover timeout would keep it for an hour after this test.
    await second.teardown();
  }, 60_000);

  it('44: past its failover timeout the framework is removed, its task killed, and its id refused', async () => {
    const first = await cluster.open(framework('gone-for-good', 1));
    const offer = await nextOffer(first);
    await launch(first, offer, [commandTask(offer, 'orphan', 'echo $$ > pid; exec sleep 1000')]);
    await untilState(first, 'orphan', 'TASK_RUNNING');
    const pid = await pidIn((await agentExecutor(cluster.agent.url, first.frameworkId, 'orphan'))?.directory);
    await first.close();

    await waitFor(async () => (await legacyFrameworks(cluster.master.url)).completed_frameworks.some((listed) => listed.id === first.frameworkId), {
      message: 'the framework removed after its 1 s failover timeout',
    });
    await waitFor(() => !processExists(pid), { message: "the removed framework's task killed on the agent" });
    await expect(cluster.open(framework('gone-for-good', 1, first.frameworkId))).rejects.toThrow('Framework has been removed');
  }, 60_000);
});
