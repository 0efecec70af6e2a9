/**
 * Method: one master and one agent for the file (task-helpers.ts), the agent
 * rotating sandbox logs past 64 KB every second with two copies kept (berth's
 * --sandbox_log_max_size, --sandbox_log_max_files,
 * --sandbox_log_rotation_interval). A task that writes a known line count to
 * stdout, then sleeps, shows the rotation through /files; a running task shows
 * in /monitor/statistics with its container's limits and real usage read
 * from /proc.
 */
import { describe, expect, it } from 'vitest';
import { waitFor, fetchJson } from '../support/cluster.js';
import { commandTask, filesGet, launch, nextOffer, sandboxPath, taskFramework, untilState, useTaskCluster } from './task-helpers.js';

const cluster = useTaskCluster({
  agentFlags: ['--sandbox_log_max_size=64KB', '--sandbox_log_max_files=2', '--sandbox_log_rotation_interval=1secs'],
});

interface Statistics {
  readonly framework_id: string;
  readonly executor_id: string;
  readonly statistics: { cpus_limit?: number; mem_limit_bytes?: number; mem_rss_bytes?: number; cpus_user_time_secs?: number; processes?: number };
}

describe('agent: sandbox log rotation and /monitor/statistics', () => {
  it('rotates a task\'s stdout past the maximum size: stdout.1 holds the older output, stdout stays small', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    // 4000 lines of 100 bytes (400 KB), then silence: the next check rotates.
    const command = 'i=0; while [ $i -lt 4000 ]; do printf "%099d\\n" $i; i=$((i+1)); done; exec sleep 1000';
    await launch(session, offer, [commandTask(offer, 'chatty', command)]);
    await untilState(session, 'chatty', 'TASK_RUNNING');
    const sandbox = sandboxPath(session.frameworkId, 'chatty');
    const rotated = await waitFor(
      async () => {
        const listing = await filesGet(cluster.agent.url, 'browse', { path: sandbox });
        const names = (listing.json() as { path: string }[]).map((entry) => entry.path.split('/').pop());
        return names.includes('stdout.1') ? names : undefined;
      },
      { message: 'stdout.1 to appear', timeoutMs: 15_000 },
    );
    expect(rotated).toContain('stdout');
    expect(rotated).not.toContain('stdout.3');
    const size = async (name: string): Promise<number> => {
      const answer = await filesGet(cluster.agent.url, 'read', { path: `${sandbox}/${name}`, offset: -1 });
      return (answer.json() as { offset: number }).offset;
    };
    expect(await size('stdout.1')).toBeGreaterThan(64 * 1024);
    expect(await size('stdout')).toBeLessThan(64 * 1024);
  }, 30_000);

  it('lists a running executor in /monitor/statistics with its limits and real usage', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'busy', 'exec sleep 1000')]);
    await untilState(session, 'busy', 'TASK_RUNNING');
    const entry = await waitFor(
      async () => (await fetchJson<Statistics[]>(`${cluster.agent.url}/monitor/statistics`)).find((e) => e.executor_id === 'busy'),
      { message: 'the executor in /monitor/statistics' },
    );
    expect(entry.framework_id).toBe(session.frameworkId);
    // The task's resources plus the command executor's 0.1 cpus and 32 MB, as Mesos sums them.
    expect(entry.statistics.cpus_limit).toBeCloseTo(0.2, 5);
    expect(entry.statistics.mem_limit_bytes).toBe((32 + 32) * 1024 * 1024);
    expect(entry.statistics.mem_rss_bytes).toBeGreaterThan(0);
    expect(entry.statistics.processes).toBeGreaterThanOrEqual(1);
  }, 30_000);
});
