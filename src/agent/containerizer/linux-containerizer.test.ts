/**
 * The Linux containerizer with real supervisors and real processes: launch
 * (sandbox, environment, output files, user), exit statuses, destroy, usage,
 * and the task launcher that starts the supervisors.
 * Every file and process lives under a directory of the test root, removed
 * after each test with whatever still runs there (test-fixture.ts).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerRunFiles } from '../paths.js';
import { findSupervisors, readIdentityFile, readProcessStat } from './proc.js';
import { RecordingFetcher, isAlive, readNumber, useContainerizerFixture, waitUntil } from './test-fixture.js';
import type { ContainerLaunch } from './types.js';

const fixture = useContainerizerFixture();

describe('containerizer: launch', () => {
  it('runs a command in its sandbox with its environment and writes stdout and stderr there', async () => {
    const { containerizer, log } = fixture().containerizer();
    const launch = fixture().launch('c1', ['/bin/sh', '-c', 'echo "out $GREETING"; pwd; env | sort; echo err >&2'], {
      environment: { PATH: '/usr/bin:/bin', GREETING: 'hello', MESOS_SANDBOX: '/somewhere' },
    });
    containerizer.launch(launch);

    const started = await log.waitFor('c1', 'container_started');
    expect(started.supervisorPid).toBeGreaterThan(0);
    expect(started.startTime).toMatch(/^\d+$/);
    const exited = await log.waitFor('c1', 'container_exited');
    expect(exited.status).toEqual({ exited: 0 });
    const stdout = readFileSync(join(launch.directory, 'stdout'), 'utf8').split('\n');
    expect(stdout[0]).toBe('out hello');
    expect(stdout[1]).toBe(launch.directory);
    // The environment is exactly the launch's (sh adds PWD, SHLVL and _ of its own).
    const variables = stdout.slice(2).filter((line) => line !== '').map((line) => line.split('=')[0]);
    expect(variables.filter((name) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(name ?? ''))).toEqual(['GREETING', 'MESOS_SANDBOX', 'PATH']);
    expect(readFileSync(join(launch.directory, 'stderr'), 'utf8')).toBe('err\n');
    const files = containerRunFiles(launch.runDirectory);
    expect(readFileSync(files.supervisorPid, 'utf8')).toBe(`${started.supervisorPid} ${started.startTime}\n`);
    expect(readFileSync(files.taskPid, 'utf8')).toMatch(/^\d+ \d+\n$/);
  });

  it('appends to stdout, so that rotating it by copy and truncate leaves no hole', async () => {
    const { containerizer, log } = fixture().containerizer();
    const launch = fixture().launch('rotated', ['/bin/sh', '-c', 'echo before; while [ ! -e rotated ]; do sleep 0.02; done; echo after']);
    containerizer.launch(launch);
    const stdout = join(launch.directory, 'stdout');
    await waitUntil(() => existsSync(stdout) && readFileSync(stdout, 'utf8') === 'before\n', 'the first line');

    truncateSync(stdout, 0);
    writeFileSync(join(launch.directory, 'rotated'), '');

    await log.waitFor('rotated', 'container_exited');
    expect(readFileSync(stdout, 'utf8')).toBe('after\n');
  });

  it('records the exit status: 0, 3 and a signal', async () => {
    const { containerizer, log } = fixture().containerizer();
    containerizer.launch(fixture().launch('zero', ['true']));
    containerizer.launch(fixture().launch('three', ['/bin/sh', '-c', 'exit 3']));
    containerizer.launch(fixture().launch('signal', ['/bin/sh', '-c', 'kill -TERM $$']));

    expect((await log.waitFor('zero', 'container_exited')).status).toEqual({ exited: 0 });
    expect((await log.waitFor('three', 'container_exited')).status).toEqual({ exited: 3 });
    expect((await log.waitFor('signal', 'container_exited')).status).toEqual({ signaled: 15 });
    const exitStatus = containerRunFiles(fixture().launch('three', []).runDirectory).exitStatus;
    expect(readFileSync(exitStatus, 'utf8')).toBe('berth-exit-status 1 exited 3\n');
  });

  it('reports a command that cannot be run as exited 127, with the reason on its stderr', async () => {
    const { containerizer, log } = fixture().containerizer();
    const launch = fixture().launch('missing', ['no-such-command-anywhere']);
    containerizer.launch(launch);

    expect((await log.waitFor('missing', 'container_exited')).status).toEqual({ exited: 127 });
    expect(readFileSync(join(launch.directory, 'stderr'), 'utf8')).toContain("cannot run 'no-such-command-anywhere': No such file or directory");
  });

  it('runs a task as its user: it owns its files and cannot write where it should not', async () => {
    const forbidden = join(fixture().root, 'forbidden');
    mkdirSync(forbidden, { mode: 0o755 });
    const { containerizer, log } = fixture().containerizer();
    const script = `id -u; touch mine; if touch ${forbidden}/theirs 2>/dev/null; then echo wrote; else echo refused; fi`;
    const launch = fixture().launch('as-nobody', ['/bin/sh', '-c', script], { user: 'nobody' });
    containerizer.launch(launch);

    expect((await log.waitFor('as-nobody', 'container_exited')).status).toEqual({ exited: 0 });
    const nobodyUid = 65534;
    expect(readFileSync(join(launch.directory, 'stdout'), 'utf8')).toBe(`${nobodyUid}\nrefused\n`);
    expect(existsSync(join(forbidden, 'theirs'))).toBe(false);
    expect(statSync(join(launch.directory, 'mine')).uid).toBe(nobodyUid);
    expect(statSync(launch.directory).uid).toBe(nobodyUid);
    expect(statSync(join(launch.directory, 'stdout')).uid).toBe(nobodyUid);
  });

  it('fails the launch of a task whose user does not exist, naming the user', async () => {
    const { containerizer, log } = fixture().containerizer();
    containerizer.launch(fixture().launch('ghost', ['true'], { user: 'no-such-user-here' }));

    const failed = await log.waitFor('ghost', 'container_failed');
    expect(failed).toMatchObject({ stage: 'launch', message: "user 'no-such-user-here' does not exist on this agent" });
    expect(log.of('ghost').map((event) => event.type)).toEqual(['container_failed']);
  });

  it('fetches the URIs into the sandbox before the command starts, and fails the launch when fetching fails', async () => {
    const uris = [{ value: 'http://example.invalid/a.tgz', executable: false, extract: true, cache: false, outputFile: undefined }];
    const fetcher = new RecordingFetcher();
    const { containerizer, log } = fixture().containerizer({ fetcher });
    const launch = fixture().launch('fetched', ['true'], { uris });
    containerizer.launch(launch);
    await log.waitFor('fetched', 'container_exited');
    expect(fetcher.requests).toEqual([{ uris, sandbox: launch.directory, user: undefined }]);

    const failing = fixture().containerizer({ fetcher: new RecordingFetcher('cannot fetch http://example.invalid/a.tgz: 404') });
    failing.containerizer.launch(fixture().launch('unfetched', ['true'], { uris }));
    const failed = await failing.log.waitFor('unfetched', 'container_failed');
    expect(failed).toMatchObject({ stage: 'fetch', message: 'cannot fetch http://example.invalid/a.tgz: 404' });
  });
});

describe('containerizer: destroy', () => {
  it('kills the whole tree: a process that called setsid at once, one that ignores SIGTERM after the grace period', async () => {
    const { containerizer, log } = fixture().containerizer();
    const script = [
      'setsid sh -c \'echo $$ > setsid.pid; exec sleep 1000\' &',
      'trap "" TERM',
      'sh -c \'echo $$ > stubborn.pid; exec sleep 1000\' &',
      'while [ ! -s setsid.pid ] || [ ! -s stubborn.pid ]; do sleep 0.01; done',
      'touch ready; wait',
    ].join('\n');
    const launch = fixture().launch('tree', ['/bin/sh', '-c', script]);
    containerizer.launch(launch);
    await log.waitFor('tree', 'container_started');
    await waitUntil(() => existsSync(join(launch.directory, 'ready')), 'the tree to start');
    const setsidPid = readNumber(join(launch.directory, 'setsid.pid'));
    const stubbornPid = readNumber(join(launch.directory, 'stubborn.pid'));
    const graceMs = 1_000;

    const destroyedMs = Date.now();
    containerizer.destroy('tree', graceMs);
    await waitUntil(() => !isAlive(setsidPid), 'the setsid process to end on SIGTERM', graceMs / 2);
    expect(isAlive(stubbornPid)).toBe(true);
    const exited = await log.waitFor('tree', 'container_exited');
    expect(Date.now() - destroyedMs).toBeGreaterThanOrEqual(graceMs);
    expect(exited.status).toEqual({ signaled: 9 });
    expect(isAlive(stubbornPid)).toBe(false);
  });

  it('kills what the command left running when it exits: a container ends with its main process', async () => {
    const { containerizer, log } = fixture().containerizer();
    const launch = fixture().launch('daemonizer', ['/bin/sh', '-c', 'sh -c \'sleep 1000 & echo $! > daemon.pid\'']);
    containerizer.launch(launch);

    expect((await log.waitFor('daemonizer', 'container_exited')).status).toEqual({ exited: 0 });
    expect(isAlive(readNumber(join(launch.directory, 'daemon.pid')))).toBe(false);
  });

  it('ends a task that exits on SIGTERM without waiting for the grace period', async () => {
    const { containerizer, log } = fixture().containerizer();
    containerizer.launch(fixture().launch('polite', ['sleep', '1000']));
    await log.waitFor('polite', 'container_started');

    const destroyedMs = Date.now();
    containerizer.destroy('polite', 10_000);
    expect((await log.waitFor('polite', 'container_exited')).status).toEqual({ signaled: 15 });
    expect(Date.now() - destroyedMs).toBeLessThan(5_000);
  });

  it('never starts a container destroyed while it was being fetched', async () => {
    const uris = [{ value: '/etc/hostname', executable: false, extract: false, cache: false, outputFile: undefined }];
    const { containerizer, log } = fixture().containerizer();
    const launch = fixture().launch('early', ['touch', 'started'], { uris });
    containerizer.launch(launch);
    containerizer.destroy('early', 0);

    expect((await log.waitFor('early', 'container_exited')).status).toBeUndefined();
    expect(log.of('early').map((event) => event.type)).toEqual(['container_exited']);
    expect(existsSync(containerRunFiles(launch.runDirectory).supervisorPid)).toBe(false);
  });

  it('ignores a container it does not know', () => {
    const { containerizer } = fixture().containerizer();
    expect(() => containerizer.destroy('nobody-launched-this', 0)).not.toThrow();
  });
});

describe('containerizer: usage', () => {
  it('reports the resident memory and processes of a running sleep', async () => {
    const { containerizer, log } = fixture().containerizer();
    const launch = fixture().launch('sleeper', ['sleep', '1000']);
    containerizer.launch(launch);
    await log.waitFor('sleeper', 'container_started');
    const taskPid = containerRunFiles(launch.runDirectory).taskPid;
    const commandOf = (pid: number): string => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    await waitUntil(() => existsSync(taskPid) && commandOf(readIdentityFile(taskPid)?.pid ?? 0) === 'sleep', 'sleep to run');

    const usage = await containerizer.usage('sleeper');
    expect(usage?.memRssBytes).toBeGreaterThan(0);
    expect(usage?.processes).toBe(1);
    expect(usage?.threads).toBe(1);
    expect(usage?.cpusUserTimeSecs).toBeGreaterThanOrEqual(0);
    expect(await containerizer.usage('not-a-container')).toBeUndefined();
  });
});

describe('containerizer: the launcher', () => {
  /** Exits 3 once `go` exists in the sandbox. */
  const waitForGo = ['/bin/sh', '-c', 'while [ ! -e go ]; do sleep 0.02; done; exit 3'];

  /** This process's running launcher (the newest, should a closed one still be exiting). */
  function launcherPid(): number {
    const launchers = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => readProcessStat(pid)?.ppid === process.pid && isAlive(pid) && commandOf(pid) === 'berth-launcher');
    const newest = launchers.sort((a, b) => Number(readProcessStat(b)?.startTime ?? 0) - Number(readProcessStat(a)?.startTime ?? 0))[0];
    if (newest === undefined) throw new Error('no launcher runs');
    return newest;
  }

  function commandOf(pid: number): string | undefined {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  /** Waits until the containerizer has asked the launcher (its run directory is made just before). */
  async function requested(launch: ContainerLaunch): Promise<void> {
    await waitUntil(() => existsSync(launch.runDirectory) && existsSync(launch.directory), 'the directories');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  it('leaves the containers running when it is closed: the launcher exits, the supervisors stay', async () => {
    const { containerizer, log } = fixture().containerizer();
    containerizer.launch(fixture().launch('stays', ['sleep', '1000']));
    const started = await log.waitFor('stays', 'container_started');
    const launcher = launcherPid();

    containerizer.close();

    await waitUntil(() => !isAlive(launcher), 'the launcher to exit');
    expect(isAlive(started.supervisorPid)).toBe(true);
  });

  it('fails the launches a dying launcher had not answered, watches what it had started, and starts a new one', async () => {
    const { containerizer, log } = fixture().containerizer({ livenessPollMs: 50 });
    const running = fixture().launch('running', waitForGo);
    containerizer.launch(running);
    await log.waitFor('running', 'container_started');
    const launcher = launcherPid();
    process.kill(launcher, 'SIGSTOP');
    const pending = fixture().launch('pending', ['true']);
    containerizer.launch(pending);
    await requested(pending);

    process.kill(launcher, 'SIGKILL');

    const failed = await log.waitFor('pending', 'container_failed');
    expect(failed).toMatchObject({ stage: 'launch', message: `the task launcher (pid ${launcher}) was killed by SIGKILL` });
    expect(log.of('running').map((event) => event.type)).toEqual(['container_started']);
    writeFileSync(join(running.directory, 'go'), '');
    expect((await log.waitFor('running', 'container_exited')).status).toEqual({ exited: 3 });
    containerizer.launch(fixture().launch('after', ['true']));
    expect((await log.waitFor('after', 'container_exited')).status).toEqual({ exited: 0 });
    expect(launcherPid()).not.toBe(launcher);
  });

  it('leaves no supervisor running for a launch that failed because the launcher was killed', async () => {
    const { containerizer, log } = fixture().containerizer({ livenessPollMs: 50 });
    const launches = Array.from({ length: 20 }, (_, index) => fixture().launch(`racing-${index}`, ['sleep', '1000']));
    for (const launch of launches) containerizer.launch(launch);
    await waitUntil(() => log.events.length > 0, 'a first event');
    process.kill(launcherPid(), 'SIGKILL');

    const ended = (id: string): boolean => log.of(id).some((event) => event.type !== 'container_started');
    const settled = (id: string): boolean => log.of(id).length > 0;
    await waitUntil(() => launches.every((launch) => settled(launch.containerId)), 'every launch to start or fail');
    for (const launch of launches) if (log.of(launch.containerId)[0]?.type === 'container_started') containerizer.destroy(launch.containerId, 0);
    await waitUntil(() => launches.every((launch) => ended(launch.containerId)), 'every container to end');
    const survivors = () => findSupervisors(resolve(fixture().workDir), 'berth-supervisor').filter((supervisor) => isAlive(supervisor.pid));
    await waitUntil(() => survivors().length === 0, 'no supervisor to run');
  });

  it('destroys a container that was being launched, once its supervisor runs', async () => {
    const { containerizer, log } = fixture().containerizer();
    containerizer.launch(fixture().launch('first', ['true']));
    await log.waitFor('first', 'container_exited');
    const launcher = launcherPid();
    process.kill(launcher, 'SIGSTOP');
    const late = fixture().launch('late', ['sleep', '1000']);
    containerizer.launch(late);
    await requested(late);

    containerizer.destroy('late', 0);
    process.kill(launcher, 'SIGCONT');

    const exited = await log.waitFor('late', 'container_exited');
    expect(exited.status).toMatchObject({ signaled: expect.any(Number) as number });
    expect(log.of('late').map((event) => event.type)).toEqual(['container_started', 'container_exited']);
  });

  it('fails every launch with one clear line when the launcher binary is missing', async () => {
    const missing = join(fixture().root, 'no-launcher-here');
    const { containerizer, log } = fixture().containerizer({ launcherPath: missing });
    containerizer.launch(fixture().launch('unlaunched', ['true']));

    expect(await log.waitFor('unlaunched', 'container_failed')).toMatchObject({
      stage: 'launch',
      message: `cannot start the task launcher ${missing}: it does not exist (build it: node scripts/build-native.mjs)`,
    });
  });
});
