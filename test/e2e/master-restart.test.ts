/**
 * Method: a real master on a fixed port, one agent, and a checkpointing
 * framework with a failover timeout that runs `sleep` tasks (spec/core.md
 * 5.3). The master is killed with SIGKILL and started again with the same
 * work directory and port; it has no registry yet, so it learns the agent's
 * tasks from the agent's re-registration and the framework from its
 * re-subscription. The tests check that the tasks' processes never stopped,
 * that the new master lists them, that reconciliation answers TASK_RUNNING,
 * and that an update produced while the master was down reaches the
 * framework after it re-subscribes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WireTaskStatus } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, useCluster, waitFor, freePort } from '../support/cluster.js';
import { fastMasterFlags, frameworkInfo, pidIn, subscribeFramework, waitForActiveAgents } from './helpers.js';

useCluster();

/** Acknowledges and records every update of a session into `statuses`. */
function record(session: SchedulerSession, statuses: WireTaskStatus[]): void {
  session.on('UPDATE', (event) => {
    const status = (event as { update: { status: WireTaskStatus } }).update.status;
    statuses.push(status);
    void session.acknowledgeStatus(status);
  });
}

function task(id: string, agentId: string, command: string): object {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
    ],
    command: { value: command },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('master restart (spec/core.md 5.3)', () => {
  it('leaves running tasks untouched; the re-subscribed framework sees them running and gets the update made while the master was down', async () => {
    const port = await freePort();
    const master = await startMaster({ flags: [...fastMasterFlags, `--port=${port}`] });
    const agent = await startAgent(master.url, { flags: ['--registration_backoff_factor=10ms', '--resources=cpus:2;mem:1024', '--status_update_retry_interval=1secs'] });
    await waitForActiveAgents(master.url, 1);
    const info = frameworkInfo({ user: 'root', checkpoint: true, failover_timeout: 3600, name: 'survivor' });
    const before = await subscribeFramework(master.url, info);
    const statuses: WireTaskStatus[] = [];
    record(before, statuses);
    const offers = (await before.nextEvent('OFFERS', 10_000)) as { offers: { offers: { id: { value: string }; agent_id: { value: string } }[] } };
    const offer = offers.offers.offers[0];
    if (offer === undefined) throw new Error('no offer');
    const agentId = offer.agent_id.value;
    const sleepers = ['a', 'b', 'c'].map((id) => task(id, agentId, 'echo $$ > pid; exec sleep 1000'));
    const waiter = task('waiter', agentId, 'while [ ! -e go ]; do sleep 0.05; done');
    await before.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [...sleepers, waiter] } }] as never);
    const running = (id: string): boolean => statuses.some((s) => s.task_id.value === id && s.state === 'TASK_RUNNING');
    await waitFor(() => ['a', 'b', 'c', 'waiter'].every(running), { message: 'the tasks to run' });
    const state = await fetchJson<{ frameworks: { executors: { id: string; directory: string }[] }[] }>(`${agent.url}/state`);
    const directories = new Map(state.frameworks.flatMap((f) => f.executors).map((e) => [e.id, e.directory]));
    const pids = await Promise.all(['a', 'b', 'c'].map((id) => pidIn(directories.get(id))));

    master.kill('SIGKILL');
    await master.exited;
    await before.closed;
    writeFileSync(join(directories.get('waiter') ?? '', 'go'), '');
    const restarted = await master.restart();
    await waitFor(async () => (await fetchJson<{ slaves: { id: string }[] }>(`${restarted.url}/state`)).slaves.some((s) => s.id === agentId), {
      message: 'the agent to re-register',
      timeoutMs: 15_000,
    });

    const after = await subscribeFramework(restarted.url, { ...info, id: { value: before.frameworkId } });
    const afterStatuses: WireTaskStatus[] = [];
    record(after, afterStatuses);
    await waitFor(() => afterStatuses.some((s) => s.task_id.value === 'waiter' && s.state === 'TASK_FINISHED'), {
      message: 'the update made while the master was down',
      timeoutMs: 15_000,
    });
    expect(pids.filter(alive)).toHaveLength(3);
    const tasks = await fetchJson<{ tasks: { id: string; state: string }[] }>(`${restarted.url}/master/tasks`);
    expect(tasks.tasks.filter((t) => ['a', 'b', 'c'].includes(t.id)).map((t) => t.state)).toEqual(['TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING']);

    const reconciled: WireTaskStatus[] = [];
    after.on('UPDATE', (event) => {
      const status = (event as { update: { status: WireTaskStatus } }).update.status;
      if (status.reason === 'REASON_RECONCILIATION') reconciled.push(status);
    });
    await after.reconcile([]);
    await waitFor(() => reconciled.length === 3, { message: 'implicit reconciliation to answer every running task' });
    expect(reconciled.map((s) => [s.task_id.value, s.state]).sort()).toEqual([
      ['a', 'TASK_RUNNING'],
      ['b', 'TASK_RUNNING'],
      ['c', 'TASK_RUNNING'],
    ]);
    await after.close();
  }, 90_000);
});
