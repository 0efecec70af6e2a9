/**
 * --mount_disk_images (docs/loop-disks.md) with a real agent: at its first
 * start the agent makes a 16 MB image, formats it ext4, loop-mounts it and
 * declares it a MOUNT disk of 16 MB; restarted, it mounts nothing twice and
 * formats nothing, and what was written on the disk is still there. An image
 * that cannot be made stops the start with one line naming the flag.
 *
 * Method: real master and agent processes, the image and mount point under
 * the test root; after each test the disk is unmounted (releaseLoopDisk,
 * which also frees the loop device) once the processes are stopped;
 * scripts/clean-test-root.sh undoes what an interrupted run left.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { releaseLoopDisk } from '../../src/agent/disks/loop-disk.js';
import { startAgent, startMaster, useCluster } from '../support/cluster.js';
import { isMountPoint } from '../support/loop-disk.js';
import { testRoot } from '../support/test-root.js';
import { fastMasterFlags, legacyAgents, waitForActiveAgents } from './helpers.js';

useCluster();

const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

function scratch(): string {
  mkdirSync(testRoot(), { recursive: true });
  return mkdtempSync(join(testRoot(), 'mount-disk-images-'));
}

interface DiskResource {
  readonly name: string;
  readonly scalar?: { readonly value: number };
  readonly disk?: { readonly source?: { readonly type: string; readonly mount?: { readonly root: string } } };
}

describe('agent: --mount_disk_images', () => {
  it('makes, formats and mounts the image at first start, declares it a MOUNT disk, and after a restart keeps its data', async () => {
    const directory = scratch();
    const spec = { image: join(directory, 'disk.img'), mountPoint: join(directory, 'disk') };
    // Registered first, so it runs last: after useCluster's stopAll.
    onTestFinished(() => {
      const released = releaseLoopDisk(spec);
      if (!released.ok) throw new Error(released.error);
    });
    const master = await startMaster({ flags: fastMasterFlags });
    const agent = await startAgent(master.url, {
      flags: ['--registration_backoff_factor=10ms', '--resources=cpus:2;mem:1024;disk:256', `--mount_disk_images=${spec.image}:${spec.mountPoint}:16`],
    });
    await waitForActiveAgents(master.url, 1);
    expect(isMountPoint(spec.mountPoint)).toBe(true);
    const log = readFileSync(agent.logPath, 'utf8');
    expect(log).toContain(`berth agent: making image ${spec.image} of 16 MB`);
    expect(log).toContain(`berth agent: mounting at ${spec.mountPoint}`);
    const [registered] = await legacyAgents(master.url);
    const disks = (registered?.['unreserved_resources_full'] as DiskResource[] | undefined)?.filter((resource) => resource.name === 'disk') ?? [];
    expect(disks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scalar: { value: 16 }, disk: { source: { type: 'MOUNT', mount: { root: spec.mountPoint } } } }),
        expect.objectContaining({ scalar: { value: 256 } }),
      ]),
    );
    writeFileSync(join(spec.mountPoint, 'kept'), 'data\n');
    const restarted = await agent.restart();
    await waitForActiveAgents(master.url, 1);
    expect(readFileSync(join(spec.mountPoint, 'kept'), 'utf8')).toBe('data\n');
    const after = readFileSync(restarted.logPath, 'utf8');
    expect(after.match(/making image/g)).toHaveLength(1);
    expect(after.match(/formatting/g)).toHaveLength(1);
  }, 60_000);

  it('an image that cannot be made stops the start with one line naming the flag', async () => {
    const directory = scratch();
    // A file where the image's directory should be.
    writeFileSync(join(directory, 'not-a-directory'), '');
    const image = join(directory, 'not-a-directory', 'disk.img');
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [cliEntry, 'agent', '--ip=127.0.0.1', '--port=0', `--work_dir=${join(directory, 'work')}`, '--master=127.0.0.1:1', `--mount_disk_images=${image}:${join(directory, 'mnt')}:16`],
        { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL', env: { ...process.env, BERTH_TEST_ROOT: testRoot() } },
        (error, stdout, stderr) => done({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
      );
    });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toMatch(/listening/);
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^--mount_disk_images: /);
    expect(existsSync(join(directory, 'mnt')) && isMountPoint(join(directory, 'mnt'))).toBe(false);
  }, 30_000);
});
