/**
 * Agent loss and a healed partition with real processes (spec/core.md 5.4,
 * 5.6.3, 5.7; scenarios 67-69 of section 9.7): the agent is stopped with
 * SIGSTOP past a short ping timeout, so it answers no ping while its link
 * stays open. The master marks it unreachable: a partition-aware framework
 * sees TASK_UNREACHABLE, another TASK_LOST, both REASON_AGENT_REMOVED with
 * unreachable_time, and FAILURE. With SIGCONT the agent finds its link closed,
 * links again, and both frameworks hear their task RUNNING with
 * REASON_AGENT_REREGISTERED; the tasks' processes never stopped.
 *
 * Method: one master (--agent_ping_timeout=1secs, --max_agent_ping_timeouts=2)
 * and one agent; two checkpointing frameworks over the scheduler API, each with
 * a task that writes its pid and sleeps.
 */
import { describe, expect, it } from 'vitest';
import type { FrameworkInfo } from '../../src/protocol/mesos.js';
import type { WireTaskStatus } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { fastMasterFlags, metric, pidIn, useSessions, waitForActiveAgents } from './helpers.js';
import { agentExecutor, commandTask, launch, nextOffer, processExists, taskAgentFlags, untilState } from './task-helpers.js';

useCluster();

const { open } = useSessions();

function framework(name: string, partitionAware: boolean): FrameworkInfo {
  return {
    user: 'root',
    name,
    checkpoint: true,
    failover_timeout: 3600,
    capabilities: partitionAware ? [{ type: 'PARTITION_AWARE' }] : [],
  } as FrameworkInfo;
}

/** Acknowledges the task's updates until one with `reason` arrives. */
async function untilReason(session: SchedulerSession, taskId: string, reason: string): Promise<WireTaskStatus> {
  for (;;) {
    const event = await session.nextEvent((candidate) => candidate.type === 'UPDATE' && candidate.update.status.task_id.value === taskId, 30_000);
    if (event.type !== 'UPDATE') continue;
    await session.acknowledgeStatus(event.update.status);
    if (event.update.status.reason === reason) return event.update.status;
  }
}

describe('agent loss: a partition that heals', () => {
  it('marks a stopped agent unreachable (TASK_UNREACHABLE / TASK_LOST, FAILURE), then takes it back with REASON_AGENT_REREGISTERED, nothing killed', async () => {
    const master = await startMaster({ flags: [...fastMasterFlags, '--agent_ping_timeout=1secs', '--max_agent_ping_timeouts=2'] });
    const agent = await startAgent(master.url, { flags: [...taskAgentFlags] });
    await waitForActiveAgents(master.url, 1);
    const aware = await open(master.url, framework('partition-aware', true));
    const plain = await open(master.url, framework('plain', false));
    const pids = new Map<string, number>();
    for (const [session, taskId] of [
      [aware, 'aware-task'],
      [plain, 'plain-task'],
    ] as const) {
      const offer = await nextOffer(session, 15_000);
      await launch(session, offer, [commandTask(offer, taskId, 'echo $$ > pid; exec sleep 1000')], 0);
      await untilState(session, taskId, 'TASK_RUNNING');
      pids.set(taskId, await pidIn((await agentExecutor(agent.url, session.frameworkId, taskId))?.directory));
    }

    agent.kill('SIGSTOP');
    try {
      const unreachable = await untilReason(aware, 'aware-task', 'REASON_AGENT_REMOVED');
      expect(unreachable).toMatchObject({ state: 'TASK_UNREACHABLE', source: 'SOURCE_MASTER' });
      expect(unreachable.unreachable_time?.nanoseconds).toBeGreaterThan(0);
      const lost = await untilReason(plain, 'plain-task', 'REASON_AGENT_REMOVED');
      expect(lost).toMatchObject({ state: 'TASK_LOST', source: 'SOURCE_MASTER' });
      expect(lost.unreachable_time?.nanoseconds).toBe(unreachable.unreachable_time?.nanoseconds);
      for (const session of [aware, plain]) await session.nextEvent('FAILURE', 5_000);
      expect(await metric(master.url, 'master/slaves_unreachable')).toBe(1);
    } finally {
      agent.kill('SIGCONT');
    }

    for (const [session, taskId] of [
      [aware, 'aware-task'],
      [plain, 'plain-task'],
    ] as const) {
      const healed = await untilReason(session, taskId, 'REASON_AGENT_REREGISTERED');
      expect(healed).toMatchObject({ state: 'TASK_RUNNING', source: 'SOURCE_MASTER', message: 'Unreachable agent re-reregistered' });
      expect(processExists(pids.get(taskId) ?? 0)).toBe(true);
    }
    await waitFor(async () => (await metric(master.url, 'master/slaves_unreachable')) === 0, { message: 'no unreachable agent left' });
    expect(await metric(master.url, 'master/slaves_active')).toBe(1);
  }, 60_000);
});
