/**
 * Persistent volumes in a container's sandbox (volume-mounts.ts): real tasks
 * write and read through real bind mounts in their own mount namespace
 * (filesystem/linux: these tests run as root), or through a symlink
 * (filesystem/posix, forced). The host's side is checked from this process:
 * its /proc/self/mountinfo, and the volume's directory. Every file, mount
 * namespace and process lives under a directory of the test root, removed
 * after each test with whatever still runs there (test-fixture.ts).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerRunFiles } from '../paths.js';
import { readIdentityFile } from './proc.js';
import { volumeArgument } from './supervisor-command.js';
import { launchFromChildProcess, supervisorPath, useContainerizerFixture, waitUntil } from './test-fixture.js';
import type { ContainerLaunch, ContainerVolume } from './types.js';
import { readOnlyWarning, volumeMountFailedExitCode } from './volume-mounts.js';

const fixture = useContainerizerFixture();

/** A volume's directory on the "host", under the test's root, with the given files. */
function volumeDirectory(name: string, files: Record<string, string> = {}): string {
  const directory = join(fixture().root, 'volumes', name);
  mkdirSync(directory, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(directory, file), content);
  return directory;
}

function volume(source: string, containerPath: string, readOnly = false, giveToUser = true): ContainerVolume {
  return { source, containerPath, readOnly, giveToUser };
}

/** The mount points of a process's mount namespace (field 5 of mountinfo, octal escapes decoded). */
function mountPoints(pid: number | 'self'): string[] {
  return readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
}

/** The mount options (field 6) of the mount at `target` in a process's namespace, if there is one. */
function mountOptions(pid: number, target: string): string | undefined {
  const line = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .find((entry) => entry.split(' ')[4] === target);
  return line?.split(' ')[5];
}

async function taskPidOf(launch: ContainerLaunch): Promise<number> {
  const path = containerRunFiles(launch.runDirectory).taskPid;
  await waitUntil(() => readIdentityFile(path) !== undefined, 'task.pid');
  return readIdentityFile(path)?.pid ?? 0;
}

function run(command: string, ...args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
}

/**
 * Runs a task with a read-write and a read-only volume and checks, while it
 * runs and after, that only its own mount namespace has them, and that a
 * mount the host makes (at `lateMountPoint`) meanwhile reaches it.
 */
async function checkMountsStayPrivate(lateMountPoint: string): Promise<void> {
  const data = volumeDirectory('data');
  const config = volumeDirectory('config');
  const { containerizer, log } = fixture().containerizer();
  const launch = fixture().launch('private', ['/bin/sh', '-c', `touch data/up; ${untilGo}`], {
    volumes: [volume(data, 'data'), volume(config, 'config', true)],
  });
  containerizer.launch(launch);
  await log.waitFor('private', 'container_started');
  await waitUntil(() => existsSync(join(data, 'up')), 'the task to write through its mount');
  const targets = [join(launch.directory, 'data'), join(launch.directory, 'config')];
  const hostMountPoints = (): string[] => mountPoints('self').filter((point) => point.startsWith(fixture().workDir + '/'));

  expect(hostMountPoints()).toEqual([]);
  const taskPid = await taskPidOf(launch);
  expect(mountPoints(taskPid)).toEqual(expect.arrayContaining(targets));
  expect(mountOptions(taskPid, targets[0] ?? '')).toMatch(/^rw\b/);
  expect(mountOptions(taskPid, targets[1] ?? '')?.split(',')).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev']));
  run('mount', '--bind', volumeDirectory('late'), lateMountPoint);
  expect(mountPoints(taskPid)).toContain(lateMountPoint);
  expect(hostMountPoints()).toEqual([lateMountPoint]);

  writeFileSync(join(launch.directory, 'go'), '');
  expect((await log.waitFor('private', 'container_exited')).status).toEqual({ exited: 0 });
  expect(hostMountPoints()).toEqual([lateMountPoint]);
}

/** Waits in the sandbox until `go` exists there. */
const untilGo = 'while [ ! -e go ]; do sleep 0.02; done';

