/**
 * Containers outliving the agent: a Node process (standing in for the agent)
 * launches a container and is SIGKILLed with its whole process group; a new
 * containerizer then recovers the container as the agent would after a
 * restart. Tasks wait for a `go` file in their sandbox, so that each test
 * decides when they end. Everything runs under the test root (test-fixture.ts).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerRunFiles } from '../paths.js';
import { readIdentityFile } from './proc.js';
import { isAlive, launchFromChildProcess, useContainerizerFixture, waitUntil } from './test-fixture.js';
import type { ContainerLaunch, KnownContainer } from './types.js';

const fixture = useContainerizerFixture();

/** Exits 3 once `go` exists in the sandbox. */
const waitForGo = ['/bin/sh', '-c', 'while [ ! -e go ]; do sleep 0.02; done; exit 3'];

function known(launch: ContainerLaunch, supervisorPid?: number, startTime?: string): KnownContainer {
  return { containerId: launch.containerId, runDirectory: launch.runDirectory, supervisorPid, startTime, directory: launch.directory, volumes: launch.volumes, isolation: launch.isolation };
}

/** The task's pid, once its supervisor has written it (just after container_started). */
async function taskPidOf(launch: ContainerLaunch): Promise<number> {
  const path = containerRunFiles(launch.runDirectory).taskPid;
  await waitUntil(() => readIdentityFile(path) !== undefined, 'task.pid');
  return readIdentityFile(path)?.pid ?? 0;
}

async function launchAndKillTheAgent(launch: ContainerLaunch): Promise<{ supervisorPid: number; startTime: string }> {
  const { child, started } = await launchFromChildProcess(fixture(), launch);
  // The supervisor writes its pid files a moment after the spawn; a crash before that is another story.
  await taskPidOf(launch);
  const agentExited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-(child.pid ?? 0), 'SIGKILL');
  await agentExited;
  return started;
}

describe('containerizer: recovery', () => {
  it('keeps a container running when the agent that launched it is SIGKILLed, and a recovering agent hears its real exit status', async () => {
    const launch = fixture().launch('survivor', waitForGo);
    const started = await launchAndKillTheAgent(launch);
    expect(isAlive(started.supervisorPid)).toBe(true);

    const { containerizer, log } = fixture().containerizer();
    containerizer.recover([known(launch, started.supervisorPid, started.startTime)], false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log.of('survivor')).toEqual([]);
    writeFileSync(join(launch.directory, 'go'), '');

    expect((await log.waitFor('survivor', 'container_exited')).status).toEqual({ exited: 3 });
  });

  it('destroys a recovered container through its supervisor, which is no longer the agent\'s child', async () => {
    const launch = fixture().launch('recovered-then-killed', ['sleep', '1000']);
    const started = await launchAndKillTheAgent(launch);
    const { containerizer, log } = fixture().containerizer();
    containerizer.recover([known(launch, started.supervisorPid, started.startTime)], false);

    containerizer.destroy('recovered-then-killed', 5_000);

    expect((await log.waitFor('recovered-then-killed', 'container_exited')).status).toEqual({ signaled: 15 });
  });

  it('reports at recovery a container that ended while no agent was watching, with its real status', async () => {
    const launch = fixture().launch('ended-unseen', waitForGo);
    const started = await launchAndKillTheAgent(launch);
    writeFileSync(join(launch.directory, 'go'), '');
    await waitUntil(() => existsSync(containerRunFiles(launch.runDirectory).exitStatus) && !isAlive(started.supervisorPid), 'the container to end');

    const { containerizer, log } = fixture().containerizer();
    containerizer.recover([known(launch, started.supervisorPid, started.startTime)], false);

    expect((await log.waitFor('ended-unseen', 'container_exited')).status).toEqual({ exited: 3 });
  });

  it('finds the supervisor from its pid file when the checkpoint never recorded it', async () => {
    const launch = fixture().launch('unrecorded', waitForGo);
    await launchAndKillTheAgent(launch);

    const { containerizer, log } = fixture().containerizer();
    containerizer.recover([known(launch)], false);
    writeFileSync(join(launch.directory, 'go'), '');

    expect((await log.waitFor('unrecorded', 'container_exited')).status).toEqual({ exited: 3 });
  });

  it('notices through its liveness poll a recovered supervisor that died without a status, and kills its task', async () => {
    const launch = fixture().launch('supervisor-killed', ['sleep', '1000']);
    const started = await launchAndKillTheAgent(launch);
    const { containerizer, log } = fixture().containerizer({ livenessPollMs: 50 });
    containerizer.recover([known(launch, started.supervisorPid, started.startTime)], false);
    const taskPid = await taskPidOf(launch);

    process.kill(started.supervisorPid, 'SIGKILL');

    expect((await log.waitFor('supervisor-killed', 'container_exited')).status).toBeUndefined();
    await waitUntil(() => !isAlive(taskPid), 'the orphaned task to be killed');
  });

  it('reports every container exited after a reboot, without signalling anything, with the status recorded before it', async () => {
    const first = fixture().containerizer();
    const launch = fixture().launch('pre-reboot', ['sleep', '1000']);
    const finished = fixture().launch('finished-before-reboot', ['/bin/sh', '-c', 'exit 3']);
    first.containerizer.launch(launch);
    first.containerizer.launch(finished);
    const started = await first.log.waitFor('pre-reboot', 'container_started');
    await first.log.waitFor('finished-before-reboot', 'container_exited');
    first.containerizer.close();

    const { containerizer, log } = fixture().containerizer();
    containerizer.recover([known(launch, started.supervisorPid, started.startTime), known(finished)], true);

    expect((await log.waitFor('pre-reboot', 'container_exited')).status).toBeUndefined();
    expect((await log.waitFor('finished-before-reboot', 'container_exited')).status).toEqual({ exited: 3 });
    const taskPid = await taskPidOf(launch);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAlive(started.supervisorPid)).toBe(true);
    expect(isAlive(taskPid)).toBe(true);
  });

  it('kills the supervisors of its work directory that no known container owns, and only those', async () => {
    const first = fixture().containerizer();
    const kept = fixture().launch('kept', ['sleep', '1000']);
    const orphan = fixture().launch('orphan', ['sleep', '1000']);
    first.containerizer.launch(kept);
    first.containerizer.launch(orphan);
    const keptStarted = await first.log.waitFor('kept', 'container_started');
    const orphanStarted = await first.log.waitFor('orphan', 'container_started');
    // container_started comes with the forked pid, maybe before the exec that gives it the supervisor's command line.
    await taskPidOf(kept);
    await taskPidOf(orphan);
    first.containerizer.close();

    const { containerizer } = fixture().containerizer({ orphanGracePeriodMs: 1_000 });
    const killed = await containerizer.killOrphans([known(kept, keptStarted.supervisorPid, keptStarted.startTime)]);

    expect(killed).toBe(1);
    expect(isAlive(orphanStarted.supervisorPid)).toBe(false);
    expect(isAlive(keptStarted.supervisorPid)).toBe(true);
  });
});
