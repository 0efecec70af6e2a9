// Method: a stand-in CLI entry (a small script under the test root) that
// listens on --port, prints the ready line, exits 0 on SIGTERM, and exits 3
// soon after start when its work directory holds a file named `crash`.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testRoot } from '../../test/support/test-root.js';
import { localLayout } from './layout.js';
import { masterSpec } from './process-specs.js';
import { LocalSupervisor } from './supervisor.js';

const fakeEntry = `
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
const [command, ...flags] = process.argv.slice(2);
const flag = (name) => flags.find((text) => text.startsWith('--' + name + '='))?.slice(name.length + 3);
const server = createServer().listen(Number(flag('port')), '127.0.0.1', () => {
  console.log('berth ' + command + ' listening on http://127.0.0.1:' + server.address().port);
  if (existsSync(join(flag('work_dir'), 'crash'))) setTimeout(() => process.exit(3), 100);
});
process.on('SIGTERM', () => process.exit(0));
`;

const supervisors: LocalSupervisor[] = [];

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.stopAll(() => undefined)));
});

function setUp(): { supervisor: LocalSupervisor; workDir: string; unexpected: string[] } {
  mkdirSync(testRoot(), { recursive: true });
  const workDir = mkdtempSync(join(testRoot(), 'local-supervisor-'));
  const cliEntry = join(workDir, 'fake-main.mjs');
  writeFileSync(cliEntry, fakeEntry);
  const unexpected: string[] = [];
  const supervisor = new LocalSupervisor({
    cliEntry,
    env: process.env,
    readyTimeoutMs: 5_000,
    stopGraceMs: 2_000,
    showPath: (path) => path.replace(workDir, 'W'),
    onUnexpectedExit: (line) => unexpected.push(line),
    restartCommand: (name) => `berth local restart ${name}`,
  });
  supervisors.push(supervisor);
  return { supervisor, workDir, unexpected };
}

describe('local: supervisor', () => {
  it('local: supervisor: a restart stops the process and starts it on the port it had', async () => {
    const { supervisor, workDir } = setUp();
    const first = await supervisor.start(masterSpec(localLayout(workDir, '/'), 0));
    if (!first.ok) throw new Error(first.error);
    const lines: string[] = [];
    const second = await supervisor.restart('master', (line) => lines.push(line));
    if (!second.ok) throw new Error(second.error);
    expect(second.value.url).toBe(first.value.url);
    expect(second.value.child.pid).not.toBe(first.value.child.pid);
    expect(lines).toEqual([
      `stopping master (pid ${first.value.child.pid})`,
      'stopped master (exited with code 0)',
      'starting master',
      `started master (pid ${second.value.child.pid}) on ${first.value.url}`,
    ]);
  });

  it('local: supervisor: an unknown name is refused and the names are listed', async () => {
    const { supervisor, workDir } = setUp();
    await supervisor.start(masterSpec(localLayout(workDir, '/'), 0));
    expect(await supervisor.restart('agent7', () => undefined)).toEqual({
      ok: false,
      error: "there is no process 'agent7'; there are: master",
    });
  });

  it('local: supervisor: a process that dies on its own is reported, and can be started again', async () => {
    const { supervisor, workDir, unexpected } = setUp();
    const spec = masterSpec(localLayout(workDir, '/'), 0);
    mkdirSync(spec.workDir, { recursive: true });
    writeFileSync(join(spec.workDir, 'crash'), '');
    const started = await supervisor.start(spec);
    if (!started.ok) throw new Error(started.error);
    await started.value.child.exited;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unexpected).toEqual([
      `master (pid ${started.value.child.pid}) exited with code 3; see W/master/master.log; ` +
        'the others keep running; start it again with: berth local restart master',
    ]);
    expect(supervisor.rows()[0]?.pid).toBeUndefined();
    const lines: string[] = [];
    const again = await supervisor.restart('master', (line) => lines.push(line));
    expect(again.ok).toBe(true);
    expect(lines[0]).toBe('starting master');
  });

  it('local: supervisor: stopAll stops everything, reports each, and refuses restarts afterwards', async () => {
    const { supervisor, workDir, unexpected } = setUp();
    const started = await supervisor.start(masterSpec(localLayout(workDir, '/'), 0));
    if (!started.ok) throw new Error(started.error);
    const lines: string[] = [];
    await supervisor.stopAll((line) => lines.push(line));
    expect(lines).toEqual([`stopped master (pid ${started.value.child.pid}, exited with code 0)`]);
    expect(unexpected).toEqual([]);
    expect(await supervisor.restart('master', () => undefined)).toEqual({ ok: false, error: 'berth local is stopping' });
  });
});