describe('containerizer: volumes: filesystem/linux', () => {
  it('mounts a volume in the sandbox: what the task writes there lands in the volume directory', async () => {
    const source = volumeDirectory('data');
    const { containerizer, log } = fixture().containerizer();
    expect(containerizer.isolation.names).toEqual(['filesystem/linux']);
    const launch = fixture().launch('writer', ['/bin/sh', '-c', 'echo hello > data/f && mkdir data/sub && echo deep > data/sub/g'], {
      volumes: [volume(source, 'data')],
    });
    containerizer.launch(launch);

    const started = await log.waitFor('writer', 'container_started');
    expect(started.warnings).toBeUndefined();
    expect((await log.waitFor('writer', 'container_exited')).status).toEqual({ exited: 0 });
    expect(readFileSync(join(source, 'f'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(source, 'sub', 'g'), 'utf8')).toBe('deep\n');
    // On the host the mount point stayed an empty directory.
    expect(readdirSync(join(launch.directory, 'data'))).toEqual([]);
  });

  it('gives the volume root and the mount point to the task user, who writes into the volume; a shared volume keeps its owner', async () => {
    const nobodyUid = 65534;
    const source = volumeDirectory('owned');
    const shared = volumeDirectory('shared-root');
    const { containerizer, log } = fixture().containerizer();
    const sharedLaunch = fixture().launch('shared', ['/bin/true'], { user: 'nobody', volumes: [volume(shared, 'data', false, false)] });
    containerizer.launch(sharedLaunch);
    expect((await log.waitFor('shared', 'container_exited')).status).toEqual({ exited: 0 });
    expect(statSync(shared).uid).toBe(0);

    const launch = fixture().launch('as-nobody', ['/bin/sh', '-c', 'echo mine > data/f'], { user: 'nobody', volumes: [volume(source, 'data')] });
    containerizer.launch(launch);

    expect((await log.waitFor('as-nobody', 'container_exited')).status).toEqual({ exited: 0 });
    expect(statSync(source).uid).toBe(nobodyUid);
    expect(statSync(join(source, 'f')).uid).toBe(nobodyUid);
    expect(statSync(join(launch.directory, 'data')).uid).toBe(nobodyUid);
  });

  it('mounts a read-only volume read-only: reading works, writing fails with EROFS', async () => {
    const source = volumeDirectory('config', { existing: 'kept\n' });
    const { containerizer, log } = fixture().containerizer();
    const script = 'cat ro/existing; if echo x > ro/new; then exit 0; fi; exit 7';
    const launch = fixture().launch('reader', ['/bin/sh', '-c', script], { volumes: [volume(source, 'ro', true)] });
    containerizer.launch(launch);

    expect((await log.waitFor('reader', 'container_exited')).status).toEqual({ exited: 7 });
    expect(readFileSync(join(launch.directory, 'stdout'), 'utf8')).toBe('kept\n');
    expect(readFileSync(join(launch.directory, 'stderr'), 'utf8')).toContain('Read-only file system');
    expect(existsSync(join(source, 'new'))).toBe(false);
  });

  it('leaves no mount in the host namespace, neither while the task runs nor after, while host mounts still reach the task', async () => {
    // The host's / may be private (nothing would leak anyway): the work dir is made a shared mount, as / usually is.
    const workDir = fixture().workDir;
    const lateMountPoint = join(workDir, 'late');
    mkdirSync(lateMountPoint, { recursive: true });
    run('mount', '--bind', workDir, workDir);
    try {
      run('mount', '--make-shared', workDir);
      await checkMountsStayPrivate(lateMountPoint);
    } finally {
      // Lazily, with what is mounted beneath: a task still running must not keep the test root busy.
      spawnSync('umount', ['--lazy', workDir]);
    }
  });

  it('keeps the volume mounted for a recovered container: the agent restarts, the task still writes into it', async () => {
    const source = volumeDirectory('data');
    const launch = fixture().launch('recovered', ['/bin/sh', '-c', `${untilGo}; echo after > data/f`], { volumes: [volume(source, 'data')] });
    const { child, started } = await launchFromChildProcess(fixture(), launch);
    await taskPidOf(launch);
    const agentExited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    await agentExited;

    const { containerizer, log } = fixture().containerizer();
    const known = {
      containerId: 'recovered',
      runDirectory: launch.runDirectory,
      supervisorPid: started.supervisorPid,
      startTime: started.startTime,
      directory: launch.directory,
      volumes: launch.volumes,
      isolation: launch.isolation,
    };
    containerizer.recover([known], false);
    writeFileSync(join(launch.directory, 'go'), '');

    expect((await log.waitFor('recovered', 'container_exited')).status).toEqual({ exited: 0 });
    expect(readFileSync(join(source, 'f'), 'utf8')).toBe('after\n');
  });

  it("passes paths holding ':' and '%' through the supervisor's command line intact", async () => {
    const source = volumeDirectory('odd:name%3A%');
    const { containerizer, log } = fixture().containerizer();
    const launch = fixture().launch('odd', ['/bin/sh', '-c', "echo ok > 'a:b%25/f'"], { volumes: [volume(source, 'a:b%25')] });
    containerizer.launch(launch);

    expect((await log.waitFor('odd', 'container_exited')).status).toEqual({ exited: 0 });
    expect(readFileSync(join(source, 'f'), 'utf8')).toBe('ok\n');
    expect(volumeArgument({ source: '/v/a:b%', target: '/s/c', readOnly: true })).toBe('--volume=ro:/v/a%3Ab%25:/s/c');
  });
});

describe('containerizer: volumes: failures', () => {
  it('fails the launch of a volume whose source is missing, naming the volume, and runs nothing', async () => {
    const missing = join(fixture().root, 'volumes', 'never-created');
    const { containerizer, log } = fixture().containerizer();
    const launch = fixture().launch('sourceless', ['touch', 'started'], { volumes: [volume(missing, 'data')] });
    containerizer.launch(launch);

    const failed = await log.waitFor('sourceless', 'container_failed');
    expect(failed).toMatchObject({
      stage: 'launch',
      message: `volume 'data': cannot use its source ${missing}: ENOENT: no such file or directory`,
    });
    expect(log.of('sourceless').map((event) => event.type)).toEqual(['container_failed']);
    expect(existsSync(containerRunFiles(launch.runDirectory).supervisorPid)).toBe(false);
    expect(existsSync(join(launch.directory, 'started'))).toBe(false);
  });

  it('fails the launch when something that is not a directory sits at the mount point (a fetched link)', async () => {
    const source = volumeDirectory('data');
    const { containerizer, log } = fixture().containerizer();
    const launch = fixture().launch('fetched-link', ['touch', 'started'], { volumes: [volume(source, 'data')] });
    // What an archive fetched into the sandbox could hold.
    mkdirSync(launch.directory, { recursive: true });
    symlinkSync('/etc', join(launch.directory, 'data'));
    containerizer.launch(launch);

    expect(await log.waitFor('fetched-link', 'container_failed')).toMatchObject({
      stage: 'launch',
      message: `volume 'data': its mount point ${join(launch.directory, 'data')} exists and is not a directory`,
    });
    expect(existsSync(join(launch.directory, 'started'))).toBe(false);
  });

  it('has the supervisor refuse to run the command when a mount fails in its namespace: exit 125, the reason on stderr', () => {
    const sandbox = join(fixture().root, 'sandbox');
    const runDirectory = join(fixture().root, 'run');
    const missing = join(fixture().root, 'gone');
    mkdirSync(join(sandbox, 'data'), { recursive: true });
    mkdirSync(runDirectory);
    const result = spawnSync(
      supervisorPath,
      [
        `--agent-work-dir=${fixture().workDir}`,
        `--run-dir=${runDirectory}`,
        `--sandbox=${sandbox}`,
        volumeArgument({ source: missing, target: join(sandbox, 'data'), readOnly: false }),
        `--stdout=${join(sandbox, 'stdout')}`,
        `--stderr=${join(sandbox, 'stderr')}`,
        '--',
        'touch',
        'started',
      ],
      { timeout: 10_000, killSignal: 'SIGKILL' },
    );

    expect(result.status).toBe(0);
    expect(readFileSync(containerRunFiles(runDirectory).exitStatus, 'utf8')).toBe(`berth-exit-status 1 exited ${volumeMountFailedExitCode}\n`);
    expect(readFileSync(join(sandbox, 'stderr'), 'utf8')).toContain(`cannot mount volume 'data' from ${missing}: No such file or directory`);
    expect(existsSync(join(sandbox, 'started'))).toBe(false);
  });
});

describe('containerizer: volumes: filesystem/posix', () => {
  it('links the volume into the sandbox and warns that a read-only volume is writable', async () => {
    const data = volumeDirectory('data');
    const config = volumeDirectory('config', { existing: 'kept\n' });
    const { containerizer, log } = fixture().containerizer({ volumeIsolation: 'filesystem/posix' });
    const launch = fixture().launch('linked', ['/bin/sh', '-c', 'echo hello > data/f; cat config/existing'], {
      volumes: [volume(data, 'data'), volume(config, 'config', true)],
    });
    containerizer.launch(launch);

    const started = await log.waitFor('linked', 'container_started');
    expect(started.warnings).toEqual([readOnlyWarning('config')]);
    expect(started.warnings?.[0]).toBe("Allowing read-write access to read-only volume 'config': filesystem/posix cannot enforce read-only");
    expect((await log.waitFor('linked', 'container_exited')).status).toEqual({ exited: 0 });
    expect(lstatSync(join(launch.directory, 'data')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(launch.directory, 'data'))).toBe(data);
    expect(readFileSync(join(data, 'f'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(launch.directory, 'stdout'), 'utf8')).toBe('kept\n');
  });
});

describe('containerizer: volumes: sandbox removal', () => {
  for (const isolation of ['filesystem/linux', 'filesystem/posix'] as const) {
    it(`leaves the volume's data intact when the sandbox is removed after the container (${isolation})`, async () => {
      const source = volumeDirectory('data');
      const { containerizer, log } = fixture().containerizer({ volumeIsolation: isolation });
      const launch = fixture().launch('collected', ['/bin/sh', '-c', 'echo hello > data/f && mkdir data/sub && echo deep > data/sub/g'], {
        volumes: [volume(source, 'data')],
      });
      containerizer.launch(launch);
      expect((await log.waitFor('collected', 'container_exited')).status).toEqual({ exited: 0 });

      rmSync(launch.directory, { recursive: true, force: true });

      expect(existsSync(launch.directory)).toBe(false);
      expect(readFileSync(join(source, 'f'), 'utf8')).toBe('hello\n');
      expect(readFileSync(join(source, 'sub', 'g'), 'utf8')).toBe('deep\n');
    });
  }
});
