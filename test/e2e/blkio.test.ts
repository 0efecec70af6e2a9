/**
 * cgroups/blkio (berth's IO isolator) with real master and agent processes:
 * a task asks with labels for a write limit of 1 MB/s, its cgroup holds the
 * rule for the disk behind its sandbox, and writing 3 MB with direct IO
 * (past the page cache, so the limit applies as the data is written) takes
 * about three seconds; a label that does not parse fails the launch naming
 * it.
 *
 * Method: one master and one agent for the file (--cgroups_root=
 * berth-test-blkio-<pid>); the task times its own dd and writes the
 * milliseconds to a sandbox file, read through /files. Only a lower bound is
 * asserted on the time (a slow machine only makes it longer).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cgroup, cgroupsUnder } from '../../src/agent/isolators/cgroups/cgroup.js';
import { diskOf } from '../../src/agent/isolators/cgroups/blkio.js';
import { findHierarchy } from '../../src/agent/isolators/cgroups/hierarchy.js';
import { agentExecutor, commandTask, launch, nextOffer, readSandboxFile, taskFramework, untilState, useTaskCluster } from './task-helpers.js';

const cgroupsRoot = `berth-test-blkio-${process.pid}`;
const blkio = findHierarchy('blkio');
const available = process.getuid?.() === 0 && blkio?.version === 1;

/** Registered before the cluster, so it runs after it stopped: what is left under the file's cgroup root, and the root. */
afterAll(async () => {
  if (blkio === undefined) return;
  for (const containerId of cgroupsUnder(blkio, cgroupsRoot)) await Cgroup.of(blkio, cgroupsRoot, containerId).remove();
  await new Cgroup(blkio, join(blkio.mountPoint, cgroupsRoot)).remove();
});

const cluster = useTaskCluster({ agentFlags: ['--isolation=filesystem/linux,cgroups/blkio', `--cgroups_root=${cgroupsRoot}`] });

function labels(entries: Record<string, string>): Record<string, unknown> {
  return { labels: { labels: Object.entries(entries).map(([key, value]) => ({ key, value })) } };
}

describe.skipIf(!available)('cgroups/blkio: IO limits from task labels', () => {
  it('limits a task to 1 MB/s written: 3 MB with direct IO take about 3 s, and its cgroup holds the rule', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    const command =
      'start=$(date +%s%N); dd if=/dev/zero of=data bs=1048576 count=3 oflag=direct 2>/dev/null; end=$(date +%s%N); ' +
      'echo $(( (end - start) / 1000000 )) > elapsed_ms; exec sleep 1000';
    await launch(session, offer, [commandTask(offer, 'throttled', command, labels({ 'berth.io/write_bps': '1MB' }))]);
    await untilState(session, 'throttled', 'TASK_RUNNING');
    const executor = await agentExecutor(cluster.agent.url, session.frameworkId, 'throttled');
    const device = diskOf(executor?.directory ?? '');
    const rules = readFileSync(join(blkio?.mountPoint ?? '', cgroupsRoot, executor?.container ?? '', 'blkio.throttle.write_bps_device'), 'utf8');
    expect(rules.trim()).toBe(`${device} 1048576`);
    let elapsedMs = Number.NaN;
    for (let attempt = 0; attempt < 200 && Number.isNaN(elapsedMs); attempt++) {
      const text = await readSandboxFile(cluster.agent.url, session.frameworkId, 'throttled', 'elapsed_ms').catch(() => '');
      if (text.endsWith('\n')) elapsedMs = Number(text);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // 3 MB at 1 MB/s: about 3 s (the throttle lets the first slice through at once).
    expect(elapsedMs).toBeGreaterThanOrEqual(1_900);
  }, 40_000);

  it('fails the launch of a task whose IO label does not parse, naming the label', async () => {
    const session = await cluster.open(taskFramework('root'));
    const offer = await nextOffer(session);
    await launch(session, offer, [commandTask(offer, 'bad-label', 'exec sleep 1000', labels({ 'berth.io/write_bps': 'fast' }))]);
    const failed = await untilState(session, 'bad-label', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_CONTAINER_LAUNCH_FAILED');
    expect(failed.message).toContain("label berth.io/write_bps: 'fast' is not bytes per second");
  }, 30_000);
});
