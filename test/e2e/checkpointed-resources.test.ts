/**
 * An agent whose `--resources` no longer hold what its checkpointed
 * reservations were made from refuses to start (spec/storage.md 3.2), with one
 * line naming both, and touches nothing: the resource journal (and so the
 * volumes' data) stays for an operator to restart it with the right resources.
 * Method: the built CLI as a child process, with a resource journal written
 * into a fresh work directory under the test root.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { testRoot } from '../support/test-root.js';

const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

function runAgent(workDir: string, resources: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [cliEntry, 'agent', '--ip=127.0.0.1', '--port=0', '--master=127.0.0.1:1', `--work_dir=${workDir}`, `--resources=${resources}`],
      { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        done({ status: error === null ? 0 : typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

describe('agent: checkpointed resources at start', () => {
  it('refuses to start when --resources no longer contain what a dynamic reservation was made from, and keeps the checkpoint', async () => {
    mkdirSync(testRoot(), { recursive: true });
    const workDir = mkdtempSync(join(testRoot(), 'checkpointed-'));
    onTestFinished(() => rmSync(workDir, { recursive: true, force: true }));
    const checkpoint = join(workDir, 'meta', 'resources', 'resources.journal');
    mkdirSync(join(workDir, 'meta', 'resources'), { recursive: true });
    const reserved = { name: 'cpus', type: 'SCALAR', scalar: { value: 8 }, reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }] };
    const journal = `${JSON.stringify({ v: 1, type: 'resources', resource_version: 'v1', resources: [reserved] })}\n`;
    writeFileSync(checkpoint, journal);

    const run = await runAgent(workDir, 'cpus:4;mem:512;disk:512;ports:[31000-31010]');

    expect(run.status).toBe(1);
    expect(run.stdout).not.toMatch(/listening/);
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Checkpointed resources cpus\(reservations: \[.*eng.*\]\):8 are incompatible with agent resources .*cpus:4.*: Incompatible agent resources: .* does not contain cpus:8/);
    expect(readFileSync(checkpoint, 'utf8')).toBe(journal);
  });
});
